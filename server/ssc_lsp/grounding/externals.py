"""Installed modules and their members, and receivers the map cannot type, as jedi sees them,
asked once and cached.

Why jedi: it reads the workspace's environment the way the editor's Python would (site-packages,
stubs, `src/` layouts) without importing anything, so a check never runs third-party code.
Why a process of its own (jedi_process.py): jedi shares one compiled-module subprocess between
every user in a process, and two threads asking at once get each other's answers or deadlock;
its CPU time would also hold the server's GIL.
Why a cache and a worker thread: the first question about a large package costs jedi up to a
second; the answer never changes while the server runs. The check itself never waits on jedi
unless told to: an unanswered question makes the verdict "unknown" for that name, and the answer
is fetched in the background (and awaited, with a deadline, while the model is still writing).
A stuck jedi costs its question (a deadline per question, then a new process), never the
server's exit (the worker thread is a daemon, the process ends with its stdin).
Why a second opinion for absent modules: jedi can miss a module that exists (odd installs,
namespace packages); `importlib.util.find_spec` must agree before a top-level module is called
missing. It does not import the module.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import os
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ..helper_process import HelperProcess
from ..map.jedi_env import source_roots
from ..map.workspace import Workspace

log = logging.getLogger(__name__)

ANSWER_SECONDS = 30.0  # a jedi question unanswered this long kills the process (it restarts)


@dataclass(frozen=True)
class MembersAt:
    """A question for jedi: the members of the receiver ending just before `line:col` of a
    document (jedi's 1-based line; `col` is the 0-based code-point column of the member's first
    character, right after the `.`).

    Keyed by the path and a hash of the text before the position, which is all that jedi's
    answer there depends on (and what a suggestion inserted at the cursor leaves unchanged), so
    the question asked about the document at the start of a request is the one the check asks
    about the suggestion later.
    """

    path: str
    digest: str
    line: int
    col: int


@dataclass(frozen=True)
class Members:
    """jedi's answer: the member names of every type it inferred for the receiver, and the
    types' names; `names` is None when it inferred nothing, or something that computes members
    at run time."""

    names: frozenset[str] | None
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleInfo:
    """What is known of one dotted module name.

    `exists` is False only when both jedi and importlib say so. `members` is None when they
    cannot be listed or the module computes attributes at run time (a module `__getattr__`).
    """

    exists: bool
    members: frozenset[str] | None = None


class Externals:
    """Answers "does module M exist, and what does it define?" for one workspace root."""

    def __init__(self, root: str, sys_path: list[str] | None = None, ws: Workspace | None = None) -> None:
        self.root = os.path.abspath(root)
        self._extra = list(sys_path or [])
        self._ws = ws or Workspace()  # its package table decides the source roots
        self._jedi = HelperProcess("ssc_lsp.grounding.jedi_process", timeout=ANSWER_SECONDS)
        self._known: dict[str, ModuleInfo] = {}
        self._members: dict[MembersAt, Members] = {}
        self._pending: dict[object, concurrent.futures.Future] = {}
        self._plock = threading.Lock()  # guards _pending and the worker
        self._queue: queue.Queue[tuple | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    # -- answers -----------------------------------------------------------------------------
    def get(self, module: str) -> ModuleInfo | None:
        """The cached answer, or None (not asked yet, or still being worked out)."""
        return self._known.get(module)

    def in_flight(self, keys: Iterable[object]) -> list[object]:
        """The keys whose question was already asked and is being worked out."""
        with self._plock:
            return [k for k in keys if k in self._pending]

    def members(self, at: MembersAt) -> Members | None:
        """The cached answer about a receiver's members, or None (not asked, or in progress)."""
        return self._members.get(at)

    @staticmethod
    def members_at(path: str, data: bytes, byte: int, line: int, col: int) -> MembersAt:
        """The question for the member starting at `byte` (jedi's `line`, `col`) of `data`."""
        digest = hashlib.blake2b(data[:byte], digest_size=16).hexdigest()
        return MembersAt(path, digest, line, col)

    def ask_members(self, at: MembersAt, source: str) -> list[concurrent.futures.Future]:
        """Start working out the members of the receiver at `at` in `source` (the document)."""
        return self._ask_all([(at, ("members", at, source))])

    def prefetch(self, modules: Iterable[str | MembersAt]) -> list[concurrent.futures.Future]:
        """Start working out every module not known yet; returns the futures in flight.
        (Members questions are started with `ask_members`; here they are only waited for.)"""
        return self._ask_all([(m, ("module", m)) for m in modules if m])

    def _ask_all(self, items: list[tuple[object, tuple]]) -> list[concurrent.futures.Future]:
        out = []
        with self._plock:
            for key, job in items:
                if key in self._known or key in self._members:
                    continue
                fut = self._pending.get(key)
                if fut is None:
                    if isinstance(key, MembersAt) and job[0] != "members":
                        continue  # waiting for a members question nobody asked
                    fut = concurrent.futures.Future()
                    self._pending[key] = fut
                    self._queue.put((key, job))
                out.append(fut)
            if out and self._worker is None:
                self._worker = threading.Thread(target=self._run, name="ssc-externals",
                                                daemon=True)
                self._worker.start()
        return out

    def wait(self, modules: Iterable[str], timeout: float | None) -> None:
        """Block until the modules are known or `timeout` seconds passed (CLI, benchmarks)."""
        futures = self.prefetch(modules)
        if futures:
            concurrent.futures.wait(futures, timeout=timeout)

    async def wait_async(self, modules: Iterable[str], timeout: float) -> None:
        """Await the modules' answers for at most `timeout` seconds, without blocking the loop."""
        futures = [asyncio.wrap_future(f) for f in self.prefetch(modules)]
        if futures:
            await asyncio.wait(futures, timeout=timeout)

    def close(self) -> None:
        self._queue.put(None)

    # -- work (the worker thread) ------------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self._stop()
                return
            key, job = item
            if job[0] == "module":
                answer: object = self._work(job[1])
            else:
                answer = self._work_members(job[1], job[2])
            with self._plock:
                fut = self._pending.pop(key, None)
            if fut is not None and not fut.done():
                fut.set_result(answer)

    def _work(self, module: str) -> ModuleInfo:
        reply = self._call({"op": "module", "module": module})
        if "error" in reply:
            log.debug("jedi could not answer for module %s: %s", module, reply["error"])
            info = ModuleInfo(True, None)
        else:
            names = reply.get("members")
            info = ModuleInfo(bool(reply.get("exists")),
                              frozenset(names) if names is not None else None)
        self._known[module] = info
        return info

    def _work_members(self, at: MembersAt, source: str) -> Members:
        reply = self._call({"op": "members", "path": at.path, "code": source, "line": at.line,
                            "col": at.col})
        names = reply.get("members") if "error" not in reply else None
        answer = Members(frozenset(names) if names is not None else None,
                         tuple(reply.get("types") or ()))
        self._members[at] = answer
        return answer

    # -- the jedi process --------------------------------------------------------------------
    def _roots(self) -> list[str]:
        return self._extra + [p for p in source_roots(self._ws, self.root) if p not in self._extra]

    def _call(self, req: dict) -> dict:
        """One question to the jedi process (started on first use, restarted after a failure),
        in the server's one jedi environment (map/jedi_env.py)."""
        return self._jedi.call({**req, "root": self.root, "roots": self._roots()})

    def _stop(self) -> None:
        self._jedi.stop()
