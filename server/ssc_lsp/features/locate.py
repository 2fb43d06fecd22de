"""Shared by the map features: from a request position to the map, and from map places back to
LSP locations. Positions change units only through `server.where` and `server.to_range`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from ..map.filemap import FileMap
from ..map.navigation import Spot
from ..map.records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    PARAMETER,
    VARIABLE,
    Symbol,
)
from ..map.service import MapService
from ..map.source import inside
from ..map.workspace import Located

log = logging.getLogger(__name__)

SYMBOL_KINDS = {
    MODULE: types.SymbolKind.Module,
    CLASS: types.SymbolKind.Class,
    FUNCTION: types.SymbolKind.Function,
    METHOD: types.SymbolKind.Method,
    VARIABLE: types.SymbolKind.Variable,
    CONSTANT: types.SymbolKind.Constant,
    ATTRIBUTE: types.SymbolKind.Field,
    PARAMETER: types.SymbolKind.Variable,
    IMPORT: types.SymbolKind.Module,
}
# a language's own word for a definition (Symbol.subkind) says more than its role
SUBKIND_KINDS = {
    "struct": types.SymbolKind.Struct,
    "interface": types.SymbolKind.Interface,
    "trait": types.SymbolKind.Interface,
    "enum": types.SymbolKind.Enum,
    "type_alias": types.SymbolKind.TypeParameter,
    "enum_member": types.SymbolKind.EnumMember,
    "field": types.SymbolKind.Field,
    "property": types.SymbolKind.Property,
    "constructor": types.SymbolKind.Constructor,
    "namespace": types.SymbolKind.Namespace,
    "package": types.SymbolKind.Package,
}


# How long a request that needs the whole map (references, rename) waits for the index to end.
# A partial answer there is worse than a late one: a references list or a rename missing the
# files not indexed yet looks complete and is not. Django indexes in ~15 s cold on 2 cores;
# past the bound the request fails saying why, and the editor can ask again.
INDEX_WAIT_S = 30.0


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed (-32803): the request was valid, the server cannot do it."""

    CODE = -32803
    MESSAGE = "Request Failed"


async def whole_map(svc: MapService, what: str, limit: float = INDEX_WAIT_S) -> None:
    """Wait (at most `limit` s) until the folder's index has ended; RequestFailed if it has not."""
    if svc.indexed.is_set():
        return
    if not await asyncio.to_thread(svc.indexed.wait, limit):
        raise RequestFailed(f"ssc: the map of {svc.root} is still being indexed (waited {limit:.0f} s); "
                            f"{what} would miss the files not indexed yet. Try again in a moment.")


def symbol_kind(kind: str, subkind: str | None = None) -> types.SymbolKind:
    if subkind is not None and subkind in SUBKIND_KINDS:
        return SUBKIND_KINDS[subkind]
    return SYMBOL_KINDS.get(kind, types.SymbolKind.Variable)


@dataclass
class At:
    """A request position on the map: the service, the file's map, row and byte column."""

    svc: MapService
    fm: FileMap
    row: int
    col: int


def at(ls, uri: str, pos: types.Position) -> At | None:
    where = ls.where(uri, pos)
    if where is None:
        return None
    fm = where.svc.ensure(where.rel)  # mapped now if the index has not reached it yet
    if fm is None:
        return None
    return At(where.svc, fm, where.row, where.col)


async def at_started(ls, uri: str, pos: types.Position) -> At | None:
    """`at` for requests that may come before the crawl has ended (right after `initialized`):
    waits for the file list without holding the event loop, then maps the file if needed."""
    found = ls.service_for(uri)
    if found is not None and not found[0].crawled.is_set():
        await found[0].wait_crawled()
    return at(ls, uri, pos)


def map_source(svc: MapService):
    """path -> the text the map has of it (the open buffer, else the disk), for map/hover.py."""

    def source(rel: str) -> bytes | None:
        doc = svc.docs.get(rel)
        if doc is not None:
            return doc.data
        text = svc.text_of(rel)
        return text.encode("utf-8") if text is not None else None

    return source


def to_range(ls, svc: MapService, path: str, r: tuple[int, int, int, int]) -> types.Range | None:
    index = ls.line_index(svc, path)
    if index is None:
        return None
    return ls.to_range(index, r)


def location(ls, svc: MapService, spot: Spot) -> types.Location | None:
    rng = to_range(ls, svc, spot.path, spot.range)
    return types.Location(uri=ls.uri_of(svc, spot.path), range=rng) if rng is not None else None


def name_range(sym: Symbol) -> tuple[int, int, int, int]:
    return sym.name_range if sym.kind != MODULE else (0, 0, 0, 0)


def symbol_location(ls, svc: MapService, loc: Located) -> types.Location | None:
    return location(ls, svc, Spot(loc.file.path, name_range(loc.symbol)))


def detail(sym: Symbol) -> str | None:
    """A short description for symbol lists: the parameters, an annotation, a value."""
    if sym.signature is not None:
        text = sym.signature.render(sym.name)
        return text.split(sym.name, 1)[1] if sym.name in text else text
    if sym.kind == CLASS and sym.bases:
        return f"({', '.join(sym.bases)})"
    if sym.annotation:
        return sym.annotation
    return None


def client_supports(ls, path: str) -> object:
    """A client capability by dotted attribute path (`text_document.rename.prepare_support`)."""
    obj: object = ls.client_capabilities
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def file_operation(ls, op: str) -> bool:
    """Whether the client applies the file operation `op` (`create`, `rename`, `delete`) in a
    WorkspaceEdit: it takes `documentChanges` and declared `op` among its resourceOperations."""
    return bool(client_supports(ls, "workspace.workspace_edit.document_changes")) and \
        op in (client_supports(ls, "workspace.workspace_edit.resource_operations") or [])


def item_symbol(ls, item) -> tuple[MapService, Located] | None:
    """The symbol a call/type hierarchy item stands for (its `data.id`), if still mapped."""
    data = item.data
    sid = data.get("id") if isinstance(data, dict) else getattr(data, "id", None)
    found = ls.service_for(item.uri)
    if found is None or not isinstance(sid, str):
        return None
    svc = found[0]
    loc = svc.ws.get(sid)
    return (svc, loc) if loc is not None else None


def outside_reason(ls, svc: MapService, path: str) -> str | None:
    """Why an edit must not reach `path` (outside every workspace folder, or a link out of its
    folder), or None when it may."""
    if svc not in ls.maps:
        return f"{svc.abspath(path)} is outside every workspace folder"
    if not inside(svc.root, svc.abspath(path)):
        real = os.path.realpath(svc.abspath(path))
        return f"{path} is a link to {real}, outside the workspace folder"
    return None


def workspace_edit(ls, svc: MapService, edits: dict[str, list[tuple[tuple[int, int, int, int], str]]]
                   ) -> types.WorkspaceEdit:
    """Map edits per file as one WorkspaceEdit, versioned when the client takes documentChanges.

    An open file's edits carry the version the map was computed from, so a client whose buffer
    has moved on refuses them instead of applying them to the wrong text. Edits reach only files
    whose real path is inside a workspace folder: a LookupError says which file is not.
    """
    per_uri: dict[str, list[types.TextEdit]] = {}
    versions: dict[str, int | None] = {}
    for path, items in sorted(edits.items()):
        outside = outside_reason(ls, svc, path)
        if outside is not None:
            raise LookupError(outside)
        index = ls.line_index(svc, path)
        if index is None:
            raise LookupError(f"cannot read {path}")
        uri = ls.uri_of(svc, path)
        ordered = sorted(set(items), key=lambda e: e[0])
        per_uri[uri] = [types.TextEdit(range=ls.to_range(index, r), new_text=t) for r, t in ordered]
        doc = svc.docs.get(path)
        versions[uri] = doc.version if doc is not None else None
    if client_supports(ls, "workspace.workspace_edit.document_changes"):
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=u, version=versions[u]),
                edits=e)
            for u, e in per_uri.items()])
    return types.WorkspaceEdit(changes=per_uri)


def annotate(ls, svc: MapService, edit: types.WorkspaceEdit,
             marked: dict[str, list[tuple[int, int, int, int]]], annotation_id: str,
             annotation: types.ChangeAnnotation) -> types.WorkspaceEdit:
    """Mark the edits of `edit` at the `marked` map ranges (per file) with a change annotation.

    Only for an edit in `documentChanges` form, to a client that declared
    `changeAnnotationSupport` (LSP 3.16): the caller decides.
    """
    wanted: set[tuple] = set()
    for path, ranges in marked.items():
        index = ls.line_index(svc, path)
        if index is None:
            raise LookupError(f"cannot read {path}")
        uri = ls.uri_of(svc, path)
        for r in ranges:
            rng = ls.to_range(index, r)
            wanted.add((uri, rng.start.line, rng.start.character, rng.end.line, rng.end.character))
    for dc in edit.document_changes or []:
        uri = dc.text_document.uri
        dc.edits = [types.AnnotatedTextEdit(range=e.range, new_text=e.new_text, annotation_id=annotation_id)
                    if (uri, e.range.start.line, e.range.start.character, e.range.end.line,
                        e.range.end.character) in wanted else e
                    for e in dc.edits]
    edit.change_annotations = {annotation_id: annotation}
    return edit
