"""Code actions with no model, for continuity problems: "Update to the renamed symbol" and
"Add the missing argument placeholder", offered only where the history makes them certain.
One source of the code-action aggregator (code_actions.py).

Every fix goes through the edit check (grounding/edit_check.py) before it can be applied: a fix is
certain by construction, and the check is what says so. The check of a one-line fix takes a
median of 8-119 ms and a p90 of 57-480 ms per project on the development projects
(bench/model_edit_bench.py, part B; three runs on a busy machine): too slow for
`textDocument/codeAction`, which editors ask on every cursor move. So a
client that resolves actions gets the fix at once without its edit and the check runs in
`codeAction/resolve` (the fix's identity in `data`); a client that cannot resolve gets the edit
at once, checked there, and a fix the check finds fault with is not offered.
"""

from __future__ import annotations

import logging

from lsprotocol import types

from ..grounding.edit_check import check_texts, describe
from ..map.checks import Fix
from ..map.fixes import fixes_for
from ..map.positions import LineIndex
from ..refactor.proposal import Proposal
from .code_actions import ActionSource, add_source, resolves_later
from .diagnostics import State, problems_for
from .locate import client_supports, map_source, workspace_edit

log = logging.getLogger(__name__)

SOURCE = "map"


def _overlaps(r: tuple[int, int, int, int], rng: types.Range, index, ls) -> bool:
    mine = ls.to_range(index, r)
    return not ((mine.end.line, mine.end.character) < (rng.start.line, rng.start.character)
                or (mine.start.line, mine.start.character) > (rng.end.line, rng.end.character))


def register(server) -> None:
    add_source(server, ActionSource(SOURCE, [types.CodeActionKind.QuickFix.value], offer, resolve))


def fixed_text(source: bytes, fix: Fix) -> bytes:
    """The file with the fix's edits made (map ranges: rows and byte columns)."""
    index = LineIndex(source)
    out = source
    for (r0, c0, r1, c1), text in sorted(set(fix.edits), reverse=True):
        a, b = index.byte_of_point(r0, c0), index.byte_of_point(r1, c1)
        out = out[:a] + text.encode("utf-8") + out[b:]
    return out


def _found(ls, uri: str):
    found = ls.service_for(uri)
    state: State | None = getattr(ls, "diagnostics_state", None)
    if found is None or state is None:
        return None
    svc, rel = found
    index = ls.line_index(svc, rel)
    source = map_source(svc)(rel)
    if index is None or source is None:
        return None
    return svc, rel, index, source, problems_for(state, svc, rel).problems


def offer(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The map's certain fixes for its continuity problems in range."""
    found = _found(ls, params.text_document.uri)
    if found is None:
        return []
    svc, rel, index, source, problems = found
    preferred = True if client_supports(
        ls, "text_document.code_action.is_preferred_support") else None
    later = resolves_later(ls)
    out: list[types.CodeAction] = []
    for p in problems:
        if not _overlaps(p.range, params.range, index, ls):
            continue
        diags = [d for d in params.context.diagnostics
                 if d.source == "ssc" and d.code == p.code and d.range == ls.to_range(index, p.range)]
        for fix in fixes_for(p, source):
            action = types.CodeAction(title=fix.title, kind=types.CodeActionKind.QuickFix,
                                      diagnostics=diags or None, is_preferred=preferred)
            if later:
                action.data = {"uri": params.text_document.uri, "range": list(p.range), "code": p.code}
            else:
                result = check_texts(svc, {rel: fixed_text(source, fix)})
                if result.problems:
                    log.warning("map fix %r not offered: the edit check found %s", fix.title,
                                describe(result.problems))
                    continue
                try:
                    action.edit = workspace_edit(ls, svc, {rel: fix.edits})
                except LookupError:  # a file edits must not reach (outside the workspace)
                    return []
            out.append(action)
    return out


async def resolve(ls, action: types.CodeAction) -> Proposal | types.CodeAction:
    """The fix named by the action, as a proposal the aggregator checks and shapes (what the check
    finds goes with it); the action unchanged when the problem has gone meanwhile."""
    data = action.data if isinstance(action.data, dict) else {}
    found = _found(ls, str(data.get("uri", "")))
    if found is None:
        return action
    svc, rel, _index, source, problems = found
    want = (tuple(data.get("range") or ()), data.get("code"))
    for p in problems:
        if (p.range, p.code) != want:
            continue
        fix = next((f for f in fixes_for(p, source) if f.title == action.title), None)
        if fix is not None:
            return Proposal(fix.title, types.CodeActionKind.QuickFix.value, svc, {rel: fixed_text(source, fix)})
    ls.tell(f"{action.title}: the problem is no longer there", types.MessageType.Info)
    return action

