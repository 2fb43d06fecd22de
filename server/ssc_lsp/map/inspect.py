"""What the map knows of one symbol, as one JSON-ready dict (CLI `--symbol`, `ssc/symbol`)."""

from __future__ import annotations

from .filemap import symbol_dict
from .records import MODULE
from .relations import children, file_imports, incoming, outgoing
from .resolve import Resolver
from .workspace import Located, Workspace


def symbol_info(ws: Workspace, resolver: Resolver, loc: Located) -> dict:
    d = symbol_dict(loc.symbol)
    d["path"] = loc.file.path
    d["relations"] = {
        "parent": _parent_id(loc),
        "contains": children(loc),
        "outgoing": outgoing(ws, resolver, loc),
        "incoming": incoming(ws, resolver, loc),
    }
    if loc.symbol.kind == MODULE:
        d["relations"]["imports"] = file_imports(resolver, loc.file)
    d["history"] = [
        {"kind": e.kind, "time": e.time, "version": e.version, "what": e.describe(), **e.detail}
        for e in ws.history.for_symbol(loc.symbol.id)
    ]
    return d


def _parent_id(loc: Located) -> str | None:
    s = loc.symbol
    if s.kind == MODULE:
        return None
    if not s.parent:
        return loc.file.path
    parent = loc.file.lookup(s.parent)
    return parent.id if parent is not None else loc.file.path
