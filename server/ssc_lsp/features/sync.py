"""Document sync and watched files: keep the map equal to the editor's buffers and the disk."""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.uris import to_fs_path

from ..map.document import Change

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


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        found = ls.service_for(doc.uri, create=True)  # outside every folder: its own project
        if found is None or not found[1].endswith((".py", ".pyi")):
            return
        svc, rel = found
        svc.open(rel, doc.text, doc.version)
        ls.on_document_changed(svc, rel)

    # synchronous on purpose: an async handler becomes a task that later messages can overtake
    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        found = ls.service_for(params.text_document.uri)
        if found is None:
            return
        svc, rel = found
        if rel not in svc.docs:
            return
        upd = svc.change(rel, _changes(params), params.text_document.version)
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

                svc.rules = type(svc.rules)(svc.root, svc.options.exclude)
                start_indexing(ls, [svc])
                continue
            if ev.type == types.FileChangeType.Deleted:
                svc.file_deleted(rel)
            else:
                svc.file_changed_on_disk(rel)
            ls.on_document_changed(svc, rel)
