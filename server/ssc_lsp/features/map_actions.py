"""Code actions with no model, for continuity problems: "Update to the renamed symbol" and
"Add the missing argument placeholder", offered only where the history makes them certain.
One source of the code-action aggregator (code_actions.py)."""

from __future__ import annotations

import logging

from lsprotocol import types

from ..map.fixes import fixes_for
from .code_actions import ActionSource, add_source
from .diagnostics import State, problems_for
from .locate import client_supports, workspace_edit

log = logging.getLogger(__name__)


def _overlaps(r: tuple[int, int, int, int], rng: types.Range, index, ls) -> bool:
    mine = ls.to_range(index, r)
    return not ((mine.end.line, mine.end.character) < (rng.start.line, rng.start.character)
                or (mine.start.line, mine.start.character) > (rng.end.line, rng.end.character))


def register(server) -> None:
    add_source(server, ActionSource("map", [str(types.CodeActionKind.QuickFix)], offer))


def offer(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The map's certain fixes for its continuity problems in range."""
    found = ls.service_for(params.text_document.uri)
    state: State | None = getattr(ls, "diagnostics_state", None)
    if found is None or state is None:
        return []
    svc, rel = found
    index = ls.line_index(svc, rel)
    if index is None:
        return []
    checked = problems_for(state, svc, rel)
    doc = svc.docs.get(rel)
    source = doc.data if doc is not None else (svc.text_of(rel) or "").encode("utf-8")
    preferred = True if client_supports(
        ls, "text_document.code_action.is_preferred_support") else None
    out: list[types.CodeAction] = []
    for p in checked.problems:
        if not _overlaps(p.range, params.range, index, ls):
            continue
        diags = [d for d in params.context.diagnostics
                 if d.source == "ssc" and d.code == p.code and d.range == ls.to_range(index, p.range)]
        for fix in fixes_for(p, source):
            try:
                edit = workspace_edit(ls, svc, {rel: fix.edits})
            except LookupError:  # a file edits must not reach (outside the workspace)
                return []
            out.append(types.CodeAction(
                title=fix.title, kind=types.CodeActionKind.QuickFix, diagnostics=diags or None,
                is_preferred=preferred, edit=edit))
    return out
