"""The context engine of one workspace: candidates, ranking, packing, with the indexes they share.

`assemble(rel, row, col, options)` is the whole pipeline for one position. The indexes (symbol
graph, access counts, class index, BM25 over definitions, documentation) are built once and then
patched per changed file; `warm()` builds them ahead of the first request (the server calls it
in the background after indexing). Background work uses a resolver of its own, so it never races
the request path over the resolver's cache.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

from ..map.resolve import Resolver
from ..map.service import MapService
from . import rank as ranking
from .cursor import analyze
from .docs import DocsIndex
from .graph import SymbolGraph
from .guess import ClassIndex
from .items import ContextResult
from .jedi_infer import JediHelper
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
DEFAULT_JEDI_DEADLINE = 0.015  # seconds the request path waits for jedi


@dataclass
class ContextOptions:
    budget: Budget = field(default_factory=lambda: Budget(6000))
    # None waits for jedi (deterministic, slower); 0 never waits (cached answers only)
    jedi_deadline: float | None = DEFAULT_JEDI_DEADLINE
    use_jedi: bool = True
    sources: frozenset[str] | None = None  # None: all of sources.SOURCES
    wait_for_indexes: bool = False  # build missing indexes on the request path (CLI, evaluation)


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
        self.jedi: JediHelper | None = JediHelper(svc.ws, svc.root)
        self._lexical: ChunkIndex | None = None
        self._lexical_files: dict[str, str] = {}
        self._building = threading.Lock()
        self._bg: threading.Thread | None = None
        self._wait = False

    # -- indexes -----------------------------------------------------------------------------
    def warm(self) -> None:
        """Build every index now (blocking)."""
        with self._building:
            self.graph.refresh()
            self._build_lexical()
        self.docs.refresh()

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

    def lexical_index(self) -> ChunkIndex | None:
        index = self._lexical
        if index is None:
            if self._wait:
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

    def docs_index(self) -> DocsIndex:
        self.docs.refresh()
        return self.docs

    def _refresh_fast(self, current: str) -> None:
        """Patch the per-file indexes for files other than the cursor's (cheap when few changed).

        The cursor's own file is re-derived in the background: while typing it changes at every
        keystroke, and its neighbourhood is read from the code before the cursor directly.
        """
        self.stats.refresh()
        self.classes.refresh()
        if not self.graph.built:
            if self._wait:
                with self._building:
                    self.graph.refresh()
            else:
                self.warm_async()
            return
        changed = [p for p, fm in list(self.svc.ws.files.items())
                   if p != current and self.graph.stale(p, fm)]
        gone = self.graph.gone()
        if changed or gone:
            self.graph.refresh(changed + gone)
        if self.graph.stale(current, self.svc.ws.files.get(current)):
            threading.Thread(target=self.graph.refresh, args=([current],), daemon=True).start()

    # -- the pipeline ----------------------------------------------------------------------------
    def assemble(self, rel: str, row: int, col: int, options: ContextOptions | None = None) -> ContextResult:
        opts = options or ContextOptions()
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        self._wait = opts.wait_for_indexes
        fm = self.svc.ws.files.get(rel)
        if fm is None:
            raise KeyError(f"{rel} is not in the map")
        lines = self.texts.lines(fm) or [""]
        self._refresh_fast(rel)
        t = time.perf_counter()
        timings["indexes"] = (t - t0) * 1000
        cursor = analyze(fm, lines, row, col, rel)
        q = Query(self.svc, self.svc.resolver, cursor, self.gate, self,
                  jedi_deadline=opts.jedi_deadline)
        if not opts.use_jedi:
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
            if not opts.use_jedi:
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
