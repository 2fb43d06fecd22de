"""The whole suggestion pipeline with a real model: the embedded Gemma 3 270M when it can run
here, else the endpoint in SSC_LLM_BASE_URL (SSC_LLM_MODEL, SSC_LLM_API). Skipped, with the
reason, when there is neither.

A 270M base model writes poor code; these tests do not judge its taste, only that a real model's
output goes through context, streaming, post-processing, the check and the repair round, and
that nothing that fails the check is ever returned.
"""

from __future__ import annotations

import os
import shutil

import pytest

from ssc_lsp.config import Config
from ssc_lsp.llm import LLMSettings, LocalProvider, local_status
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.suggest.assistant import Assistant
from ssc_lsp.suggest.spot import Spot
from tests.conftest import FIXTURE_WS

pytestmark = [pytest.mark.realmodel, pytest.mark.asyncio]

CALC = "def add(a, b):\n    return "


def _which() -> str:
    if os.environ.get("SSC_LLM_BASE_URL"):
        return "endpoint"
    status = local_status()
    if status.available:
        return "local"
    pytest.skip(f"no real model: SSC_LLM_BASE_URL is not set and the embedded model cannot run "
                f"here ({status.reason})")


@pytest.fixture(scope="module")
def local_runtime():
    """The embedded model, loaded once for the module (about 15 s)."""
    if _which() != "local":
        yield None
        return
    from ssc_lsp.llm.local import default_runtime_factory

    runtime = default_runtime_factory(LLMSettings(provider="local"))()
    yield runtime
    runtime.close()


@pytest.fixture
def assistant(local_runtime):
    cfg = Config()
    cfg.llm.temperature = 0.0
    def build() -> Assistant:
        if local_runtime is not None:
            def factory(settings, environ):
                return LocalProvider(settings, runtime_factory=lambda: local_runtime), "local"

            a = Assistant(lambda: cfg, provider_factory=factory)
        else:
            a = Assistant(lambda: cfg)
        return a

    return build


@pytest.fixture
def ws(tmp_path):
    dest = tmp_path / "ws"
    shutil.copytree(FIXTURE_WS, dest)
    (dest / "util" / "calc.py").write_text("from .money import round_cents\n\n\n" + CALC + "\n")
    svc = MapService(str(dest), MapOptions(persist=False))
    svc.index()
    return svc


async def _ready(a: Assistant) -> None:
    provider = a.providers.get(a.config().llm)
    assert provider is not None, a.providers.reason
    if hasattr(provider, "warm_up"):
        await provider.warm_up()


async def test_a_real_suggestion_goes_through_the_whole_pipeline(assistant, ws):
    a = assistant()
    await _ready(a)
    text = ws.text_of("util/calc.py")
    ws.open("util/calc.py", text, 1)
    row = text[:text.index(CALC) + len(CALC)].count("\n")
    spot = Spot.take(ws, "util/calc.py", row, len("    return "))
    out = await a.suggest(spot, external_wait=10.0, settle_all=True)
    print("real model:", repr(out.raw), "->", repr(out.text), out.timings)
    assert out.source == "model" and out.raw.strip(), out.error
    assert out.grounded is not None and out.timings["model"] > 0
    assert out.context is not None and out.request.context  # the map's context was sent
    if out.text:  # whatever was kept passed the check
        assert out.grounded.last.ok
    assert a.stats.suggested == 1
    await a.aclose()


async def test_a_real_repair_round_never_returns_a_failing_suggestion(assistant, ws):
    """The first answer is forced to invent a member; the real model does the repair."""
    a = assistant()
    await _ready(a)
    provider = a.providers.get(a.config().llm)
    real = provider.stream_completion
    asked: list[str] = []

    async def first_invents(request):
        asked.append(request.kind)
        if request.kind == "inline":
            yield "order.totl()"
            return
        async for piece in real(request):
            yield piece

    provider.stream_completion = first_invents
    rel = "shop/services/billing.py"
    text = ws.text_of(rel)
    anchor = "    amount = "
    at = text.index(anchor) + len(anchor)
    text = text[:at] + text[text.index("\n", at):]  # `amount = ` with the rest of the line cut
    ws.open(rel, text, 1)
    row = text[:at].count("\n")
    out = await a.suggest(Spot.take(ws, rel, row, len(anchor)), external_wait=10.0, settle_all=True)
    print("repair:", out.grounded.outcome, repr(out.text), out.grounded.repair.missing)
    assert asked == ["inline", "repair"]
    assert out.grounded.first.issues[0].name == "order.totl"
    assert "total()" in out.grounded.repair.available
    assert out.grounded.outcome in ("repaired", "dropped")
    if out.text:
        assert out.grounded.last.ok and "totl" not in out.text
    await a.aclose()
