"""textDocument/references: every use the map resolves to the symbol, across the workspace."""

from __future__ import annotations

from lsprotocol import types

from ..map.navigation import definition, references
from .locate import at, location, whole_map


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def find_references(ls, params: types.ReferenceParams):
        found = ls.service_for(params.text_document.uri)
        if found is not None:  # every file must be in: wait for the index, bounded
            await whole_map(found[0], "a references list")
        here = at(ls, params.text_document.uri, params.position)
        if here is None:
            return None
        svc = here.svc
        loc = definition(svc.resolver, here.fm, here.row, here.col)
        if loc is None:
            return None
        spots = references(svc.ws, svc.resolver, loc, params.context.include_declaration)
        out = [location(ls, svc, s) for s in spots]
        return [o for o in out if o is not None]
