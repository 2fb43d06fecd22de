"""textDocument/completion and completionItem/resolve: the map's items at once, the model's
one-line suggestion merged when it has arrived.

The handler is synchronous on purpose: it answers from the map in a millisecond or two and must
see every didChange before it. The model's suggestion is a background job (suggest/assistant.py
`list_suggestion`); while it runs the list is marked incomplete, so the client asks again at the
next keystroke and gets it merged. Item details (documentation, the full signature, the check's
verdict) are filled in `completionItem/resolve`, with what each item needs in its `data`; a
client that cannot resolve documentation lazily gets it in the list. No snippets are sent:
everything inserts as plain text, so nothing depends on snippet support.
"""

from __future__ import annotations

import logging

from lsprotocol import types

from ..map.hover import hover_markdown
from ..suggest.assistant import assistant_of
from ..suggest.spot import Spot
from ..suggest.symbols import MapItem, detail_of, map_items, where_at
from .inline_completion import ACCEPT
from .locate import client_supports, map_source

log = logging.getLogger(__name__)

KINDS = {
    "module": types.CompletionItemKind.Module,
    "class": types.CompletionItemKind.Class,
    "function": types.CompletionItemKind.Function,
    "method": types.CompletionItemKind.Method,
    "variable": types.CompletionItemKind.Variable,
    "constant": types.CompletionItemKind.Constant,
    "attribute": types.CompletionItemKind.Field,
    "parameter": types.CompletionItemKind.Variable,
    "import": types.CompletionItemKind.Module,
    "builtin": types.CompletionItemKind.Function,
    "external": types.CompletionItemKind.Property,
}


def register(server) -> None:
    assistant = assistant_of(server)
    options = types.CompletionOptions(trigger_characters=["."], resolve_provider=True)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, options)
    def completion(ls, params: types.CompletionParams):
        if not ls.config.completion.list:
            return None
        where = ls.where(params.text_document.uri, params.position)
        if where is None:
            return None
        fm = where.svc.ws.files.get(where.rel)
        spot = Spot.take(where.svc, where.rel, where.row, where.col)
        if fm is None or spot is None:
            assistant.private(where.svc, where.rel)  # a secret file not in the map: say so
            return None
        lines = spot.data.decode("utf-8", errors="replace").split("\n")
        at = where_at(fm, lines, where.row, where.col)
        checker = assistant.checker(where.svc)
        found, complete = map_items(where.svc.resolver, fm, at, checker.externals)
        lazy_docs = _resolves(ls, "documentation")
        items = [_map_item(ls, where.svc, it, i, lazy_docs) for i, it in enumerate(found)]
        llm_text, out, pending = assistant.list_suggestion(spot, at.word_start)
        if llm_text is not None and out is not None:
            item = _llm_item(ls, where.index, where.row, at.word_start, where.col, llm_text, out.id)
            if not lazy_docs:  # the check's verdict, for clients that do not resolve it later
                _resolve_llm(ls, assistant, item, item.data)
            items.append(item)
            if not out.listed:
                out.listed = True  # "shown" once per suggestion, not per keystroke
                assistant.shown(out, "list", [llm_text])
        return types.CompletionList(is_incomplete=pending or not complete, items=items)

    @server.feature(types.COMPLETION_ITEM_RESOLVE)
    def resolve(ls, item: types.CompletionItem) -> types.CompletionItem:
        data = item.data if isinstance(item.data, dict) else _as_dict(item.data)
        if data.get("ssc") == "map":
            _resolve_map(ls, item, data)
        elif data.get("ssc") == "llm":
            _resolve_llm(ls, assistant, item, data)
        return item


def _resolves(ls, prop: str) -> bool:
    support = client_supports(ls, "text_document.completion.completion_item.resolve_support")
    return bool(support and prop in (support.properties or []))


def _markup(ls, text: str) -> types.MarkupContent | str:
    formats = client_supports(
        ls, "text_document.completion.completion_item.documentation_format") or []
    if types.MarkupKind.Markdown in formats:
        return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
    return text


def _map_item(ls, svc, it: MapItem, rank: int, lazy_docs: bool) -> types.CompletionItem:
    detail = it.detail
    label_details = None
    if client_supports(ls, "text_document.completion.completion_item.label_details_support") \
            and detail and detail.startswith(("def ", "async def ")):
        params = detail.split(it.name, 1)[1] if it.name in detail else None
        label_details = types.CompletionItemLabelDetails(detail=params, description=it.module)
    item = types.CompletionItem(
        label=it.name, kind=_declared_kind(ls, KINDS.get(it.kind, types.CompletionItemKind.Text)),
        detail=detail, label_details=label_details, sort_text=f"0{it.rank}{rank:05d}",
        data={"ssc": "map", "root": svc.root, "id": it.symbol_id} if it.symbol_id else None)
    if not lazy_docs and it.symbol_id:
        _resolve_map(ls, item, item.data)
    return item


def _declared_kind(ls, kind: types.CompletionItemKind) -> types.CompletionItemKind:
    """The kind if the client declared it; a client with no value set knows Text..Reference."""
    kinds = client_supports(ls, "text_document.completion.completion_item_kind.value_set")
    if (kind in kinds) if kinds else kind <= types.CompletionItemKind.Reference:
        return kind
    return types.CompletionItemKind.Variable  # Constant is the only kind of ours outside them


def _llm_item(ls, index, row: int, word_start: int, col: int, text: str, sid: str
              ) -> types.CompletionItem:
    rng = ls.to_range(index, (row, word_start, row, col))
    return types.CompletionItem(
        label=text.strip(), kind=types.CompletionItemKind.Text, detail="ssc: model suggestion",
        sort_text="1", filter_text=text, insert_text_format=types.InsertTextFormat.PlainText,
        text_edit=types.TextEdit(range=rng, new_text=text),
        command=types.Command(title="ssc: suggestion accepted", command=ACCEPT,
                              arguments=[{"id": sid, "index": 0, "kind": "list"}]),
        data={"ssc": "llm", "id": sid})


def _resolve_map(ls, item: types.CompletionItem, data: dict) -> None:
    svc = next((s for s in ls.maps if s.root == data.get("root")), None)
    loc = svc.ws.get(data.get("id") or "") if svc is not None else None
    if loc is None:
        return
    item.detail = detail_of(loc.symbol) or item.detail
    try:
        md = hover_markdown(svc.ws, svc.resolver, loc, map_source(svc), svc.history.clock())
    except Exception:  # documentation is a nicety: never fail the list for it
        log.exception("documentation for %s failed", loc.symbol.id)
        md = None
    if md:
        item.documentation = _markup(ls, md)


def _resolve_llm(ls, assistant, item: types.CompletionItem, data: dict) -> None:
    out = assistant.recent(data.get("id") or "")
    if out is None:
        return
    g = out.grounded
    lines = [f"```python\n{item.text_edit.new_text if item.text_edit else item.label}\n```", ""]
    if g is not None:
        v = g.first
        lines.append(f"Checked against the map: {v.checked} names and calls resolved"
                     + (f", {len(set(v.unknown))} not decidable" if v.unknown else "") + ".")
        if g.outcome == "repaired":
            fixed = "; ".join(i.message for i in v.issues)
            lines.append(f"Repaired: the model's first answer failed the check ({fixed}).")
    item.documentation = _markup(ls, "\n".join(lines))


def _as_dict(obj) -> dict:
    if obj is None:
        return {}
    if hasattr(obj, "_asdict"):
        return dict(obj._asdict())
    return dict(getattr(obj, "__dict__", {}) or {})
