"""Continuity diagnostics over stdio: push and pull, closed files, fixes, dynamic code."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from tests.e2e.lsp import change

from .conftest import open_doc, position_of, session, uri

PUSH = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)),
    workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(),
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)))
PUSH.text_document.code_action = types.CodeActionClientCapabilities(
    code_action_literal_support=types.ClientCodeActionLiteralOptions(
        code_action_kind=types.ClientCodeActionKindOptions(value_set=[types.CodeActionKind.QuickFix])))
PULL = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        diagnostic=types.DiagnosticClientCapabilities(),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities()),
    workspace=types.WorkspaceClientCapabilities(
        diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)))
FAST = {"diagnostics": {"debounceMs": 50}}
QUICKFIX = [types.CodeActionKind.QuickFix]  # the map's fixes (the model's actions are other kinds)


async def until(predicate, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise TimeoutError("condition never held")
        await asyncio.sleep(0.05)


def insert_at(client, root, rel, doc, version, needle, text, offset=0):
    pos = position_of(root, rel, needle, offset=offset)
    change(client, doc, version, (pos.line, pos.character), (pos.line, pos.character), text)


async def test_push_signature_change_reaches_a_closed_file_and_clears_when_fixed(ws_copy):
    async with session(ws_copy, PUSH, settings=FAST) as client:
        billing = uri(ws_copy, "shop/services/billing.py")
        money = open_doc(client, ws_copy, "util/money.py")
        await asyncio.sleep(0.3)
        assert not client.diagnostics.get(billing)
        # round_cents(value) -> round_cents(value, digits): billing.py (closed) calls it with one
        insert_at(client, ws_copy, "util/money.py", money, 2, "value):", ", digits", offset=5)
        got = await until(lambda: client.diagnostics.get(billing))
        assert len(got) == 1
        d = got[0]
        assert d.source == "ssc" and d.code == "call-arguments"
        assert d.message.startswith("`round_cents()` is missing the argument `digits` since its change at ")
        assert d.range.start == position_of(ws_copy, "shop/services/billing.py", "round_cents(amount")
        # the call inside money.py itself, in the open file, versioned
        mine = await until(lambda: client.diagnostics.get(money))
        assert [x.range.start.line for x in mine] == [5]
        # the history makes the added parameter certain: offer a placeholder, for this version
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=money), range=mine[0].range,
            context=types.CodeActionContext(diagnostics=list(mine), only=QUICKFIX)))
        assert [a.title for a in actions] == ["Add the missing argument placeholder `digits=...`"]
        (change_,) = actions[0].edit.document_changes
        assert change_.text_document.version == 2
        assert [(e.range.start.line, e.range.start.character, e.new_text) for e in change_.edits] == [
            (5, 31, ", digits=...")]
        assert actions[0].diagnostics[0].code == "call-arguments"
        # fix the call in the closed file on disk; the watcher tells the server
        path = ws_copy / "shop/services/billing.py"
        path.write_text(path.read_text().replace("round_cents(amount * rate)", "round_cents(amount * rate, 2)"))
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=billing, type=types.FileChangeType.Changed)]))
        await until(lambda: billing in client.diagnostics and len(client.diagnostics[billing]) == 0)


async def test_switching_diagnostics_off_takes_them_back(ws_copy):
    async with session(ws_copy, PUSH, settings=FAST) as client:
        billing = uri(ws_copy, "shop/services/billing.py")
        money = open_doc(client, ws_copy, "util/money.py")
        insert_at(client, ws_copy, "util/money.py", money, 2, "value):", ", digits", offset=5)
        await until(lambda: client.diagnostics.get(billing))
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"ssc": {"diagnostics": {"enabled": False}}}))
        await until(lambda: len(client.diagnostics[billing]) == 0 and len(client.diagnostics[money]) == 0)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"ssc": {"diagnostics": {"enabled": True, "debounceMs": 50}}}))
        await until(lambda: len(client.diagnostics[billing]) == 1)


async def test_pull_document_and_workspace_reports(ws_copy):
    async with session(ws_copy, PULL, settings=FAST) as client:
        billing = uri(ws_copy, "shop/services/billing.py")
        report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        assert list(report.items) == []
        money = open_doc(client, ws_copy, "util/money.py")
        insert_at(client, ws_copy, "util/money.py", money, 2, "value):", ", digits", offset=5)
        await until(lambda: client.diagnostic_refresh_count > 0)
        report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        by_uri = {r.uri: r for r in report.items}
        assert set(by_uri) == {billing, money}
        assert [d.code for d in by_uri[billing].items] == ["call-arguments"]
        assert client.diagnostics == {}  # nothing pushed to a pulling client

        doc = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=billing)))
        assert doc.kind == "full" and len(doc.items) == 1
        again = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=billing), previous_result_id=doc.result_id))
        assert again.kind == "unchanged" and again.result_id == doc.result_id
        # unchanged files are reported as such to a client that sends its previous ids
        prev = [types.PreviousResultId(uri=r.uri, value=r.result_id) for r in report.items]
        report2 = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=prev))
        assert {r.kind for r in report2.items} == {"unchanged"}


async def test_import_of_a_renamed_function_and_the_code_action(ws_copy):
    async with session(ws_copy, PUSH, settings=FAST) as client:
        init = uri(ws_copy, "shop/__init__.py")
        billing = open_doc(client, ws_copy, "shop/services/billing.py")
        pos = position_of(ws_copy, "shop/services/billing.py", "def charge(", offset=4)
        change(client, billing, 2, (pos.line, pos.character), (pos.line, pos.character + len("charge")), "charge_all")
        got = await until(lambda: client.diagnostics.get(init))
        assert len(got) == 1
        assert got[0].code == "import-missing"
        assert got[0].message.startswith("`shop.services.billing` has no `charge`: renamed to `charge_all` at ")
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=init), range=got[0].range,
            context=types.CodeActionContext(diagnostics=list(got), only=QUICKFIX)))
        assert [a.title for a in actions] == ["Update to the renamed symbol `charge_all`"]
        (edit,) = actions[0].edit.document_changes
        assert edit.text_document.uri == init and edit.text_document.version is None
        assert [(e.range, e.new_text) for e in edit.edits] == [(got[0].range, "charge_all")]
        # applied on disk, the import is whole again and the diagnostic goes
        path = ws_copy / "shop/__init__.py"
        path.write_text(path.read_text().replace("import charge as", "import charge_all as"))
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=init, type=types.FileChangeType.Changed)]))
        await until(lambda: len(client.diagnostics[init]) == 0)


async def test_use_of_a_renamed_then_removed_function_in_a_closed_file(ws_copy):
    async with session(ws_copy, PUSH, settings=FAST) as client:
        script = uri(ws_copy, "scripts/run_shop.py")
        money = open_doc(client, ws_copy, "util/money.py")
        # format_money -> render_money: `money.format_money(...)` in the closed script
        pos = position_of(ws_copy, "util/money.py", "def format_money", offset=4)
        change(client, money, 2, (pos.line, pos.character), (pos.line, pos.character + len("format_money")),
               "render_money")
        got = await until(lambda: client.diagnostics.get(script))
        assert [d.code for d in got] == ["symbol-removed"]
        assert got[0].message.startswith("`format_money` was renamed to `render_money` at ")
        assert got[0].range.start == position_of(ws_copy, "scripts/run_shop.py", "format_money")
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=script), range=got[0].range,
            context=types.CodeActionContext(diagnostics=list(got), only=QUICKFIX)))
        assert [a.title for a in actions] == ["Update to the renamed symbol `render_money`"]
        # now delete it: the use is of a removed symbol, and nothing is offered
        text = (ws_copy / "util/money.py").read_text().replace("format_money", "render_money")
        start = text.index("def render_money")
        line = text.count("\n", 0, start)
        change(client, money, 3, (line, 0), (line + 2, 0), "")
        await until(lambda: client.diagnostics[script] and "removed at" in client.diagnostics[script][0].message)
        d = client.diagnostics[script][0]
        assert d.message.startswith("`format_money` was removed at ")
        assert d.message.endswith("(renamed to `render_money` first)")
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=script), range=d.range,
            context=types.CodeActionContext(diagnostics=[d], only=QUICKFIX)))
        assert not actions


async def test_dynamic_code_is_never_flagged(ws_copy):
    async with session(ws_copy, PULL, settings=FAST) as client:
        rel = "shop/dynamic.py"
        doc = open_doc(client, ws_copy, rel)
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=doc)))
        assert list(report.items) == []
        # the check is alive in this file: a plain function called wrongly is reported, and the
        # *args, unknown-decorator, getattr and unresolved calls next to it still are not
        text = (ws_copy / rel).read_text()
        lines = text.count("\n")
        change(client, doc, 2, (lines, 0), (lines, 0), "\n\ndef strict(a):\n    return a\n\n\nstrict(1, 2)\n")
        await asyncio.sleep(0.2)
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=doc)))
        assert [(d.range.start.line, d.message) for d in report.items] == [
            (lines + 6, "`strict()` takes 1 positional argument; called with 2")]
