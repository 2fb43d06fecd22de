"""textDocument/documentSymbol (hierarchical when the client says so) and workspace/symbol."""

from __future__ import annotations

import logging

from lsprotocol import types

from ..map.navigation import OutlineNode, Spot, container_of, outline
from ..map.symbol_search import searcher
from .locate import client_supports, detail, location, name_range, symbol_kind

log = logging.getLogger(__name__)


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(ls, params: types.DocumentSymbolParams):
        found = ls.service_for(params.text_document.uri)
        if found is None:
            return None
        svc, rel = found
        await svc.wait_crawled()
        fm = svc.ensure(rel)  # an outline needs only this file: mapped now if not yet
        index = ls.line_index(svc, rel)
        if fm is None or index is None:
            return None
        tree = outline(fm)
        if client_supports(ls, "text_document.document_symbol.hierarchical_document_symbol_support"):
            return [_document_symbol(ls, index, n) for n in tree]
        out: list[types.SymbolInformation] = []
        uri = params.text_document.uri

        def flat(nodes: list[OutlineNode]) -> None:
            for n in nodes:
                s = n.symbol
                out.append(types.SymbolInformation(
                    name=s.name, kind=symbol_kind(s.kind, s.subkind),
                    location=types.Location(uri=uri, range=ls.to_range(index, s.range)),
                    container_name=container_of(fm, s)))
                flat(n.children)

        flat(tree)
        return out

    @server.feature(types.WORKSPACE_SYMBOL)
    def workspace_symbol(ls, params: types.WorkspaceSymbolParams):
        out: list[types.WorkspaceSymbol] = []
        for svc in ls.maps:
            for loc in searcher(svc.ws).search(params.query):
                where = location(ls, svc, _spot(loc))
                if where is None:
                    continue
                out.append(types.WorkspaceSymbol(
                    name=loc.symbol.name, kind=symbol_kind(loc.symbol.kind, loc.symbol.subkind), location=where,
                    container_name=container_of(loc.file, loc.symbol)))
        return out

    @server.events.indexed.subscribe
    def warm(services) -> None:
        """Build the search table once the index is ready, not on the first keystroke."""
        for svc in services:
            try:
                searcher(svc.ws).search("_warm", 1)
            except Exception:
                log.exception("warming the symbol search failed")


def _spot(loc) -> Spot:
    return Spot(loc.file.path, name_range(loc.symbol))


def _document_symbol(ls, index, node: OutlineNode) -> types.DocumentSymbol:
    s = node.symbol
    rng = ls.to_range(index, s.range)
    sel = ls.to_range(index, s.name_range)
    return types.DocumentSymbol(
        name=s.name, kind=symbol_kind(s.kind, s.subkind), range=rng, selection_range=sel, detail=detail(s),
        children=[_document_symbol(ls, index, c) for c in node.children] or None)

