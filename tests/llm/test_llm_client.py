"""The HTTP provider against a real (fake) OpenAI-compatible server on loopback."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest

from fake_openai import Reply
from ssc_lsp.llm.client import OpenAIProvider
from ssc_lsp.llm.errors import LLMError
from ssc_lsp.llm.request import CompletionRequest
from ssc_lsp.llm.settings import LLMSettings

REQ = CompletionRequest(prefix="def add(a, b):\n    ", suffix="\n", path="m.py")
KEY = "sk-test-SECRET-0123456789abcdef"


async def collect(provider, request=REQ) -> list[str]:
    return [piece async for piece in provider.stream_completion(request)]


# -- streaming ----------------------------------------------------------------------


async def test_chat_streaming_yields_pieces_in_order(fake, make_client):
    fake.enqueue(Reply(chunks=["return", " a", " +", " b"]))
    pieces = await collect(make_client())
    assert pieces == ["return", " a", " +", " b"]
    (req,) = fake.completion_requests()
    assert req.path == "/v1/chat/completions"
    assert req.body["stream"] is True
    assert req.body["model"] == "fake-model"
    assert req.body["max_tokens"] == 128 and req.body["temperature"] == 0.2
    assert req.body["messages"][0]["role"] == "system"
    assert "def add(a, b):\n    <CURSOR>\n" in req.body["messages"][1]["content"]


async def test_stream_delivers_first_piece_before_the_reply_ends(fake, make_client):
    fake.enqueue(Reply(chunks=["first", " second", " third"], chunk_delay=0.4))
    provider = make_client()
    started = time.monotonic()
    stream = provider.stream_completion(REQ)
    first = await stream.__anext__()
    first_at = time.monotonic() - started
    rest = [p async for p in stream]
    total = time.monotonic() - started
    assert first == "first" and rest == [" second", " third"]
    assert first_at < 0.3 < 0.7 < total  # incremental, not buffered until the end


async def test_complete_collects_text_and_finish_reason(fake, make_client):
    fake.enqueue(Reply(text="return a + b", finish_reason="length"))
    completion = await make_client().complete(REQ)
    assert completion.text == "return a + b"
    assert completion.finish_reason == "length"
    assert completion.provider == "openai" and completion.model == "fake-model"
    assert (
        completion.first_token_ms is not None and completion.latency_ms >= completion.first_token_ms
    )


async def test_completions_api_sends_fim_prompt_and_family_stops(fake, make_client):
    fake.enqueue(Reply(text="return a + b"))
    provider = make_client(api="completions", fim_template="starcoder2", stop=["\n\n"])
    completion = await provider.complete(REQ)
    assert completion.text == "return a + b"
    (req,) = fake.completion_requests()
    assert req.path == "/v1/completions"
    assert req.body["prompt"] == "<fim_prefix>def add(a, b):\n    <fim_suffix>\n<fim_middle>"
    assert req.body["stop"][0] == "\n\n" and "<fim_prefix>" in req.body["stop"]
    assert "messages" not in req.body


async def test_extra_headers_and_body_are_sent(fake, make_client):
    fake.enqueue(Reply(text="x"))
    provider = make_client(extra_headers={"X-Team": "blue"}, extra_body={"top_k": 5})
    await provider.complete(REQ)
    (req,) = fake.completion_requests()
    assert req.headers["x-team"] == "blue"
    assert req.body["top_k"] == 5


async def test_request_overrides_win_over_settings(fake, make_client):
    fake.enqueue(Reply(text="x"))
    request = CompletionRequest(prefix="x", max_tokens=7, temperature=0.0, stop=("END",))
    await make_client(stop=["\n\n"]).complete(request)
    body = fake.completion_requests()[0].body
    assert (body["max_tokens"], body["temperature"], body["stop"]) == (7, 0.0, ["\n\n", "END"])


async def test_model_is_taken_from_models_list_when_not_configured(fake, make_client):
    fake.models = ["only-model"]
    fake.enqueue(Reply(text="x"))
    completion = await make_client(model="").complete(REQ)
    assert completion.model == "only-model"
    assert fake.completion_requests()[0].body["model"] == "only-model"


# -- retries, timeouts, dead endpoints, garbage ---------------------------------------


async def test_429_then_success_is_retried(fake, make_client):
    fake.enqueue(Reply(status=429), Reply(status=429), Reply(text="ok now"))
    completion = await make_client(retries=2).complete(REQ)
    assert completion.text == "ok now"
    assert len(fake.completion_requests()) == 3


async def test_500_exhausts_exactly_our_retries(fake, make_client):
    fake.default = Reply(status=500, error="boom")
    with pytest.raises(LLMError) as info:
        await make_client(retries=2).complete(REQ)
    assert info.value.kind == "status" and info.value.status == 500
    assert info.value.retryable
    assert "HTTP 500" in info.value.message and "boom" in info.value.message
    assert len(fake.completion_requests()) == 3


async def test_retries_zero_means_one_attempt(fake, make_client):
    fake.enqueue(Reply(status=429), Reply(text="never reached"))
    with pytest.raises(LLMError) as info:
        await make_client(retries=0).complete(REQ)
    assert info.value.status == 429
    assert len(fake.completion_requests()) == 1


async def test_4xx_is_not_retried(fake, make_client):
    fake.default = Reply(status=400, error="bad model")
    with pytest.raises(LLMError) as info:
        await make_client(retries=3).complete(REQ)
    assert info.value.status == 400 and not info.value.retryable
    assert len(fake.completion_requests()) == 1


async def test_timeout_before_headers_becomes_llm_error(fake, make_client):
    fake.enqueue(Reply(hang=True))
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        await make_client(timeout_ms=300).complete(REQ)
    assert info.value.kind == "timeout"
    assert "0.3 s" in info.value.message
    assert time.monotonic() - started < 3


async def test_timeout_mid_stream_becomes_llm_error(fake, make_client):
    fake.enqueue(Reply(chunks=["a", "b", "c"], hang_after=1))
    with pytest.raises(LLMError) as info:
        await make_client(timeout_ms=300).complete(REQ)
    assert info.value.kind == "timeout"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_dead_endpoint_becomes_connect_error():
    port = _closed_port()
    settings = LLMSettings(base_url=f"http://127.0.0.1:{port}/v1", model="m", retries=0)
    provider = OpenAIProvider(settings, environ={})
    try:
        with pytest.raises(LLMError) as info:
            await provider.complete(REQ)
    finally:
        await provider.aclose()
    assert info.value.kind == "connect"
    assert f"127.0.0.1:{port}" in info.value.message


async def test_garbage_stream_becomes_protocol_error(fake, make_client):
    fake.enqueue(Reply(garbage="this is not json"))
    with pytest.raises(LLMError) as info:
        await make_client().complete(REQ)
    assert info.value.kind == "protocol"


async def test_stream_without_choices_is_a_protocol_error(fake, make_client):
    fake.enqueue(Reply(garbage='{"unexpected": true}'))
    with pytest.raises(LLMError) as info:
        await make_client().complete(REQ)
    assert info.value.kind == "protocol"
    assert "no completion chunks" in info.value.message


# -- cancellation ----------------------------------------------------------------------


async def _cancel_after_first_piece(provider) -> None:
    got_one = asyncio.Event()

    async def consume():
        async for _ in provider.stream_completion(REQ):
            got_one.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_one.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cancelling_mid_stream_closes_the_http_request(fake, make_client):
    fake.enqueue(Reply(chunks=[f"w{i} " for i in range(20)], chunk_delay=0.25))
    await _cancel_after_first_piece(make_client())
    cancelled_at = time.monotonic()
    (req,) = fake.completion_requests()
    assert await asyncio.to_thread(fake.wait_for_end, req, 5)
    assert req.disconnected and not req.completed
    assert req.chunks_sent < 5
    assert req.ended - cancelled_at < 1.0  # the server noticed promptly


async def test_cancelling_before_headers_closes_the_http_request(fake, make_client):
    fake.enqueue(Reply(hang=True))
    task = asyncio.create_task(make_client().complete(REQ))
    assert await asyncio.to_thread(fake.wait_for_requests, 1, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (req,) = fake.completion_requests()
    assert await asyncio.to_thread(fake.wait_for_end, req, 5)
    assert req.disconnected


async def test_closing_the_iterator_early_closes_the_http_request(fake, make_client):
    fake.enqueue(Reply(chunks=[f"w{i} " for i in range(20)], chunk_delay=0.2))
    stream = make_client().stream_completion(REQ)
    assert await stream.__anext__() == "w0 "
    await stream.aclose()
    (req,) = fake.completion_requests()
    assert await asyncio.to_thread(fake.wait_for_end, req, 5)
    assert req.disconnected


async def test_a_finished_stream_is_not_reported_as_a_disconnect(fake, make_client):
    fake.enqueue(Reply(text="a b c"))
    await make_client().complete(REQ)
    (req,) = fake.completion_requests()
    assert await asyncio.to_thread(fake.wait_for_end, req, 5)
    assert req.completed and not req.disconnected


# -- concurrency ------------------------------------------------------------------------

# Three chunks 0.15 s apart: a stream cannot end sooner than this after it started.
STREAM_SECONDS = 0.3


async def test_concurrency_limit_serialises_requests(fake, make_client):
    fake.default = Reply(chunks=["a", "b", "c"], chunk_delay=0.15)
    provider = make_client(concurrency=1)
    await asyncio.gather(provider.complete(REQ), provider.complete(REQ))
    first, second = sorted(fake.completion_requests(), key=lambda r: r.started)
    # The server records `ended` after its last write, which can come after the client has
    # read that write and sent the next request: compare with the first stream's own length.
    assert second.started >= first.started + STREAM_SECONDS


async def test_concurrency_two_overlaps(fake, make_client):
    fake.default = Reply(chunks=["a", "b", "c"], chunk_delay=0.15)
    provider = make_client(concurrency=2)
    await asyncio.gather(provider.complete(REQ), provider.complete(REQ))
    first, second = sorted(fake.completion_requests(), key=lambda r: r.started)
    assert second.started < first.started + STREAM_SECONDS


# -- secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [KEY, "plain-Key-without-prefix-42"])
async def test_key_is_sent_but_never_logged_or_shown(fake, make_client, caplog, key):
    caplog.set_level(logging.DEBUG)

    def echo_key(record):
        # Some servers echo the key they rejected; the client must not repeat it.
        sent = record.headers["authorization"].removeprefix("Bearer ")
        return Reply(status=401, error=f"Incorrect API key provided: {sent}")

    fake.handler = echo_key
    provider = make_client(environ={"SSC_LLM_API_KEY": key}, retries=1)
    with pytest.raises(LLMError) as info:
        await provider.complete(REQ)
    (req,) = fake.completion_requests()
    assert req.headers["authorization"] == f"Bearer {key}"
    assert info.value.status == 401
    assert "Incorrect API key" in str(info.value)
    for text in (str(info.value), repr(info.value), repr(provider), provider.describe()):
        assert key not in text
    assert "[redacted]" in str(info.value)
    assert caplog.records, "expected debug logging to be captured"
    assert key not in caplog.text


async def test_key_from_named_env_var(fake, make_client):
    fake.enqueue(Reply(text="x"))
    provider = make_client(environ={"CUSTOM_KEY": "abc123xyz"}, api_key_env="CUSTOM_KEY")
    await provider.complete(REQ)
    assert fake.completion_requests()[0].headers["authorization"] == "Bearer abc123xyz"
    assert "abc123xyz" not in repr(provider)


async def test_placeholder_key_when_none_configured(fake, make_client, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "should-not-be-used")
    fake.enqueue(Reply(text="x"))
    await make_client().complete(REQ)
    assert fake.completion_requests()[0].headers["authorization"] == "Bearer none"


# -- probe ----------------------------------------------------------------------------------


async def test_probe_reports_a_working_endpoint(fake, make_client):
    report = await make_client(model="").probe()
    assert report.ok and report.reachable
    assert report.models == ["fake-model"] and report.model == "fake-model"
    assert (report.chat, report.completions, report.streaming) == (True, True, True)
    assert any(line.startswith("endpoint: http://127.0.0.1") for line in report.lines())


async def test_probe_reports_a_chat_only_endpoint(fake, make_client):
    def chat_only(record):
        if record.path.endswith("/v1/completions"):
            return Reply(status=404, error="no legacy completions here")
        return Reply(text="OK")

    fake.handler = chat_only
    report = await make_client(retries=2).probe()
    assert report.chat is True and report.completions is False and report.streaming is True
    assert report.ok  # chat is the configured api
    assert any("404" in p for p in report.problems)
    assert len([r for r in fake.completion_requests() if r.path.endswith("/v1/completions")]) == 1


async def test_probe_of_a_dead_endpoint():
    settings = LLMSettings(base_url=f"http://127.0.0.1:{_closed_port()}/v1", retries=3)
    provider = OpenAIProvider(settings, environ={})
    try:
        report = await provider.probe()
    finally:
        await provider.aclose()
    assert not report.reachable and not report.ok
    assert report.chat is None
    assert "cannot reach" in report.problems[0]


def test_constructor_rejects_unusable_settings():
    with pytest.raises(LLMError) as info:
        OpenAIProvider(LLMSettings(base_url=""), environ={})
    assert info.value.kind == "config"
    with pytest.raises(LLMError, match="unknown FIM template"):
        OpenAIProvider(
            LLMSettings(base_url="http://x/v1", api="completions", fim_template="nope"),
            environ={},
        )
