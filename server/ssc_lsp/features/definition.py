"""textDocument/definition: where the map resolves the name under the cursor; where it cannot
(an untyped receiver, a name from the standard library or an installed package), jedi's answer
checked against the map (context/jedi_nav.py)."""

from __future__ import annotations

from lsprotocol import types

from ..context import jedi_nav
from ..map.navigation import definition, implementation_of, wants_jedi
from .locate import at_started, symbol_location


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def goto_definition(ls, params: types.DefinitionParams):
        here = await at_started(ls, params.text_document.uri, params.position)
        if here is None:
            return None
        svc = here.svc
        loc = definition(svc.resolver, here.fm, here.row, here.col)
        if wants_jedi(svc.resolver, here.fm, here.row, here.col, loc):
            found = await jedi_nav.definition(svc, here.fm.path, here.row, here.col)
            if isinstance(found, jedi_nav.Outside):
                return _outside(ls, found)
            loc = found or loc
        if loc is None:
            return None
        where = symbol_location(ls, svc, implementation_of(svc.ws, loc))
        return [where] if where is not None else None


def _outside(ls, o: jedi_nav.Outside) -> list[types.Location] | None:
    got = o.byte_range()
    if got is None:
        return None
    index, r = got
    from pygls.uris import from_fs_path

    return [types.Location(uri=from_fs_path(o.path) or "", range=ls.to_range(index, r))]
