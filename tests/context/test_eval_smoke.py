"""CI smoke run of the evaluation harness on a few cases of the development benchmark.

The benchmark lives beside the repository (`../shared/bench`); its corpus is fetched with its own
script (pinned source distributions from PyPI) into `bench/.corpus/dev` (gitignored) unless
`SSC_DEV_CORPUS` points at an unpacked one. A clone without the benchmark skips this test; a
benchmark whose corpus cannot be fetched fails it, since that is what CI must be able to do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO.parent / "shared" / "bench"
PER_REPO = 3


def corpus_dir() -> Path:
    given = os.environ.get("SSC_DEV_CORPUS")
    if given:
        return Path(given)
    dest = REPO / "bench" / ".corpus" / "dev"
    repos = json.loads((BENCH / "corpus.json").read_text())
    if not all((dest / name).is_dir() for name in repos):
        out = subprocess.run(["bash", str(BENCH / "corpus.sh"), str(dest)], capture_output=True, text=True,
                             timeout=900)
        assert out.returncode == 0, f"fetching the corpus failed:\n{out.stdout}\n{out.stderr}"
    return dest


@pytest.mark.skipif(not (BENCH / "cases.jsonl").exists(), reason="../shared/bench is not beside this clone")
def test_harness_smoke_on_the_development_set(tmp_path):
    corpus = corpus_dir()
    by_repo: dict[str, list[dict]] = {}
    for line in (BENCH / "cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        by_repo.setdefault(case["repo"], []).append(case)
    picked = [c for cases in by_repo.values() for c in cases[:PER_REPO]]
    cases_file = tmp_path / "cases.jsonl"
    cases_file.write_text("".join(json.dumps(c) + "\n" for c in picked))
    dump = tmp_path / "dump.jsonl"
    out = subprocess.run([sys.executable, "-m", "ssc_lsp", "eval", "context", "--cases", str(cases_file),
                          "--corpus", str(corpus), "--budgets", "2000,4000,8000,16000",
                          "--strategy", "map,bm25,infile", "--dump", str(dump), "--json"],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    lines = [json.loads(x) for x in dump.read_text().splitlines()]
    assert len(lines) == 3 * len(picked)
    # the official scorer reads the dump the same way
    scored = subprocess.run([sys.executable, str(BENCH / "score.py"), str(cases_file), str(dump), "--json"],
                            capture_output=True, text=True, timeout=300)
    assert scored.returncode == 0, scored.stderr
    m = summary["strategies"]["map"]["recall"]
    b = summary["strategies"]["bm25"]["recall"]
    assert m["16000"] >= 0.8, summary
    assert m["4000"] >= b["4000"], summary
    assert summary["strategies"]["infile"]["recall"]["16000"] == 0.0
