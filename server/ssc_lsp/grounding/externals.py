"""Installed modules and their members, as jedi sees them, asked once and cached.

Why jedi: it reads the workspace's environment the way the editor's Python would (site-packages,
stubs, `src/` layouts) without importing anything, so a check never runs third-party code.
Why a cache and a worker thread: the first question about a large package costs jedi up to a
second; the answer never changes while the server runs. The check itself never waits on jedi
unless told to: an unanswered question makes the verdict "unknown" for that name, and the answer
is fetched in the background for the next suggestion (and awaited, with a deadline, while the
model is still writing).
Why one lock for the process and a daemon thread: jedi keeps one subprocess per environment
for compiled modules, shared by every `jedi.Project`; two threads talking to it at once
deadlock. A stuck jedi call must not keep the server from exiting either.
Why a second opinion for absent modules: jedi can miss a module that exists (odd installs,
namespace packages); `importlib.util.find_spec` must agree before a top-level module is called
missing. It does not import the module.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import importlib.util
import logging
import os
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

JEDI_LOCK = threading.Lock()  # every jedi call of this package's grounding, process-wide


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

    def __init__(self, root: str, sys_path: list[str] | None = None) -> None:
        self.root = os.path.abspath(root)
        self._extra = list(sys_path or [])
        self._project = None
        self._lock = JEDI_LOCK
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

    def _work_members(self, at: MembersAt, source: str) -> Members:
        try:
            answer = self._ask_members(at, source)
        except Exception as e:  # jedi raises on odd code: no answer is "unknown"
            log.debug("jedi could not infer members at %s:%d:%d: %s", at.path, at.line, at.col, e)
            answer = Members(None)
        self._members[at] = answer
        return answer

    def _ask_members(self, at: MembersAt, source: str) -> Members:
        import jedi

        lines = source.split("\n")
        if at.line - 1 >= len(lines) or at.col < 1 or lines[at.line - 1][at.col - 1:at.col] != ".":
            return Members(None)
        head = "\n".join(lines[:at.line - 1] + [lines[at.line - 1][:at.col]])
        with self._lock:
            script = jedi.Script(code=head, path=at.path, project=self._jedi_project())
            types = script.infer(at.line, max(0, at.col - 2))  # the receiver's last character
            # builtins are where jedi's inference most often guesses (a `None` default, an
            # unannotated return): only classes of real modules are trusted
            if not types or any(t.type not in ("instance", "class", "module")
                                or t.module_name in ("builtins", "typing", "types")
                                for t in types):
                return Members(None)
            public = script.complete(at.line, at.col)
            private = jedi.Script(code=head + "__", path=at.path,
                                  project=self._jedi_project()).complete(at.line, at.col + 2)
        names = frozenset(c.name for c in public) | frozenset(c.name for c in private)
        kinds = tuple(t.name for t in types)
        if not names or "__getattr__" in names:
            return Members(None, kinds)  # members computed at run time
        return Members(names, kinds)

    def _work(self, module: str) -> ModuleInfo:
        try:
            info = self._ask(module)
        except Exception as e:  # jedi raises on odd environments: no answer is "unknown"
            log.debug("jedi could not answer for module %s: %s", module, e)
            info = ModuleInfo(True, None)
        self._known[module] = info
        return info

    def _jedi_project(self):
        if self._project is None:
            import jedi

            paths = list(self._extra)
            src = os.path.join(self.root, "src")
            if os.path.isdir(src):
                paths.append(src)
            self._project = jedi.Project(self.root, added_sys_path=paths, smart_sys_path=True)
        return self._project

    def _ask(self, module: str) -> ModuleInfo:
        import jedi

        code = f"import {module} as _m\n_m."
        with self._lock:
            script = jedi.Script(code=code, project=self._jedi_project())
            found = script.goto(1, len(f"import {module}") - 1)
        if not found:
            return ModuleInfo(not self._absent(module), None)
        with self._lock:
            public = script.complete(2, 3)
            private = jedi.Script(code=code + "_", project=self._jedi_project()).complete(2, 4)
        names = frozenset(c.name for c in public) | frozenset(c.name for c in private)
        if "__getattr__" in names or not names:
            return ModuleInfo(True, None)
        return ModuleInfo(True, names)

    def _absent(self, module: str) -> bool:
        """Whether a module jedi did not find is really absent.

        A top-level name asks importlib (which does not import it). A submodule is absent when
        its parent exists and lists its members without it (importing the parent to ask would
        run its code).
        """
        if "." in module:
            parent, _, last = module.rpartition(".")
            info = self._known.get(parent) or self._ask(parent)
            self._known[parent] = info
            return info.exists and info.members is not None and last not in info.members
        try:
            return importlib.util.find_spec(module) is None
        except (ImportError, ValueError):
            return True
