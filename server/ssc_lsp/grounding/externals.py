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
        self._pending: dict[str, concurrent.futures.Future] = {}
        self._plock = threading.Lock()  # guards _pending and the worker
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    # -- answers -----------------------------------------------------------------------------
    def get(self, module: str) -> ModuleInfo | None:
        """The cached answer, or None (not asked yet, or still being worked out)."""
        return self._known.get(module)

    def prefetch(self, modules: Iterable[str]) -> list[concurrent.futures.Future]:
        """Start working out every module not known yet; returns the futures in flight."""
        out = []
        with self._plock:
            for m in modules:
                if not m or m in self._known:
                    continue
                fut = self._pending.get(m)
                if fut is None:
                    fut = concurrent.futures.Future()
                    self._pending[m] = fut
                    self._queue.put(m)
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
            module = self._queue.get()
            if module is None:
                return
            info = self._work(module)
            with self._plock:
                fut = self._pending.pop(module, None)
            if fut is not None and not fut.done():
                fut.set_result(info)

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
