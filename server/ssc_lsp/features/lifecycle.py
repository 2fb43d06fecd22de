"""initialize / initialized / shutdown: configuration, folders, the background index."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid

from lsprotocol import types
from pygls.uris import to_fs_path

from ..map.languages import watch_globs

log = logging.getLogger(__name__)

IGNORE_GLOBS = ("**/.gitignore", "**/.sscignore")


def register(server) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams) -> None:
        ls.apply_settings(params.initialization_options)
        folders = [to_fs_path(f.uri) for f in (params.workspace_folders or [])]
        if not folders and params.root_uri:
            folders = [to_fs_path(params.root_uri)]
        elif not folders and params.root_path:
            folders = [params.root_path]
        for folder in folders:
            if folder:
                ls.add_folder(folder)

    @server.feature(types.INITIALIZED)
    async def initialized(ls, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities
        ws_caps = caps.workspace
        if ws_caps is not None and ws_caps.configuration:
            try:
                got = await ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section="ssc")]))
                if got and isinstance(got[0], dict) and got[0]:
                    ls.apply_settings(got[0])
            except Exception as e:
                log.info("workspace/configuration failed: %s", e)
        watch = ws_caps.did_change_watched_files if ws_caps is not None else None
        if watch is not None and watch.dynamic_registration:
            opts = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=g) for g in (*watch_globs(), *IGNORE_GLOBS)])
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                    types.Registration(id=str(uuid.uuid4()),
                                       method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                       register_options=opts)]))
            except Exception as e:
                log.info("could not register the file watcher: %s", e)
        start_indexing(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("ssc"), dict):
            ls.apply_settings(settings["ssc"])
            return
        ws_caps = ls.client_capabilities.workspace
        if ws_caps is not None and ws_caps.configuration:
            try:
                got = await ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section="ssc")]))
                if got and isinstance(got[0], dict):
                    ls.apply_settings(got[0])
            except Exception as e:
                log.info("workspace/configuration failed: %s", e)

    stale: set = set()  # folders whose crawl settings changed while they were indexing

    @server.events.settings.subscribe
    def on_settings(old, new) -> None:
        """Crawl settings reach the running maps; a folder whose mapped set may differ is
        indexed again (unchanged files come from the store). A folder not indexed yet takes
        them at its first index; one indexing now is indexed again when it finishes."""
        redo = [svc for svc in server.maps
                if svc.reconfigure(new.map.exclude, new.map.max_file_size_bytes)]
        if (old.map.persist, old.map.cache_dir) != (new.map.persist, new.map.cache_dir):
            log.info("map.persist / map.cacheDir apply to folders added from now on")
        stale.update(svc for svc in redo if svc.state == "indexing")
        again = [svc for svc in redo if svc.state not in ("idle", "indexing")]
        if again:
            log.info("map settings changed: re-indexing %s", ", ".join(s.root for s in again))
            start_indexing(server, again)

    @server.events.indexed.subscribe
    def index_stale(services) -> None:
        again = [svc for svc in services if svc in stale]
        stale.difference_update(again)
        if again:
            start_indexing(server, again)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_workspace_folders(ls, params: types.DidChangeWorkspaceFoldersParams) -> None:
        ls.projects.change_folders([p for f in params.event.added if (p := to_fs_path(f.uri))],
                                   [p for f in params.event.removed if (p := to_fs_path(f.uri))])

    @server.feature(types.SHUTDOWN)
    def shutdown(ls, params) -> None:
        ls.close_maps()


def start_indexing(ls, services=None) -> None:
    """Index every folder in a thread, with work-done progress when the client supports it."""
    loop = asyncio.get_running_loop()
    services = list(services if services is not None else ls.maps)
    if not services:
        return
    window = ls.client_capabilities.window
    use_progress = bool(window is not None and window.work_done_progress)
    token = f"ssc-index-{uuid.uuid4()}"

    def send(fn, *args) -> None:
        loop.call_soon_threadsafe(lambda: _safe(fn, *args))

    async def begin() -> None:
        if use_progress:
            try:
                await ls.work_done_progress.create_async(token)
                ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                    title="ssc: indexing", percentage=0, cancellable=False))
            except Exception as e:
                log.info("no progress: %s", e)

    created = asyncio.ensure_future(begin())

    def run() -> None:
        last = [0.0]
        for svc in services:
            def progress(done: int, total: int, what: str) -> None:
                import time

                now = time.monotonic()
                if not use_progress or now - last[0] < 0.2 or not created.done():
                    return
                last[0] = now
                pct = int(100 * done / total) if total else 100
                send(ls.work_done_progress.report, token,
                     types.WorkDoneProgressReport(message=f"{done}/{total} {what}", percentage=pct))
            try:
                stats = svc.index(progress)
                log.info("indexed %s: %d files (%d parsed, %d from cache) in %.2fs",
                         svc.root, stats.files, stats.parsed, stats.loaded, stats.seconds)
                if stats.note:
                    send(ls.tell, stats.note, types.MessageType.Warning, True)
            except Exception as e:  # the server lives on; say it once
                svc.state = "error"
                svc.last_error = str(e)
                log.exception("indexing %s failed", svc.root)
                send(ls.tell, f"indexing {svc.root} failed: {e}", types.MessageType.Error)
        if use_progress:
            async def end() -> None:
                await created
                _safe(ls.work_done_progress.end, token, types.WorkDoneProgressEnd(message="map ready"))
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(end()))
        loop.call_soon_threadsafe(lambda: _safe(ls.events.indexed.emit, services))

    threading.Thread(target=run, name="ssc-index", daemon=True).start()


def _safe(fn, *args) -> None:
    try:
        fn(*args)
    except Exception as e:
        log.info("notification failed: %s", e)
