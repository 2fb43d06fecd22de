"""The symbol graph the ranking walks, and a personalized PageRank over it.

Nodes are symbol ids (module-level and class-level definitions, modules); edges are the map's
relations: calls, references, inherits, contains, imports (map/relations.py has the same
derivation for the whole workspace). Edges are computed per file and cached by the identity of
the file's map, so an edit re-derives only the edited file; a file whose imports changed meaning
because *another* file changed keeps its older edges until its own map is replaced (the ranking
tolerates a slightly stale neighbourhood, it does not tolerate a full rebuild per keystroke).

The walk is the forward-push approximation of personalized PageRank (Andersen, Chung, Lang 2006):
it only touches nodes whose residual mass is still significant, so its cost depends on the
neighbourhood of the seeds, not on the size of the workspace.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque

from ..map.filemap import FileMap
from ..map.records import CLASS, FUNCTION, IMPORT, METHOD, MODULE, PARAMETER, REF_BIND
from ..map.relations import CONTAINS, IMPORTS, Use, relation_of
from ..map.resolve import Resolver
from ..map.workspace import Located, Workspace
from . import weights as W

Edge = tuple[str, str, str]  # (relation, from id, to id)
_SCOPES = (CLASS, FUNCTION, METHOD, MODULE)


def node_worthy(loc: Located) -> bool:
    """Definitions other code can name: not parameters, not a function's locals."""
    s = loc.symbol
    if s.kind == PARAMETER:
        return False
    if s.parent:
        owner = loc.file.lookup(s.parent)
        if owner is not None and owner.kind in (FUNCTION, METHOD):
            return False
    return True


def file_edges(fm: FileMap, resolver: Resolver) -> list[Edge]:
    """The edges that start in one file (deduplicated, sorted: deterministic)."""
    edges: set[Edge] = set()
    for s in fm.symbols[1:]:
        if s.kind in (PARAMETER, IMPORT):
            continue  # an import alias is not a definition: references to it resolve through it
        parent_id = f"{fm.path}::{s.parent}" if s.parent else fm.path
        if parent_id not in fm.by_id:
            parent_id = fm.path
        owner = fm.by_id.get(parent_id)
        if owner is not None and owner.kind in (FUNCTION, METHOD):
            continue  # locals are not nodes
        edges.add((CONTAINS, parent_id, s.id))
    for unit in fm.units:
        for ref in unit.refs:
            if ref.kind == REF_BIND:
                continue
            t = resolver.resolve_ref(fm, ref, unit)
            if not isinstance(t, Located) or not node_worthy(t):
                continue
            src = _holder_node(fm, Use(fm, ref, unit).holder())
            rel = relation_of(ref, t)
            target = t.file.path if rel == IMPORTS else t.symbol.id
            if rel == IMPORTS:
                src = fm.path
            if src != target:
                edges.add((rel, src, target))
    return sorted(edges)


def _holder_node(fm: FileMap, holder: str) -> str:
    """The nearest enclosing definition that is a node (a nested function's outer function)."""
    while holder:
        sym = fm.by_qualname.get(holder)
        if sym and sym[0].kind in _SCOPES and node_worthy(Located(fm, sym[0])):
            return sym[0].id
        holder = holder.rpartition(".")[0]
    return fm.path


class SymbolGraph:
    """Weighted undirected adjacency (with per-direction weights), patched per file."""

    def __init__(self, ws: Workspace, resolver: Resolver):
        self.ws = ws
        self.resolver = resolver
        self.adj: dict[str, dict[str, float]] = defaultdict(dict)
        self.rel: dict[tuple[str, str], str] = {}
        self.wsum: dict[str, float] = {}  # sum of a node's edge weights
        self.last_rank: dict[str, float] = {}
        self._file_edges: dict[str, tuple[int, list[Edge]]] = {}  # path -> (id(fm), edges)
        self.lock = threading.RLock()
        self._derive = threading.Lock()  # the resolver is not thread-safe: one derivation at a time
        self.built = False

    # -- maintenance -----------------------------------------------------------------------
    def stale(self, path: str, fm: FileMap | None) -> bool:
        have = self._file_edges.get(path)
        if fm is None:
            return have is not None
        return have is None or have[0] != id(fm)

    def gone(self) -> list[str]:
        files = self.ws.files
        return [p for p in list(self._file_edges) if p not in files]

    def refresh(self, only: list[str] | None = None) -> int:
        """Re-derive the edges of files whose map changed; returns how many files were done.

        Edges are derived outside the lock (the slow part) and applied under it.
        """
        done = 0
        files = self.ws.files
        paths = list(only) if only is not None else list(files) + self.gone()
        for path in paths:
            fm = files.get(path)
            if not self.stale(path, fm):
                continue
            with self._derive:
                if not self.stale(path, fm):
                    continue
                edges = file_edges(fm, self.resolver) if fm is not None else None
            with self.lock:
                have = self._file_edges.get(path)
                if have is not None:
                    self._apply(have[1], -1)
                    del self._file_edges[path]
                if fm is not None and edges is not None:
                    self._apply(edges, +1)
                    self._file_edges[path] = (id(fm), edges)
            done += 1
        if only is None:
            self.built = True
        return done

    def _apply(self, edges: list[Edge], sign: int) -> None:
        adj = self.adj
        for rel, a, b in edges:
            fw, bw = W.EDGE_WEIGHTS.get(rel, (0.1, 0.1))
            for u, v, w in ((a, b, fw), (b, a, bw)):
                nb = adj[u]
                before = nb.get(v, 0.0)
                nw = before + sign * w
                if nw <= 1e-9:
                    nb.pop(v, None)
                    self.rel.pop((u, v), None)
                    self.wsum[u] = self.wsum.get(u, 0.0) - before
                    if not nb:
                        del adj[u]
                        self.wsum.pop(u, None)
                else:
                    nb[v] = nw
                    self.wsum[u] = self.wsum.get(u, 0.0) + nw - before
                    if sign > 0:
                        self.rel[(u, v)] = rel if u == a else f"{rel}-by"

    def neighbours(self, node: str) -> dict[str, float]:
        return self.adj.get(node, {})

    def relation(self, u: str, v: str) -> str:
        return self.rel.get((u, v), "linked")

    # -- the walk ----------------------------------------------------------------------------
    def personalized_pagerank(self, seeds: dict[str, float]) -> dict[str, float]:
        """Approximate PPR for `seeds` (node -> mass, any scale): the mass that reached each
        node through edges (its own restart share removed), scaled like `seeds`.

        A node is pushed while its residual exceeds PPR_EPSILON times its degree (so a hub with
        a little mass does not spread it over thousands of edges), at most PPR_MAX_PUSHES times.
        """
        total = sum(seeds.values())
        if total <= 0:
            return {}
        alpha = W.PPR_RESTART
        eps = W.PPR_EPSILON
        residual = {k: v / total for k, v in sorted(seeds.items()) if v > 0}
        rank: dict[str, float] = defaultdict(float)
        queue = deque(sorted(residual, key=lambda k: (-residual[k], k)))
        in_queue = set(queue)
        pushes = 0
        adj = self.adj
        wsum = self.wsum
        with self.lock:
            while queue and pushes < W.PPR_MAX_PUSHES:
                u = queue.popleft()
                in_queue.discard(u)
                ru = residual.get(u, 0.0)
                nbrs = adj.get(u)
                if ru <= 0 or (nbrs is not None and ru < eps * len(nbrs)):
                    continue  # too little to spread over this many edges: it stays residual
                del residual[u]
                pushes += 1
                rank[u] += alpha * ru
                if not nbrs:
                    continue
                f = (1 - alpha) * ru / wsum[u]
                for v, w in nbrs.items():
                    nv = residual.get(v, 0.0) + f * w
                    residual[v] = nv
                    if nv > eps and v not in in_queue:
                        in_queue.add(v)
                        queue.append(v)
        self.last_rank = rank
        through: dict[str, float] = {}
        for node, r in rank.items():
            got = r - alpha * seeds.get(node, 0.0) / total
            if got > 1e-12:
                through[node] = got / alpha * total
        return through

    def explain(self, node: str) -> str:
        """The neighbour that sent `node` the most in the last walk (for its reasons)."""
        rank = getattr(self, "last_rank", {})
        best, best_amount = "", 0.0
        with self.lock:
            for u in sorted(self.adj.get(node, ())):
                nb = self.adj.get(u)
                if not nb or u not in rank:
                    continue
                amount = rank[u] * nb.get(node, 0.0) / self.wsum[u]
                if amount > best_amount:
                    best, best_amount = u, amount
        return best
