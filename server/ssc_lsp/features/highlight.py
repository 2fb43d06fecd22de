"""textDocument/documentHighlight: the symbol's uses in this file (bindings as writes)."""

from __future__ import annotations

from lsprotocol import types

from ..map.navigation import definition, highlights


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    def document_highlight(ls, params: types.DocumentHighlightParams):
        where = ls.where(params.text_document.uri, params.position)
        if where is None:
            return None
        svc = where.svc
        fm = svc.ws.files.get(where.rel)
        if fm is None:
            return None
        loc = definition(svc.resolver, fm, where.row, where.col)
        if loc is None:
            return None
        kind = types.DocumentHighlightKind
        return [types.DocumentHighlight(range=ls.to_range(where.index, s.range),
                                        kind=kind.Write if s.write else kind.Read)
                for s in highlights(svc.ws, svc.resolver, fm, loc)]
