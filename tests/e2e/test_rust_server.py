"""Rust over stdio: the fixture crate tests/fixtures/rust (a library and a binary, `mod.rs`
and `name.rs` modules, a `#[path]` module, `pub use` re-exports with a rename and a glob)
through the real server: symbols, definition, references, hover, rename, `ssc/context` and the
arity diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from .lsp import at, copy_fixture, hover_text, open_doc, rename_changes, request, running
from .test_single_file import definition, pull, references

pytestmark = pytest.mark.asyncio


@pytest.fixture
def shop(tmp_path) -> Path:
    return copy_fixture("rust", tmp_path / "shop")


def pos(path: Path, text: str, name: str) -> tuple[int, int]:
    """(line, column) of `name` in the first line containing `text`."""
    lines = path.read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if text in line)
    return row, lines[row].index(name, lines[row].index(text) if name in text else 0)


async def test_symbols_definition_references_and_hover(shop, tmp_path):
    async with running(shop, tmp_path / "cache") as client:
        main = shop / "src/main.rs"
        uri = open_doc(client, main)
        store = shop / "src/store/mod.rs"
        util = shop / "src/util.rs"
        syms = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
            text_document=types.TextDocumentIdentifier(uri=store.as_uri())))
        names = {s.name for s in syms}
        assert {"Item", "Store", "new", "put"} <= names
        kinds = {s.name: s.kind for s in syms}
        assert kinds["Item"] == types.SymbolKind.Struct
        # through the package's name and a glob re-export, into another file
        assert await definition(client, uri, at(*pos(main, "title(&st.name)", "title"))) == \
            [(util.as_uri(), pos(util, "pub fn title", "title")[0])]
        # Type::new through a renaming `pub use`
        lib = shop / "src/lib.rs"
        lib_uri = open_doc(client, lib)
        new_at = pos(lib, "Inventory::new(name)", "new")
        assert await definition(client, lib_uri, at(*new_at)) == \
            [(store.as_uri(), pos(store, "pub fn new", "new")[0])]
        # the references of `Store::new`: its declaration and the call by path
        decl = pos(store, "pub fn new", "new")
        refs = await references(client, store.as_uri(), at(*decl))
        assert refs == {(store.as_uri(), *decl), (lib_uri, *new_at)}
        hover = await hover_text(client, lib_uri, at(*new_at))
        assert "```rust\nimpl Store\nfn new(name: &str) -> Self\n```" in hover
        assert "A new, empty store." in hover
        ws = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="clip_shape"))
        assert any(s.name == "clip_shape" and s.location.uri.endswith("src/extra_limits.rs") for s in ws)


async def test_rename_context_and_the_arity_diagnostic(shop, tmp_path):
    async with running(shop, tmp_path / "cache", options={"diagnostics": {"debounceMs": 50}}) as client:
        util = shop / "src/util.rs"
        uri = open_doc(client, util)
        main = shop / "src/main.rs"
        main_uri = open_doc(client, main)
        decl = pos(util, "pub fn clip", "clip")
        changes = await rename_changes(client, uri, at(*decl), "cut")
        call = pos(util, "clip(&out, MAX_LEN)", "clip")
        bad = pos(main, "shop_core::clip", "clip")
        assert changes == {uri: sorted([(*decl, "cut"), (*call, "cut")]), main_uri: [(*bad, "cut")]}
        context = await request(client, "ssc/context", {
            "textDocument": {"uri": main_uri}, "position": {"line": bad[0], "character": bad[1]},
            "budget": 4000})
        assert any(it["path"] == "src/util.rs" for it in context["items"])
        assert "fn clip(s: &str, n: usize) -> String" in context["text"]
        got = await pull(client, main_uri)
        assert [(d.code, d.range.start.line) for d in got] == [("call-arguments", bad[0])]
        assert "takes 2 arguments; called with 1" in got[0].message


async def test_definition_across_the_crates_of_a_cargo_workspace(shop, tmp_path):
    """The fixture's root manifest is also a workspace (`members = ["crates/*"]`): shop-report
    reaches shop-core through a renamed path dependency and shop-text through
    `[workspace.dependencies]`; items of exclusive `#[cfg]`s get no answer."""
    async with running(shop, tmp_path / "cache") as client:
        report = shop / "crates/shop-report/src/lib.rs"
        text = shop / "crates/shop-text/src/lib.rs"
        store = shop / "src/store/mod.rs"
        uri = open_doc(client, report)
        assert await definition(client, uri, at(*pos(report, "use shop::store::Store", "Store"))) == \
            [(store.as_uri(), pos(store, "pub struct Store", "Store")[0])]
        assert await definition(client, uri, at(*pos(report, "pad::left(&it", "left"))) == \
            [(text.as_uri(), pos(text, "pub fn left", "left")[0])]
        assert await definition(client, uri, at(*pos(report, "shop_text::shout(&st", "shout"))) == \
            [(text.as_uri(), pos(text, "pub fn shout", "shout")[0])]
        assert await definition(client, uri, at(*pos(report, "shop_text::separator()", "separator"))) == []
