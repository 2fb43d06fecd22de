"""The model edits code over stdio, against a scripted OpenAI-compatible server on loopback:
`ssc.refactor`, "Fix with ssc" for a linter's diagnostic and "Implement with ssc" for a stub.

Each scenario is keyed by a marker in the instruction (the scripted model answers by what the
prompt says). What must hold: an invented function is caught and the repair round fixes it; a call
site broken in a file never opened is caught and listed (and delivered with its problems, not as
if fine); lazy placeholders, files outside the workspace, garbage and a hung endpoint end in a
clear error with the server still up; nothing of an ignored or secret file, nor a password
literal, is in any request the model got.
"""

from __future__ import annotations

import asyncio
import json

import attrs
import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.e2e.lsp import change, open_doc, request, running
from tests.fake_openai import FakeOpenAI, RecordedRequest, Reply

pytestmark = pytest.mark.asyncio

REPAIR = "Your previous answer was"
BILLING = "shop/services/billing.py"
SECRET = "s3cr3t-hunter2-horse"  # a password literal in billing.py: redacted before any prompt

CHARGE_INVENTED = '''### replace charge in shop/services/billing.py
```python
def charge(order: Order, *, currency="EUR"):
    """Charge an order; returns the amount."""
    amount = order.total()
    total = round_total(amount + tax(amount))
    notify(order.customer, total)
    return total
```
'''
CHARGE_FIXED = CHARGE_INVENTED.replace("round_total(", "round_cents(")
MONEY_BROKEN = '''Sure! Here is the change.

### replace format_money in util/money.py
```python
def format_money(currency, value):
    return f"{round_cents(value):.2f} {currency}"
```
'''
LAZY = '''### replace charge in shop/services/billing.py
```python
def charge(order: Order, *, currency="EUR"):
    # ... existing code ...
    return total
```
'''
OUTSIDE = '''### replace tax in ../elsewhere/billing.py
```python
def tax(amount):
    return 0
```
'''
GARBAGE = "I am sorry, I cannot help with that. Perhaps try rephrasing?"


def script(record: RecordedRequest) -> Reply:
    """The scripted model: each scenario's answer (first, repair), found by a marker in the prompt."""
    text = record.prompt_text
    for marker, first, repair in SCENARIOS:
        if marker in text:
            return repair if REPAIR in text and repair is not None else first
    return Reply(text=GARBAGE)


TAX_FIXED = '''### replace tax in shop/services/billing.py
```python
def tax(amount, rate=TAX_RATE):
    return round_cents(amount * rate)
```
'''
REFUND_DONE = '''### replace refund in shop/services/billing.py
```python
    def refund(order: Order) -> float:
        """Give the money back."""
        return -order.total()
```
'''
SCENARIOS = [  # marker in the prompt, first answer, repair answer (None: the same again)
    ("S-INVENT", Reply(text=CHARGE_INVENTED), Reply(text=CHARGE_FIXED)),
    ("S-CALLER", Reply(text=MONEY_BROKEN), None),  # the same break twice: it stays broken
    ("S-LAZY", Reply(text=LAZY), None),
    ("S-OUTSIDE", Reply(text=OUTSIDE), None),
    ("S-GARBAGE", Reply(text=GARBAGE), None),
    ("S-BROKEN-BODY", Reply(garbage="data: {this is not json\n\n"), None),
    ("S-HANG", Reply(hang=True), None),
    ("Fix this problem", Reply(text=TAX_FIXED), None),
    ("Implement `refund`", Reply(text=REFUND_DONE), None),
]


def caps() -> types.ClientCapabilities:
    base = client_capabilities("visual-studio-code")
    ca = attrs.evolve(base.text_document.code_action, tag_support=types.CodeActionTagOptions(
        value_set=[types.CodeActionTag.LlmGenerated]))
    return attrs.evolve(base, text_document=attrs.evolve(base.text_document, code_action=ca))


def settings(fake: FakeOpenAI, timeout_ms: int = 20_000) -> dict:
    return {"llm": {"baseUrl": fake.base_url, "model": "fake-coder", "retries": 0,
                    "requestTimeoutMs": timeout_ms}}


def prepare(root) -> None:
    """A password in billing.py (a file the model is shown), and a test the caller scenario does
    not touch."""
    path = root / BILLING
    path.write_text(path.read_text().replace(
        "    message = customer.greeting(formal=True)\n",
        f"    message = customer.greeting(formal=True)\n    password = \"{SECRET}\"\n"))


async def refactor(client, root, rel: str, marker: str, instruction: str, **extra) -> dict:
    text = (root / rel).read_text()
    line = text[:text.index(marker)].count("\n")
    args = {"textDocument": {"uri": (root / rel).as_uri()},
            "position": {"line": line, "character": 4}, "instruction": instruction, "apply": False, **extra}
    result = await asyncio.wait_for(client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="ssc.refactor", arguments=[args])), 30)
    return json.loads(json.dumps(result, default=lambda o: o._asdict() if hasattr(o, "_asdict") else str(o)))


def new_texts(root, edit: dict) -> dict[str, str]:
    """The files as they would be after a WorkspaceEdit's documentChanges (applied here)."""
    from ssc_lsp.map.positions import LineIndex

    out = {}
    for doc_change in edit.get("documentChanges") or []:
        if "edits" not in doc_change:
            continue
        path = doc_change["textDocument"]["uri"].removeprefix("file://")
        data = (root / path).read_bytes() if not path.startswith("/") else open(path, "rb").read()
        index = LineIndex(data)
        spans = []
        for e in doc_change["edits"]:
            s, t = e["range"]["start"], e["range"]["end"]
            spans.append((index.byte_of_lsp(s["line"], s["character"]),
                          index.byte_of_lsp(t["line"], t["character"]), e["newText"].encode()))
        for a, b, new in sorted(spans, reverse=True):
            data = data[:a] + new + data[b:]
        out[path] = data.decode()
    return out


async def test_model_edits_are_checked_repaired_and_refused(ws_copy, tmp_path):
    prepare(ws_copy)
    with FakeOpenAI(handler=script) as fake:
        async with running(ws_copy, tmp_path / "cache", options=settings(fake)) as client:
            # the model invents a function: caught, and the repair round fixes it
            out = await refactor(client, ws_copy, BILLING, "def charge", "S-INVENT round the total")
            assert out["outcome"] == "repaired" and out["problems"] == [] and out["applied"] is False
            after = new_texts(ws_copy, out["edit"])[str(ws_copy / BILLING)]
            assert "total = round_cents(amount + tax(amount))" in after and "round_total" not in after
            assert "def notify" in after and SECRET in after  # the rest of the file as it was
            asked = [r.prompt_text for r in fake.completion_requests() if "S-INVENT" in r.prompt_text]
            assert len(asked) == 2 and "round_total" in asked[1] and "is not defined" in asked[1]
            assert "round_cents(value)" in asked[1]  # the map's near name, with its signature
            assert "def charge(order: Order" in asked[0]  # the whole definition, by the map's range
            # work-done progress while the model was asked: begun and ended
            shown = [r for r in client.progress_reports.values()
                     if r and getattr(r[0], "title", "").startswith("ssc: Refactor charge")]
            assert shown and isinstance(shown[0][-1], types.WorkDoneProgressEnd), client.progress_reports

            # a caller in a file never opened breaks: caught, listed, delivered with its problems
            out = await refactor(client, ws_copy, "util/money.py", "def format_money",
                                 "S-CALLER take the currency first")
            assert out["outcome"] == "failed" and out["edit"] is not None
            where = {(p["path"], p["range"]["start"]["line"]) for p in out["problems"]}
            assert ("scripts/run_shop.py", 10) in where, out["problems"]
            assert out["summary"].startswith("1 problem") and "scripts/run_shop.py:11" in out["summary"]
            asked = [r.prompt_text for r in fake.completion_requests() if "S-CALLER" in r.prompt_text]
            assert "money.format_money(charge_order(order))" in asked[0]  # the caller was shown
            assert "scripts/run_shop.py:11" in asked[1]  # the repair named exactly that problem
            # applied: the editor is asked with the problem in the label, under an annotation
            # that needs the user's confirmation (never as if fine)
            sent: list[types.ApplyWorkspaceEditParams] = []
            client.feature(types.WORKSPACE_APPLY_EDIT)(
                lambda params: sent.append(params) or types.ApplyWorkspaceEditResult(applied=True))
            out = await refactor(client, ws_copy, "util/money.py", "def format_money",
                                 "S-CALLER take the currency first", apply=True)
            assert out["applied"] is True and len(sent) == 1
            assert "1 problem: scripts/run_shop.py:11" in sent[0].label
            (note,) = sent[0].edit.change_annotations.values()
            assert note.needs_confirmation and "scripts/run_shop.py:11" in note.description

            # lazy placeholder: refused (twice), nothing to apply, said why
            out = await refactor(client, ws_copy, BILLING, "def charge", "S-LAZY tidy it")
            assert out["applied"] is False and out["edit"] is None if "edit" in out else True
            assert "lazy placeholder" in out["error"] and "existing code" in out["error"]

            # a file outside the workspace: refused
            out = await refactor(client, ws_copy, BILLING, "def tax", "S-OUTSIDE zero tax")
            assert "outside the workspace" in out["error"]
            assert not (ws_copy.parent / "elsewhere").exists()

            # garbage: prose with no edit block, and a stream that is not JSON
            out = await refactor(client, ws_copy, BILLING, "def notify", "S-GARBAGE anything")
            assert "no edit block" in out["error"] and "I am sorry" in out["error"]
            out = await refactor(client, ws_copy, BILLING, "def tax", "S-BROKEN-BODY anything")
            assert out["applied"] is False and out["error"]

            said = [m.message for m in client.messages]
            assert any("S-LAZY" in m and "lazy placeholder" in m for m in said), said
            stats = await request(client, "ssc/stats", {})
            assert stats["completion"]["editsRepaired"] == 1 and stats["completion"]["editsFailed"] >= 4
            assert (await request(client, "ssc/status", {}))["ready"]

    sent = "\n".join(r.prompt_text for r in fake.completion_requests())
    assert SECRET not in sent and "[redacted]" in sent  # the password was in a prompt, hidden
    assert "TOKEN=abc" not in sent and 'API = "x"' not in sent  # .env, an ignored folder


async def test_a_hung_model_times_out_with_a_clear_error(ws_copy, tmp_path):
    with FakeOpenAI(handler=script) as fake:
        async with running(ws_copy, tmp_path / "cache", options=settings(fake, timeout_ms=1500)) as client:
            out = await refactor(client, ws_copy, BILLING, "def tax", "S-HANG anything")
            assert out["applied"] is False and "time" in out["error"].lower(), out
            assert (await request(client, "ssc/status", {}))["ready"]  # the server stays up


async def test_fix_and_implement_as_code_actions(ws_copy, tmp_path):
    path = ws_copy / BILLING
    path.write_text(path.read_text().replace("    return round_cents(amount * rate)",
                                             "    return round_cent(amount * rate)")
                    + '\n\ndef refund(order: Order) -> float:\n    """Give the money back."""\n'
                      '    raise NotImplementedError\n')
    with FakeOpenAI(handler=script) as fake:
        async with running(ws_copy, tmp_path / "cache", capabilities=caps(), options=settings(fake)) as client:
            uri = open_doc(client, path)
            text = path.read_text()
            row = text[:text.index("round_cent(")].count("\n")
            col = len(text.split("\n")[row]) - len("round_cent(amount * rate)")
            diag = types.Diagnostic(range=types.Range(types.Position(row, col), types.Position(row, col + 10)),
                                    message="undefined name 'round_cent'", source="pyflakes")
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=diag.range,
                context=types.CodeActionContext(diagnostics=[diag])))
            fix = next(a for a in actions if a.title == "Fix with ssc: undefined name 'round_cent'")
            assert fix.edit is None and fix.kind == types.CodeActionKind.QuickFix
            assert list(fix.tags) == [types.CodeActionTag.LlmGenerated]
            assert fake.completion_requests() == []  # offered at once: no model yet
            done = await client.code_action_resolve_async(fix)
            edits = done.edit.document_changes[0].edits
            assert any("round_cents(amount * rate)" in e.new_text for e in edits)
            asked = fake.completion_requests()[-1].prompt_text
            assert "round_cents(value)" in asked and "pyflakes" in asked  # the map's near miss

            # the stub: offered where the cursor is in it, implemented from its types and callers
            srow = text.split("\n").index("def refund(order: Order) -> float:")
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(types.Position(srow + 2, 4), types.Position(srow + 2, 4)),
                context=types.CodeActionContext(diagnostics=[])))
            stub = next(a for a in actions if a.title == "Implement `refund` with ssc")
            assert stub.kind == types.CodeActionKind.RefactorRewrite
            done = await client.code_action_resolve_async(stub)
            new = "".join(e.new_text for e in done.edit.document_changes[0].edits)
            assert "return -order.total()" in new and "NotImplementedError" not in new
            asked = fake.completion_requests()[-1].prompt_text
            assert "total()" in asked and "class Order(Model)" in asked  # the signature's type, its methods
            # nothing offered in a function that has a body
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(types.Position(row, col), types.Position(row, col)),
                context=types.CodeActionContext(diagnostics=[])))
            assert not [a for a in actions if a.title.startswith("Implement")]


async def test_the_maps_fix_is_checked_in_resolve(ws_copy, tmp_path):
    """A client that resolves actions gets the map's fix at once without its edit; the edit comes
    from resolve, checked (no problem: no annotation asking to confirm)."""
    async with running(ws_copy, tmp_path / "cache") as client:
        money = open_doc(client, ws_copy / "util/money.py")
        text = (ws_copy / "util/money.py").read_text()
        line = text[:text.index("def format_money")].count("\n")
        change(client, money, 2, (line, 4), (line, 4 + len("format_money")), "render_money")
        script = (ws_copy / "scripts/run_shop.py").as_uri()
        row = (ws_copy / "scripts/run_shop.py").read_text().split("\n").index(
            "    print(money.format_money(charge_order(order)), item.total())")
        rng = types.Range(types.Position(row, 16), types.Position(row, 28))
        actions = []
        for _ in range(100):  # the history records the rename once the change is in
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=script), range=rng,
                context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.QuickFix])))
            if actions:
                break
            await asyncio.sleep(0.05)
        (fix,) = actions
        assert fix.title == "Update to the renamed symbol `render_money`" and fix.edit is None
        done = await client.code_action_resolve_async(fix)
        (doc_edit,) = done.edit.document_changes
        assert doc_edit.text_document.uri == script
        assert [(e.range.start.line, e.new_text) for e in doc_edit.edits] == [
            (row, "    print(money.render_money(charge_order(order)), item.total())\n")]
        assert done.edit.change_annotations is None  # checked: nothing to confirm
