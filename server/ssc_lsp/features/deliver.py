"""A `Proposal` (refactor/proposal.py) as LSP shapes: a checked WorkspaceEdit, sent for the
user to decide.

- Each changed file is diffed into TextEdits against the text the client holds (the open buffer,
  else the disk), in versioned `documentChanges` where the client takes them, so a buffer that
  moved on refuses the edit instead of taking it at the wrong place. New files are `CreateFile`,
  removed ones `DeleteFile`, only where the client declared those operations.
- Nothing reaches a file outside the workspace folders (LookupError says which).
- What the check found is always in front of the user: in the result, in the label of the edit,
  and in a change annotation with `needsConfirmation` for model-made or doubtful changes (clients
  that declare change annotations). A client that cannot confirm an edit with problems is asked
  first (`window/showMessageRequest`); the server never writes files itself.
"""

from __future__ import annotations

import logging

from lsprotocol import converters, types

from ..grounding.diff import byte_edits
from ..map.positions import LineIndex
from ..refactor import stats
from ..refactor.proposal import Proposal, check, summary
from .check_edit import problem_item
from .locate import client_supports, file_operation, outside_reason

log = logging.getLogger(__name__)

ANNOTATION = "ssc.proposal"
APPLY_ANYWAY = "Apply anyway"
_converter = converters.get_converter()


def confirm_needed(p: Proposal) -> bool:
    """The user must look before this applies: the model wrote it, or the check or the engine
    had something to say."""
    return p.model_made or bool(p.problems) or bool(p.notes)


def _text_edits(old: bytes, new: bytes) -> list[types.TextEdit]:
    index = LineIndex(old)
    out = []
    for start, end, text in byte_edits(old, new):
        sl, sc = index.lsp_of_byte(start)
        el, ec = index.lsp_of_byte(end)
        out.append(types.TextEdit(range=types.Range(types.Position(sl, sc), types.Position(el, ec)),
                                  new_text=text.decode("utf-8")))
    return out


def workspace_edit_of(ls, p: Proposal) -> types.WorkspaceEdit:
    """The proposal as one WorkspaceEdit (see the module doc). Raises LookupError for a file the
    edit must not or cannot reach."""
    versioned = bool(client_supports(ls, "workspace.workspace_edit.document_changes"))
    annotate = versioned and confirm_needed(p) and bool(
        client_supports(ls, "workspace.workspace_edit.change_annotation_support"))
    changes: list = []
    plain: dict[str, list[types.TextEdit]] = {}
    for rel, new in sorted(p.after.items()):
        why = outside_reason(ls, p.svc, rel)
        if why is not None:
            raise LookupError(why)
        uri = ls.uri_of(p.svc, rel)
        old = p.svc.text_now(rel)
        if old is None and new is None:
            continue
        if new is None or old is None:
            op = "delete" if new is None else "create"
            if not file_operation(ls, op):
                raise LookupError(f"the editor cannot {op} files ({rel}): apply it by hand")
            changes.append(types.DeleteFile(uri=uri, annotation_id=ANNOTATION if annotate else None)
                           if new is None else
                           types.CreateFile(uri=uri, annotation_id=ANNOTATION if annotate else None))
            if new is None:
                continue
            old = b""
        edits = _text_edits(old, new)
        if not edits:
            continue
        if annotate:
            edits = [types.AnnotatedTextEdit(range=e.range, new_text=e.new_text, annotation_id=ANNOTATION)
                     for e in edits]
        doc = p.svc.docs.get(rel)
        changes.append(types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(
                uri=uri, version=doc.version if doc is not None else None),
            edits=edits))
        plain[uri] = edits
    if not versioned:
        return types.WorkspaceEdit(changes=plain)
    edit = types.WorkspaceEdit(document_changes=changes)
    if annotate:
        edit.change_annotations = {ANNOTATION: types.ChangeAnnotation(
            label=p.title, needs_confirmation=True, description=summary(p))}
    return edit


def outcome(ls, p: Proposal, edit: types.WorkspaceEdit | None, applied: bool,
            error: str | None = None) -> dict:
    """What a command answers: the check's findings beside the edit, always."""
    out = {"title": p.title, "summary": summary(p), "notes": list(p.notes),
           "problems": [problem_item(ls, p.svc, x, p.after.get(x.path)) for x in p.problems],
           "edit": _converter.unstructure(edit, types.WorkspaceEdit) if edit is not None else None,
           "applied": applied, "modelMade": p.model_made}
    if error is not None:
        out["error"] = error
    return out


def count_checked(ls, p: Proposal, action: str | None) -> None:
    """Count a checked proposal as it goes to the user: clean, or with problems."""
    stats.count(ls, stats.PROBLEMS if p.problems else stats.CLEAN, action)


async def deliver(ls, p: Proposal, apply: bool = True, *, action: str | None = None) -> dict:
    """Check the proposal (if not yet), shape it, and with `apply` ask the client to apply it
    (`workspace/applyEdit`, labelled with what the check found). Returns `outcome`. `action`
    (the command's name) is what refactor/stats.py counts the outcome under."""
    check(p)
    try:
        edit = workspace_edit_of(ls, p)
    except LookupError as e:
        stats.count(ls, stats.REFUSED, action)
        return outcome(ls, p, None, False, str(e))
    count_checked(ls, p, action)
    if not apply:
        return outcome(ls, p, edit, False)
    if p.problems and edit.change_annotations is None and not await _confirmed(ls, p):
        stats.count(ls, stats.DECLINED, action)
        return outcome(ls, p, edit, False, "not applied: the check found problems")
    label = f"{p.title} — {summary(p)}"
    try:
        answer = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
    except Exception as e:  # a client that fails the request: say so, keep the edit
        log.warning("workspace/applyEdit failed: %s", e)
        return outcome(ls, p, edit, False, f"the editor did not apply the edit: {e}")
    applied = bool(getattr(answer, "applied", False))
    reason = getattr(answer, "failure_reason", None)
    stats.count(ls, stats.APPLIED if applied else stats.DECLINED, action)
    return outcome(ls, p, edit, applied, None if applied else (reason or "the editor declined the edit"))


async def _confirmed(ls, p: Proposal) -> bool:
    """Ask before applying an edit with problems to a client that cannot show an annotation."""
    try:
        choice = await ls.window_show_message_request_async(types.ShowMessageRequestParams(
            type=types.MessageType.Warning, message=f"ssc: {p.title} — {summary(p)}",
            actions=[types.MessageActionItem(APPLY_ANYWAY), types.MessageActionItem("Cancel")]))
    except Exception as e:
        log.info("could not ask the user (%s): not applying an edit with problems", e)
        return False
    return getattr(choice, "title", None) == APPLY_ANYWAY

