"""jedi for what the map cannot know, on a deadline: receiver types and third-party APIs.

The map types receivers cheaply (annotations, `self`, class calls); jedi infers much more
(call-site parameter types, return values without annotations) but costs tens to thousands of
milliseconds. It runs in a process of its own (jedi_worker.py: pure-Python inference in this
process would hold the GIL while the editor's next requests wait), fed by one thread here; the
engine waits for an answer at most `deadline` seconds, and a late answer is cached and used by the
next request at the same place, which in an editor is the next keystroke. `deadline=None` waits
(the evaluation does, so its results do not depend on the machine's speed).

Third-party signatures and docstrings come from the *installed* packages (the environment jedi
finds, the one of the workspace when it has a virtualenv), so the model sees the API of the
version in use rather than the one it remembers.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import queue
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..helper_process import HelperProcess
from ..map.filemap import FileMap
from ..map.jedi_env import source_roots
from ..map.records import CLASS
from ..map.workspace import Located, Workspace
from . import weights as W

log = logging.getLogger(__name__)

CACHE_SIZE = 2048


@dataclass(frozen=True, slots=True)
class JediType:
    """A receiver type jedi found in the workspace: a class (instance or not) or a module."""

    loc: Located
    instance: bool


@dataclass(frozen=True, slots=True)
class ExternalApi:
    """A third-party definition: its dotted name, where it is installed, signature and doc."""

    full_name: str
    module_path: str  # shown relative to its site-packages folder
    line: int  # 0-based
    text: str


class JediHelper:
    def __init__(self, ws: Workspace, root: str):
        self.ws = ws
        self.root = root
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._pending: dict[tuple, cf.Future] = {}
        self._lock = threading.Lock()
        self._jedi = HelperProcess("ssc_lsp.context.jedi_worker",
                                   env={**os.environ, "PYTHONPATH": _package_root()})

    def close(self) -> None:
        self._queue.put(None)
        self._jedi.stop()

    def _submit(self, key: tuple, fn: Callable[[], Any]) -> cf.Future:
        """Run on the one jedi thread (a daemon: a slow inference never holds up an exit)."""
        fut: cf.Future = cf.Future()
        self._queue.put((fut, key, fn))
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="ssc-jedi", daemon=True)
            self._thread.start()
        return fut

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            fut, key, fn = job
            if fut.set_running_or_notify_cancel():
                fut.set_result(self._run(key, fn))

    # -- running on the worker with a deadline ---------------------------------------------------
    def _cached_or_future(self, key: tuple, fn: Callable[[], Any]) -> tuple[bool, Any]:
        """(True, the cached answer) or (False, the future of `fn()` on the worker)."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return True, self._cache[key]
            fut = self._pending.get(key)
            if fut is None:
                fut = self._submit(key, fn)
                self._pending[key] = fut
        return False, fut

    def ask(self, key: tuple, fn: Callable[[], Any], deadline: float | None) -> Any:
        """The cached answer for `key`, or `fn()` run on the worker for at most `deadline` s."""
        cached, got = self._cached_or_future(key, fn)
        if cached:
            return got
        try:
            return got.result(timeout=deadline)
        except cf.TimeoutError:
            return None

    def _run(self, key: tuple, fn: Callable[[], Any]) -> Any:
        try:
            value = fn()
        except Exception as e:  # jedi fails on odd code now and then: no answer, not an error
            log.debug("jedi failed for %s: %s", key, e)
            value = None
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            self._pending.pop(key, None)
        return value

    def _call(self, req: dict) -> dict:
        """One question to the jedi process (started, or restarted, on demand), in the server's
        one jedi environment (map/jedi_env.py)."""
        return self._jedi.call({**req, "root": self.root, "roots": source_roots(self.ws, self.root)})

    async def ask_async(self, key: tuple, fn: Callable[[], Any], deadline: float) -> Any:
        """`ask` for an event loop: awaits the answer at most `deadline` seconds without
        blocking the loop (a late answer is still cached for the next request)."""
        import asyncio

        cached, got = self._cached_or_future(key, fn)
        if cached:
            return got
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(got)), deadline)
        except TimeoutError:
            return None

    # -- definitions (navigation's fallback) --------------------------------------------------------
    def definitions(self, abspath: str, code: str, line: int, column: int) -> list[dict]:
        """jedi's goto at (1-based line, code-point column) of `code`, imports followed and
        re-exports stepped through: names with module_path, line, column, type, signatures and
        the whole docstring (context/jedi_worker.py describes them). Blocking: run it through
        `ask`/`ask_async`."""
        reply = self._call({"op": "goto", "path": abspath, "code": code, "line": line, "column": column})
        return list(reply.get("names") or [])

    # -- receivers ---------------------------------------------------------------------------------
    def receiver_types(self, fm: FileMap, code: str, line: int, column: int,
                       deadline: float | None) -> list[JediType]:
        """Types of the expression ending at (1-based line, code-point column) in `code`."""
        key = ("recv", fm.path, hash(code), line, column)
        return self.ask(key, lambda: self._infer(fm, code, line, column), deadline) or []

    def _infer(self, fm: FileMap, code: str, line: int, column: int) -> list[JediType]:
        reply = self._call({"op": "infer", "path": os.path.join(self.root, fm.path), "code": code,
                            "line": line, "column": column})
        out: list[JediType] = []
        for name in reply.get("names", []):
            loc = self.to_workspace(name)
            if loc is not None and all(o.loc.symbol.id != loc.symbol.id for o in out):
                out.append(JediType(loc, name["type"] == "instance"))
        return out

    def to_workspace(self, name: dict) -> Located | None:
        """A jedi name (as the jedi process describes it) as a workspace class or module."""
        full, module, path = name["full_name"], name["module_name"], name["module_path"]
        fm = None
        if path and path.startswith(self.root + os.sep):
            rel = os.path.relpath(path, self.root).replace(os.sep, "/")
            fm = self.ws.files.get(rel)
        if fm is None and module:
            fm = self.ws.file_of_module(module)
        if fm is None or fm.module_symbol is None:
            return None
        if name["type"] == "module":
            return Located(fm, fm.module_symbol)
        qual = full[len(module) + 1:] if full.startswith(module + ".") else name["name"]
        sym = fm.lookup(qual)
        if sym is None or sym.kind != CLASS:
            return None
        return Located(fm, sym)

    async def infer_names(self, abspath: str, code: str, line: int, column: int,
                          deadline: float) -> list[dict] | None:
        """jedi's inferred names (its `infer` answer, as the jedi process describes them) for the
        expression ending at (1-based line, code-point column), or None past `deadline`."""
        key = ("infer_names", abspath, hash(code), line, column)
        return await self.ask_async(key, lambda: self._call({
            "op": "infer", "path": abspath, "code": code, "line": line, "column": column}).get("names"),
            deadline)

    # -- positions asked by the map features (rename's uncertain uses, signature help) ---------------
    def goto_many(self, abspath: str, code: str, positions: list[tuple[int, int]],
                  deadline: float | None) -> list[list[dict]] | None:
        """Where jedi's `goto` lands for each (1-based line, code-point column) of one file, or
        None when it has not answered within `deadline` (the answer is cached when it comes)."""
        key = ("goto_many", abspath, hash(code), tuple(positions))
        return self.ask(key, lambda: self._call({"op": "goto_many", "path": abspath, "code": code,
                                                 "positions": [list(p) for p in positions]}).get("hits"),
                        deadline)

    def signatures(self, abspath: str, code: str, line: int, column: int,
                   deadline: float | None) -> list[dict] | None:
        """jedi's signatures of the call open at (1-based line, code-point column)."""
        key = ("sig", abspath, hash(code), line, column)
        return self.ask(key, lambda: self._call({"op": "signatures", "path": abspath, "code": code,
                                                 "line": line, "column": column}).get("signatures"),
                        deadline)

    async def refactor(self, abspath: str, code: str, kind: str, start: tuple[int, int],
                       end: tuple[int, int] | None, new_name: str | None, deadline: float) -> dict | None:
        """jedi's extract_function / extract_variable / inline at (1-based line, code-point
        column) positions: {"changed": {abspath: code}} or {"refused": why}; None when jedi did
        not answer within `deadline` seconds (the answer is cached when it comes)."""
        req = {"op": "refactor", "path": abspath, "code": code, "kind": kind, "line": start[0],
               "column": start[1], "until_line": end[0] if end else None,
               "until_column": end[1] if end else None, "new_name": new_name}
        key = ("refactor", abspath, hash(code), kind, start, end, new_name)
        return await self.ask_async(key, lambda: self._call(req), deadline)

    # -- third-party APIs ----------------------------------------------------------------------------
    def external_api(self, module: str, name: str | None, deadline: float | None) -> ExternalApi | None:
        key = ("ext", module, name)
        return self.ask(key, lambda: self._external(module, name), deadline)

    def _external(self, module: str, name: str | None) -> ExternalApi | None:
        if not module or module.startswith(".") or module == "builtins":
            return None
        names = self._call({"op": "external", "module": module, "name": name}).get("names") or []
        if not names:
            return None
        n = names[0]
        path = n["module_path"]
        if not path or path.startswith(self.root + os.sep):
            return None  # builtins without source, or the workspace itself (the map has it)
        sigs = [_compact(x) for x in n.get("signatures") or []]
        kind = {"class": "class", "function": "def", "module": "module"}.get(n["type"], n["type"])
        head_line = sigs[0] if sigs else n["name"]
        if kind == "class" and sigs:
            head_line = "class " + sigs[0]
        elif kind == "def":
            head_line = "def " + head_line
        text = head_line + ("  # overloaded\n" if len(sigs) > 1 else "\n")
        if n.get("doc"):
            text += f'    """{n["doc"]}"""\n'
        return ExternalApi(n["full_name"] or f"{module}.{name}", _site_relative(path),
                           max(0, n["line"] - 1), text)


_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def jedi_helper_for(svc) -> JediHelper:
    """The one jedi process of a workspace folder (a MapService), shared by the context engine
    and navigation's fallback: one cache, one process's memory."""
    with _SHARED_LOCK:
        helper = _SHARED.get(svc)
        if helper is None:
            helper = _SHARED[svc] = JediHelper(svc.ws, svc.root)
        return helper


def _compact(sig: str, limit: int = W.SIGNATURE_MAX_CHARS) -> str:
    """`f(a, b, ...) -> R`: a long signature cut at a parameter boundary, its return kept."""
    if len(sig) <= limit:
        return sig
    head, sep, ret = sig.rpartition(") -> ")
    if not sep:
        head, ret = sig.rstrip(")"), ""
    tail = ", ...)" + (f" -> {ret[:40]}" if ret else "")
    cut = head[: max(0, limit - len(tail))]
    cut = cut.rsplit(", ", 1)[0] if ", " in cut else cut
    return cut + tail


def _package_root() -> str:
    """The folder holding the ssc_lsp package, for the jedi process's imports."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    extra = os.environ.get("PYTHONPATH")
    return here + (os.pathsep + extra if extra else "")


def _site_relative(path: str) -> str:
    parts = path.replace(os.sep, "/").split("/")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            i = len(parts) - 1 - parts[::-1].index(marker)
            return "/".join(parts[i + 1:])
    for i, p in enumerate(parts):
        if p.startswith("python3") and i + 1 < len(parts):
            return "/".join(parts[i + 1:])
    return parts[-1]
