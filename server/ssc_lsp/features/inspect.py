"""`ssc/symbol`: what the map knows of the symbol at a position (the CLI's `map --symbol`)."""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..map.inspect import symbol_info
from ..map.resolve import External
from ..map.workspace import Located

SYMBOL = "ssc/symbol"


def register(server) -> None:
    @server.feature(SYMBOL)
    def ssc_symbol(ls, params) -> dict | None:
        uri = _get(params, "textDocument", "uri")
        line = _get(params, "position", "line")
        char = _get(params, "position", "character")
        if not isinstance(uri, str) or not isinstance(line, int) or not isinstance(char, int):
            raise JsonRpcInvalidParams("ssc/symbol takes {textDocument: {uri}, position: {line, character}}")
        where = ls.where(uri, types.Position(line, char))
        if where is None:
            return None
        svc = where.svc
        fm = svc.ws.files.get(where.rel)
        if fm is None:
            return None
        target = svc.resolver.target_at(fm, where.row, where.col)
        if isinstance(target, External):
            return {"external": target.dotted}
        if not isinstance(target, Located):
            return None
        info = symbol_info(svc.ws, svc.resolver, target)
        info["uri"] = ls.uri_of(svc, target.file.path)
        return info


def _get(obj, *keys):
    for k in keys:
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(k)
        else:
            obj = getattr(obj, k, None) or getattr(obj, _snake(k), None)
    return obj


def _snake(k: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in k)
