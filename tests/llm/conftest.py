"""Fixtures for the llm package tests: a live fake OpenAI server and providers bound to it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for fake_openai

from fake_openai import FakeOpenAI  # noqa: E402
from ssc_lsp.llm.client import OpenAIProvider  # noqa: E402
from ssc_lsp.llm.settings import LLMSettings  # noqa: E402


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def make_client(fake):
    """Build OpenAIProviders against the fake server; closed after the test."""
    made: list[OpenAIProvider] = []

    def build(environ: dict[str, str] | None = None, **overrides) -> OpenAIProvider:
        fields = {"base_url": fake.base_url, "model": "fake-model", "retries": 0}
        fields.update(overrides)
        provider = OpenAIProvider(LLMSettings(**fields), environ=environ or {})
        made.append(provider)
        return provider

    yield build
    for provider in made:
        await provider.aclose()
