"""The fake server as a separate process, as end-to-end and editor tests use it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from ssc_lsp.llm.client import OpenAIProvider
from ssc_lsp.llm.request import CompletionRequest
from ssc_lsp.llm.settings import LLMSettings

FAKE = Path(__file__).resolve().parents[1] / "fake_openai.py"


def _post(url: str, payload: object) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture
def fake_process(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            {
                "models": ["scripted-model"],
                "rules": [{"contains": "def add", "reply": {"text": "return a + b"}}],
                "replies": ["first queued"],
                "default": {"text": "default reply"},
            }
        )
    )
    log = tmp_path / "requests.jsonl"
    proc = subprocess.Popen(
        [sys.executable, str(FAKE), "--port", "0", "--script", str(script), "--log", str(log)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}", log
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


async def test_standalone_server_follows_its_script(fake_process):
    base, log = fake_process
    provider = OpenAIProvider(LLMSettings(base_url=base + "/v1", model=""), environ={})
    try:
        rule = await provider.complete(CompletionRequest(prefix="def add(a, b):\n    "))
        queued = await provider.complete(CompletionRequest(prefix="x = "))
        default = await provider.complete(CompletionRequest(prefix="y = "))
    finally:
        await provider.aclose()
    assert rule.text == "return a + b"  # rules win over the queue
    assert queued.text == "first queued"
    assert default.text == "default reply"
    assert rule.model == "scripted-model"  # from GET /v1/models

    records = json.loads(urllib.request.urlopen(base + "/_fake/requests", timeout=5).read())
    posts = [r for r in records if r["method"] == "POST"]
    assert len(posts) == 3 and all(r["completed"] for r in posts)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert sum(1 for r in lines if r["method"] == "POST") == 3


def test_control_endpoint_enqueues_replies(fake_process):
    base, _ = fake_process
    assert _post(base + "/_fake/replies", [{"text": "from control"}])["queued"] == 2
    first = _post(base + "/v1/completions", {"model": "m", "prompt": "q", "max_tokens": 4})
    assert first["choices"][0]["text"] == "first queued"  # the script's queue comes first
    body = _post(
        base + "/v1/completions", {"model": "m", "prompt": "zzz", "max_tokens": 4}
    )  # non-streaming
    assert body["choices"][0]["text"] == "from control"
    assert _post(base + "/_fake/reset", {})["ok"] is True  # clears queue and records
    assert json.loads(urllib.request.urlopen(base + "/_fake/requests", timeout=5).read()) == []
