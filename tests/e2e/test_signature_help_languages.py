"""Signature help in Go, Java, TypeScript and Rust over stdio, while a call is being written
(the text has the call open, as a client sends it keystroke by keystroke): the callee's
signature in the language's notation from the map, the active parameter by position (Go's
variadic last one past the end, Rust's `self` not an argument of a method called through a
value), Java's overloads that fit as several signatures, nothing for what the map cannot
resolve."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from lsprotocol import types

from .lsp import answer, change, copy_fixture, doc, open_doc, position_of, running

pytestmark = pytest.mark.asyncio


async def help_at(client, path: Path, uri: str, version: int, line_text: str, typed: str):
    """Signature help after typing `typed` on a new line below the line holding `line_text`
    (then the line is taken out again: versions `version` and `version + 1`)."""
    row = position_of(path, line_text).line + 1
    change(client, uri, version, (row, 0), (row, 0), typed + "\n")
    got = await answer(client.text_document_signature_help_async(types.SignatureHelpParams(
        text_document=doc(path), position=types.Position(line=row, character=len(typed)))))
    change(client, uri, version + 1, (row, 0), (row + 1, 0), "")
    if got is None:
        return None
    sigs = [(s.label, [p.label for p in s.parameters or []]) for s in got.signatures]
    return sigs, got.active_parameter


def spans(label: str, params: list) -> list[str]:
    return [label[a:b] for a, b in params]


@asynccontextmanager
async def editing(tmp_path, fixture: str, rel: str):
    """A server on a copy of tests/fixtures/<fixture>, with `rel` open: (client, path, uri)."""
    root = copy_fixture(fixture, tmp_path / fixture)
    async with running(root, tmp_path / "cache") as client:
        yield client, root / rel, open_doc(client, root / rel)


async def test_go(tmp_path):
    async with editing(tmp_path, "go", "main.go") as (client, main, uri):
        # a package-qualified call under the package clause's name; the variadic last parameter
        sigs, active = await help_at(client, main, uri, 2, "server.NewServer(\"a\"", '\ttextutil.Join("-", "a", ')
        [(label, params)] = sigs
        assert label == "func Join(sep string, parts ...string) string"
        assert spans(label, params) == ["sep string", "parts ...string"] and active == 1
        # a method through a typed receiver
        server = main.parent / "server/server.go"
        suri = open_doc(client, server)
        sigs, active = await help_at(client, server, suri, 2, "srv.st.Total()", "\tsrv.st.Put(")
        assert [s[0] for s in sigs] == ["func (Store) Put(it Item)"] and active == 0
        # outside the workspace (fmt): nothing
        assert await help_at(client, server, suri, 4, "srv.st.Total()", "\tfmt.Println(") is None


async def test_rust(tmp_path):
    async with editing(tmp_path, "rust", "src/lib.rs") as (client, lib, uri):
        sigs, active = await help_at(client, lib, uri, 2, "st.put(first);", '    crate::util::clip("x", ')
        assert [s[0] for s in sigs] == ["fn clip(s: &str, n: usize) -> String"] and active == 1
        # by path the receiver is the first argument; through a value it is not one
        store = lib.parent / "store/mod.rs"
        suri = open_doc(client, store)
        sigs, active = await help_at(client, store, suri, 2, "self.touch();", "        Item::label(")
        [(label, params)] = sigs
        assert label == "fn label(&self) -> String" and spans(label, params) == ["&self"] and active == 0
        sigs, active = await help_at(client, store, suri, 4, "self.touch();", "        self.put(")
        [(label, params)] = sigs
        assert label == "fn put(it: Item)" and spans(label, params) == ["it: Item"] and active == 0


async def test_java(tmp_path):
    async with editing(tmp_path, "java", "src/main/java/com/acme/app/Main.java") as (client, main, uri):
        # two overloads of two parameters fit `max(1, `: both are shown
        sigs, active = await help_at(client, main, uri, 2, "String label =", "        long k = MathUtil.max(1, ")
        assert {s[0] for s in sigs} == {"int MathUtil.max(int a, int b)", "long MathUtil.max(long a, long b)"}
        assert active == 1
        # varargs: every argument goes to the last parameter
        sigs, active = await help_at(client, main, uri, 4, "String label =", "        int s = MathUtil.sum(1, 2, 3, ")
        assert [s[0] for s in sigs] == ["int MathUtil.sum(int... xs)"] and active == 0
        sigs, _ = await help_at(client, main, uri, 6, "String label =", "        Circle d = new Circle(")
        assert [s[0] for s in sigs] == ["Circle(double radius)"]


async def test_typescript(tmp_path):
    async with editing(tmp_path, "typescript", "src/app.ts") as (client, app, uri):
        sigs, active = await help_at(client, app, uri, 2, "cart.add(item);", "  formatMoney(1, ")
        [(label, params)] = sigs
        assert label == "formatMoney(cents: number, currency?): string" and active == 1
        assert spans(label, params) == ["cents: number", "currency?"]
        sigs, active = await help_at(client, app, uri, 4, "cart.add(item);", "  cart.add(")
        assert [s[0] for s in sigs] == ["Cart.add(item: Item): number"] and active == 0
        # a builtin the map does not hold: nothing (never a guess)
        assert await help_at(client, app, uri, 6, "cart.add(item);", "  Math.max(1, ") is None
