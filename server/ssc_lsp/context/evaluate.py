"""The evaluation harness: CrossCodeEval-style cases, recall at each budget, latency.

A case is `{"id", "repo", "path", "line", "character", "gold": [{"path", "line", ...}], ...}`
(other fields are ignored; the engine never sees `target` or `gold`). The protocol: index the
repository once; for each case present the file cut at (line, character), everything after the
cursor removed, as an open document; all other files as on disk; assemble the context at the
largest budget; then restore the file. A case hits at budget B when an item within the first B
characters (cumulative) has a gold path and covers the gold line (the scorer of
../shared/bench/score.py, reimplemented here so the command stands alone).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..map.service import MapOptions, MapService
from .baselines import WindowIndex, bm25_items, infile_items
from .engine import ContextEngine, ContextOptions
from .items import Item
from .tokens import Budget

STRATEGIES = ("map", "bm25", "infile")


@dataclass
class CaseResult:
    id: str
    repo: str
    kind: str
    strategy: str
    items: list[dict]
    ms: float
    first_hit_chars: int | None = None


@dataclass
class Report:
    budgets: list[int]
    results: list[CaseResult] = field(default_factory=list)

    def recall(self, strategy: str, group: str | None = None) -> dict[int, float]:
        rs = [r for r in self.results if r.strategy == strategy and (group is None or group in (r.repo, r.kind))]
        n = len(rs)
        return {b: (sum(1 for r in rs if r.first_hit_chars is not None and r.first_hit_chars <= b) / n
                    if n else 0.0) for b in self.budgets}

    def latency(self, strategy: str) -> tuple[float, float]:
        ms = sorted(r.ms for r in self.results if r.strategy == strategy)
        if not ms:
            return 0.0, 0.0
        return percentile(ms, 50), percentile(ms, 95)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def load_cases(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def first_hit(case: dict, items: Iterable[dict]) -> int | None:
    """Cumulative characters up to and including the first item covering a gold line."""
    gold = [(g["path"], int(g["line"])) for g in case.get("gold", [])]
    cum = 0
    for it in items:
        cum += int(it["chars"])
        if any(it["path"] == gp and int(it["start_line"]) <= gl <= int(it["end_line"]) for gp, gl in gold):
            return cum
    return None


def cut_at(text: str, line: int, character: int) -> tuple[str, int]:
    """The text up to (line, character) (code points), and the cursor's byte column."""
    lines = text.split("\n")
    line = min(line, len(lines) - 1)
    head = lines[line][:character]
    return "\n".join(lines[:line] + [head]), len(head.encode("utf-8"))


def _brief(items: list[Item]) -> list[dict]:
    return [{"path": it.path, "start_line": it.start_line, "end_line": it.end_line, "chars": it.chars}
            for it in items]


def _reset_history(svc: MapService) -> None:
    """Forget the edits the harness itself made (cutting and restoring files)."""
    h = svc.history
    with h.lock:
        h.by_symbol.clear()
        h.log.clear()
        h.pending.clear()


class RepoRun:
    """One repository of the corpus, indexed once, with what every strategy needs."""

    def __init__(self, root: str, strategies: tuple[str, ...], workers: int = 0):
        self.svc = MapService(root, MapOptions(persist=False, workers=workers))
        self.svc.index()
        _reset_history(self.svc)
        self.engine = ContextEngine(self.svc) if "map" in strategies else None
        if self.engine is not None:
            self.engine.warm()
            self.engine.settle()
        self.windows = WindowIndex(self.svc) if "bm25" in strategies else None

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
        self.svc.close_store()


def run_case(run: RepoRun, case: dict, strategies: tuple[str, ...], budget: Budget,
             options: ContextOptions) -> list[CaseResult]:
    svc = run.svc
    rel = case["path"]
    text = svc.text_of(rel)
    if text is None:
        raise FileNotFoundError(f"{case['id']}: {rel} is not in {svc.root}")
    prefix, col = cut_at(text, int(case["line"]), int(case["character"]))
    prefix_lines = prefix.split("\n")
    out: list[CaseResult] = []
    svc.open(rel, prefix, 1)
    try:
        for strategy in strategies:
            if strategy == "map":
                assert run.engine is not None
                t0 = time.perf_counter()
                res = run.engine.assemble(rel, int(case["line"]), col, options)
                ms = (time.perf_counter() - t0) * 1000
                items = res.items
            elif strategy == "bm25":
                assert run.windows is not None
                t0 = time.perf_counter()
                items = bm25_items(run.windows, rel, prefix_lines, budget)
                ms = (time.perf_counter() - t0) * 1000
            elif strategy == "infile":
                t0 = time.perf_counter()
                items = infile_items(rel, prefix_lines, budget)
                ms = (time.perf_counter() - t0) * 1000
            else:
                raise ValueError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
            brief = _brief(items)
            out.append(CaseResult(case["id"], case.get("repo", ""), case.get("kind", ""), strategy, brief, ms,
                                  first_hit(case, brief)))
    finally:
        svc.close(rel)
        _reset_history(svc)
        if run.engine is not None:
            run.engine.settle()  # untimed: the indexes catch up as the server's worker would
    return out


def evaluate(cases: list[dict], corpus: str, budgets: list[int], strategies: tuple[str, ...],
             dump: str | None = None, options: ContextOptions | None = None, progress=None,
             workers: int = 0) -> Report:
    budgets = sorted(budgets)
    budget = Budget(budgets[-1])
    opts = options or ContextOptions(jedi_deadline=None)
    opts.budget = budget
    opts.wait_for_indexes = True
    report = Report(budgets)
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        by_repo[c["repo"]].append(c)
    out = open(dump, "w", encoding="utf-8") if dump else None
    done = 0
    try:
        for repo in sorted(by_repo):
            root = os.path.join(corpus, repo)
            if not os.path.isdir(root):
                raise FileNotFoundError(f"repository {repo!r} is not in the corpus {corpus}")
            run = RepoRun(root, strategies, workers)
            try:
                for case in by_repo[repo]:
                    for r in run_case(run, case, strategies, budget, opts):
                        report.results.append(r)
                        if out is not None:
                            out.write(json.dumps({"id": r.id, "strategy": r.strategy, "items": r.items,
                                                  "ms": round(r.ms, 3)}) + "\n")
                    done += 1
                    if progress:
                        progress(done, len(cases), case["id"])
            finally:
                run.close()
    finally:
        if out is not None:
            out.close()
    return report


def print_summary(report: Report, strategies: tuple[str, ...], stream=sys.stdout) -> None:
    b = report.budgets
    head = ["strategy", "n"] + [f"R@{x}" for x in b] + ["p50 ms", "p95 ms"]
    stream.write(" | ".join(head) + "\n")
    for s in strategies:
        n = sum(1 for r in report.results if r.strategy == s)
        rec = report.recall(s)
        p50, p95 = report.latency(s)
        row = [s, str(n)] + [f"{rec[x]:.3f}" for x in b] + [f"{p50:.1f}", f"{p95:.1f}"]
        stream.write(" | ".join(row) + "\n")
    groups = sorted({r.repo for r in report.results} | {r.kind for r in report.results} - {""})
    if len(groups) > 1:
        stream.write("\nby group (" + ", ".join(strategies) + f"), recall@{b[0]}..{b[-1]}\n")
        for g in groups:
            parts = []
            for s in strategies:
                rec = report.recall(s, g)
                parts.append(f"{s} " + "/".join(f"{rec[x]:.2f}" for x in b))
            n = sum(1 for r in report.results if r.strategy == strategies[0] and g in (r.repo, r.kind))
            stream.write(f"  {g:<14} n={n:<4} " + "  ".join(parts) + "\n")


def summary_json(report: Report, strategies: tuple[str, ...]) -> dict:
    out = {"budgets": report.budgets, "strategies": {}}
    for s in strategies:
        p50, p95 = report.latency(s)
        out["strategies"][s] = {"n": sum(1 for r in report.results if r.strategy == s),
                                "recall": {str(k): v for k, v in report.recall(s).items()},
                                "p50_ms": p50, "p95_ms": p95,
                                "mean_ms": statistics.mean([r.ms for r in report.results if r.strategy == s] or [0])}
    return out
