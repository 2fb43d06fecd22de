"""`ssc-lsp eval context` on cases made from the fixture workspace: the protocol and the dump."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ssc_lsp.context.evaluate import cut_at, evaluate, first_hit

from .conftest import FIXTURES


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().split("\n")) if needle in ln)


def make_cases(corpus: Path) -> list[dict]:
    repo = corpus / "shop"
    co = repo / "shop" / "checkout.py"
    cases = []
    for i, (needle, target, kind, gold_file, gold_needle) in enumerate([
        ("order.add_item(LineItem", "add_item", "attribute", "shop/models.py", "def add_item"),
        ("self.repo.save(order)", "save", "attribute", "shop/repository.py", "def save"),
        ("amount = apply_discount(", "apply_discount", "name", "shop/pricing.py", "def apply_discount"),
        ("return with_tax(amount)", "with_tax", "name", "shop/pricing.py", "def with_tax"),
    ]):
        row = _line_of(co, needle)
        col = co.read_text().split("\n")[row].index(target)
        cases.append({"id": f"shop-{i:04d}", "repo": "shop", "path": "shop/checkout.py", "line": row,
                      "character": col, "target": target, "kind": kind, "extra": "ignored",
                      "gold": [{"path": gold_file, "line": _line_of(repo / gold_file, gold_needle),
                                "name": target}]})
    return cases


def test_cut_at_removes_everything_after_the_cursor():
    text = "a = 1\nb = foo.bar()\nc = 3\n"
    head, col = cut_at(text, 1, 8)
    assert head == "a = 1\nb = foo." and col == 8


def test_first_hit_counts_cumulative_characters():
    case = {"gold": [{"path": "p.py", "line": 10}]}
    items = [{"path": "q.py", "start_line": 0, "end_line": 50, "chars": 100},
             {"path": "p.py", "start_line": 5, "end_line": 9, "chars": 50},
             {"path": "p.py", "start_line": 10, "end_line": 12, "chars": 30}]
    assert first_hit(case, items) == 180
    assert first_hit({"gold": [{"path": "z.py", "line": 1}]}, items) is None


def test_evaluate_all_strategies(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "shop", corpus / "shop")
    cases = make_cases(corpus)
    dump = tmp_path / "dump.jsonl"
    report = evaluate(cases, str(corpus), [500, 2000], ("map", "bm25", "infile"), str(dump))
    lines = [json.loads(x) for x in dump.read_text().splitlines()]
    assert len(lines) == len(cases) * 3
    for d in lines:
        assert set(d) == {"id", "strategy", "items", "ms"}
        for it in d["items"]:
            assert set(it) == {"path", "start_line", "end_line", "chars"}
            assert it["start_line"] <= it["end_line"]
    assert report.recall("map")[2000] == 1.0
    assert report.recall("infile")[2000] == 0.0  # gold is never in the case's own file
    # the files were restored after each case
    assert (corpus / "shop" / "shop" / "checkout.py").read_text() == \
        (FIXTURES / "shop" / "shop" / "checkout.py").read_text()


def test_cli_prints_the_summary(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "shop", corpus / "shop")
    cases_file = tmp_path / "cases.jsonl"
    cases_file.write_text("".join(json.dumps(c) + "\n" for c in make_cases(corpus)))
    out = subprocess.run([sys.executable, "-m", "ssc_lsp", "eval", "context", "--cases", str(cases_file),
                          "--corpus", str(corpus), "--budgets", "1000,4000", "--strategy", "map,bm25",
                          "--dump", str(tmp_path / "d.jsonl"), "--workers", "1"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "R@1000" in out.stdout and "R@4000" in out.stdout and "p95 ms" in out.stdout
    rows = {ln.split(" | ")[0]: ln.split(" | ") for ln in out.stdout.splitlines() if " | " in ln}
    assert rows["map"][3] == "1.000"  # recall@4000
    assert "bm25" in rows
