"""textDocument/definition: where the map resolves the name under the cursor."""

from __future__ import annotations

from lsprotocol import types

from ..map.navigation import definition
from .locate import at, symbol_location


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def goto_definition(ls, params: types.DefinitionParams):
        here = at(ls, params.text_document.uri, params.position)
        if here is None:
            return None
        loc = definition(here.svc.resolver, here.fm, here.row, here.col)
        if loc is None:
            return None
        where = symbol_location(ls, here.svc, loc)
        return [where] if where is not None else None
