"""textDocument/prepareRename and textDocument/rename: one multi-file edit from the map, or a
clear error and no edit at all."""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from ..grounding.edit_check import EditCheck, apply_map_edits, describe
from ..map.filemap import content_hash
from ..map.navigation import word_range
from ..map.positions import LineIndex
from ..map.rename import BadName, RenameRefused, plan_rename, renamable
from ..map.service import MapService
from ..map.workspace import Located
from .locate import At, at, to_range, workspace_edit

log = logging.getLogger(__name__)


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed (-32803): the request was valid, the server cannot do it."""

    CODE = -32803
    MESSAGE = "Request Failed"


def _refuse(e: RenameRefused) -> JsonRpcException:
    return JsonRpcInvalidParams(str(e)) if isinstance(e, BadName) else RequestFailed(str(e))


def _target(ls, params) -> tuple[At, Located, tuple[int, int, int, int]]:
    """The symbol under the cursor if it can be renamed, and the range of the word there."""
    here = at(ls, params.text_document.uri, params.position)
    if here is None:
        raise RequestFailed("This file is not in the map.")
    r = word_range(here.svc.resolver, here.fm, here.row, here.col)
    if r is None:
        raise RequestFailed("There is no symbol here that the map can rename.")
    word = _word(here.svc, here.fm.path, r)
    target = here.svc.resolver.target_at(here.fm, here.row, here.col)
    try:
        loc = renamable(target, word)
    except RenameRefused as e:
        raise _refuse(e) from None
    return here, loc, r


def _word(svc: MapService, path: str, r: tuple[int, int, int, int]) -> str | None:
    doc = svc.docs.get(path)
    text = doc.data if doc is not None else _disk(svc, path)
    if text is None:
        return None
    return LineIndex(text).line_bytes(r[0])[r[1]:r[3]].decode("utf-8", errors="replace")


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(ls, params: types.PrepareRenameParams):
        here, loc, r = _target(ls, params)
        rng = to_range(ls, here.svc, here.fm.path, r)
        if rng is None:
            raise RequestFailed("This file cannot be read.")
        return types.PrepareRenamePlaceholder(range=rng, placeholder=loc.symbol.name)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(ls, params: types.RenameParams):
        here, loc, _ = _target(ls, params)
        svc = here.svc
        for attempt in (0, 1):
            source = _Texts(svc)
            try:
                edits = plan_rename(svc.ws, svc.resolver, loc, params.new_name, source)
            except RenameRefused as e:
                raise _refuse(e) from None
            stale = [p for p in edits if p not in svc.docs and _stale(svc, p, source(p))]
            if not stale:
                break
            if attempt:  # still different after a re-read: the disk is moving under us
                raise RequestFailed(f"{', '.join(stale)} changed on disk while renaming; try again.")
            for p in stale:  # the watcher has not told us yet: catch up, then plan again
                svc.file_changed_on_disk(p)
                ls.on_document_changed(svc, p)
            loc = svc.ws.get(loc.symbol.id) or loc
        after = {p: apply_map_edits(source(p) or b"", e) for p, e in edits.items()}
        checked = EditCheck(svc, source).check(after)  # every edit the server proposes
        if checked.problems:
            raise RequestFailed(f"The rename would leave problems: {describe(checked.problems)}")
        try:
            return workspace_edit(ls, svc, edits)
        except LookupError as e:
            raise RequestFailed(f"{e}; nothing was renamed.") from None


class _Texts:
    """The text each file had when the plan read it (the open buffer, else the disk)."""

    def __init__(self, svc: MapService):
        self.svc = svc
        self.texts: dict[str, bytes] = {}

    def __call__(self, path: str) -> bytes | None:
        if path not in self.texts:
            doc = self.svc.docs.get(path)
            text = doc.data if doc is not None else _disk(self.svc, path)
            if text is None:
                return None
            self.texts[path] = text
        return self.texts[path]


def _disk(svc: MapService, path: str) -> bytes | None:
    try:
        with open(svc.abspath(path), "rb") as f:
            return f.read()
    except OSError:
        return None


def _stale(svc: MapService, path: str, data: bytes | None) -> bool:
    fm = svc.ws.files.get(path)
    return fm is None or data is None or content_hash(data) != fm.hash
