"""Call hierarchy: prepare on a function, method or class; incoming and outgoing calls."""

from __future__ import annotations

from lsprotocol import types

from ..map.hierarchy import callable_at, incoming_calls, outgoing_calls
from ..map.navigation import definition
from ..map.workspace import Located
from .locate import at, detail, item_symbol, name_range, symbol_kind, to_range


def item_of(ls, svc, loc: Located) -> types.CallHierarchyItem | None:
    s = loc.symbol
    rng = to_range(ls, svc, loc.file.path, s.range)
    sel = to_range(ls, svc, loc.file.path, name_range(s))
    if rng is None or sel is None:
        return None
    return types.CallHierarchyItem(
        name=s.name, kind=symbol_kind(s.kind, s.subkind), uri=ls.uri_of(svc, loc.file.path), range=rng,
        selection_range=sel, detail=detail(s) or loc.file.module, data={"id": s.id})


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
    def prepare(ls, params: types.CallHierarchyPrepareParams):
        here = at(ls, params.text_document.uri, params.position)
        if here is None:
            return None
        loc = callable_at(definition(here.svc.resolver, here.fm, here.row, here.col))
        item = item_of(ls, here.svc, loc) if loc is not None else None
        return [item] if item is not None else None

    @server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)
    def incoming(ls, params: types.CallHierarchyIncomingCallsParams):
        found = item_symbol(ls, params.item)
        if found is None:
            return None
        svc, loc = found
        out = []
        for group in incoming_calls(svc.ws, svc.resolver, loc):
            item = item_of(ls, svc, group.other)
            ranges = [to_range(ls, svc, group.other.file.path, r) for r in group.ranges]
            if item is not None:
                out.append(types.CallHierarchyIncomingCall(
                    from_=item, from_ranges=[r for r in ranges if r is not None]))
        return out

    @server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)
    def outgoing(ls, params: types.CallHierarchyOutgoingCallsParams):
        found = item_symbol(ls, params.item)
        if found is None:
            return None
        svc, loc = found
        out = []
        for group in outgoing_calls(svc.ws, svc.resolver, loc):
            item = item_of(ls, svc, group.other)
            ranges = [to_range(ls, svc, loc.file.path, r) for r in group.ranges]
            if item is not None:
                out.append(types.CallHierarchyOutgoingCall(
                    to=item, from_ranges=[r for r in ranges if r is not None]))
        return out
