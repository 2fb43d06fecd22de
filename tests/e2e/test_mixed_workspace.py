"""One workspace folder holding a Python package, a TypeScript frontend (web/) and a Go service
(svc/, its own go.mod), and for workspace symbols a Java tree (jvm/) and a Rust crate (core/):
one index maps them all, each file in its own language, definition crosses files by each
language's own rules, and one workspace symbol query finds a name in every language, each with
its own kind and place, over stdio."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import FIXTURES

from .lsp import answer, at, open_doc, position_of, running
from .test_single_file import definition

pytestmark = pytest.mark.asyncio


@pytest.fixture
def mixed(tmp_path) -> Path:
    root = Path(shutil.copytree(FIXTURES / "ws", tmp_path / "mixed"))
    shutil.copytree(FIXTURES / "typescript", root / "web")
    shutil.copytree(FIXTURES / "go", root / "svc")
    return root


def line_of(path: Path, text: str) -> tuple[int, int]:
    for i, line in enumerate(path.read_text().splitlines()):
        if text in line:
            return i, line.index(text)
    raise AssertionError(f"{text!r} not in {path}")


async def test_one_index_maps_python_typescript_and_go(mixed, tmp_path):
    async with running(mixed, tmp_path / "cache") as client:
        # Python: the script's `charge_order` -> shop/services/billing.py's `charge` (a re-export)
        script = mixed / "scripts/run_shop.py"
        row, col = line_of(script, "charge_order(order)")
        got = await definition(client, open_doc(client, script), at(row, col))
        billing = mixed / "shop/services/billing.py"
        assert got == [(billing.as_uri(), line_of(billing, "def charge")[0])]

        # TypeScript: `new Cart()` in web/src/app.ts -> web/src/models/cart.ts (through index.ts)
        app, cart = mixed / "web/src/app.ts", mixed / "web/src/models/cart.ts"
        row, col = line_of(app, "new Cart()")
        got = await definition(client, open_doc(client, app), at(row, col + len("new ")))
        assert got == [(cart.as_uri(), line_of(cart, "class Cart")[0])]

        # Go: `srv.st.Put(` in svc/server/server.go -> svc/internal/store/store.go (svc/go.mod)
        server, store = mixed / "svc/server/server.go", mixed / "svc/internal/store/store.go"
        row, col = line_of(server, "srv.st.Put(")
        got = await definition(client, open_doc(client, server), at(row, col + len("srv.st.")))
        assert got == [(store.as_uri(), line_of(store, "func (s *Store) Put")[0])]

        # each file is mapped in its own language; workspace symbols find all three
        for query, suffix in (("charge", ".py"), ("Cart", ".ts"), ("Clip", ".go")):
            found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
            assert any(s.name == query and s.location.uri.endswith(suffix) for s in found), (query, found)


LEDGER = {  # the same name declared in each language: (file, declaration, LSP kind)
    "shop/ledger.py": ("class Ledger:\n    pass\n", "class Ledger", types.SymbolKind.Class),
    "web/src/ledger.ts": ("export interface Ledger {\n  total: number;\n}\n", "interface Ledger",
                          types.SymbolKind.Interface),
    "svc/util/ledger.go": ("package textutil\n\n// Ledger adds up.\ntype Ledger struct {\n\tTotal int\n}\n",
                           "type Ledger", types.SymbolKind.Struct),
    "jvm/src/main/java/com/acme/model/Ledger.java": (
        "package com.acme.model;\n\npublic enum Ledger { OPEN, CLOSED }\n", "enum Ledger", types.SymbolKind.Enum),
    "core/src/ledger.rs": ("pub trait Ledger {\n    fn total(&self) -> u32;\n}\n", "trait Ledger",
                           types.SymbolKind.Interface),
}


async def test_one_query_finds_a_name_in_every_language(mixed, tmp_path):
    shutil.copytree(FIXTURES / "java", mixed / "jvm")
    shutil.copytree(FIXTURES / "rust", mixed / "core")
    lib = mixed / "core/src/lib.rs"
    lib.write_text(lib.read_text() + "pub mod ledger;\n")
    for rel, (text, _, _) in LEDGER.items():
        (mixed / rel).write_text(text)
    async with running(mixed, tmp_path / "cache") as client:
        found = await answer(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Ledger")))
        got = {(s.location.uri, s.location.range.start.line, s.location.range.start.character, s.kind)
               for s in found if s.name == "Ledger"}
        want = set()
        for rel, (_, decl, kind) in LEDGER.items():
            where = position_of(mixed / rel, decl, "Ledger")
            want.add(((mixed / rel).as_uri(), where.line, where.character, kind))
        assert got == want
