"""Call hierarchy, type hierarchy and hover over stdio."""

from __future__ import annotations

from lsprotocol import types

from tests.e2e.lsp import change

from .conftest import open_doc, position_of, session, uri


def _doc(root, rel):
    return types.TextDocumentIdentifier(uri=uri(root, rel))


async def test_call_hierarchy_incoming_and_outgoing(ws_copy):
    async with session(ws_copy) as client:
        rel = "shop/services/billing.py"
        items = await client.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
            text_document=_doc(ws_copy, rel), position=position_of(ws_copy, rel, "def charge", offset=4)))
        assert [i.name for i in items] == ["charge"]
        charge = items[0]
        assert charge.kind == types.SymbolKind.Function

        incoming = await client.call_hierarchy_incoming_calls_async(
            types.CallHierarchyIncomingCallsParams(item=charge))
        # main() calls it through the alias `charge_order` re-exported by shop/__init__.py
        assert [(c.from_.name, c.from_.uri.rsplit("/ws/", 1)[1]) for c in incoming] == [
            ("main", "scripts/run_shop.py")]
        assert [r.start.line for r in incoming[0].from_ranges] == [10]

        outgoing = await client.call_hierarchy_outgoing_calls_async(
            types.CallHierarchyOutgoingCallsParams(item=charge))
        names = [c.to.name for c in outgoing]
        assert names == ["total", "tax", "notify"]
        total = outgoing[0]
        assert total.to.uri.endswith("shop/models/order.py")
        assert total.from_ranges[0].start == position_of(ws_copy, rel, "total()")


async def test_call_hierarchy_on_a_class_counts_construction(ws_copy):
    async with session(ws_copy) as client:
        rel = "shop/models/order.py"
        items = await client.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
            text_document=_doc(ws_copy, rel), position=position_of(ws_copy, rel, "class LineItem", offset=6)))
        incoming = await client.call_hierarchy_incoming_calls_async(
            types.CallHierarchyIncomingCallsParams(item=items[0]))
        assert sorted(c.from_.name for c in incoming) == ["add", "main"]


async def test_call_hierarchy_not_on_a_variable(ws_copy):
    async with session(ws_copy) as client:
        rel = "shop/services/billing.py"
        items = await client.text_document_prepare_call_hierarchy_async(types.CallHierarchyPrepareParams(
            text_document=_doc(ws_copy, rel), position=position_of(ws_copy, rel, "TAX_RATE")))
        assert not items


async def test_type_hierarchy(ws_copy):
    async with session(ws_copy) as client:
        rel = "shop/models/base.py"
        items = await client.text_document_prepare_type_hierarchy_async(types.TypeHierarchyPrepareParams(
            text_document=_doc(ws_copy, rel), position=position_of(ws_copy, rel, "Model:")))
        assert [i.name for i in items] == ["Model"]
        subs = await client.type_hierarchy_subtypes_async(types.TypeHierarchySubtypesParams(item=items[0]))
        assert sorted(s.name for s in subs) == ["Customer", "Order"]
        order = next(s for s in subs if s.name == "Order")
        supers = await client.type_hierarchy_supertypes_async(types.TypeHierarchySupertypesParams(item=order))
        assert [s.name for s in supers] == ["Model"]
        assert supers[0].uri == uri(ws_copy, rel)
        none = await client.type_hierarchy_supertypes_async(types.TypeHierarchySupertypesParams(item=items[0]))
        assert not none


async def test_hover_signature_doc_callers(ws_copy):
    async with session(ws_copy) as client:
        rel = "scripts/run_shop.py"
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=_doc(ws_copy, rel), position=position_of(ws_copy, rel, "charge_order(order)")))
        text = hover.contents.value
        assert "def charge(order: Order, *, currency=...)" in text
        assert "Charge an order; returns the amount." in text
        assert "defined in `shop/services/billing.py:14`" in text
        assert "1 caller" in text
        assert hover.range.start == position_of(ws_copy, rel, "charge_order(order)")

        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=_doc(ws_copy, "shop/models/base.py"),
            position=position_of(ws_copy, "shop/models/base.py", "class Model", offset=6)))
        assert "class Model" in hover.contents.value
        assert "Something with an id that can be saved." in hover.contents.value


async def test_hover_shows_the_latest_signature_change(ws_copy):
    async with session(ws_copy) as client:
        rel = "shop/services/billing.py"
        doc = open_doc(client, ws_copy, rel)
        pos = position_of(ws_copy, rel, "rate=TAX_RATE)", offset=len("rate=TAX_RATE"))
        change(client, doc, 2, (pos.line, pos.character), (pos.line, pos.character), ", *, precision=2")
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=_doc(ws_copy, rel), position=position_of(ws_copy, rel, "def tax", offset=4)))
        text = hover.contents.value
        assert "def tax(amount, rate=..., *, precision=...)" in text
        assert "signature changed just now: added `precision`" in text
