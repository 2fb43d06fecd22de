"""textDocument/prepareRename and textDocument/rename: one multi-file edit from the map, or a
clear error and no edit at all.

Uses the map cannot decide (a member's name through a receiver it cannot type, see
map/rename.py `uncertain_uses`) are never dropped in silence. jedi is asked about each
(features/jedi_seam.py, on a deadline): where its goto lands on the symbol, the use is renamed.
The others are, for a client that declared `changeAnnotationSupport` (and `documentChanges`),
included as edits under a change annotation with `needsConfirmation` whose label says how many;
for any other client they are left out and listed in a window/showMessage. prepareRename answers
as LSP says ({range, placeholder}); when there are uncertain uses it logs how many
(window/logMessage) and starts jedi on them, so the rename that follows finds the answers ready.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from ..grounding.edit_check import EditCheck, apply_map_edits, describe
from ..map.filemap import content_hash
from ..map.navigation import word_range
from ..map.positions import LineIndex
from ..map.relations import Use
from ..map.rename import (
    BadName,
    Edits,
    FileMove,
    RenameRefused,
    Uncertain,
    edits_of,
    file_move,
    plan_rename,
    renamable,
    sort_uncertain,
    uncertain_uses,
)
from ..map.service import MapService
from ..map.workspace import Located
from . import jedi_seam
from .locate import (
    At,
    RequestFailed,
    annotate,
    at,
    client_supports,
    file_operation,
    outside_reason,
    to_range,
    whole_map,
    workspace_edit,
)

log = logging.getLogger(__name__)

# Seconds a rename waits for jedi to confirm the uncertain uses, every file together (what is
# not answered by then is offered for confirmation or listed, never renamed unasked).
JEDI_SECONDS = 5.0
UNCONFIRMED = "ssc.unconfirmed"  # the change annotation's id
LISTED = 20  # uses named one by one in a message; the rest are counted


def _refuse(e: RenameRefused) -> JsonRpcException:
    return JsonRpcInvalidParams(str(e)) if isinstance(e, BadName) else RequestFailed(str(e))


def rename_target(ls, params) -> tuple[At, Located, tuple[int, int, int, int]]:
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
        here, loc, r = rename_target(ls, params)
        rng = to_range(ls, here.svc, here.fm.path, r)
        if rng is None:
            raise RequestFailed("This file cannot be read.")
        _announce_uncertain(ls, here.svc, loc)
        return types.PrepareRenamePlaceholder(range=rng, placeholder=loc.symbol.name)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def rename(ls, params: types.RenameParams):
        return await rename_edit(ls, params)


async def rename_edit(ls, params: types.RenameParams) -> types.WorkspaceEdit:
    """The rename's one code path (textDocument/rename, and the suggested names' code actions):
    the checked WorkspaceEdit, or RequestFailed / InvalidParams saying why not."""
    found = ls.service_for(params.text_document.uri)
    if found is not None:  # a rename must reach every use: wait for the whole map
        await whole_map(found[0], "a rename")
    here, loc, _ = rename_target(ls, params)
    landings = await _ask_jedi(here.svc, loc)
    here, loc, _ = rename_target(ls, params)  # from here on nothing awaits: one map, one version
    svc = here.svc
    for attempt in (0, 1):
        source = _Texts(svc)
        try:
            edits = plan_rename(svc.ws, svc.resolver, loc, params.new_name, source)
        except RenameRefused as e:
            raise _refuse(e) from None
        uncertain = _sorted_uncertain(svc, loc, landings)
        paths = set(edits) | {u.file.path for u in uncertain.confirmed + uncertain.unconfirmed}
        stale = [p for p in sorted(paths) if p not in svc.docs and _stale(svc, p, source(p))]
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
    move = file_move(svc.resolver, loc, params.new_name, source)
    if move is not None:
        _check_move(ls, svc, loc, move)
    try:
        edit = _edit_with_uncertain(ls, svc, loc, params.new_name, edits, uncertain)
    except LookupError as e:
        raise RequestFailed(f"{e}; nothing was renamed.") from None
    return _moved(ls, svc, edit, move) if move is not None else edit


# -- a file named after the symbol -----------------------------------------------------------------


def _check_move(ls, svc: MapService, loc: Located, move: FileMove) -> None:
    """Refuse a rename whose file move cannot happen: the new file exists, it would leave the
    workspace, or the client cannot rename files and the code needs it (a public class)."""
    why = outside_reason(ls, svc, move.new)
    if why is not None:
        raise RequestFailed(f"{why}; nothing was renamed.")
    if move.new in svc.ws.files or svc.text_now(move.new) is not None:
        raise RequestFailed(f"Renaming `{loc.symbol.name}` renames its file to {move.new}, which "
                            "exists already; nothing was renamed.")
    if move.required and not file_operation(ls, "rename"):
        raise RequestFailed(
            f"`{loc.symbol.name}` is public: its file {move.old} must be renamed with it, and this "
            "editor cannot rename files (workspace.workspaceEdit.resourceOperations has no "
            "\"rename\"); nothing was renamed.")


def _moved(ls, svc: MapService, edit: types.WorkspaceEdit, move: FileMove) -> types.WorkspaceEdit:
    """`edit` then the file's rename (LSP applies documentChanges in order: the text is edited
    under its old name first). A client that cannot rename files gets the text edits only
    (`_check_move` let it through: the code compiles without)."""
    if not file_operation(ls, "rename"):
        return edit
    op = types.RenameFile(old_uri=ls.uri_of(svc, move.old), new_uri=ls.uri_of(svc, move.new),
                          options=types.RenameFileOptions(overwrite=False, ignore_if_exists=False))
    edit.document_changes = [*(edit.document_changes or []), op]
    return edit


# -- uses the map cannot decide ------------------------------------------------------------------


def _jedi_question(svc: MapService, found: Sequence[Use]) -> dict[str, tuple[bytes, list[Use]]]:
    """The uncertain uses per file, with the text jedi reads (the open buffer, else the disk)."""
    texts = _Texts(svc)
    per: dict[str, tuple[bytes, list[Use]]] = {}
    for use in found:
        data = texts(use.file.path)
        if data is not None:
            per.setdefault(use.file.path, (data, []))[1].append(use)
    return per


def _landings(svc: MapService, found: Sequence[Use], deadline: float | None) -> dict:
    """jedi's answers per use, keyed by (path, range): one question per file, all files within
    `deadline` seconds together (0: only start them; the answers are kept for the next ask)."""
    out: dict = {}
    ends = None if deadline is None else time.monotonic() + deadline
    for path, (data, uses) in _jedi_question(svc, found).items():
        left = None if ends is None else max(0.0, ends - time.monotonic())
        hits = jedi_seam.goto_many(svc, path, data, [(u.row, u.ref.col) for u in uses], left)
        if hits is None:
            continue
        for use, landed in zip(uses, hits, strict=True):
            out[(path, use.range)] = [(h.path, h.row, h.name) for h in landed]
    return out


async def _ask_jedi(svc: MapService, loc: Located) -> dict:
    found = uncertain_uses(svc.ws, svc.resolver, loc)
    if not found:
        return {}
    return await asyncio.get_running_loop().run_in_executor(None, _landings, svc, found, JEDI_SECONDS)


def _sorted_uncertain(svc: MapService, loc: Located, landings: dict) -> Uncertain:
    found = uncertain_uses(svc.ws, svc.resolver, loc)
    return sort_uncertain(svc.ws, loc, found, [landings.get((u.file.path, u.range)) for u in found])


def _announce_uncertain(ls, svc: MapService, loc: Located) -> None:
    """prepareRename: say how many uses need jedi, and start it on them (without waiting)."""
    found = uncertain_uses(svc.ws, svc.resolver, loc)
    if not found:
        return
    _landings(svc, found, 0.0)
    ls.window_log_message(types.LogMessageParams(
        type=types.MessageType.Info,
        message=f"ssc: `{loc.symbol.name}`: {_count(len(found))} through a receiver the map cannot "
                f"type ({_where(found)}); jedi is asked to confirm them"))


def _edit_with_uncertain(ls, svc: MapService, loc: Located, new_name: str, edits: Edits,
                         uncertain: Uncertain) -> types.WorkspaceEdit:
    """The certain edits and jedi's confirmed ones. The unconfirmed ones: under a change
    annotation that needs confirmation where the client takes one, else listed in a message;
    when other classes or builtin types define the name too (`get`, `send`), only listed: they
    are more likely those others', and hundreds of offered edits would be noise."""
    merged: Edits = {p: list(e) for p, e in edits.items()}
    offered = [] if uncertain.shared else uncertain.unconfirmed
    annotated = bool(offered) and bool(
        client_supports(ls, "workspace.workspace_edit.change_annotation_support")
        and client_supports(ls, "workspace.workspace_edit.document_changes"))
    extra = uncertain.confirmed + (offered if annotated else [])
    for path, more in edits_of(extra, new_name).items():
        merged.setdefault(path, []).extend(more)
    edit = workspace_edit(ls, svc, merged)
    name, n = loc.symbol.name, len(uncertain.unconfirmed)
    if uncertain.confirmed or uncertain.elsewhere:
        log.info("rename %s: %d uses through untyped receivers confirmed by jedi, %d resolved "
                 "elsewhere by jedi (left alone)", name, len(uncertain.confirmed), len(uncertain.elsewhere))
    if not n:
        return edit
    if uncertain.shared:
        others = ", ".join(uncertain.shared[:3]) + (" ..." if len(uncertain.shared) > 3 else "")
        ls.tell(f"rename `{name}`: {_count(n)} of `{name}` through a receiver of unknown type "
                f"{'was' if n == 1 else 'were'} NOT renamed ({others} also define `{name}`; "
                f"jedi could not tell): {_where(uncertain.unconfirmed)}", types.MessageType.Warning)
        return edit
    if annotated:
        marked: dict = {}
        for use in offered:
            marked.setdefault(use.file.path, []).append(use.range)
        return annotate(ls, svc, edit, marked, UNCONFIRMED, types.ChangeAnnotation(
            label=f"{_count(n)} of `{name}` not confirmed",
            needs_confirmation=True,
            description=f"The receiver's type is unknown to the map and to jedi: "
                        f"{_where(offered)}. Renamed only if you confirm."))
    ls.tell(f"rename `{name}`: {_count(n)} through a receiver of unknown type could not be "
            f"confirmed and {'was' if n == 1 else 'were'} NOT renamed: {_where(uncertain.unconfirmed)}",
            types.MessageType.Warning)
    return edit


def _count(n: int) -> str:
    return f"{n} use{'s' if n != 1 else ''}"


def _where(found: Sequence[Use]) -> str:
    shown = ", ".join(f"{u.file.path}:{u.row + 1}" for u in found[:LISTED])
    return shown + (f" and {len(found) - LISTED} more" if len(found) > LISTED else "")


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
    return svc.read(path).data


def _stale(svc: MapService, path: str, data: bytes | None) -> bool:
    fm = svc.ws.files.get(path)
    return fm is None or data is None or content_hash(data) != fm.hash
