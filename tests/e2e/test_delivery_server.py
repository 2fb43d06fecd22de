"""Delivery of model-made edits through the real server over stdio, against the scripted
OpenAI-compatible server on loopback: work-done progress (the client's token, or one the server
creates), cancellation that really closes the model's HTTP request (`$/cancelRequest` for a
`codeAction/resolve` or a `workspace/executeCommand`, and the user's progress cancel),
`ssc.previewEdit`, the counts of `ssc/stats`, and dead or garbage endpoints survived.

The model-backed action and command are the probe's (tests/e2e/model_probe.py): the delivery
layer is shared by every action, whichever exist.
"""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.e2e.lsp import PROBE_SERVER, open_doc, plain, request, running, wait_until
from tests.e2e.model_probe import PROBE_COMMAND, PROBE_SOURCE, PROBE_TITLE
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio

BILLING = "shop/services/billing.py"
DEFINE_TAX = "def tax(amount, rate=TAX_RATE):"


def settings(base_url: str, **llm) -> dict:
    return {"llm": {"baseUrl": base_url, "model": "fake-coder", "retries": 0, **llm}}


def probe(fake_url: str, root, tmp_path, **llm):
    return running(root, tmp_path / "cache", options=settings(fake_url, **llm), command=PROBE_SERVER,
                   env={"SSC_LSP_DATA_DIR": str(tmp_path / "data")})


def fenced(text: str) -> str:
    return f"Here it is:\n```python\n{text}```\n"


def documented(root) -> str:
    """billing.py with a docstring added: a correct edit."""
    return (root / BILLING).read_text().replace(DEFINE_TAX, DEFINE_TAX + '\n    """The tax on amount."""')


def accept_edits(client, *answers: bool) -> list:
    """Answer `workspace/applyEdit` with `answers` in turn (then True); the edits received."""
    got, queue = [], list(answers)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams):
        got.append(params)
        return types.ApplyWorkspaceEditResult(applied=queue.pop(0) if queue else True)

    return got


async def actions_at(client, uri: str) -> list[types.CodeAction]:
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(9, 4), types.Position(9, 4)),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorRewrite])))


async def probe_action(client, uri: str) -> types.CodeAction:
    found = [a for a in await actions_at(client, uri) if a.title == PROBE_TITLE]
    assert len(found) == 1, found
    return found[0]


def command(arg: dict, token: str | None = None) -> types.ExecuteCommandParams:
    return types.ExecuteCommandParams(command=PROBE_COMMAND, arguments=[arg], work_done_token=token)


async def actions_stats(client) -> dict:
    return (await request(client, "ssc/stats", {}))["actions"]


def by_action(s: dict, name: str) -> dict:
    found = [{k: v for k, v in row.items() if k != "action"} for row in s["byAction"]
             if row["action"] == name]
    return found[0] if found else {}


def kinds(reports: list) -> list[str]:
    return [r.kind for r in reports]


# -- progress ---------------------------------------------------------------------------------------


async def test_a_command_reports_progress_on_the_clients_token(ws_copy, tmp_path):
    with FakeOpenAI([fenced(documented(ws_copy))]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            client.progress_reports["client-token"] = []
            out = plain(await client.workspace_execute_command_async(command(
                {"textDocument": {"uri": uri}, "apply": False}, token="client-token")))
            assert out["summary"] == "checked: no problems" and out["applied"] is False
            assert out["modelMade"] and out["edit"]["documentChanges"]
            reports = client.progress_reports["client-token"]
            assert kinds(reports) == ["begin", "end"]
            assert reports[0].cancellable and reports[-1].message == "done"
            # the client's token: the server created none of its own
            assert set(client.progress_reports) == {"client-token"} | {
                t for t in client.progress_reports if str(t).startswith("ssc-index")}


async def test_resolve_creates_progress_and_labels_the_edit_with_the_check(ws_copy, tmp_path):
    with FakeOpenAI([fenced(documented(ws_copy))]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            action = await probe_action(client, uri)
            assert action.edit is None and action.data["source"] == PROBE_SOURCE
            done = await client.code_action_resolve_async(action)
            notes = done.edit.change_annotations
            assert notes and all(n.needs_confirmation for n in notes.values())
            assert [n.description for n in notes.values()] == ["checked: no problems"]
            ours = [t for t in client.progress_reports if str(t).startswith("ssc-model-")]
            assert len(ours) == 1
            reports = client.progress_reports[ours[0]]
            assert kinds(reports) == ["begin", "end"] and PROBE_TITLE in reports[0].title
            s = await actions_stats(client)
            # (the other model sources offer their actions here too; only the probe is resolved)
            assert s["offered"] >= 1 and (s["resolved"], s["clean"], s["problems"]) == (1, 1, 0)
            assert by_action(s, PROBE_SOURCE) == {"offered": 1, "resolved": 1, "clean": 1}


# -- cancellation -----------------------------------------------------------------------------------


async def _hung(fake: FakeOpenAI) -> object:
    assert await wait_until(lambda: any(r.chunks_sent >= 2 for r in fake.requests), 10)
    return fake.completion_requests()[0]


async def test_cancelling_a_resolve_closes_the_http_request(ws_copy, tmp_path):
    with FakeOpenAI([Reply(text="```python\nx = 1\n", hang_after=2)]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            action = await probe_action(client, uri)
            pending = asyncio.ensure_future(client.protocol.send_request_async(
                types.CODE_ACTION_RESOLVE, action, msg_id="resolve-cancel"))
            record = await _hung(fake)
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="resolve-cancel"))
            with pytest.raises(JsonRpcException):
                await asyncio.wait_for(pending, 10)
            assert fake.wait_for_end(record, 5) and record.disconnected and not record.completed
            ours = [t for t in client.progress_reports if str(t).startswith("ssc-model-")]
            assert await wait_until(lambda: kinds(client.progress_reports[ours[0]]) == ["begin", "end"], 10)
            assert client.progress_reports[ours[0]][-1].message == "cancelled"
            s = await actions_stats(client)
            assert s["cancelled"] == 1 and s["resolved"] == 0
            assert (await request(client, "ssc/status", {}))["ready"]


async def test_cancelling_a_command_closes_the_http_request(ws_copy, tmp_path):
    with FakeOpenAI([Reply(text="```python\nx = 1\n", hang_after=2)]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            pending = asyncio.ensure_future(client.protocol.send_request_async(
                types.WORKSPACE_EXECUTE_COMMAND, command({"textDocument": {"uri": uri}}),
                msg_id="command-cancel"))
            record = await _hung(fake)
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="command-cancel"))
            with pytest.raises(JsonRpcException):
                await asyncio.wait_for(pending, 10)
            assert fake.wait_for_end(record, 5) and record.disconnected and not record.completed
            s = await actions_stats(client)
            assert s["cancelled"] == 1 and by_action(s, PROBE_COMMAND) == {"cancelled": 1}


async def test_the_user_cancelling_the_progress_closes_the_http_request(ws_copy, tmp_path):
    with FakeOpenAI([Reply(text="```python\nx = 1\n", hang_after=2)]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            client.progress_reports["user-token"] = []
            pending = asyncio.ensure_future(client.workspace_execute_command_async(
                command({"textDocument": {"uri": uri}}, token="user-token")))
            record = await _hung(fake)
            client.protocol.notify(types.WINDOW_WORK_DONE_PROGRESS_CANCEL,
                                   types.WorkDoneProgressCancelParams(token="user-token"))
            with pytest.raises(JsonRpcException):
                await asyncio.wait_for(pending, 10)
            assert fake.wait_for_end(record, 5) and record.disconnected and not record.completed
            assert kinds(client.progress_reports["user-token"]) == ["begin", "end"]


# -- preview ----------------------------------------------------------------------------------------


async def test_preview_of_a_workspace_edit_shows_the_diff_and_the_problems(ws_copy, tmp_path):
    with FakeOpenAI() as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = (ws_copy / BILLING).as_uri()
            line = (ws_copy / BILLING).read_text().splitlines().index(DEFINE_TAX)
            rename_def = {"changes": {uri: [{"range": {"start": {"line": line, "character": 4},
                                                       "end": {"line": line, "character": 7}},
                                             "newText": "levy"}]}}
            out = plain(await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command="ssc.previewEdit", arguments=[{"edit": rename_def}])))
            md = out["markdown"]
            assert out["summary"] == "1 problem" and md.startswith("**Edit** — 1 problem")
            assert f"`{BILLING}:" in md and "tax" in md.split("```diff")[0]
            diff = md.split("```diff\n")[1].split("\n```")[0]
            assert f"--- a/{BILLING}" in diff and "-def tax(amount, rate=TAX_RATE):" in diff
            assert "+def levy(amount, rate=TAX_RATE):" in diff
            assert "tax" in (ws_copy / BILLING).read_text()  # nothing written
            assert not fake.requests


async def test_preview_of_a_command_runs_it_without_applying(ws_copy, tmp_path):
    with FakeOpenAI([fenced(documented(ws_copy))]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            applied = accept_edits(client)
            out = plain(await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command="ssc.previewEdit",
                arguments=[{"command": PROBE_COMMAND, "arguments": [{"textDocument": {"uri": uri}}]}])))
            md = out["markdown"]
            assert md.startswith(f"**{PROBE_TITLE}** — checked: no problems")
            assert '+    """The tax on amount."""' in md and "```diff" in md
            assert applied == [] and len(fake.completion_requests()) == 1
            with pytest.raises(JsonRpcException, match="no command"):
                await client.workspace_execute_command_async(types.ExecuteCommandParams(
                    command="ssc.previewEdit", arguments=[{"command": "ssc.noSuch", "arguments": []}]))


# -- applying, and endpoints that fail --------------------------------------------------------------


async def test_applied_and_declined_edits_are_counted(ws_copy, tmp_path):
    good = fenced(documented(ws_copy))
    with FakeOpenAI([good, good]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            applied = accept_edits(client, True, False)
            out = plain(await client.workspace_execute_command_async(command({"textDocument": {"uri": uri}})))
            assert out["applied"] is True and len(applied) == 1
            assert applied[0].label == f"{PROBE_TITLE} — checked: no problems"
            out = plain(await client.workspace_execute_command_async(command({"textDocument": {"uri": uri}})))
            assert out["applied"] is False and out["error"] == "the editor declined the edit"
            s = await actions_stats(client)
            assert by_action(s, PROBE_COMMAND) == {"applied": 1, "declined": 1, "clean": 2}


async def test_an_edit_the_check_faults_is_counted_with_problems(ws_copy, tmp_path):
    broken = (ws_copy / BILLING).read_text().replace(DEFINE_TAX, "def levy(amount, rate=TAX_RATE):")
    with FakeOpenAI([fenced(broken)]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            out = plain(await client.workspace_execute_command_async(
                command({"textDocument": {"uri": uri}, "apply": False})))
            assert out["summary"].startswith("1 problem") and out["problems"][0]["path"] == BILLING
            assert (await actions_stats(client))["problems"] == 1


async def test_dead_and_garbage_endpoints_are_said_and_survived(ws_copy, tmp_path):
    with FakeOpenAI() as gone:
        dead = gone.base_url
    async with probe(dead, ws_copy, tmp_path, timeoutMs=2000) as client:
        uri = open_doc(client, ws_copy / BILLING)
        done = await client.code_action_resolve_async(await probe_action(client, uri))
        assert done.edit is None
        assert any("cannot reach" in m.message and dead in m.message for m in client.messages)
        s = await actions_stats(client)
        assert s["modelErrors"] == {"connect": 1} and s["resolved"] == 0
        assert (await request(client, "ssc/status", {}))["ready"]
    with FakeOpenAI([Reply(garbage="{not json at all")]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            with pytest.raises(JsonRpcException, match="the model failed: .*not OpenAI-compatible"):
                await client.workspace_execute_command_async(command({"textDocument": {"uri": uri}}))
            s = await actions_stats(client)
            assert s["modelErrors"] == {"protocol": 1}
            hover = await client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(9, 5)))
            assert hover is not None


async def test_an_embedded_model_that_cannot_load_is_said_not_awaited(ws_copy, tmp_path):
    # the stand-in "embedded model" of llm/local.py: loads for 0.1 s, then fails
    async with running(ws_copy, tmp_path / "cache", options={"llm": {"provider": "local"}},
                       command=PROBE_SERVER, env={"SSC_LLM_LOCAL_TEST_LOAD_S": "0.1",
                                                  "SSC_LSP_DATA_DIR": str(tmp_path / "data")}) as client:
        uri = open_doc(client, ws_copy / BILLING)
        run = command({"textDocument": {"uri": uri}, "apply": False})
        with pytest.raises(JsonRpcException, match="still loading"):
            await client.workspace_execute_command_async(run)
        assert await wait_until(lambda: any("cannot run" in m.message for m in client.messages), 10)
        with pytest.raises(JsonRpcException, match="the model failed: the stand-in model never loads"):
            await client.workspace_execute_command_async(run)
        s = await actions_stats(client)
        assert s["modelErrors"] == {"config": 2}


async def test_shutdown_while_a_command_waits_on_the_model(ws_copy, tmp_path):
    with FakeOpenAI([Reply(text="```python\nx = 1\n", hang_after=2)]) as fake:
        async with probe(fake.base_url, ws_copy, tmp_path) as client:
            uri = open_doc(client, ws_copy / BILLING)
            pending = asyncio.ensure_future(client.workspace_execute_command_async(
                command({"textDocument": {"uri": uri}})))
            record = await _hung(fake)
            assert await asyncio.wait_for(client.shutdown_async(None), 10) is None
            with pytest.raises(JsonRpcException):
                await asyncio.wait_for(pending, 10)
            assert fake.wait_for_end(record, 5) and record.disconnected
            client.exit(None)
