"""The suggestion pipeline in-process: early stop, supersession, debounce, the embedded model's
background load, list suggestions, and the feedback log with its preference pairs."""

from __future__ import annotations

import asyncio
import json

import pytest

from ssc_lsp.config import Config
from ssc_lsp.llm import LLMSettings, LocalProvider
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.suggest.assistant import Assistant
from ssc_lsp.suggest.feedback import FeedbackLog, preference_pairs, read_events
from ssc_lsp.suggest.spot import Spot
from tests.conftest import FIXTURE_WS
from tests.fake_openai import FakeOpenAI, Reply
from tests.llm.test_llm_local import ScriptedRuntime

BILLING = "shop/services/billing.py"
ANCHOR = "    amount = order.total()\n"


@pytest.fixture
def svc():
    s = MapService(str(FIXTURE_WS), MapOptions(persist=False))
    s.index()
    return s


def open_blank_line(svc: MapService) -> tuple[Spot, int]:
    """billing.py with an indented blank line before `amount = ...`; the cursor on it."""
    text = svc.text_of(BILLING)
    at = text.index(ANCHOR)
    text = text[:at] + "    \n" + text[at:]
    svc.open(BILLING, text, 1)
    row = text[:at].count("\n")
    return Spot.take(svc, BILLING, row, 4), row


def config_for(fake: FakeOpenAI | None = None, **completion) -> Config:
    cfg = Config()
    if fake is not None:
        cfg.llm.base_url, cfg.llm.model, cfg.llm.retries = fake.base_url, "m", 0
    for k, v in completion.items():
        setattr(cfg.completion, k, v)
    return cfg


async def test_the_stream_is_closed_as_soon_as_the_block_ends(svc):
    long = Reply(chunks=["x = order.total()\n", "    return x\n", "\ndef more():\n"]
                 + ["    pass\n"] * 50, chunk_delay=0.05)
    with FakeOpenAI([long]) as fake:
        a = Assistant(lambda: config_for(fake), environ={})
        spot, _ = open_blank_line(svc)
        out = await a.suggest(spot)
        assert out.text == "x = order.total()\n    return x"
        record = fake.completion_requests()[0]
        assert fake.wait_for_end(record, 5)
        assert record.disconnected and record.chunks_sent < 10
        await a.aclose()


async def test_a_newer_request_supersedes_the_one_in_flight(svc):
    with FakeOpenAI([Reply(text="x = 1", hang=True), Reply(text="y = order.total()")]) as fake:
        a = Assistant(lambda: config_for(fake), environ={})
        spot, _ = open_blank_line(svc)
        first = a.start(spot)
        assert await asyncio.to_thread(fake.wait_for_requests, 1, 5)
        second = a.start(spot)
        with pytest.raises(asyncio.CancelledError):
            await first.task
        assert first.superseded
        assert (await second.task).text == "y = order.total()"
        hung = fake.completion_requests()[0]
        assert await asyncio.to_thread(fake.wait_for_end, hung, 5) and hung.disconnected
        await a.aclose()


async def test_a_change_cancels_the_job_and_the_debounce_spares_the_model(svc):
    with FakeOpenAI([Reply(text="x = 1")]) as fake:
        a = Assistant(lambda: config_for(fake), environ={})
        spot, row = open_blank_line(svc)
        job = a.start(spot, debounce=0.5)
        await asyncio.sleep(0.05)
        from ssc_lsp.map.document import Change

        svc.change(BILLING, [Change("t", ((row, 4), (row, 4)))], 2)
        a.on_document_changed(svc, BILLING)
        with pytest.raises(asyncio.CancelledError):
            await job.task
        assert job.superseded and fake.completion_requests() == []
        assert a.counters["superseded"] == 1
        await a.aclose()


async def test_no_model_says_why_once(svc):
    told: list[str] = []
    cfg = Config()
    cfg.llm.provider = "openai"  # and no base_url: a setting to fix, said once
    a = Assistant(lambda: cfg, told.append, environ={})
    spot, _ = open_blank_line(svc)
    for _ in range(3):
        out = await a.suggest(spot)
        assert out.source == "none" and out.text == ""
    assert len(told) == 1 and told[0].startswith("LLM features are off: LLM settings are invalid")
    await a.aclose()


async def test_a_model_turned_off_is_not_told(svc):
    told: list[str] = []
    cfg = Config()
    cfg.llm.provider = "none"  # the user's own choice: logged, no message
    a = Assistant(lambda: cfg, told.append, environ={})
    spot, _ = open_blank_line(svc)
    out = await a.suggest(spot)
    assert out.source == "none" and "turned off" in out.error
    assert told == []
    await a.aclose()


async def test_the_embedded_model_loads_in_the_background(svc):
    runtime = ScriptedRuntime(["x = ", "order", ".total()", "\n"])
    told: list[str] = []

    def factory(settings: LLMSettings, environ):
        return LocalProvider(settings, runtime_factory=lambda: runtime), "scripted local"

    cfg = Config()
    a = Assistant(lambda: cfg, told.append, environ={}, provider_factory=factory)
    spot, _ = open_blank_line(svc)
    first = await a.suggest(spot)
    assert first.source == "loading" and first.text == ""
    assert any("loading the embedded model" in m for m in told)
    for _ in range(100):
        if a.providers._provider.loaded:
            break
        await asyncio.sleep(0.02)
    out = await a.suggest(spot)
    assert out.text == "x = order.total()" and out.grounded.outcome == "passed"
    assert runtime.prompts and "amount" not in runtime.prompts[0][-5:]
    await a.aclose()


async def test_list_suggestion_is_pending_then_merged_and_follows_typing(svc):
    with FakeOpenAI(default=Reply(text="total()", chunk_delay=0.02)) as fake:
        a = Assistant(lambda: config_for(fake, debounce_ms=0), environ={})
        text = svc.text_of(BILLING)
        at = text.index(ANCHOR)
        text = text[:at] + "    x = order.\n" + text[at:]
        svc.open(BILLING, text, 1)
        row = text[:at].count("\n")
        col = len("    x = order.")
        spot = Spot.take(svc, BILLING, row, col)
        assert a.list_suggestion(spot, col) == (None, None, True)
        for _ in range(200):
            full, out, pending = a.list_suggestion(spot, col)
            if not pending:
                break
            await asyncio.sleep(0.02)
        assert full == "total()" and out.grounded.outcome == "passed"
        # the user typed `to`: still offered, from the word start
        from ssc_lsp.map.document import Change

        svc.change(BILLING, [Change("to", ((row, col), (row, col)))], 2)
        typed = Spot.take(svc, BILLING, row, col + 2)
        assert a.list_suggestion(typed, col)[0] == "total()"
        # ... but not after typing something else
        svc.change(BILLING, [Change("x", ((row, col + 2), (row, col + 2)))], 3)
        other = Spot.take(svc, BILLING, row, col + 3)
        assert a.list_suggestion(other, col)[0] is None
        assert len(fake.completion_requests()) == 1
        await a.aclose()


async def test_feedback_events_and_preference_pairs(svc, tmp_path):
    events = tmp_path / "events.jsonl"
    fake = FakeOpenAI(rules=[("Your previous suggestion", Reply(text="x = order.total()"))],
                      default=Reply(text="x = order.totl()"))
    with fake:
        cfg = config_for(fake)
        cfg.feedback.enabled = True
        a = Assistant(lambda: cfg, environ={}, feedback=FeedbackLog(lambda: cfg.feedback.enabled,
                                                                    events))
        spot, _ = open_blank_line(svc)
        out = await a.suggest(spot)
        assert out.text == "x = order.total()" and out.grounded.outcome == "repaired"
        a.shown(out, "inline", [out.text, "y = 0"])
        a.accepted(out.id, 0)
        await a.aclose()
    lines = [json.loads(x) for x in events.read_text().splitlines()]
    assert [e["event"] for e in lines] == ["shown", "accepted"]
    assert lines[0]["prompt"]["path"] == BILLING and "def charge" in lines[0]["prompt"]["prefix"]
    pairs = list(preference_pairs(read_events(events)))
    assert {(p["accepted"], p["rejected"], p["source"]) for p in pairs} == {
        ("x = order.total()", "y = 0", "not-chosen"),
        ("x = order.total()", "x = order.totl()", "failed-check")}
    assert next(p for p in pairs if p["source"] == "failed-check")["reasons"] == ["attribute"]


async def test_feedback_is_off_by_default(svc, tmp_path):
    events = tmp_path / "events.jsonl"
    with FakeOpenAI([Reply(text="x = 1")]) as fake:
        cfg = config_for(fake)
        a = Assistant(lambda: cfg, environ={}, feedback=FeedbackLog(lambda: cfg.feedback.enabled,
                                                                    events))
        spot, _ = open_blank_line(svc)
        out = await a.suggest(spot)
        a.shown(out, "inline", [out.text])
        a.accepted(out.id)
        await a.aclose()
    assert not events.exists()


async def test_jedi_types_the_cursors_receiver_while_the_model_writes(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "m.py").write_text(
        "class Form:\n    def clean(self):\n        return 1\n\n\n"
        "def make_form():\n    return Form()\n\n\n"
        "def use():\n    form = make_form()\n    return form.\n")
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    text = (root / "m.py").read_text()
    svc.open("m.py", text, 1)
    row = text.count("\n") - 1
    spot = Spot.take(svc, "m.py", row, len("    return form."))
    # the model takes a while: jedi (a process of its own) answers about `form` meanwhile
    with FakeOpenAI(default=Reply(text="clena()", delay=1.5)) as fake:
        a = Assistant(lambda: config_for(fake), environ={})
        out = await a.suggest(spot, repair=False, external_wait=10.0)
        assert out.grounded.outcome == "dropped"
        assert out.grounded.first.issues[0].name == "form.clena"
        assert "as jedi infers it" in out.grounded.first.issues[0].message
        await a.aclose()
