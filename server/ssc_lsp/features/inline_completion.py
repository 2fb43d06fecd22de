"""textDocument/inlineCompletion (LSP 3.18, ghost text) and the `ssc.acceptCompletion` command.

Thin on purpose: the pipeline is suggest/assistant.py. Here: only for clients that declared
inline completion; debounce only for automatic triggers (an explicit request wants an answer
now); a cancelled or superseded request answers an empty list; each item carries the command
that reports its acceptance, with the suggestion's id and index as its argument.
"""

from __future__ import annotations

import asyncio
import logging
import time

from lsprotocol import types

from ..suggest.assistant import assistant_of
from ..suggest.spot import Spot
from .locate import client_supports

log = logging.getLogger(__name__)

ACCEPT = "ssc.acceptCompletion"


def register(server) -> None:
    assistant = assistant_of(server)

    def warm_on_open(svc, rel) -> None:
        """A client that shows ghost text opened a file: load the model now, in the background,
        rather than at the first keystroke (the embedded one takes ~15 s)."""
        if rel in svc.docs and server.config.completion.inline and \
                client_supports(server, "text_document.inline_completion") is not None:
            try:
                assistant.warm()
            except RuntimeError:  # no running loop (the server driven without one in tests)
                pass

    server.events.changed.subscribe(warm_on_open)

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(ls, params: types.InlineCompletionParams):
        entered = time.perf_counter()
        if not ls.config.completion.inline or \
                client_supports(ls, "text_document.inline_completion") is None:
            return None
        if params.context.selected_completion_info is not None:
            return types.InlineCompletionList(items=[])  # the completion list has the stage
        where = ls.where(params.text_document.uri, params.position)
        spot = Spot.take(where.svc, where.rel, where.row, where.col) if where else None
        if spot is None:
            if where is not None:
                assistant.private(where.svc, where.rel)  # a secret file not in the map: say so
            return None
        automatic = params.context.trigger_kind == types.InlineCompletionTriggerKind.Automatic
        debounce = ls.config.completion.debounce_ms / 1000 if automatic else 0.0
        job = assistant.start(spot, debounce=debounce, kind="inline")
        try:
            out = await job.task
        except asyncio.CancelledError:
            task = asyncio.current_task()
            cancelling = task.cancelling() if task is not None and hasattr(task, "cancelling") else 0
            if job.superseded and not cancelling:
                return types.InlineCompletionList(items=[])
            raise
        if not out.text:
            return types.InlineCompletionList(items=[])
        texts = [out.text]
        first = out.text.split("\n", 1)[0]
        if "\n" in out.text and first.strip():
            texts.append(first)  # the first line alone, as a second choice
        here = types.Range(params.position, params.position)
        items = [types.InlineCompletionItem(
            insert_text=text, range=here,
            command=types.Command(title="ssc: suggestion accepted", command=ACCEPT,
                                  arguments=[{"id": out.id, "index": i, "kind": "inline"}]))
            for i, text in enumerate(texts)]
        assistant.shown(out, "inline", texts)
        # the whole handler, from dispatch to the answer (the pipeline's `total` is inside it)
        assistant.last_timings["handler"] = round((time.perf_counter() - entered) * 1000, 3)
        return types.InlineCompletionList(items=items)

    @server.command(ACCEPT)
    def accept(ls, *args) -> None:
        arg = args[0] if args else None
        if isinstance(arg, list | tuple):
            arg = arg[0] if arg else None
        sid = _field(arg, "id")
        index = _field(arg, "index")
        if isinstance(sid, str):
            assistant.accepted(sid, index if isinstance(index, int) else 0)


def _field(obj, name: str):
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)
