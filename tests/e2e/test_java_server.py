"""Java through the real server over stdio, on tests/fixtures/java: document symbols,
definition across packages (an on-demand import, a nested type, a static import), references,
hover with the signature and Javadoc, rename across files, ssc/context."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from .lsp import (
    answer,
    at,
    copy_fixture,
    doc,
    hover_text,
    open_doc,
    rename_changes,
    request,
    running,
)

pytestmark = pytest.mark.asyncio
SRC = "src/main/java/com/acme/"


@pytest.fixture
def java_ws(tmp_path) -> Path:
    return copy_fixture("java", tmp_path / "shop")


async def definition(client, path: Path, line: int, character: int):
    got = await answer(client.text_document_definition_async(types.DefinitionParams(
        text_document=doc(path), position=at(line, character))))
    return got[0] if isinstance(got, list) else got


async def test_symbols_definition_references_hover(java_ws, tmp_path):
    main, circle = java_ws / SRC / "app/Main.java", java_ws / SRC / "model/Circle.java"
    util = java_ws / SRC / "util/MathUtil.java"
    async with running(java_ws, tmp_path / "cache") as client:
        syms = await answer(client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=doc(circle))))
        top = {s.name: s for s in syms}
        assert set(top) == {"Circle"} and top["Circle"].kind == types.SymbolKind.Class
        children = {c.name: c.kind for c in top["Circle"].children or []}
        assert children["Center"] == types.SymbolKind.Class and children["Style"] == types.SymbolKind.Enum
        assert children["scaled"] == types.SymbolKind.Method and children["MAX_RADIUS"] == types.SymbolKind.Field

        # `new Circle(2.0)`: a type of an on-demand import (`import com.acme.model.*`)
        loc = await definition(client, main, 30, 23)
        assert loc.uri == circle.as_uri() and loc.range.start.line == 5
        # `new Center(1, 2)`: a nested type through a single-type import
        loc = await definition(client, main, 33, 30)
        assert loc.uri == circle.as_uri() and loc.range.start.line == 25
        # `square(2.0)`: a static import
        loc = await definition(client, main, 25, 20)
        assert loc.uri == util.as_uri() and loc.range.start.line == 8

        refs = await answer(client.text_document_references_async(types.ReferenceParams(
            text_document=doc(util), position=at(8, 27),
            context=types.ReferenceContext(include_declaration=True))))
        got = {(Path(r.uri[len("file://"):]).name, r.range.start.line) for r in refs}
        assert {("MathUtil.java", 8), ("Circle.java", 16), ("Main.java", 25), ("Broken.java", 6)} <= got

        text = await hover_text(client, circle.as_uri(), at(11, 32))  # MathUtil.clamp(...)
        assert "```java\ndouble MathUtil.clamp(double v, double lo, double hi)\n```" in text
        assert "The value bounded to [lo, hi]." in text


async def test_rename_across_files_and_context(java_ws, tmp_path):
    main, circle = java_ws / SRC / "app/Main.java", java_ws / SRC / "model/Circle.java"
    async with running(java_ws, tmp_path / "cache") as client:
        changes = await rename_changes(client, circle.as_uri(), at(20, 19), "grown")
        assert set(changes) == {circle.as_uri(), main.as_uri()}
        assert all(new == "grown" for es in changes.values() for _, _, new in es)
        assert [line for line, _, _ in changes[main.as_uri()]] == [32]

        uri = open_doc(client, main)
        ctx = await request(client, "ssc/context", {
            "textDocument": {"uri": uri}, "position": {"line": 31, "character": 8}, "budget": 20000})
        shown = str(ctx)
        assert "scaled" in shown and "class Circle" in shown


def no_file_renames() -> types.ClientCapabilities:
    """VS Code's capabilities less the `rename` file operation."""
    caps = client_capabilities("visual-studio-code")
    caps.workspace.workspace_edit.resource_operations = [types.ResourceOperationKind.Create]
    return caps


async def test_renaming_a_class_renames_its_file(java_ws, tmp_path):
    point, main = java_ws / SRC / "model/Point.java", java_ws / SRC / "app/Main.java"
    (point.parent / "Taken.java").write_text("package com.acme.model;\n")  # a file, no type
    async with running(java_ws, tmp_path / "cache") as client:
        edit = await answer(client.text_document_rename_async(types.RenameParams(
            text_document=doc(point), position=at(3, 14), new_name="Spot")))
        *texts, last = edit.document_changes
        # the text first, under the old name; then the file, as Java wants a public type's
        assert {t.text_document.uri for t in texts} == {point.as_uri(), main.as_uri()}
        assert all(e.new_text == "Spot" for t in texts for e in t.edits)
        assert isinstance(last, types.RenameFile)
        assert (last.old_uri, last.new_uri) == (point.as_uri(), (point.parent / "Spot.java").as_uri())
        # a file of that name exists: refused
        with pytest.raises(Exception, match="Taken.java, which exists already"):
            await answer(client.text_document_rename_async(types.RenameParams(
                text_document=doc(point), position=at(3, 14), new_name="Taken")))
    async with running(java_ws, tmp_path / "cache2", capabilities=no_file_renames()) as client:
        # an editor that cannot rename files: a public class is not renamed at all
        with pytest.raises(Exception, match="cannot rename files"):
            await answer(client.text_document_rename_async(types.RenameParams(
                text_document=doc(point), position=at(3, 14), new_name="Spot")))
        # a class that is not public compiles in a file of another name: its text is renamed
        broken = java_ws / SRC / "app/Broken.java"
        edit = await answer(client.text_document_rename_async(types.RenameParams(
            text_document=doc(broken), position=at(4, 7), new_name="Fixed")))
        assert [type(c) for c in edit.document_changes] == [types.TextDocumentEdit]
