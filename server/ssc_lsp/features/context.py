"""`ssc/context`: the context the engine packs for a position, with why each item was chosen.

Params: `{textDocument: {uri}, position: {line, character}, budget?: int, unit?: "chars" |
"tokens", withText?: bool}` (`budgetChars` is taken for `budget`, in chars). The result is the
engine's structured result (context/items.py): items with path, 0-based inclusive lines, kind,
form, score, reasons and size, plus each item's `uri` and LSP `range` so an editor can show or
open it, the packed text, and `markdown`: the same for a person to read (what the editors show).

The handler is synchronous on purpose: a request that follows a didChange must see it.
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..context.engine import ContextOptions, engine_for
from ..context.tokens import Budget

log = logging.getLogger(__name__)

CONTEXT = "ssc/context"


def register(server) -> None:
    @server.feature(CONTEXT)
    def ssc_context(ls, params) -> dict | None:
        return context_at(ls, params)

    @server.events.indexed.subscribe
    def warm(services) -> None:
        """Build the context indexes once the map is ready, in the background."""
        for svc in services:
            try:
                engine_for(svc).warm_async()
            except Exception:
                log.exception("warming the context engine failed")

    @server.events.closing.subscribe
    def close_engines() -> None:
        """Stop the engines' helpers (the jedi process) before the maps close."""
        for svc in server.maps:
            try:
                engine_for(svc).close()
            except Exception:
                log.exception("closing the context engine failed")

    @server.events.dropped.subscribe
    def on_drop(svc) -> None:
        """A dropped map (projects.py): its engine's helpers stop."""
        engine_for(svc).close()


def context_at(ls, params) -> dict | None:
    """The `ssc/context` answer for params (a dict or pygls' namedtuple), or None."""
    uri = _get(params, "textDocument", "uri")
    line = _get(params, "position", "line")
    char = _get(params, "position", "character")
    if not isinstance(uri, str) or not isinstance(line, int) or not isinstance(char, int):
        raise JsonRpcInvalidParams("ssc/context takes {textDocument: {uri}, position: "
                                   "{line, character}, budget?, unit?, withText?}")
    where = ls.where(uri, types.Position(line, char))
    if where is None or where.rel not in where.svc.ws.files:
        return None
    budget = _get(params, "budget")
    unit = _get(params, "unit") or "chars"
    if budget is None and isinstance(_get(params, "budgetChars"), int):
        budget, unit = _get(params, "budgetChars"), "chars"
    if not isinstance(budget, int) or budget <= 0:
        budget = ls.config.context.budget_chars
    if unit not in ("chars", "tokens"):
        raise JsonRpcInvalidParams("unit is 'chars' or 'tokens'")
    with_text = _get(params, "withText")
    engine = engine_for(where.svc)
    res = engine.assemble(where.rel, where.row, where.col,
                          ContextOptions(budget=Budget(int(budget), unit)))
    out = res.to_json(with_text=with_text is not False)
    for item, it in zip(out["items"], res.items, strict=True):
        if it.external:
            continue
        item["uri"] = ls.uri_of(where.svc, it.path)
        item["range"] = {"start": {"line": it.start_line, "character": 0},
                         "end": {"line": it.end_line + 1, "character": 0}}
    out["uri"] = uri
    out["markdown"] = context_markdown(out)
    return out


def context_markdown(out: dict) -> str:
    """The context for a person: what was chosen, why, and the code itself."""
    items = out.get("items") or []
    unit = out.get("unit", "chars")
    where = f"{out.get('path')}:{out.get('line', 0) + 1}"
    lines = [f"# ssc context at {where}", "",
             f"{len(items)} of {out.get('candidates', len(items))} candidates, "
             f"{out.get('used', 0)} of {out.get('budget', 0)} {unit}"
             + (f", in `{out['scope']}`" if out.get("scope") else "")
             + (f", receiver `{out['receiver']}`" if out.get("receiver") else ""), ""]
    for it in items:
        span = f"{it['path']}:{it['start_line'] + 1}-{it['end_line'] + 1}"
        lines.append(f"## {it.get('kind', 'item')} `{it.get('name') or '?'}` ({span}, {it.get('form')})")
        why = it.get("why") or []
        if why:
            lines.append("")
            lines.append("Why: " + "; ".join(why) + ".")
        body = it.get("text")
        if body:
            fence = "```"
            while fence in body:
                fence += "`"
            lines += ["", f"{fence}python", body.rstrip("\n"), fence]
        lines.append("")
    if not items:
        lines.append("_Nothing from the map fits here._")
    return "\n".join(lines).rstrip("\n") + "\n"


def _get(obj, *keys):
    for k in keys:
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(k)
        else:
            value = getattr(obj, k, None)
            obj = value if value is not None else getattr(obj, _snake(k), None)
    return obj


def _snake(k: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in k)
