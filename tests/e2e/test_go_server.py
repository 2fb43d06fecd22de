"""Go over stdio: the fixture workspace tests/fixtures/go (a go.mod module, a package whose
clause name differs from its folder, methods in another file than their type, an embedded
struct) through the real server: symbols, definition, references, hover, rename, `ssc/context`
and the arity diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .lsp import at, copy_fixture, hover_text, open_doc, rename_changes, request, running
from .test_single_file import definition, pull, references

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shop(tmp_path) -> Path:
    return copy_fixture("go", tmp_path / "shop")


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines()) if text in line)


async def test_symbols_definition_references_and_hover(shop, tmp_path):
    async with running(shop, tmp_path / "cache") as client:
        server = shop / "server/server.go"
        uri = open_doc(client, server)
        store = (shop / "internal/store/store.go").as_uri()
        query = (shop / "internal/store/query.go").as_uri()
        syms = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        names = {s.name for s in syms}
        assert {"Base", "Server", "NewServer"} <= names
        start = line_of(server, "srv.st.Put(")
        col = (server.read_text().splitlines()[start]).index("Put")
        assert await definition(client, uri, at(start, col)) == [(store, line_of(shop / "internal/store/store.go", "func (s *Store) Put"))]
        total = line_of(server, "srv.st.Total()")
        tcol = server.read_text().splitlines()[total].index("Total")
        assert await definition(client, uri, at(total, tcol)) == [(query, line_of(shop / "internal/store/query.go", "func (s *Store) Total"))]
        # the method's references: its declaration (in another file than its type) and the call
        refs = await references(client, query, at(line_of(shop / "internal/store/query.go", "func (s *Store) Total"), 16))
        assert refs == {(query, 9, 16), (uri, total, tcol)}
        hover = await hover_text(client, uri, at(total, tcol))
        assert "```go\nfunc (Store) Total() int\n```" in hover
        assert "Total sums the prices of all items." in hover
        ws = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Clip"))
        assert any(s.name == "Clip" and s.location.uri.endswith("util/limits.go") for s in ws)


async def test_rename_context_and_the_arity_diagnostic(shop, tmp_path):
    async with running(shop, tmp_path / "cache", options={"diagnostics": {"debounceMs": 50}}) as client:
        limits = shop / "util/limits.go"
        uri = open_doc(client, limits)
        main = open_doc(client, shop / "main.go")
        server = (shop / "server/server.go").as_uri()
        row = line_of(limits, "func Clip")
        changes = await rename_changes(client, uri, at(row, 6), "Cut")
        clip = line_of(shop / "server/server.go", "tu.Clip")
        ccol = (shop / "server/server.go").read_text().splitlines()[clip].index("Clip")
        assert changes == {uri: [(row, 5, "Cut")], server: [(clip, ccol, "Cut")]}
        context = await request(client, "ssc/context", {
            "textDocument": {"uri": server}, "position": {"line": clip, "character": ccol},
            "budget": 4000})
        assert any(it["path"] == "util/limits.go" for it in context["items"])
        assert "func Clip(s string) string" in context["text"]
        got = await pull(client, main)
        assert [(d.code, d.range.start.line) for d in got] == [("call-arguments", 12)]
        assert "takes 1 argument; called with 2" in got[0].message
