"""`ssc-lsp complete`, `doctor` and `feedback` as a user runs them, against a scripted endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.fake_openai import FakeOpenAI, Reply

REPAIR_MARK = "Your previous suggestion was"


def ssc(*args: str, tmp, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SSC_LLM_")}
    environ.update(SSC_LSP_CACHE_DIR=str(tmp / "cache"), SSC_LSP_DATA_DIR=str(tmp / "data"))
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "ssc_lsp", *args], capture_output=True,
                          text=True, env=environ, timeout=120)


def test_complete_prints_the_suggestion_the_verdict_and_the_context(ws_copy, tmp_path):
    fake = FakeOpenAI(rules=[(REPAIR_MARK, Reply(text="amount = order.total()"))],
                      default=Reply(text="amount = order.totl()"))
    with fake:
        where = f"{ws_copy / 'shop/services/billing.py'}:17:5"
        out = ssc("complete", where, "--root", str(ws_copy), "--base-url", fake.base_url,
                  "--model", "m", tmp=tmp_path)
        assert out.returncode == 0, out.stderr
        text = out.stdout
        assert "  | amount = order.total()" in text
        assert "check: repaired" in text and "`Order` instance has no `totl`" in text
        assert "context:" in text and "shop/models/order.py" in text
        as_json = ssc("complete", where, "--root", str(ws_copy), "--base-url", fake.base_url,
                      "--model", "m", "--json", "--no-repair", tmp=tmp_path)
    assert as_json.returncode == 1  # dropped: no suggestion
    data = json.loads(as_json.stdout)
    assert data["outcome"] == "dropped" and data["text"] == ""
    assert data["check"]["issues"][0]["kind"] == "attribute"
    assert data["context"]["items"]


def test_complete_without_a_model_says_why(ws_copy, tmp_path):
    out = ssc("complete", f"{ws_copy / 'util/money.py'}:2:5", "--provider", "none", tmp=tmp_path)
    assert out.returncode == 2 and "turned off" in out.stderr


def test_doctor_reports_what_the_endpoint_supports(tmp_path):
    with FakeOpenAI(models=["coder-7b"]) as fake:
        out = ssc("doctor", "--base-url", fake.base_url, tmp=tmp_path,
                  env={"SSC_LLM_API_KEY": "sk-doctor-secret-123456"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "reachable: yes" in out.stdout and "models: coder-7b" in out.stdout
    assert "chat completions: yes" in out.stdout and "streaming (chat): yes" in out.stdout
    assert "api key: set (from SSC_LLM_API_KEY)" in out.stdout
    assert "sk-doctor-secret" not in out.stdout + out.stderr


def test_doctor_on_a_dead_endpoint(tmp_path):
    with FakeOpenAI() as fake:
        dead = fake.base_url
    out = ssc("doctor", "--base-url", dead, "--timeout-ms", "500", tmp=tmp_path)
    assert out.returncode == 1
    assert "reachable: no" in out.stdout and "cannot reach" in out.stdout


def test_feedback_export_writes_preference_pairs(tmp_path):
    events = tmp_path / "data" / "feedback" / "events.jsonl"
    events.parent.mkdir(parents=True)
    prompt = {"path": "a.py", "language": "python", "prefix": "x = ", "suffix": "", "context": ""}
    events.write_text("\n".join(json.dumps(e) for e in [
        {"event": "shown", "v": 1, "id": "s1", "kind": "inline", "prompt": prompt,
         "items": ["f(1)", "g(2)"], "rejected": [{"text": "h(3)", "reasons": ["name"]}]},
        {"event": "shown", "v": 1, "id": "s2", "kind": "inline", "prompt": prompt,
         "items": ["never accepted"], "rejected": []},
        {"event": "accepted", "v": 1, "id": "s1", "index": 0},
    ]) + "\n")
    assert ssc("feedback", "path", tmp=tmp_path).stdout.strip() == str(events)
    out = ssc("feedback", "export", tmp=tmp_path)
    assert out.returncode == 0, out.stderr
    pairs = [json.loads(x) for x in out.stdout.splitlines()]
    assert [(p["accepted"], p["rejected"], p["source"]) for p in pairs] == [
        ("f(1)", "g(2)", "not-chosen"), ("f(1)", "h(3)", "failed-check")]
    assert pairs[0]["prompt"] == prompt
    missing = ssc("feedback", "export", "--events", str(tmp_path / "nope.jsonl"), tmp=tmp_path)
    assert missing.returncode == 1 and "no feedback events" in missing.stderr
