"""Ending the server process at once: LSP `exit`, or the client gone.

Why not `sys.exit`: the interpreter's shutdown joins every `ThreadPoolExecutor` worker (the
embedded model's loader holds one for its whole 12-40 s load), waits for a `ProcessPoolExecutor`
(indexing a big workspace), and runs atexit handlers; the process then outlived `exit` by the
length of whatever was in flight (~40 s measured with the model loading). The LSP spec wants the
process gone. So: kill the helper processes we started (jedi, index workers), flush what was
written (bounded: a client that stopped reading must not keep us alive), and `os._exit`.
Everything durable is already durable: SQLite commits per transaction, and `shutdown` (the
orderly path) closed the stores before `exit` came.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import weakref
from typing import NoReturn

from .map.workers import stop_all as stop_workers

log = logging.getLogger(__name__)

FLUSH_LIMIT_S = 0.5  # how long the last writes may take before the process ends anyway

_children: weakref.WeakSet[subprocess.Popen] = weakref.WeakSet()
_ending = threading.Lock()


def track(proc: subprocess.Popen) -> None:
    """A child process to kill when the server ends (helper_process.py registers its own)."""
    _children.add(proc)


def kill_children() -> int:
    """Kill every tracked helper and every index worker (none starts after); how many."""
    killed = 0
    for proc in list(_children):
        if proc.poll() is None:
            try:
                proc.kill()
                killed += 1
            except OSError:
                pass
    try:
        killed += stop_workers()
    except Exception:  # noqa: BLE001 - the end must not fail on bookkeeping
        pass
    return killed


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        try:
            handler.flush()
        except Exception:  # noqa: BLE001
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


def end_process(code: int, why: str = "exit") -> NoReturn:
    """Kill the children, flush (at most FLUSH_LIMIT_S), and end the process with `code`."""
    _ending.acquire()  # one caller ends the process; a second one waits for it to happen
    killed = kill_children()
    log.info("%s: ending the process with code %d (%d helper processes killed)", why, code, killed)
    flusher = threading.Thread(target=_flush, daemon=True)
    flusher.start()
    flusher.join(FLUSH_LIMIT_S)
    os._exit(code)
