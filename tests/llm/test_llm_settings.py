"""Settings defaults, environment overrides, key lookup and provider choice."""

from __future__ import annotations

import dataclasses

import pytest

from ssc_lsp.llm import settings as settings_mod
from ssc_lsp.llm.settings import (
    LLMSettings,
    apply_env_overrides,
    resolve_api_key,
    resolve_provider_kind,
)


def test_defaults_match_the_documented_values():
    s = LLMSettings()
    assert (s.provider, s.api, s.max_tokens, s.temperature) == ("auto", "chat", 128, 0.2)
    assert (s.timeout_ms, s.retries, s.concurrency) == (15000, 2, 2)
    assert s.stop == [] and s.extra_headers == {} and s.extra_body == {}
    assert s.validate() == []


def test_env_overrides_apply_and_do_not_mutate_the_original():
    s = LLMSettings(base_url="http://a/v1", model="m1")
    env = {
        "SSC_LLM_BASE_URL": "http://b/v1",
        "SSC_LLM_MODEL": "m2",
        "SSC_LLM_API": "completions",
    }
    out = apply_env_overrides(s, env)
    assert (out.base_url, out.model, out.api) == ("http://b/v1", "m2", "completions")
    assert (s.base_url, s.model, s.api) == ("http://a/v1", "m1", "chat")


def test_empty_env_values_do_not_wipe_settings():
    s = LLMSettings(model="m1")
    assert apply_env_overrides(s, {"SSC_LLM_MODEL": ""}).model == "m1"


def test_api_key_prefers_ssc_var_then_named_var():
    s = LLMSettings(api_key_env="MY_KEY")
    assert resolve_api_key(s, {"MY_KEY": "k-named"}) == "k-named"
    assert resolve_api_key(s, {"MY_KEY": "k-named", "SSC_LLM_API_KEY": "k-ssc"}) == "k-ssc"
    assert resolve_api_key(s, {}) is None
    assert resolve_api_key(LLMSettings(), {"MY_KEY": "x"}) is None


def test_settings_never_hold_the_key():
    names = {f.name for f in dataclasses.fields(LLMSettings)}
    assert "api_key" not in names
    assert "api_key_env" in names


@pytest.mark.parametrize(
    ("provider", "base_url", "local", "expected"),
    [
        ("auto", "http://x/v1", True, "openai"),
        ("auto", "", True, "local"),
        ("auto", "", False, "none"),
        ("none", "http://x/v1", True, "none"),
        ("local", "http://x/v1", False, "local"),
    ],
)
def test_auto_provider_resolution(monkeypatch, provider, base_url, local, expected):
    monkeypatch.setattr(settings_mod, "local_extra_installed", lambda: local)
    s = LLMSettings(provider=provider, base_url=base_url)
    assert resolve_provider_kind(s) == expected


def test_validate_reports_bad_values():
    bad = LLMSettings(provider="gpt", api="rest", max_tokens=0, concurrency=0, retries=-1)
    problems = " | ".join(bad.validate())
    for word in ("provider", "api", "max_tokens", "concurrency", "retries"):
        assert word in problems
    custom = LLMSettings(api="completions", fim_template="custom", custom_fim_template="x")
    assert any("custom_fim_template" in p for p in custom.validate())


def test_cache_identity_ignores_transport_fields():
    a = LLMSettings(timeout_ms=1, retries=0, concurrency=1)
    b = LLMSettings(timeout_ms=99, retries=5, concurrency=4)
    assert a.cache_identity() == b.cache_identity()
    assert a.cache_identity() != LLMSettings(temperature=0.9).cache_identity()
