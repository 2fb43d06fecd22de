"""documentSymbol, workspace/symbol, definition, references, documentHighlight over stdio."""

from __future__ import annotations

from lsprotocol import types

from .conftest import position_of, session, uri


def _spots(locations) -> list[tuple[str, int, int]]:
    return sorted((loc.uri.rsplit("/ws/", 1)[1], loc.range.start.line, loc.range.start.character)
                  for loc in locations)


async def test_document_symbol_hierarchical(ws_copy):
    async with session(ws_copy) as client:
        got = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
            text_document=types.TextDocumentIdentifier(uri=uri(ws_copy, "shop/models/order.py"))))
        assert [s.name for s in got] == ["LineItem", "Order"]
        order = got[1]
        assert isinstance(order, types.DocumentSymbol)
        assert order.kind == types.SymbolKind.Class
        names = [c.name for c in order.children]
        assert names[:3] == ["__init__", "customer", "items"] or {"__init__", "add", "total"} <= set(names)
        add = next(c for c in order.children if c.name == "add")
        assert add.kind == types.SymbolKind.Method
        assert add.detail == "(self, sku, quantity, price=...)"
        assert add.selection_range.start == position_of(ws_copy, "shop/models/order.py", "add(")


async def test_document_symbol_flat_for_old_clients(ws_copy):
    plain = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
        document_symbol=types.DocumentSymbolClientCapabilities()))
    async with session(ws_copy, plain) as client:
        got = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
            text_document=types.TextDocumentIdentifier(uri=uri(ws_copy, "shop/models/base.py"))))
        assert all(isinstance(s, types.SymbolInformation) for s in got)
        save = next(s for s in got if s.name == "save")
        assert save.container_name == "shop.models.base.Model"


async def test_workspace_symbol_fuzzy_and_ranked(ws_copy):
    async with session(ws_copy) as client:
        got = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="fmo"))
        assert got[0].name == "format_money"
        assert got[0].location.uri == uri(ws_copy, "util/money.py")
        exact = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="order"))
        assert exact[0].name == "Order" and exact[0].kind == types.SymbolKind.Class
        dotted = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Model.save"))
        assert [s.name for s in dotted] == ["save"]
        assert dotted[0].container_name == "shop.models.base.Model"
        none = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="qqqzz"))
        assert none == []


async def test_definition_across_reexports(ws_copy):
    async with session(ws_copy) as client:
        doc = uri(ws_copy, "scripts/run_shop.py")
        # `charge_order(order)`: an alias re-exported by shop/__init__.py, defined in billing.py
        pos = position_of(ws_copy, "scripts/run_shop.py", "charge_order(order)")
        got = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc), position=pos))
        assert _spots(got) == [("shop/services/billing.py", 13, 4)]
        # a method through an instance assigned from a class call
        pos = position_of(ws_copy, "scripts/run_shop.py", "greeting")
        got = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc), position=pos))
        assert _spots(got) == [("shop/models/customer.py", 11, 8)]
        # an inherited method: Order().describe() is Model.describe
        pos = position_of(ws_copy, "scripts/run_shop.py", "describe")
        got = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc), position=pos))
        assert _spots(got) == [("shop/models/base.py", 16, 8)]
        # a builtin: nothing in the workspace
        pos = position_of(ws_copy, "scripts/run_shop.py", "print")
        got = await client.text_document_definition_async(types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc), position=pos))
        assert not got


async def test_references_with_and_without_declaration(ws_copy):
    async with session(ws_copy) as client:
        doc = uri(ws_copy, "util/money.py")
        pos = position_of(ws_copy, "util/money.py", "round_cents")
        params = dict(text_document=types.TextDocumentIdentifier(uri=doc), position=pos)
        with_decl = await client.text_document_references_async(types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=True), **params))
        without = await client.text_document_references_async(types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=False), **params))
        expected_uses = [("shop/services/billing.py", 4, 26), ("shop/services/billing.py", 10, 11),
                         ("util/money.py", 5, 14)]
        assert _spots(without) == expected_uses
        assert _spots(with_decl) == sorted(expected_uses + [("util/money.py", 0, 4)])


async def test_references_of_a_method_through_subclasses(ws_copy):
    async with session(ws_copy) as client:
        doc = uri(ws_copy, "shop/models/base.py")
        pos = position_of(ws_copy, "shop/models/base.py", "__init__")
        got = await client.text_document_references_async(types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=False),
            text_document=types.TextDocumentIdentifier(uri=doc), position=pos))
        # the two super().__init__(ident) calls in Customer and Order
        assert _spots(got) == [("shop/models/customer.py", 7, 16), ("shop/models/order.py", 20, 16)]


async def test_document_highlight_reads_and_writes(ws_copy):
    async with session(ws_copy) as client:
        doc = uri(ws_copy, "shop/services/billing.py")
        pos = position_of(ws_copy, "shop/services/billing.py", "amount = order")
        got = await client.text_document_document_highlight_async(types.DocumentHighlightParams(
            text_document=types.TextDocumentIdentifier(uri=doc), position=pos))
        spots = sorted((h.range.start.line, h.range.start.character, h.kind) for h in got)
        write, read = types.DocumentHighlightKind.Write, types.DocumentHighlightKind.Read
        assert spots == [(15, 4, write), (16, 12, read), (16, 25, read)]
