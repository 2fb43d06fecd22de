"""LRU cache, request keys and typing-through."""

from __future__ import annotations

import pytest

from ssc_lsp.llm.cache import CompletionCache, Suggestion, cache_key, typing_through
from ssc_lsp.llm.client import OpenAIProvider
from ssc_lsp.llm.request import Completion, CompletionRequest
from ssc_lsp.llm.settings import LLMSettings


def test_lru_evicts_least_recently_used():
    cache = CompletionCache(max_entries=2)
    cache.put("a", Completion("A"))
    cache.put("b", Completion("B"))
    assert cache.get("a").text == "A"  # touch a: b is now the oldest
    cache.put("c", Completion("C"))
    assert "b" not in cache and "a" in cache and "c" in cache
    assert len(cache) == 2
    assert cache.get("b") is None
    assert (cache.hits, cache.misses) == (1, 1)


def test_cache_rejects_zero_size():
    with pytest.raises(ValueError):
        CompletionCache(0)


def test_cache_key_is_stable_and_sensitive():
    identity = LLMSettings().cache_identity()
    k1 = cache_key({"prompt": "x", "max_tokens": 5}, identity)
    k2 = cache_key({"max_tokens": 5, "prompt": "x"}, identity)
    assert k1 == k2 and len(k1) == 64
    assert k1 != cache_key({"prompt": "y", "max_tokens": 5}, identity)
    assert k1 != cache_key(
        {"prompt": "x", "max_tokens": 5}, LLMSettings(model="o").cache_identity()
    )


async def test_provider_request_key_tracks_prompt_not_transport():
    a = OpenAIProvider(LLMSettings(base_url="http://127.0.0.1:9/v1", timeout_ms=5), environ={})
    b = OpenAIProvider(LLMSettings(base_url="http://127.0.0.1:9/v1", retries=7), environ={})
    try:
        req = CompletionRequest(prefix="x = ", suffix="")
        assert a.request_key(req) == b.request_key(req)
        assert a.request_key(req) != a.request_key(CompletionRequest(prefix="y = "))
    finally:
        await a.aclose()
        await b.aclose()


SUG = Suggestion(anchor_prefix="def f():\n    return ", text="compute(a, b)")


@pytest.mark.parametrize(
    ("new_prefix", "expected"),
    [
        ("def f():\n    return ", "compute(a, b)"),  # nothing typed yet
        ("def f():\n    return com", "pute(a, b)"),  # typed part of it
        ("def f():\n    return compute(a, ", "b)"),
        ("def f():\n    return compute(a, b)", None),  # typed it all
        ("def f():\n    return cum", None),  # diverged
        ("def g():\n    return com", None),  # text before the anchor changed
        ("def f():\n    retur", None),  # deleted back past the anchor
    ],
)
def test_typing_through(new_prefix, expected):
    assert typing_through(SUG, new_prefix) == expected


def test_typing_through_without_a_suggestion():
    assert typing_through(None, "x") is None
    assert typing_through(Suggestion("x", ""), "x") is None
