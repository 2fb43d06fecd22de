"""Which map a file belongs to: workspace folders, the projects of files outside every folder,
and folders that come and go (`workspace/didChangeWorkspaceFolders`).

A file opened outside every workspace folder (an editor that found no root marker starts the
server with none) gets the project map/project_root.py finds around it: a `MapService` of its
own ("loose"), indexed in the background like a folder (progress, status, the diagnostics
pass after the index), bounded by LOOSE_MAX_FILES, persisted like a folder (`map.persist`).
Files of one project share it; a project found at the root of another one widens its scope;
one whose scope holds another's root takes that one's documents over.

When a folder is added, the open documents it now holds move into its map (re-opened there
with their current text and version) and a loose project inside it is dropped; when a
folder is removed, its open documents move to the projects found around them. A dropped map
emits `server.events.dropped` (diagnostics take back what they pushed for it) and closes its store
once an index in progress has finished.
"""

from __future__ import annotations

import dataclasses
import logging
import os

from .map.languages import is_source
from .map.project_root import LOOSE_MAX_FILES, find_project
from .map.service import MapService

log = logging.getLogger(__name__)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class Projects:
    def __init__(self, server) -> None:
        self.server = server
        self.loose: list[MapService] = []  # also in server.maps

    # -- lookup -------------------------------------------------------------------------------
    def folder_for(self, path: str) -> MapService | None:
        """The innermost workspace folder holding `path` (absolute)."""
        best: MapService | None = None
        for svc in self.server.maps:
            if svc not in self.loose and _inside(path, svc.root) and (
                    best is None or len(svc.root) > len(best.root)):
                best = svc
        return best

    def loose_for(self, path: str) -> MapService | None:
        """The innermost loose project whose scope holds `path`."""
        best: MapService | None = None
        for svc in self.loose:
            rel = svc.relpath(path)
            if rel is not None and svc.options.scope.covers(rel) and (
                    best is None or len(svc.root) > len(best.root)):
                best = svc
        return best

    def service_for(self, path: str, create: bool = False) -> MapService | None:
        """A folder first, then a loose project; with `create`, a new loose project for a
        Python file (a document being opened) that has neither."""
        path = os.path.abspath(path)
        found = self.folder_for(path) or self.loose_for(path)
        if found is None and create and is_source(path):
            found = self._open_project(path)
        return found

    # -- loose projects -----------------------------------------------------------------------
    def _open_project(self, path: str) -> MapService:
        from .features.lifecycle import start_indexing

        project = find_project(path)
        svc = next((s for s in self.loose if s.root == project.root), None)
        if svc is not None:  # another part of a root already mapped: map both parts
            svc.options.scope = svc.options.scope.union(project.scope)
            log.info("widening the map of %s to %s", svc.root, svc.options.scope.dirs)
        else:
            options = dataclasses.replace(self.server.map_options(), scope=project.scope,
                                          max_files=LOOSE_MAX_FILES)
            svc = MapService(project.root, options)
            self.loose.append(svc)
            self.server.maps.append(svc)
            log.info("%s is outside every workspace folder: mapping %s (%s)", path, svc.root,
                     ", ".join(f"{d or '.'}{'/**' if deep else '/*'}" for d, deep in project.scope.dirs))
        with svc.ws.lock:
            svc.ws.package_dirs.update(project.packages)  # module names before the crawl
        for other in list(self.loose):
            rel = svc.relpath(other.root)
            if other is not svc and rel is not None and svc.options.scope.covers_dir(rel):
                self._retire(other)
        start_indexing(self.server, [svc])
        return svc

    def _move_documents(self, src: MapService, wanted) -> list[str]:
        """Re-open the documents of `src` whose path `wanted` accepts in the map that now owns
        them (current text and version); `src`, unless it is being dropped, returns them to
        what is on disk."""
        kept = src in self.server.maps
        moved = []
        for rel, doc in list(src.docs.items()):
            path = src.abspath(rel)
            if not wanted(path):
                continue
            found = self.server.service_for_path(path, create=True)
            if found is None or found[0] is src:
                continue
            dst, new_rel = found
            dst.open(new_rel, doc.text, doc.version)
            if kept:
                src.close(rel)
                self.server.on_document_changed(src, rel)
            else:
                del src.docs[rel]
            moved.append(path)
            self.server.on_document_changed(dst, new_rel)
        return moved

    def _retire(self, svc: MapService) -> None:
        """Take a map out of the lookup, move its documents to the maps that now own them,
        drop it."""
        if svc in self.loose:
            self.loose.remove(svc)
        if svc in self.server.maps:
            self.server.maps.remove(svc)
        self._move_documents(svc, lambda _p: True)
        self.server.events.dropped.emit(svc)
        svc.close_when_idle()
        log.info("dropped the map of %s", svc.root)

    # -- workspace folders --------------------------------------------------------------------
    def change_folders(self, added: list[str], removed: list[str]) -> None:
        """`workspace/didChangeWorkspaceFolders`: documents follow the folders, no restart."""
        from .features.lifecycle import start_indexing

        for path in removed:
            path = os.path.abspath(path)
            for svc in [s for s in self.server.maps if s not in self.loose and s.root == path]:
                self._retire(svc)
        fresh = []
        for path in added:
            path = os.path.abspath(path)
            if any(s.root == path for s in self.server.maps if s not in self.loose):
                continue
            svc = self.server.add_folder(path)
            fresh.append(svc)
            for other in list(self.server.maps):
                if other is svc:
                    continue
                moved = self._move_documents(other, lambda p, root=path: _inside(p, root))
                if other in self.loose and (_inside(other.root, path) or (moved and not other.docs)):
                    self._retire(other)
        if fresh:
            start_indexing(self.server, fresh)
