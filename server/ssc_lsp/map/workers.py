"""The cold index's worker processes, started so that none outlives the server.

Why this module: a worker started while `exit` ended the server (the index thread submitting
its first batches in the moment between `process_exit.kill_children` and `os._exit`) was in no
list that was killed. It outlived the server blocked on its task queue, holding the client's
stdout pipe (inherited descriptor 1), and a client waiting for the end of that pipe (the test
harness; an editor reading to EOF) hung. Three things close it:

- every start of a worker happens under one lock (`ProcessPoolExecutor.submit` starts a worker
  when none is idle; with the "spawn" context that is the only place a worker starts), and
  `stop_all` takes that lock: a start in progress finishes first, so its worker is known and
  killed, and no start begins after (`submit` raises `WorkersStopped`);
- `stop_all` kills the processes of every pool alive and every multiprocessing child;
- each worker watches its parent (`os.getppid` polled every `WATCH_S`) and ends itself when the
  server is gone (killed outright, never reaching `stop_all`). Not `PR_SET_PDEATHSIG`: that
  signal follows the *thread* that started the worker, not the process, and killed workers of
  a pool whose starting thread ended (the Neovim e2e's cross-file definition broke with it).

The server also keeps the LSP stream off descriptors 0 and 1 (`stdio.serve_stdio`), so a
worker never holds the client's pipes at all.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

WATCH_S = 1.0  # how often a worker checks that the server still lives
STOP_WAIT_S = 2.0  # how long stop_all waits for a worker start in progress

_starting = threading.Lock()
_pools: set[ProcessPoolExecutor] = set()
_stopped = False


class WorkersStopped(RuntimeError):
    """The process is ending: no worker may start."""


def _watch_parent(parent: int) -> None:
    """In each worker (the pool's initializer): end when the server process is gone."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_S)
        os._exit(0)

    threading.Thread(target=watch, name="ssc-watch-parent", daemon=True).start()


class WorkerPool:
    """A `ProcessPoolExecutor` of spawned workers that `stop_all` can always find and kill."""

    def __init__(self, workers: int) -> None:
        with _starting:  # its queues' locks start multiprocessing's resource tracker
            if _stopped:
                raise WorkersStopped("the server is ending: no index worker starts")
            self._pool = ProcessPoolExecutor(max_workers=workers,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_watch_parent, initargs=(os.getpid(),))
            _pools.add(self._pool)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        with _starting:
            if _stopped:
                raise WorkersStopped("the server is ending: no index worker starts")
            return self._pool.submit(fn, *args)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._pool.shutdown(wait=not _stopped, cancel_futures=_stopped)
        finally:
            with _starting:
                _pools.discard(self._pool)


def stop_all() -> int:
    """Kill every index worker, and start none from now on; how many were killed."""
    global _stopped
    got = _starting.acquire(timeout=STOP_WAIT_S)  # a start in progress ends first
    try:
        _stopped = True
        procs = {id(p): p for pool in _pools for p in dict(getattr(pool, "_processes", None) or {}).values()}
        procs.update((id(p), p) for p in multiprocessing.active_children())
    finally:
        if got:
            _starting.release()
    killed = 0
    for proc in procs.values():
        try:
            if proc.is_alive():
                proc.kill()
                killed += 1
        except Exception:  # noqa: BLE001 - the end must not fail on bookkeeping
            pass
    return killed
