"""The language server object and its composition root.

`SscServer` holds the state every feature shares (configuration, the map of each workspace
folder); `create_server` builds it and lets each feature module register its handlers
(features/__init__.py lists them). Handlers stay thin: they convert positions, call the domain,
shape the result.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from lsprotocol import types
from pygls.exceptions import FeatureNotificationError
from pygls.lsp.server import LanguageServer
from pygls.protocol import lsp_method
from pygls.uris import from_fs_path, to_fs_path

from . import __version__
from .config import Config, parse_config
from .events import ServerEvents
from .map.filemap import content_hash
from .map.positions import LineIndex
from .map.service import MapOptions, MapService
from .projects import Projects
from .rpc import RpcProtocol

log = logging.getLogger("ssc_lsp")
LINE_INDEX_CACHE = 2048  # closed files whose line starts are kept


@dataclass
class Where:
    """A document position resolved to a map: the service, the relative path, the row/byte col."""

    svc: MapService
    rel: str
    row: int
    col: int
    index: LineIndex


class SscProtocol(RpcProtocol):
    """pygls' protocol, with JSON-RPC per the spec (rpc.py: every request answered, `exit` at
    once) and the initialize answer fitted to this server and to the client.

    - Positions are UTF-16 whatever the client prefers: every conversion in the map
      (map/positions.py) counts UTF-16 code units, so offering Neovim's first choice (UTF-8),
      as pygls would, shifts every column after a non-ASCII character.
    - Only what the client declared is offered where the protocol says so: code action options
      need `codeActionLiteralSupport`, and inline completion is offered only to a client that
      declared `textDocument.inlineCompletion`.
    """

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        general = params.capabilities.general
        offered = general.position_encodings if general is not None else None
        if offered:
            general.position_encodings = [types.PositionEncodingKind.Utf16]
        try:
            result = yield from super().lsp_initialize(params)
        finally:
            if offered:
                general.position_encodings = offered
        fit_capabilities(result.capabilities, params.capabilities)
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        """Only our handler: the map keeps the documents (MapService.docs) and nothing reads
        pygls' copy, whose update costs O(document) a change (6 s a keystroke in 50 MB)."""
        handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None


def fit_capabilities(server: types.ServerCapabilities, client: types.ClientCapabilities) -> None:
    """Drop or simplify what the client did not declare (see SscProtocol)."""
    td = client.text_document
    literal = td is not None and td.code_action is not None and \
        td.code_action.code_action_literal_support is not None
    if isinstance(server.code_action_provider, types.CodeActionOptions) and not literal:
        server.code_action_provider = True
    if td is None or td.inline_completion is None:
        server.inline_completion_provider = None


# How long a background step waits for interactive requests to finish, and how often it looks
FOREGROUND_WAIT_S = 2.0
FOREGROUND_POLL_S = 0.005


class SscServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ssc-lsp", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=SscProtocol)
        self.config = Config()
        self.maps: list[MapService] = []  # workspace folders, then loose projects (projects.py)
        self.projects = Projects(self)
        self.said_once: set[str] = set()
        self.events = ServerEvents()
        # callables that say an interactive request (a completion) is being computed
        self.foreground: list[Callable[[], bool]] = []
        self._line_indexes: OrderedDict[tuple[str, str], tuple[str, LineIndex]] = OrderedDict()

    # -- configuration -----------------------------------------------------------------------
    def apply_settings(self, raw: object) -> None:
        """The one way settings change: parse, replace, tell every subscriber old and new."""
        cfg, errors = parse_config(raw)
        old, self.config = self.config, cfg
        for e in errors:
            self.tell(e, types.MessageType.Warning, once=True)
        self.events.settings.emit(old, cfg)

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Info,
             once: bool = False) -> None:
        """window/showMessage, logged once."""
        if once:
            if message in self.said_once:
                return
            self.said_once.add(message)
        log.info("%s", message)
        try:
            self.window_show_message(types.ShowMessageParams(type=kind, message=f"ssc: {message}"))
        except Exception:  # no transport (tests, CLI): the log line is enough
            pass

    def report_server_error(self, error: Exception, source) -> None:
        """Logged. pygls showed an "Error in server: ..." popup for every malformed message (rpc.py
        answers those itself now, with no popup); what still comes here is a notification
        handler that failed, a bug: the user is told once per session that the log has it."""
        log.error("server error (%s): %s", getattr(source, "__name__", source), error)
        if source is FeatureNotificationError:
            self.tell("an internal error happened; the server log has the details",
                      types.MessageType.Error, once=True)

    async def yield_to_foreground(self, limit: float = FOREGROUND_WAIT_S) -> None:
        """Background passes (diagnostics) call this between steps. Each step holds the loop
        (and the GIL) for up to tens of ms; a completion in flight would wait for every step
        interleaved with its own awaits. So: wait while one is in flight, at most `limit`
        seconds (a slow model must not starve diagnostics), then go on."""
        await asyncio.sleep(0)
        deadline = time.monotonic() + limit
        while any(busy() for busy in self.foreground) and time.monotonic() < deadline:
            await asyncio.sleep(FOREGROUND_POLL_S)

    # -- maps ---------------------------------------------------------------------------------
    def map_options(self) -> MapOptions:
        m = self.config.map
        return MapOptions(exclude=list(m.exclude), max_file_size=m.max_file_size_bytes,
                          persist=m.persist, cache_dir=m.cache_dir or None)

    def add_folder(self, path: str) -> MapService:
        svc = MapService(path, self.map_options())
        self.maps.append(svc)
        return svc

    def service_for_path(self, path: str, create: bool = False) -> tuple[MapService, str] | None:
        """The map holding a file, and its path there. `create` (a document being opened):
        a file outside every folder gets the project found around it (projects.py)."""
        svc = self.projects.service_for(path, create)
        rel = svc.relpath(path) if svc is not None else None
        return (svc, rel) if svc is not None and rel is not None else None

    def service_for(self, uri: str, create: bool = False) -> tuple[MapService, str] | None:
        path = to_fs_path(uri)
        if path is None or "\0" in path or (os.path.exists(path) and not os.path.isfile(path)):
            return None  # `file:///%00.py`, `file:///dev/zero`, a folder: not a document
        return self.service_for_path(path, create)

    def uri_of(self, svc: MapService, rel: str) -> str:
        return from_fs_path(svc.abspath(rel)) or ""

    def line_index(self, svc: MapService, rel: str) -> LineIndex | None:
        """Line starts of a file as the map sees it: the open buffer, or the file on disk.

        Closed files are cached by the content hash of their map, so answering references in
        hundreds of files does not read each of them again; a file whose disk content no longer
        matches its map is read every time (and not cached).
        """
        doc = svc.docs.get(rel)
        if doc is not None:
            return doc.index
        fm = svc.ws.files.get(rel)
        key = (svc.root, rel)
        cached = self._line_indexes.get(key)
        if cached is not None and fm is not None and cached[0] == fm.hash:
            self._line_indexes.move_to_end(key)
            return cached[1]
        text = svc.text_of(rel)
        if text is None:
            return None
        data = text.encode("utf-8")
        index = LineIndex(data)
        if fm is not None and content_hash(data) == fm.hash:
            self._line_indexes[key] = (fm.hash, index)
            if len(self._line_indexes) > LINE_INDEX_CACHE:
                self._line_indexes.popitem(last=False)
        return index

    def where(self, uri: str, pos: types.Position) -> Where | None:
        found = self.service_for(uri)
        if found is None:
            return None
        svc, rel = found
        index = self.line_index(svc, rel)
        if index is None:
            return None
        row, col = index.point_of_byte(index.byte_of_lsp(pos.line, pos.character))
        return Where(svc, rel, row, col, index)

    def to_range(self, index: LineIndex, r: tuple[int, int, int, int]) -> types.Range:
        """A map range (rows, byte columns) as an LSP range (UTF-16)."""
        sl, sc = index.lsp_of_point(r[0], r[1])
        el, ec = index.lsp_of_point(r[2], r[3])
        return types.Range(types.Position(sl, sc), types.Position(el, ec))

    def on_document_changed(self, svc: MapService, rel: str) -> None:
        """A file's map changed: tell the subscribers (diagnostics, the assistant)."""
        self.events.changed.emit(svc, rel)

    def close_maps(self) -> None:
        self.events.closing.emit()
        for svc in self.maps:
            try:
                svc.close_store()
            except Exception as e:
                log.warning("closing the map of %s: %s", svc.root, e)


def create_server() -> SscServer:
    from .features import setup

    server = SscServer()
    setup(server)
    return server
