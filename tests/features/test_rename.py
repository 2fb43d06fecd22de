"""prepareRename and rename over stdio: multi-file edits, refusals, versions, stale files."""

from __future__ import annotations

import ast

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from tests.e2e.lsp import change

from .conftest import open_doc, position_of, session, uri

EDITS = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        rename=types.RenameClientCapabilities(prepare_support=True)),
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)))


def apply(root, edit: types.WorkspaceEdit) -> dict[str, str]:
    """Apply a WorkspaceEdit to the files on disk; returns {relpath: new text}."""
    out = {}
    for dc in edit.document_changes:
        rel = dc.text_document.uri.rsplit("/ws/", 1)[1]
        lines = (root / rel).read_text().split("\n")
        for e in sorted(dc.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            s, t = e.range.start, e.range.end
            assert s.line == t.line
            line = lines[s.line]
            lines[s.line] = line[:s.character] + e.new_text + line[t.character:]
        out[rel] = "\n".join(lines)
    return out


async def rename(client, root, rel, needle, new_name, offset=0):
    return await client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri(root, rel)),
        position=position_of(root, rel, needle, offset=offset), new_name=new_name))


async def test_rename_a_class_across_imports_reexports_and_all(ws_copy):
    async with session(ws_copy, EDITS) as client:
        prep = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri(ws_copy, "scripts/run_shop.py")),
            position=position_of(ws_copy, "scripts/run_shop.py", "Customer(1")))
        assert prep.placeholder == "Customer"
        assert prep.range.start == position_of(ws_copy, "scripts/run_shop.py", "Customer(1")

        edit = await rename(client, ws_copy, "scripts/run_shop.py", "Customer(1", "Client")
        changed = apply(ws_copy, edit)
        assert sorted(changed) == ["scripts/run_shop.py", "shop/__init__.py", "shop/models/__init__.py",
                                   "shop/models/customer.py", "shop/models/order.py",
                                   "shop/services/billing.py"]
        for rel, text in changed.items():
            ast.parse(text)  # still Python
            assert "Customer" not in text, rel
        assert '__all__ = ["Client", "Order", "charge_order"]' in changed["shop/__init__.py"]
        assert "class Client(Model):" in changed["shop/models/customer.py"]
        assert "def notify(customer: Client, amount):" in changed["shop/services/billing.py"]
        assert all(dc.text_document.version is None for dc in edit.document_changes)


async def test_rename_a_parameter_renames_keyword_arguments(ws_copy):
    async with session(ws_copy, EDITS) as client:
        edit = await rename(client, ws_copy, "shop/models/customer.py", "formal=False", "polite")
        changed = apply(ws_copy, edit)
        assert sorted(changed) == ["shop/models/customer.py", "shop/services/billing.py"]
        assert "def greeting(self, polite=False):" in changed["shop/models/customer.py"]
        assert '"Dear" if polite else "Hi"' in changed["shop/models/customer.py"]
        assert "customer.greeting(polite=True)" in changed["shop/services/billing.py"]


async def test_rename_keeps_aliases_and_versions_open_documents(ws_copy):
    async with session(ws_copy, EDITS) as client:
        doc = open_doc(client, ws_copy, "shop/services/billing.py", version=4)
        change(client, doc, 5, (0, 0), (0, 0), "")
        edit = await rename(client, ws_copy, "shop/services/billing.py", "def charge(", "bill", offset=4)
        versions = {dc.text_document.uri.rsplit("/ws/", 1)[1]: dc.text_document.version
                    for dc in edit.document_changes}
        assert versions == {"shop/services/billing.py": 5, "shop/__init__.py": None}
        changed = apply(ws_copy, edit)
        # the alias keeps its name, so scripts/run_shop.py needs no edit
        assert "from .services.billing import bill as charge_order" in changed["shop/__init__.py"]


async def test_rename_reads_a_closed_file_that_changed_on_disk(ws_copy):
    async with session(ws_copy, EDITS) as client:
        path = ws_copy / "shop/services/billing.py"
        path.write_text("# a new first line the server was not told about\n" + path.read_text())
        edit = await rename(client, ws_copy, "util/money.py", "def round_cents", "round2", offset=4)
        changed = apply(ws_copy, edit)
        assert "from ...util.money import round2\n" in changed["shop/services/billing.py"]
        assert "return round2(amount * rate)" in changed["shop/services/billing.py"]


@pytest.mark.parametrize(("rel", "needle", "new_name", "error", "words"), [
    ("util/money.py", "def round_cents", "round-cents", JsonRpcInvalidParams, "not a Python identifier"),
    ("util/money.py", "def round_cents", "class", JsonRpcInvalidParams, "keyword"),
    ("shop/services/billing.py", "def tax", "notify", JsonRpcException, "already defined in shop/services/billing.py"),
    ("shop/services/billing.py", "amount = order", "total", JsonRpcException, "already bound in `charge`"),
    ("shop/models/customer.py", "def greeting", "save", JsonRpcException, "already has a member `save`"),
    ("util/money.py", "def format_money", "round", JsonRpcException, "builtin `round`"),
])
async def test_rename_refusals(ws_copy, rel, needle, new_name, error, words):
    offset = 4 if needle.startswith("def ") else 0
    async with session(ws_copy, EDITS) as client:
        with pytest.raises(error) as info:
            await rename(client, ws_copy, rel, needle, new_name, offset=offset)
        assert words in info.value.message
        if error is JsonRpcException:
            assert info.value.code == -32803


async def test_prepare_rename_refuses_outside_the_workspace(ws_copy):
    async with session(ws_copy, EDITS) as client:
        for rel, needle, words in [("shop/models/order.py", "@dataclass", "outside the workspace"),
                                   ("scripts/run_shop.py", "print(", "builtin"),
                                   ("scripts/run_shop.py", "charge_order(order)", "import alias")]:
            with pytest.raises(JsonRpcException) as info:
                await client.text_document_prepare_rename_async(types.PrepareRenameParams(
                    text_document=types.TextDocumentIdentifier(uri=uri(ws_copy, rel)),
                    position=position_of(ws_copy, rel, needle, offset=1 if needle[0] == "@" else 0)))
            assert words in info.value.message, info.value.message
