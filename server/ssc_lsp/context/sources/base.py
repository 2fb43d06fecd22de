"""What every candidate source gets (`Query`) and where it puts candidates (`Pool`).

A source proposes workspace symbols (or texts) with a strength in [0, 1] and a reason. The pool
turns a proposal into a candidate once per thing shown: imports are followed to what they name,
locals and parameters are dropped, files the privacy gate refuses never get in, and the priors
that do not depend on the source (the current file, test files) are applied here, in one place.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ...map.records import IMPORT, MODULE, PARAMETER
from ...map.resolve import Resolver
from ...map.service import MapService
from ...map.workspace import Located, Workspace
from .. import weights as W
from ..cursor import Cursor, is_test_path
from ..graph import node_worthy
from ..items import Candidate
from ..privacy import PathGate


@dataclass
class Query:
    """One context request: the map, the cursor, and the engine's shared indexes."""

    svc: MapService
    resolver: Resolver
    cursor: Cursor
    gate: PathGate
    engine: object  # the ContextEngine (indexes: graph, stats, classes, lexical, docs, jedi)
    jedi_until: float | None = None  # perf_counter time after which jedi is not waited for
    wait_for_indexes: bool = False  # build a missing index now rather than in the background
    notes: dict = field(default_factory=dict)  # what sources found, for the result's header

    @property
    def ws(self) -> Workspace:
        return self.svc.ws

    @property
    def jedi_deadline(self) -> float | None:
        """Seconds left to wait for jedi in this request (None: no limit)."""
        if self.jedi_until is None:
            return None
        return max(0.0, self.jedi_until - time.perf_counter())


class Pool:
    def __init__(self, q: Query):
        self.q = q
        self.cands: dict[str, Candidate] = {}

    def __len__(self) -> int:
        return len(self.cands)

    def values(self) -> list[Candidate]:
        return list(self.cands.values())

    def get(self, key: str) -> Candidate | None:
        return self.cands.get(key)

    def prior(self, path: str) -> float:
        """Source-independent factor for a file: the current file, test files."""
        factor = 1.0
        if path == self.q.cursor.rel:
            factor *= W.IN_FILE_FACTOR
        if not self.q.cursor.is_test and is_test_path(path):
            factor *= W.TEST_FILE_FACTOR
        return factor

    def add_symbol(self, loc: Located, source: str, strength: float, why: str,
                   twin: bool = True) -> Candidate | None:
        sym = loc.symbol
        if sym.kind == IMPORT:
            target = self.q.resolver.follow_import(loc)
            if not isinstance(target, Located) or target.symbol.kind == IMPORT:
                return None
            loc, sym = target, target.symbol
        if sym.kind in (MODULE, PARAMETER) or not node_worthy(loc):
            return None
        path = loc.file.path
        if not self.q.gate.allowed(path):
            return None
        cand = self.cands.get(sym.id)
        if cand is None:
            cand = Candidate(key=sym.id, path=path, kind=sym.kind, file=loc.file, symbol=sym,
                             in_file=path == self.q.cursor.rel)
            self.cands[sym.id] = cand
        cand.add(source, strength * self.prior(path), why)
        if twin:
            others = loc.file.by_qualname.get(sym.qualname, ())
            for other in others:
                if other is not sym and other.kind != IMPORT:
                    self.add_symbol(Located(loc.file, other), source, strength * W.REBINDING_FACTOR,
                                    why + " (the name is bound again here)", twin=False)
        if twin and path.endswith(".pyi"):
            impl = self.q.ws.files.get(path[:-1])
            other = impl.lookup(sym.qualname) if impl is not None else None
            if other is not None:
                self.add_symbol(Located(impl, other), source, strength, why + " (implementation of the stub)",
                                twin=False)
        return cand

    def add_text(self, cand: Candidate, source: str, strength: float, why: str) -> Candidate | None:
        """A candidate whose text is not a map symbol's (docs, third-party APIs), or more
        evidence for a candidate already in the pool."""
        if cand.kind != "external" and not self.q.gate.allowed(cand.path):
            return None
        have = self.cands.get(cand.key)
        if have is None:
            self.cands[cand.key] = have = cand
        have.add(source, strength, why)
        return have
