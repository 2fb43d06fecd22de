"""TypeScript and JavaScript through the real server over stdio, on tests/fixtures/typescript:
document symbols, definition across files (re-exports, tsconfig paths, a default import of a
.js file), references, hover with the signature and JSDoc, rename across files, ssc/context."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

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


@pytest.fixture
def ts_ws(tmp_path) -> Path:
    return copy_fixture("typescript", tmp_path / "web")


async def test_symbols_definition_references_hover(ts_ws, tmp_path):
    app, cart = ts_ws / "src/app.ts", ts_ws / "src/models/cart.ts"
    async with running(ts_ws, tmp_path / "cache") as client:
        syms = await answer(client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=doc(cart))))
        top = {s.name: s for s in syms}
        assert {"Item", "Cart"} <= set(top)
        assert {c.name for c in top["Cart"].children or []} >= {"items", "add", "total"}

        # `new Cart()` in app.ts: through ./models (index.ts) and `export { Cart } from "./cart.js"`
        got = await answer(client.text_document_definition_async(types.DefinitionParams(
            text_document=doc(app), position=at(6, 19))))
        loc = got[0] if isinstance(got, list) else got
        assert loc.uri == cart.as_uri() and loc.range.start.line == 8

        # `greet(label)`: a default import of a JavaScript file
        got = await answer(client.text_document_definition_async(types.DefinitionParams(
            text_document=doc(app), position=at(9, 10))))
        loc = got[0] if isinstance(got, list) else got
        assert loc.uri == (ts_ws / "src/legacy/greet.js").as_uri() and loc.range.start.line == 3

        # references of Cart.add: its definition and the call through `cart.add(item)`
        refs = await answer(client.text_document_references_async(types.ReferenceParams(
            text_document=doc(cart), position=at(12, 3),
            context=types.ReferenceContext(include_declaration=True))))
        assert {(r.uri, r.range.start.line) for r in refs} >= {(cart.as_uri(), 12), (app.as_uri(), 7)}

        text = await hover_text(client, app.as_uri(), at(9, 30))  # formatMoney(...)
        assert "```typescript\nfunction formatMoney(cents: number, currency?): string\n```" in text
        assert "Cents as a price with its currency." in text


async def test_rename_across_files_and_context(ts_ws, tmp_path):
    text_ts, app, view = ts_ws / "packages/lib/src/text.ts", ts_ws / "src/app.ts", ts_ws / "src/view.tsx"
    async with running(ts_ws, tmp_path / "cache") as client:
        changes = await rename_changes(client, text_ts.as_uri(), at(1, 18), "toSlug")
        assert set(changes) == {text_ts.as_uri(), app.as_uri(), view.as_uri()}
        assert all(new == "toSlug" for es in changes.values() for _, _, new in es)
        assert len(changes[app.as_uri()]) == 2  # the import and the call

        uri = open_doc(client, app)
        ctx = await request(client, "ssc/context", {
            "textDocument": {"uri": uri}, "position": {"line": 9, "character": 2}, "budget": 20000})
        shown = str(ctx)
        assert "formatMoney" in shown and "class Cart" in shown


async def test_a_file_nested_20000_deep_is_mapped_around_and_does_not_hold_the_server(ts_ws, tmp_path):
    # a member chain 20,000 deep: its extraction was quadratic (minutes); its statement is left out
    deep = ts_ws / "src/deep.ts"
    deep.write_text("export function ok() { return 1; }\nconst a: any = {};\n"
                    "export const x = a" + ".b" * 20_000 + ";\nok();\n")
    async with running(ts_ws, tmp_path / "cache") as client:
        got = await answer(client.text_document_definition_async(types.DefinitionParams(
            text_document=doc(deep), position=at(3, 1))))
        loc = got[0] if isinstance(got, list) else got
        assert loc.uri == deep.as_uri() and loc.range.start.line == 0
