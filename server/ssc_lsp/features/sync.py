"""Document sync and watched files: keep the map equal to the editor's buffers and the disk.

A didChange is taken at once and costs next to nothing (`MapService.defer`): the re-parse and
the map's update wait until the edits pause for `SETTLE_AFTER_S`, or until anything reads the
map (`MapService.settle`, called by every way into the map), whichever comes first. In broken
code each re-parse costs tens of milliseconds (tree-sitter re-parses the whole error region), so
a typist's burst is parsed once; `changed` fires once per settle, `edited` at every didChange.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types
from pygls.uris import to_fs_path

from ..map.document import Change
from ..map.languages import is_source

log = logging.getLogger(__name__)

# How long the edits must pause before the map catches up with them on its own (a request
# for the map catches it up at once). Longer than the gap between a fast typist's keystrokes
# (~100 ms), short beside diagnostics' debounce, which starts from it.
SETTLE_AFTER_S = 0.2


def _changes(params: types.DidChangeTextDocumentParams) -> list[Change]:
    out = []
    for c in params.content_changes:
        rng = getattr(c, "range", None)
        if rng is None:
            out.append(Change(c.text))
        else:
            out.append(Change(c.text, ((rng.start.line, rng.start.character),
                                       (rng.end.line, rng.end.character))))
    return out


def _out_of_sync(ls, svc, rel: str, version: int) -> None:
    """A change numbered at or below the document's version: one was lost or they came out of
    order, so the editor's text and ours differ from here on, and every answer about this file
    (positions, diagnostics, suggestions) could be wrong. LSP has no request to ask the client
    for the whole text again, so the map drops the buffer and uses the file on disk (what
    didClose does), the user is told once, and later changes are ignored until the editor
    opens the document again. Saying nothing rather than something wrong."""
    held = svc.docs[rel].version
    svc.close(rel)
    ls.on_document_changed(svc, rel)
    ls.tell(f"{rel} is out of sync (change version {version} after {held}): answers use the file "
            "on disk until the editor reopens it", types.MessageType.Warning)


def register(server) -> None:
    desynced: set[tuple[str, str]] = set()  # (root, rel) closed by a stale change, until reopened
    timer: asyncio.TimerHandle | None = None

    def settle_all() -> None:
        nonlocal timer
        timer = None
        for svc in list(server.maps):
            try:
                svc.settle()
            except Exception:  # logged; the other maps still catch up
                log.exception("updating the map of %s failed", svc.root)

    def settle_later() -> None:
        """(Re)arm the one timer: the burst ends when no change came for SETTLE_AFTER_S."""
        nonlocal timer
        if timer is not None:
            timer.cancel()
        try:
            timer = asyncio.get_running_loop().call_later(SETTLE_AFTER_S, settle_all)
        except RuntimeError:  # no running loop (the server driven without one in tests)
            settle_all()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        found = ls.service_for(doc.uri, create=True)  # outside every folder: its own project
        if found is None or not is_source(found[1]):
            return
        svc, rel = found
        desynced.discard((svc.root, rel))
        if svc.open(rel, doc.text, doc.version) is None:  # too large, or a link out: not mapped
            ls.tell(f"{rel} is not mapped while open: {svc.problems.get(rel)}",
                    types.MessageType.Warning, once=True)
            return
        ls.on_document_changed(svc, rel)

    # synchronous on purpose: an async handler becomes a task that later messages can overtake
    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        found = ls.service_for(uri)
        if found is None:
            return
        svc, rel = found
        if rel not in svc.docs:
            if (svc.root, rel) not in desynced and rel not in svc.refused:
                log.info("didChange for %s, which is not open: ignored", uri)
            return
        if svc.is_stale(rel, version):
            _out_of_sync(ls, svc, rel, version)
            desynced.add((svc.root, rel))
            return
        if svc.defer(rel, _changes(params), version,
                     then=lambda _upd, s=svc, r=rel: ls.on_document_changed(s, r)):
            ls.events.edited.emit(svc, rel)
            settle_later()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        found = ls.service_for(params.text_document.uri)
        if found is not None:
            found[0].save(found[1])

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        found = ls.service_for(params.text_document.uri)
        if found is not None:
            svc, rel = found
            desynced.discard((svc.root, rel))
            svc.close(rel)
            ls.on_document_changed(svc, rel)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls, params: types.DidChangeWatchedFilesParams) -> None:
        for ev in params.changes:
            path = to_fs_path(ev.uri)
            if path is None:
                continue
            found = ls.service_for_path(path)
            if found is None:
                continue
            svc, rel = found
            if rel.endswith((".gitignore", ".sscignore")):
                log.info("%s changed: re-indexing %s", rel, svc.root)
                from .lifecycle import start_indexing

                svc.reload_rules()
                start_indexing(ls, [svc])
                continue
            if ev.type == types.FileChangeType.Deleted:
                svc.file_deleted(rel)
            else:
                svc.file_changed_on_disk(rel)
            ls.on_document_changed(svc, rel)
