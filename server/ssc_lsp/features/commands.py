"""workspace/executeCommand: the commands the editor clients send, besides `ssc.acceptCompletion`
(features/inline_completion.py).

- `ssc.reindex`: crawl and index every workspace folder again (`.gitignore` and `.sscignore`
  read afresh), with the same work-done progress as the first index; unchanged files come from
  the store, so it costs what changed. A folder that is indexing already is left alone.
  Returns `{"started": [roots], "busy": [roots]}`.
- `ssc.showContext`: the markdown of `ssc/context` (what the model would see at a position).
  Arguments: one `{textDocument: {uri}, position, budget?}` object (as `ssc/context` takes), or
  `uri, position[, budget]`. Returns a markdown string.

The model-driven `ssc.refactor` and `ssc.explain` are not implemented by this server, so they
are not registered and not listed in `executeCommandProvider.commands`; the clients offer them
only when the server lists them.
"""

from __future__ import annotations

import logging

from pygls.exceptions import JsonRpcInvalidParams

from .context import context_at
from .lifecycle import start_indexing

log = logging.getLogger(__name__)

REINDEX = "ssc.reindex"
SHOW_CONTEXT = "ssc.showContext"


def register(server) -> None:
    @server.command(REINDEX)
    def reindex(ls, *args) -> dict:
        busy = [svc for svc in ls.maps if svc.state == "indexing"]
        todo = [svc for svc in ls.maps if svc.state != "indexing"]
        for svc in todo:
            svc.reload_rules()
        if todo:
            log.info("re-indexing %s", ", ".join(svc.root for svc in todo))
            start_indexing(ls, todo)
        return {"started": [svc.root for svc in todo], "busy": [svc.root for svc in busy]}

    @server.command(SHOW_CONTEXT)
    def show_context(ls, *args) -> str:
        params = _context_params(args)
        if params is None:
            raise JsonRpcInvalidParams(f"{SHOW_CONTEXT} takes {{textDocument: {{uri}}, position, "
                                       "budget?}} or uri, position[, budget]")
        out = context_at(ls, params)
        if out is None:
            return "_No context: this file is not in the map._\n"
        return out["markdown"]


def _context_params(args: tuple) -> dict | None:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        args = tuple(args[0])
    if len(args) == 1 and isinstance(args[0], dict):
        return args[0]
    if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], dict):
        params = {"textDocument": {"uri": args[0]}, "position": args[1]}
        if len(args) > 2 and isinstance(args[2], int):
            params["budget"] = args[2]
        return params
    return None
