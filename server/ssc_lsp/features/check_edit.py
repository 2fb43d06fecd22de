"""`ssc/checkEdit`: the edit check (grounding/edit_check.py) for a `WorkspaceEdit`.

Params `{edit: WorkspaceEdit}` (`changes` or `documentChanges`, with create, rename and delete
operations). Each text edit applies to the file as the map holds it (the open buffer, else the
disk). The answer: `{"problems": [{uri, path, range, kind, message, symbol}]}`, ranges in the
files as they would be after the edit. Files outside every workspace folder are refused.

The request type is registered with lsprotocol's method table so pygls reads the params as a
real `WorkspaceEdit` (its generic reader would turn `changes`, keyed by URIs, into a namedtuple
with the URIs renamed away). The handler is synchronous, as `ssc/context`: a request following a
didChange must see it, and the overlay reads live maps the event loop thread patches.
"""

from __future__ import annotations

import logging
import os
from typing import Literal

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from ..grounding.edit_check import REFUSED, EditCheck, EditProblem
from ..map.positions import LineIndex, apply_lsp_change
from ..map.service import MapService

log = logging.getLogger(__name__)

CHECK_EDIT = "ssc/checkEdit"


@attrs.define
class CheckEditParams:
    edit: types.WorkspaceEdit = attrs.field()


@attrs.define
class CheckEditRequest:
    id: int | str = attrs.field()
    params: CheckEditParams = attrs.field()
    method: Literal["ssc/checkEdit"] = "ssc/checkEdit"
    jsonrpc: str = attrs.field(default="2.0")


class _Plan:
    """The text of every file after the edit, per workspace folder, and what is refused."""

    def __init__(self, ls):
        self.ls = ls
        self.after: dict[MapService, dict[str, bytes | None]] = {}
        self.refused: list[tuple[str, str]] = []  # (uri, why)

    def locate(self, uri: str) -> tuple[MapService, str] | None:
        path = to_fs_path(uri)
        if path is None:
            self.refused.append((uri, "not a file URI"))
            return None
        path = os.path.abspath(path)
        owners = [s for s in self.ls.maps if path.startswith(s.root + os.sep)]
        if not owners:
            self.refused.append((uri, f"refused: `{path}` is outside every workspace folder"))
            return None
        svc = max(owners, key=lambda s: len(s.root))
        return svc, svc.relpath(path) or ""

    def current(self, svc: MapService, rel: str) -> bytes | None:
        files = self.after.setdefault(svc, {})
        if rel in files:
            return files[rel]
        doc = svc.docs.get(rel)
        if doc is not None:
            return doc.data
        text = svc.text_of(rel)
        return text.encode("utf-8") if text is not None else None

    def edit(self, uri: str, edits: list) -> None:
        found = self.locate(uri)
        if found is None:
            return
        svc, rel = found
        data = self.current(svc, rel)
        if data is None:
            raise JsonRpcInvalidParams(f"{uri}: no such file to edit")
        index = LineIndex(data)
        order = sorted(range(len(edits)), key=lambda i: (edits[i].range.start.line,
                                                         edits[i].range.start.character, i),
                       reverse=True)  # back to front: each edit's range still means the original
        for i in order:
            e = edits[i]
            new_text = e.new_text if isinstance(e, types.TextEdit | types.AnnotatedTextEdit) else e.text
            data, _, index = apply_lsp_change(data, index, (e.range.start.line, e.range.start.character),
                                              (e.range.end.line, e.range.end.character), new_text)
        self.after.setdefault(svc, {})[rel] = data

    def operation(self, op) -> None:
        if isinstance(op, types.TextDocumentEdit):
            self.edit(op.text_document.uri, list(op.edits))
        elif isinstance(op, types.CreateFile):
            found = self.locate(op.uri)
            if found is not None:
                self.after.setdefault(found[0], {})[found[1]] = b""
        elif isinstance(op, types.DeleteFile):
            found = self.locate(op.uri)
            if found is not None:
                self.after.setdefault(found[0], {})[found[1]] = None
        elif isinstance(op, types.RenameFile):
            old, new = self.locate(op.old_uri), self.locate(op.new_uri)
            if old is not None and new is not None:
                data = self.current(*old)
                self.after.setdefault(old[0], {})[old[1]] = None
                self.after.setdefault(new[0], {})[new[1]] = data


def check_workspace_edit(ls, edit: types.WorkspaceEdit) -> list[dict]:
    plan = _Plan(ls)
    for op in edit.document_changes or ():
        plan.operation(op)
    for uri, edits in (edit.changes or {}).items():
        plan.edit(uri, list(edits))
    out = [{"uri": uri, "path": to_fs_path(uri) or uri, "kind": REFUSED, "message": why, "symbol": None,
            "range": _zero()} for uri, why in plan.refused]
    for svc, after in plan.after.items():
        result = EditCheck(svc).check(after)
        out.extend(problem_item(ls, svc, p, after.get(p.path)) for p in result.problems)
    return out


def _zero() -> dict:
    return {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}


def problem_item(ls, svc: MapService, p: EditProblem, after: bytes | None) -> dict:
    """A problem as `ssc/checkEdit` answers it (range in the file after the edit)."""
    rng = _zero()
    text = after if after is not None else (svc.text_of(p.path) or "").encode("utf-8")
    if p.kind != REFUSED:
        r = ls.to_range(LineIndex(text), p.range)
        rng = {"start": {"line": r.start.line, "character": r.start.character},
               "end": {"line": r.end.line, "character": r.end.character}}
    return {"uri": ls.uri_of(svc, p.path), "path": p.path, "kind": p.kind, "message": p.message,
            "symbol": p.symbol, "range": rng}


def register(server) -> None:
    types.METHOD_TO_TYPES.setdefault(CHECK_EDIT, (CheckEditRequest, None, CheckEditParams, None))

    @server.feature(CHECK_EDIT)
    def ssc_check_edit(ls, params: CheckEditParams) -> dict:
        edit = getattr(params, "edit", None)
        if not isinstance(edit, types.WorkspaceEdit):
            raise JsonRpcInvalidParams("ssc/checkEdit takes {edit: WorkspaceEdit}")
        return {"problems": check_workspace_edit(ls, edit)}
