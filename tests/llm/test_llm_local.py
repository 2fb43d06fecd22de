"""The embedded-model provider: threading, one-line cut, cancellation, and the real model tier.

The first part drives LocalProvider with a scripted runtime, so the threading
and cancellation logic is tested everywhere; the ``realmodel`` part runs
Gemma 3 270M through llama-cpp-py-sync when it can load here.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from ssc_lsp.llm import factory
from ssc_lsp.llm.errors import LLMError
from ssc_lsp.llm.factory import make_provider
from ssc_lsp.llm.local import LocalProvider, local_status
from ssc_lsp.llm.provider import Provider
from ssc_lsp.llm.request import CompletionRequest
from ssc_lsp.llm.settings import LLMSettings


class ScriptedRuntime:
    """A blocking runtime that emits fixed pieces with a delay, like a slow CPU model."""

    def __init__(self, pieces, delay=0.0):
        self.pieces = list(pieces)
        self.delay = delay
        self.produced = 0
        self.prompts: list[str] = []
        self.threads: set[str] = set()
        self.kwargs: dict = {}
        self.closed = False

    def tokenize(self, text):
        return text.split()

    def generate(self, prompt, *, max_tokens, temperature, stop, should_stop):
        self.prompts.append(prompt)
        self.kwargs = {"max_tokens": max_tokens, "temperature": temperature, "stop": stop}
        self.threads.add(threading.current_thread().name)
        for piece in self.pieces[:max_tokens]:
            if should_stop():
                return
            time.sleep(self.delay)  # blocking, on purpose
            self.produced += 1
            yield piece

    def describe(self):
        return "scripted"

    def close(self):
        self.closed = True


@pytest.fixture
async def local():
    made = []

    def build(runtime, **settings):
        provider = LocalProvider(
            LLMSettings(provider="local", **settings), runtime_factory=lambda: runtime
        )
        made.append(provider)
        return provider

    yield build
    for provider in made:
        await provider.aclose()


REQ = CompletionRequest(prefix="def add(a, b):\n    return ", context="def sub(a, b)")


async def test_streams_pieces_from_a_worker_thread(local):
    runtime = ScriptedRuntime(["a", " +", " b"])
    provider = local(runtime)
    assert isinstance(provider, Provider)
    pieces = [p async for p in provider.stream_completion(REQ)]
    assert pieces == ["a", " +", " b"]
    assert runtime.threads and all(t.startswith("ssc-llm-local") for t in runtime.threads)
    assert runtime.prompts[0] == "# def sub(a, b)\ndef add(a, b):\n    return "


async def test_completion_stops_at_end_of_line(local):
    provider = local(ScriptedRuntime(["a + b", "\n", "def other():", "\n"]))
    completion = await provider.complete(REQ)
    assert completion.text == "a + b"
    assert completion.finish_reason == "stop"
    assert completion.provider == "local"


async def test_leading_newline_is_skipped_on_a_blank_line(local):
    req = CompletionRequest(prefix="def add(a, b):\n")
    provider = local(ScriptedRuntime(["\n", "    return a + b", "\n", "x"]))
    assert (await provider.complete(req)).text == "    return a + b"


async def test_leading_newline_mid_line_means_nothing_to_add(local):
    provider = local(ScriptedRuntime(["\n", "x = 1"]))
    assert (await provider.complete(REQ)).text == ""


async def test_a_tasks_answer_is_not_cut_to_one_line(local):
    task = CompletionRequest(prefix="", kind="task", task="Write a function.", max_tokens=512)
    runtime = ScriptedRuntime(["def f():", "\n", "    return 1", "\n"])
    completion = await local(runtime).complete(task)
    assert completion.text == "def f():\n    return 1\n"
    assert runtime.kwargs["max_tokens"] == 512 and "Write a function." in runtime.prompts[0]


async def test_max_tokens_is_capped_to_a_line(local):
    runtime = ScriptedRuntime(["x"] * 100)
    provider = local(runtime, max_tokens=128, temperature=0.1, stop=["#"])
    await provider.complete(REQ)
    assert runtime.kwargs == {"max_tokens": 32, "temperature": 0.1, "stop": ["#"]}


async def test_event_loop_keeps_running_during_generation(local):
    provider = local(ScriptedRuntime(["a", "b", "c", "d"], delay=0.1))
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await provider.complete(REQ)
    task.cancel()
    assert ticks >= 20  # ~0.4 s of blocking work, yet the loop ticked throughout


async def test_cancellation_stops_generation_between_tokens(local):
    runtime = ScriptedRuntime([f"t{i}" for i in range(30)], delay=0.05)
    provider = local(runtime)
    got_one = asyncio.Event()

    async def consume():
        async for _ in provider.stream_completion(REQ):
            got_one.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_one.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.3)
    produced = runtime.produced
    assert produced < 10
    await asyncio.sleep(0.2)
    assert runtime.produced == produced  # it really stopped
    assert provider.last_stats["cancelled"] is True


async def test_requests_after_a_cancel_still_work(local):
    runtime = ScriptedRuntime(["x", " = ", "1"], delay=0.05)
    provider = local(runtime)
    task = asyncio.create_task(provider.complete(REQ))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await provider.complete(REQ)).text == "x = 1"


async def test_count_tokens_uses_the_runtime_tokenizer_once_loaded(local):
    provider = local(ScriptedRuntime(["x"]))
    assert provider.count_tokens("aaaa aaaa aaaa aaaa") == 5  # estimate before loading
    await provider.warm_up()
    assert provider.loaded
    assert provider.count_tokens("aaaa aaaa aaaa aaaa") == 4  # runtime's own tokenizer
    assert "scripted" in provider.describe()


async def test_prompt_is_shrunk_to_the_token_budget(local):
    provider = local(ScriptedRuntime(["x"]))
    provider.prompt_budget_tokens = 20
    await provider.warm_up()
    long_req = CompletionRequest(prefix="".join(f"v{i} = {i}\n" for i in range(200)) + "z = ")
    prompt = provider.build_prompt(long_req)
    assert provider.count_tokens(prompt) <= 20
    assert prompt.endswith("z = ")


async def test_load_failure_is_a_clear_llm_error(local):
    def broken():
        raise OSError("libllama.so: cannot open shared object file")

    provider = LocalProvider(LLMSettings(provider="local"), runtime_factory=broken)
    try:
        with pytest.raises(LLMError) as info:
            await provider.complete(REQ)
        assert info.value.kind == "runtime"
        assert "cannot load the local model" in info.value.message
        with pytest.raises(LLMError):  # remembered, not retried per keystroke
            await provider.complete(REQ)
        assert "failed to load" in provider.describe()
    finally:
        await provider.aclose()


async def test_generation_error_is_an_llm_error(local):
    class Exploding(ScriptedRuntime):
        def generate(self, *args, **kwargs):
            yield "a"
            raise RuntimeError("llama_decode failed with code 1")

    provider = local(Exploding([]))
    with pytest.raises(LLMError) as info:
        await provider.complete(REQ)
    assert info.value.kind == "runtime" and "llama_decode" in info.value.message


async def test_aclose_closes_the_runtime(local):
    runtime = ScriptedRuntime(["x"])
    provider = local(runtime)
    await provider.warm_up()
    await provider.aclose()
    assert runtime.closed


# -- the factory ------------------------------------------------------------------------


async def test_factory_without_anything_configured_explains(monkeypatch):
    monkeypatch.setattr("ssc_lsp.llm.settings.local_extra_installed", lambda: False)
    provider, reason = make_provider(LLMSettings())
    assert provider is None
    assert "base_url" in reason and "ssc-lsp[local]" in reason


async def test_factory_provider_none_is_off():
    provider, reason = make_provider(LLMSettings(provider="none", base_url="http://x/v1"))
    assert provider is None and "provider = none" in reason


async def test_factory_invalid_settings():
    provider, reason = make_provider(LLMSettings(api="grpc"))
    assert provider is None and "api" in reason


async def test_factory_openai(fake):
    provider, description = make_provider(LLMSettings(base_url=fake.base_url), environ={})
    try:
        assert provider is not None and provider.name == "openai"
        assert fake.base_url in description
    finally:
        await provider.aclose()


async def test_factory_local_unavailable_gives_the_reason(monkeypatch):
    from ssc_lsp.llm.local import LocalStatus

    monkeypatch.setattr(factory, "local_status", lambda: LocalStatus(False, "it was built badly"))
    provider, reason = make_provider(LLMSettings(provider="local"))
    assert provider is None and "it was built badly" in reason


async def test_factory_local_available(monkeypatch):
    from ssc_lsp.llm.local import LocalStatus

    monkeypatch.setattr(factory, "local_status", lambda: LocalStatus(True, "ok"))
    provider, description = make_provider(LLMSettings(provider="local"))
    try:
        assert isinstance(provider, LocalProvider)
        assert "not loaded yet" in description  # loading is lazy: startup stays fast
    finally:
        await provider.aclose()


def test_local_status_is_a_sentence():
    status = local_status()
    assert isinstance(status.available, bool)
    assert status.reason and "\n" not in status.reason


# -- the real model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_runtime():
    """One loaded model for the real-model tests (loading dequantizes ~1 GB)."""
    status = local_status()
    if not status.available:
        pytest.skip(f"embedded model cannot run here: {status.reason}")
    from ssc_lsp.llm.local import default_runtime_factory

    runtime = default_runtime_factory(LLMSettings(provider="local"))()
    yield runtime
    runtime.close()


@pytest.mark.realmodel
def test_real_tokenizer_round_trips_code(real_runtime):
    text = "def add(a, b):\n    return a + b  # sum\n\n\tx = 'é→'"
    ids = real_runtime.tokenize(text)
    assert 5 < len(ids) < len(text)
    if hasattr(real_runtime, "tokenizer"):  # the numpy runtime exposes its tokenizer
        assert real_runtime.tokenizer.decode(ids) == text


@pytest.mark.realmodel
async def test_real_local_model_completes_a_line(real_runtime):
    provider = LocalProvider(
        LLMSettings(provider="local", temperature=0.0, max_tokens=16),
        runtime_factory=lambda: real_runtime,
    )
    request = CompletionRequest(prefix="# Python\ndef add(a, b):\n    return a")
    completion = await provider.complete(request)
    print("local model:", repr(completion.text), completion.extra)
    assert "\n" not in completion.text
    assert "b" in completion.text  # return a + b
    assert completion.extra["pieces"] >= 1
    assert provider.count_tokens("def add(a, b):") >= 3


@pytest.mark.realmodel
async def test_real_local_model_cancellation_stops_generation(real_runtime):
    provider = LocalProvider(
        LLMSettings(provider="local", temperature=0.0, max_tokens=32),
        runtime_factory=lambda: real_runtime,
    )
    request = CompletionRequest(prefix="# numbers:\nxs = [1, 2, 3, 4, ")
    task = asyncio.create_task(provider.complete(request))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = time.monotonic()
    follow_up = await provider.complete(CompletionRequest(prefix="x = ", max_tokens=2))
    assert follow_up.extra["pieces"] >= 1
    assert time.monotonic() - started < 20  # the cancelled job did not run to its end first
