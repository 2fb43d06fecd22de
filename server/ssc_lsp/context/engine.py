"""The context engine of one workspace: candidates, ranking, packing, with the indexes they share.

`assemble(rel, row, col, options)` is the whole pipeline for one position. The indexes (symbol
graph, access counts, class index, BM25 over definitions, documentation) are built once and then
patched per changed file; `warm()` builds them ahead of the first request (the server calls it
in the background after indexing). Background work uses a resolver of its own, so it never races
the request path over the resolver's cache.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

from ..map.repair import closed_filemap
from ..map.resolve import Resolver
from ..map.service import MapService
from ..map.symbol_search import searcher
from . import rank as ranking
from .cursor import analyze
from .docs import DocsIndex
from .graph import SymbolGraph
from .guess import ClassIndex
from .items import ContextResult
from .jedi_infer import JediHelper, jedi_helper_for
from .lexical import ChunkIndex, symbol_chunks
from .pack import pack
from .privacy import PathGate
from .sources import SOURCES
from .sources.base import Pool, Query
from .texts import Texts
from .tokens import Budget
from .usage import AccessStats

log = logging.getLogger(__name__)

# Rebuild the BM25 index once this share of the files it covers has changed.
LEXICAL_STALE_SHARE = 0.05
# Seconds a request waits for jedi, all its questions together. A cold inference takes 50 ms to
# seconds and a first request at a place almost never gets an answer in time (measured: waiting
# 5 ms changed no result on the development set and cost latency), so a request does not wait:
# the question is asked in the background and the answer, cached, serves the next request at the
# same place, which while typing is the next keystroke (the question is the code up to the dot).
DEFAULT_JEDI_DEADLINE = 0.0
DEBOUNCE_S = 0.25  # quiet time before the worker patches the indexes


@dataclass
class ContextOptions:
    budget: Budget = field(default_factory=lambda: Budget(6000))
    # the total time a request waits for jedi: None waits (deterministic, slower), 0 uses cached
    # answers only (and asks in the background for the next request)
    jedi_deadline: float | None = DEFAULT_JEDI_DEADLINE
    use_jedi: bool = True
    sources: frozenset[str] | None = None  # None: all of sources.SOURCES
    wait_for_indexes: bool = False  # build missing indexes on the request path (CLI, evaluation)


def freeze_heap() -> None:
    """Move every object alive now out of the cyclic GC's reach (`gc.freeze`).

    The map of a large workspace is millions of objects; a full collection scans them all and
    stops every thread for 200-400 ms, which is what made the slowest context requests slow. The
    map's records hold no reference cycles (they are freed by reference counting when a file's
    map is replaced), so freezing them loses nothing; the cost is that cyclic garbage that
    happens to be alive at a freeze is never collected, which the worker keeps small by freezing
    only after it patched the indexes.
    """
    gc.freeze()


class ContextEngine:
    def __init__(self, svc: MapService):
        self.svc = svc
        self.gate = PathGate(svc)
        self.texts = Texts(svc)
        self.bg_resolver = Resolver(svc.ws)
        self.graph = SymbolGraph(svc.ws, self.bg_resolver)
        self.stats = AccessStats(svc.ws)
        self.classes = ClassIndex(svc.ws)
        self.docs = DocsIndex(svc.root, self.gate)
        self.jedi: JediHelper | None = jedi_helper_for(svc)
        self._lexical: ChunkIndex | None = None
        self._lexical_files: dict[str, str] = {}
        self._building = threading.Lock()
        self._settling = threading.Lock()
        self._bg: threading.Thread | None = None
        self._dirty = threading.Event()
        self._worker: threading.Thread | None = None
        self._last_request = 0.0
        self._closed = False

    # -- indexes -----------------------------------------------------------------------------
    def warm(self) -> None:
        """Build every index now (blocking)."""
        with self._building:
            self.graph.refresh()
            # its cache holds an entry per reference of the workspace, not needed once derived
            self.bg_resolver = self.graph.resolver = Resolver(self.svc.ws)
            self._build_lexical()
        self.docs.refresh(force=True)
        searcher(self.svc.ws).search("_warm", 1)  # the symbol search's table (sources/typed.py)
        gc.collect()
        freeze_heap()

    def warm_async(self) -> None:
        if self._bg is not None and self._bg.is_alive():
            return
        self._bg = threading.Thread(target=self._warm_quietly, name="ssc-context-warm", daemon=True)
        self._bg.start()

    def _warm_quietly(self) -> None:
        try:
            self.warm()
        except Exception:
            log.exception("building the context indexes failed")

    def _build_lexical(self) -> None:
        index = symbol_chunks(self.svc.ws, self.texts, self.gate)
        self._lexical_files = {c.path: c.version for c in index.chunks}
        self._lexical = index

    def lexical_index(self, wait: bool = False) -> ChunkIndex | None:
        """The BM25 index over definitions; built now if `wait`, else in the background
        (None until then). Rebuilt in the background once too many files changed."""
        index = self._lexical
        if index is None:
            if wait:
                with self._building:
                    if self._lexical is None:
                        self._build_lexical()
                return self._lexical
            self.warm_async()
            return None
        files = self.svc.ws.files
        stale = sum(1 for p, h in self._lexical_files.items() if (fm := files.get(p)) is None or fm.hash != h)
        if stale > LEXICAL_STALE_SHARE * max(1, len(self._lexical_files)):
            threading.Thread(target=self._rebuild_lexical, daemon=True).start()
        return index

    def _rebuild_lexical(self) -> None:
        if not self._building.acquire(blocking=False):
            return
        try:
            self._build_lexical()
        finally:
            self._building.release()

    def decorator_usage(self):
        """How often each name is used as a decorator in the workspace."""
        return self.stats.by_decorator

    def docs_index(self) -> DocsIndex:
        self.docs.refresh()
        return self.docs

    def settle(self) -> None:
        """Bring the per-file indexes up to date with the map now (blocking).

        The server leaves this to the background worker (see `_changed`); the CLI and the
        evaluation call it so that what a request sees does not depend on timing.
        """
        with self._settling:
            self.stats.refresh()
            self.classes.refresh()
            if self.graph.built:
                self.graph.refresh([p for p, fm in list(self.svc.ws.files.items()) if self.graph.stale(p, fm)]
                                   + self.graph.gone())
            freeze_heap()

    def _changed(self) -> None:
        """Note that the map may have changed: the worker catches up once requests pause.

        Deriving a file's edges and counts costs milliseconds per thousand lines; on the request
        path that would be paid at every keystroke for the file being typed in. The request reads
        the indexes as they are (a file's previous version at worst) and the worker patches them
        after DEBOUNCE_S of quiet.
        """
        self._last_request = time.monotonic()
        self._dirty.set()
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="ssc-context-index", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while not self._closed:
            self._dirty.wait(timeout=5.0)
            if self._closed:
                return
            if not self._dirty.is_set():
                continue
            quiet = time.monotonic() - self._last_request
            if quiet < DEBOUNCE_S:
                time.sleep(DEBOUNCE_S - quiet)
                continue
            self._dirty.clear()
            try:
                if not self.graph.built:
                    self.warm()
                self.settle()
            except Exception:
                log.exception("updating the context indexes failed")

    # -- the pipeline ----------------------------------------------------------------------------
    def assemble(self, rel: str, row: int, col: int, options: ContextOptions | None = None) -> ContextResult:
        opts = options or ContextOptions()
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        fm = self.svc.ws.files.get(rel)
        if fm is None:
            raise KeyError(f"{rel} is not in the map")
        lines = self.texts.lines(fm) or [""]
        if opts.wait_for_indexes and not self.graph.built:
            self.warm()
        self._changed()
        t = time.perf_counter()
        timings["indexes"] = (t - t0) * 1000
        cursor = analyze(fm, lines, row, col, rel)
        if not cursor.scopes:  # a brace-language file that ends inside its blocks: map/repair.py
            closed = closed_filemap(fm, "\n".join(lines[:row] + [cursor.line_prefix]))
            if closed is not None:
                cursor = analyze(closed, lines, row, col, rel)
        jedi_until = None if opts.jedi_deadline is None else time.perf_counter() + opts.jedi_deadline
        q = Query(self.svc, self.svc.resolver, cursor, self.gate, self, jedi_until=jedi_until,
                  wait_for_indexes=opts.wait_for_indexes)
        use_jedi = opts.use_jedi and fm.language.semantic == "jedi"  # the file's backend
        if not use_jedi:
            saved, self.jedi = self.jedi, None
        pool = Pool(q)
        try:
            for name, module in SOURCES.items():
                if opts.sources is not None and name not in opts.sources:
                    continue
                t1 = time.perf_counter()
                try:
                    module.collect(q, pool)
                except Exception:
                    log.exception("context source %s failed", name)
                timings[name] = (time.perf_counter() - t1) * 1000
        finally:
            if not use_jedi:
                self.jedi = saved
        t = time.perf_counter()
        use_graph = opts.sources is None or "graph" in opts.sources
        ranked = ranking.rank(pool, self.graph if use_graph and self.graph.built else None)
        timings["rank"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        items, used = pack(ranked, self.texts, opts.budget)
        timings["pack"] = (time.perf_counter() - t) * 1000
        ms = (time.perf_counter() - t0) * 1000
        return ContextResult(path=rel, line=row, column=col, budget=opts.budget.limit,
                             unit=opts.budget.unit, items=items, used=used, candidates=len(pool),
                             ms=ms, timings=timings, scope=cursor.scope, receiver=cursor.receiver)

    def close(self) -> None:
        self._closed = True
        self._dirty.set()
        if self.jedi is not None:
            self.jedi.close()


_ENGINES: weakref.WeakKeyDictionary[MapService, ContextEngine] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def engine_for(svc: MapService) -> ContextEngine:
    """The one engine of a map service (created on first use)."""
    with _LOCK:
        eng = _ENGINES.get(svc)
        if eng is None:
            eng = ContextEngine(svc)
            _ENGINES[svc] = eng
        return eng
