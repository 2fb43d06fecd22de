"""textDocument/hover: signature, docstring, definition site, callers and latest change; for a
name defined outside the workspace, its signature and docstring as jedi reads them."""

from __future__ import annotations

from lsprotocol import types

from ..context import jedi_nav
from ..map.hover import hover_markdown
from ..map.navigation import word_range
from ..map.resolve import LOCAL, External
from .locate import at_started, map_source


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls, params: types.HoverParams):
        here = await at_started(ls, params.text_document.uri, params.position)
        if here is None:
            return None
        svc = here.svc
        target = svc.resolver.target_at(here.fm, here.row, here.col)
        text = None
        if target is None and svc.resolver.ref_at(here.fm, here.row, here.col) is None:
            return None
        if target is None or (isinstance(target, External) and target is not LOCAL):
            found = await jedi_nav.definition(svc, here.fm.path, here.row, here.col)
            if isinstance(found, jedi_nav.Outside):
                text = jedi_nav.hover_markdown(found)
            elif found is not None:
                target = found
        if text is None and target is not None:
            # counts of callers and references need the whole map: left out until it is indexed
            text = hover_markdown(svc.ws, svc.resolver, target, map_source(svc), svc.history.clock(),
                                  counts=svc.indexed.is_set())
        if text is None:
            return None
        r = word_range(svc.resolver, here.fm, here.row, here.col)
        index = ls.line_index(svc, here.fm.path)
        return types.Hover(
            contents=types.MarkupContent(kind=_markup(ls), value=text),
            range=ls.to_range(index, r) if r is not None and index is not None else None)


def _markup(ls) -> types.MarkupKind:
    """Markdown only for a client that declared it takes markdown in hovers."""
    hover_caps = getattr(ls.client_capabilities.text_document, "hover", None)
    formats = getattr(hover_caps, "content_format", None) or []
    if types.MarkupKind.Markdown in formats:
        return types.MarkupKind.Markdown
    return types.MarkupKind.PlainText
