"""Type hierarchy for classes: supertypes are resolved bases, subtypes the classes naming it."""

from __future__ import annotations

from lsprotocol import types

from ..map.hierarchy import class_at, subtypes, supertypes
from ..map.navigation import definition
from ..map.workspace import Located
from .locate import at, detail, item_symbol, name_range, symbol_kind, to_range


def item_of(ls, svc, loc: Located) -> types.TypeHierarchyItem | None:
    s = loc.symbol
    rng = to_range(ls, svc, loc.file.path, s.range)
    sel = to_range(ls, svc, loc.file.path, name_range(s))
    if rng is None or sel is None:
        return None
    return types.TypeHierarchyItem(
        name=s.name, kind=symbol_kind(s.kind, s.subkind), uri=ls.uri_of(svc, loc.file.path), range=rng,
        selection_range=sel, detail=detail(s) or loc.file.module, data={"id": s.id})


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY)
    def prepare(ls, params: types.TypeHierarchyPrepareParams):
        here = at(ls, params.text_document.uri, params.position)
        if here is None:
            return None
        loc = class_at(definition(here.svc.resolver, here.fm, here.row, here.col))
        item = item_of(ls, here.svc, loc) if loc is not None else None
        return [item] if item is not None else None

    @server.feature(types.TYPE_HIERARCHY_SUPERTYPES)
    def supers(ls, params: types.TypeHierarchySupertypesParams):
        found = item_symbol(ls, params.item)
        if found is None:
            return None
        svc, loc = found
        return [i for i in (item_of(ls, svc, c) for c in supertypes(svc.resolver, loc)) if i]

    @server.feature(types.TYPE_HIERARCHY_SUBTYPES)
    def subs(ls, params: types.TypeHierarchySubtypesParams):
        found = item_symbol(ls, params.item)
        if found is None:
            return None
        svc, loc = found
        return [i for i in (item_of(ls, svc, c) for c in subtypes(svc.ws, svc.resolver, loc)) if i]
