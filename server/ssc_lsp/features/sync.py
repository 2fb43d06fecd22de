"""Document sync and watched files: keep the map equal to the editor's buffers and the disk."""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.uris import to_fs_path

from ..map.document import Change
from ..map.languages import is_source

log = logging.getLogger(__name__)


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
        upd = svc.change(rel, _changes(params), version)
        if upd is not None:
            ls.on_document_changed(svc, rel)

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
