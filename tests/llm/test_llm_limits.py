"""What an endpoint can do to the server is bounded: time per request (retries included), the
size of an answer (read once, and only up to the limit), an answer cut off (never a suggestion),
and a redirect (never followed). Against the scripted server on loopback, which records what it
sent and whether the client went away."""

from __future__ import annotations

import time

import pytest

from fake_openai import FakeOpenAI, Reply
from ssc_lsp.llm.errors import LLMError
from ssc_lsp.llm.request import CompletionRequest
from ssc_lsp.llm.settings import MAX_ANSWER_BYTES, LLMSettings

REQ = CompletionRequest(prefix="def add(a, b):\n    ", suffix="\n", path="m.py")
KEY = "sk-test-SECRET-0123456789abcdef"
HANG_GUARD = 20.0  # seconds: far above the bounds set here, far below the unbounded times
SLACK = 256 * 1024  # what may be in flight past the limit when the read is stopped


async def fails(provider, request=REQ) -> tuple[LLMError, float]:
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        await provider.complete(request)
    return info.value, time.monotonic() - started


# -- time --------------------------------------------------------------------------------


async def test_a_drip_is_given_up_at_the_request_deadline(fake, make_client):
    # a token every 0.5 s: each read is quick, the whole would take 100 s
    fake.enqueue(Reply(chunks=["x "] * 200, chunk_delay=0.5))
    err, took = await fails(make_client(timeout_ms=1000, request_timeout_ms=1500))
    assert err.kind == "timeout" and "llm.requestTimeoutMs" in err.message
    assert took < HANG_GUARD
    (req,) = fake.completion_requests()
    assert fake.wait_for_end(req) and req.disconnected and req.chunks_sent < 200


async def test_a_hang_is_given_up_at_the_deadline_retries_included(fake, make_client):
    # unbounded, ten retries of a 1 s read timeout with backoff take about a minute
    fake.default = Reply(hang=True)
    err, took = await fails(make_client(timeout_ms=1000, request_timeout_ms=1500, retries=10))
    assert err.kind == "timeout"
    assert took < HANG_GUARD
    requests = fake.completion_requests()
    assert 1 <= len(requests) <= 2  # the deadline came within the first retry
    assert all(fake.wait_for_end(r) and r.disconnected for r in requests)


def test_the_deadline_is_never_shorter_than_one_read():
    s = LLMSettings(timeout_ms=60_000, request_timeout_ms=20_000)
    assert s.deadline_s == 60 and s.read_timeout_s == 60
    s = LLMSettings(timeout_ms=15_000, request_timeout_ms=2_000)
    assert s.deadline_s == 15 and s.read_timeout_s == 15
    assert LLMSettings(request_timeout_ms=0).validate() == ["request_timeout_ms must be positive"]


# -- size --------------------------------------------------------------------------------


async def test_a_huge_line_is_stopped_at_the_byte_limit_and_read_once(fake, make_client):
    # one 10 MB event without a newline: the SSE decoder would buffer all of it
    fake.enqueue(Reply(chunks=["x" * 10_000_000]))
    provider = make_client(retries=2)
    err, _ = await fails(provider)
    assert err.kind == "too_large" and str(MAX_ANSWER_BYTES) in err.message
    assert provider.bytes_read <= MAX_ANSWER_BYTES + SLACK
    (req,) = fake.completion_requests()  # read once: not asked again
    assert fake.wait_for_end(req) and req.disconnected


async def test_many_pieces_past_max_tokens_are_stopped_at_the_text_limit(fake, make_client):
    fake.enqueue(Reply(chunks=["word "], repeat=2_000_000))  # ~10 MB of text, 2 M events
    provider = make_client(max_tokens=64)
    err, _ = await fails(provider)
    assert err.kind == "too_large" and "64 tokens" in err.message
    assert provider.bytes_read < MAX_ANSWER_BYTES
    (req,) = fake.completion_requests()
    assert fake.wait_for_end(req) and req.disconnected


async def test_a_huge_error_body_is_read_once_and_only_up_to_the_limit(fake, make_client):
    fake.default = Reply(status=500, error="e" * 1000, repeat=10_000)  # 10 MB, retried
    provider = make_client(retries=2)
    err, _ = await fails(provider)
    assert err.kind == "too_large"
    assert len(fake.completion_requests()) == 3  # the retries' bodies are not read at all
    assert provider.bytes_read <= MAX_ANSWER_BYTES + SLACK


# -- an answer cut off --------------------------------------------------------------------


@pytest.mark.parametrize("end", ["clean", "reset"])
async def test_a_stream_without_its_end_is_an_error_not_an_answer(fake, make_client, end):
    fake.enqueue(Reply(chunks=["return a", " + b"], end=end))
    provider = make_client()
    with pytest.raises(LLMError) as info:
        [p async for p in provider.stream_completion(REQ)]
    assert info.value.kind == "truncated" and "not shown" in info.value.message


async def test_a_finished_stream_without_done_is_still_finished(fake, make_client):
    fake.enqueue(Reply(chunks=["return a + b"], finish_reason="length"))
    assert (await make_client().complete(REQ)).text == "return a + b"


# -- redirects ---------------------------------------------------------------------------


async def test_a_redirect_is_not_followed(fake, make_client):
    with FakeOpenAI() as elsewhere:
        target = elsewhere.base_url + "/chat/completions"
        fake.default = Reply(redirect_to=target)
        provider = make_client(environ={"SSC_LLM_API_KEY": KEY}, retries=2)
        err, _ = await fails(provider)
        assert err.kind == "status" and err.status == 307
        assert "redirect" in err.message and "not followed" in err.message
        assert elsewhere.base_url.removesuffix("/v1") in err.message
        assert KEY not in err.message
        assert elsewhere.requests == []  # the target never saw the prompt nor the key
        assert len(fake.completion_requests()) == 1
