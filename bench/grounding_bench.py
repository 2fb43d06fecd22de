"""Grounding with a real model on the development set (../shared/bench/cases.jsonl).

For a seeded sample of cases (the local model writes a line in seconds, so not all 340): the
file is cut at the cursor (the cases' protocol: everything after it removed) and the embedded
Gemma 3 270M completes the line three times, with the map's context, with the BM25 baseline's
context (CrossCodeEval's windows, context/baselines.py) and with no context, each in the same
character budget. Every suggestion goes through post-processing, the check and its repair round.

Reported per context strategy:

* invented names: suggestions that use a name that does not exist, before the check (what the
  model wrote) and after it (what would be shown), judged twice: by the check itself, and by an
  independent oracle, jedi (`goto` finds nothing for a bare name, or for a member of a receiver
  whose type jedi infers);
* next-identifier match: the suggestion's first identifier equals the case's `target` (the
  identifier that really follows in the file), before and after the check.

    python bench/grounding_bench.py [--n 40] [--seed 7] [--budget 1500] [--json OUT]

Needs the `local` extra (or --base-url for an endpoint). The corpus is downloaded with
../shared/bench/corpus.sh when missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "server"))

from ssc_lsp.context.baselines import WindowIndex, bm25_items  # noqa: E402
from ssc_lsp.context.engine import ContextOptions, engine_for  # noqa: E402
from ssc_lsp.context.tokens import Budget  # noqa: E402
from ssc_lsp.grounding import Checker, Externals, ground, repair_hints  # noqa: E402
from ssc_lsp.llm import CompletionRequest, LLMSettings, LocalProvider, make_provider  # noqa: E402
from ssc_lsp.llm.prompting import build_local_prompt  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.suggest.postprocess import Around, postprocess  # noqa: E402
from ssc_lsp.suggest.spot import tail  # noqa: E402

SHARED = REPO.parent / "shared" / "bench"
STRATEGIES = ("map", "bm25", "none")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PREFIX_CHARS = 1200


class WiderLocal(LocalProvider):
    """The embedded model with room for context: the server's default prompt keeps 160
    characters of facts (speed on a laptop CPU), which would hide the difference between
    context strategies. Here: up to `context_chars` of context and 1,200 of prefix (~750 tokens,
    within the runtime's 1,024)."""

    context_chars = 1500

    def build_prompt(self, request: CompletionRequest) -> str:
        return build_local_prompt(request, max_prefix_chars=PREFIX_CHARS,
                                  max_context_chars=self.context_chars)


def corpus_dir(arg: str | None) -> Path:
    for d in ([Path(arg)] if arg else []) + [Path("/work/corpus/dev"), HERE / ".corpus" / "dev"]:
        if d.is_dir() and any(d.iterdir()):
            return d
    dest = Path(arg) if arg else HERE / ".corpus" / "dev"
    subprocess.run(["bash", str(SHARED / "corpus.sh"), str(dest)], check=True)
    return dest


def sample(cases: list[dict], n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        by_repo[c["repo"]].append(c)
    per = max(1, n // len(by_repo))
    out = []
    for repo in sorted(by_repo):
        out += rng.sample(by_repo[repo], min(per, len(by_repo[repo])))
    return out[:n]


def first_identifier(line_prefix: str, text: str) -> str | None:
    """The identifier at the cursor once the suggestion is in (the typed part included)."""
    partial = _IDENT.search(line_prefix[::-1])
    typed = partial.group(0)[::-1] if partial and line_prefix.endswith(partial.group(0)[::-1]) else ""
    m = _IDENT.match(typed + text.lstrip() if not typed else typed + text)
    return m.group(0) if m else None


def with_body(text: str) -> str:
    """The file cut after the suggestion, given what its last line needs to stand: a decorator
    its function, a compound header its body (else jedi cannot bind `as s` or follow `@app.x`)."""
    last = text.rsplit("\n", 1)[-1]
    indent = last[:len(last) - len(last.lstrip())]
    if last.lstrip().startswith("@"):
        return f"{text}\n{indent}def _oracle_(): pass\n"
    if last.rstrip().endswith(":"):
        return f"{text}\n{indent}    pass\n"
    return text


def jedi_missing(project, path: str, text: str, row: int, col: int, length: int) -> list[str]:
    """The oracle: names in [col, col+length) of `row` that jedi cannot find."""
    import jedi

    text = with_body(text)
    try:
        script = jedi.Script(code=text, path=path, project=project)
        names = script.get_names(all_scopes=True, definitions=False, references=True)
    except Exception:
        return []
    line = text.split("\n")[row]
    out = []
    for n in names:
        if n.line - 1 != row or not (col <= n.column < col + length):
            continue
        try:
            if n.goto(follow_imports=True):
                continue
            before = line[:n.column].rstrip()
            if before.endswith("."):
                # a member: only when jedi knows the receiver's type
                if not script.infer(n.line, len(before) - 1 if len(before) > 0 else 0):
                    continue
            out.append(n.name)
        except Exception:
            continue
    return out


async def run_case(provider, case, svc, checker, windows, project, budget) -> list[dict]:
    rel = case["path"]
    text = svc.text_of(rel) or ""
    lines = text.split("\n")
    row, ch = case["line"], case["character"]
    head = lines[row][:ch]
    cut = "\n".join(lines[:row] + [head])
    doc = svc.open(rel, cut, 1)
    col = len(head.encode("utf-8"))
    offset = len(doc.data)
    around = Around.of(cut, "", doc.language)
    results = []
    for strategy in STRATEGIES:
        t0 = time.perf_counter()
        if strategy == "map":
            res = engine_for(svc).assemble(rel, row, col, ContextOptions(
                budget=Budget(budget), jedi_deadline=None, wait_for_indexes=True))
            context = res.text
        elif strategy == "bm25":
            context = "".join(it.text for it in bm25_items(windows, rel, lines[:row] + [head],
                                                           Budget(budget)))
        else:
            context = ""
        request = CompletionRequest(prefix=tail(cut, PREFIX_CHARS), suffix="", context=context,
                                    path=rel)
        raws: list[str] = []

        async def ask(req: CompletionRequest, raws: list[str] = raws) -> str:
            done = await provider.complete(req)
            raws.append(done.text)
            return postprocess(done.text, around, single_line=True)

        async def check(s: str):
            v, p = checker.check(doc.fm, doc.data, offset, s, doc.tree, doc.index)
            if v.pending:
                checker.settle(v, 30)
                v, p = checker.check(doc.fm, doc.data, offset, s, doc.tree, doc.index)
            return v, p

        def hints(placed, verdict):
            return repair_hints(svc.ws, placed, verdict.issues)

        first = await ask(request)
        row_item = {"id": case["id"], "repo": case["repo"], "kind": case["kind"],
                    "target": case["target"], "strategy": strategy, "context_chars": len(context),
                    "raw": raws[0] if raws else "", "first": first}
        if first.strip():
            g = await ground(first, request, check, ask, hints)
            full = cut + first
            row_item.update({
                "outcome": g.outcome, "final": g.text,
                "check_issues": [i.message for i in g.first.issues],
                "oracle_before": jedi_missing(project, svc.abspath(rel), full, row, len(head),
                                              len(first)),
                "oracle_after": jedi_missing(project, svc.abspath(rel), cut + g.text, row,
                                             len(head), len(g.text)) if g.text else [],
                "after_check_issues": ([i.message for i in g.last.issues] if g.text else []),
                "ident_before": first_identifier(head, first),
                "ident_after": first_identifier(head, g.text) if g.text else None,
            })
        else:
            row_item.update({"outcome": "empty", "final": "", "check_issues": [],
                             "oracle_before": [], "oracle_after": [], "after_check_issues": [],
                             "ident_before": None, "ident_after": None})
        row_item["seconds"] = round(time.perf_counter() - t0, 2)
        results.append(row_item)
        print(f"  {case['id']} {strategy:5} {row_item['outcome']:8} target={case['target']!r} "
              f"first={first!r} final={row_item['final']!r} ({row_item['seconds']} s)",
              flush=True)
    svc.close(rel)
    return results


def report(rows: list[dict]) -> dict:
    out: dict = {}
    for strategy in STRATEGIES:
        rs = [r for r in rows if r["strategy"] == strategy]
        made = [r for r in rs if r["first"].strip()]
        shown = [r for r in rs if r["final"]]
        n = len(rs)
        out[strategy] = {
            "cases": n,
            "suggestions": len(made),
            "invented_before_by_check": sum(1 for r in made if r["check_issues"]),
            "invented_before_by_jedi": sum(1 for r in made if r["oracle_before"]),
            "shown_after_check": len(shown),
            "invented_after_by_check": sum(1 for r in shown if r["after_check_issues"]),
            "invented_after_by_jedi": sum(1 for r in shown if r["oracle_after"]),
            "passed": sum(1 for r in rs if r["outcome"] == "passed"),
            "repaired": sum(1 for r in rs if r["outcome"] == "repaired"),
            "dropped": sum(1 for r in rs if r["outcome"] == "dropped"),
            "next_identifier_before": sum(1 for r in rs if r["ident_before"] == r["target"]),
            "next_identifier_after": sum(1 for r in rs if r["ident_after"] == r["target"]),
            "mean_context_chars": round(sum(r["context_chars"] for r in rs) / max(1, n)),
            "mean_seconds": round(sum(r["seconds"] for r in rs) / max(1, n), 2),
        }
    return out


async def main_async(args) -> int:
    cases = [json.loads(x) for x in (SHARED / "cases.jsonl").read_text().splitlines() if x.strip()]
    chosen = sample(cases, args.n, args.seed)
    corpus = corpus_dir(args.corpus)
    meta = json.loads((SHARED / "corpus.json").read_text())
    settings = LLMSettings(provider="local", temperature=0.0, max_tokens=24)
    if args.base_url:
        settings = LLMSettings(base_url=args.base_url, model=args.model or "", temperature=0.0,
                               max_tokens=48, api=args.api)
        provider, why = make_provider(settings)
        if provider is None:
            sys.exit(f"no model: {why}")
    else:
        provider = WiderLocal(settings)
        WiderLocal.context_chars = args.budget
        t = time.perf_counter()
        await provider.warm_up()
        print(f"model loaded in {time.perf_counter() - t:.1f} s: {provider.describe()}")
    import jedi

    rows: list[dict] = []
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for c in chosen:
        by_repo[c["repo"]].append(c)
    for repo, cs in sorted(by_repo.items()):
        root = corpus / repo
        svc = MapService(str(root), MapOptions(persist=True,
                                              cache_dir=str(HERE / ".corpus" / "cache")))
        svc.index()
        engine_for(svc).warm()
        windows = WindowIndex(svc)
        extra = [str(root / p) for p in meta.get(repo, {}).get("sys_path", [])]
        checker = Checker(svc, Externals(str(root), extra))
        project = jedi.Project(str(root), added_sys_path=extra, smart_sys_path=True)
        print(f"{repo}: {len(svc.ws.files)} files, {len(cs)} cases", flush=True)
        for case in cs:
            rows += await run_case(provider, case, svc, checker, windows, project, args.budget)
        svc.close_store()
        if args.json:
            Path(args.json).write_text(json.dumps({"rows": rows, "report": report(rows)},
                                                  indent=1))
    await provider.aclose()
    summary = report(rows)
    print(json.dumps(summary, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps({"cases": len(chosen), "seed": args.seed,
                                               "budget": args.budget, "report": summary,
                                               "rows": rows}, indent=1))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="cases to sample (evenly per repository)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--budget", type=int, default=1500, help="context characters")
    ap.add_argument("--corpus", help="where the projects are unpacked")
    ap.add_argument("--json", help="write every suggestion and the report here")
    ap.add_argument("--base-url", help="an OpenAI-compatible endpoint instead of the local model")
    ap.add_argument("--model")
    ap.add_argument("--api", default="completions", choices=("chat", "completions"))
    args = ap.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
