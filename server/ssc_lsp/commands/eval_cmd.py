"""`ssc-lsp eval context`: run the context engine and its baselines on CrossCodeEval-style cases."""

from __future__ import annotations

import json
import sys

from ..context.engine import ContextOptions
from ..context.evaluate import STRATEGIES, evaluate, load_cases, print_summary, summary_json


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="measure a component on a benchmark")
    what = p.add_subparsers(dest="what", required=True)
    c = what.add_parser("context", help="recall of the context engine and baselines at budgets")
    c.add_argument("--cases", required=True, help="cases, one JSON object a line")
    c.add_argument("--corpus", required=True, help="folder holding one folder per repository")
    c.add_argument("--budgets", default="2000,4000,8000,16000", help="comma-separated characters")
    c.add_argument("--strategy", default=",".join(STRATEGIES),
                   help=f"comma-separated, of {', '.join(STRATEGIES)}")
    c.add_argument("--dump", metavar="OUT.jsonl", help="one line per case and strategy")
    c.add_argument("--json", action="store_true", help="print the summary as JSON")
    c.add_argument("--limit", type=int, default=0, help="only the first N cases (a smoke run)")
    c.add_argument("--ids", default="", help="comma-separated case ids to run")
    c.add_argument("--jedi-deadline-ms", type=float, default=-1,
                   help="how long the engine waits for jedi (default: until it answers)")
    c.add_argument("--no-jedi", action="store_true", help="the map alone")
    c.add_argument("--workers", type=int, default=0, help="indexing processes (0: one per core)")
    c.set_defaults(run=run)


def run(args) -> int:
    cases = load_cases(args.cases)
    if args.ids:
        want = set(args.ids.split(","))
        cases = [c for c in cases if c["id"] in want]
    if args.limit:
        cases = cases[: args.limit]
    budgets = [int(b) for b in args.budgets.split(",") if b.strip()]
    strategies = tuple(s.strip() for s in args.strategy.split(",") if s.strip())
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown or not budgets or not cases:
        sys.stderr.write(f"nothing to run (unknown strategies {unknown})\n" if unknown else "nothing to run\n")
        return 2
    deadline = None if args.jedi_deadline_ms < 0 else args.jedi_deadline_ms / 1000
    options = ContextOptions(jedi_deadline=deadline, use_jedi=not args.no_jedi)
    tty = sys.stderr.isatty()

    def progress(done: int, total: int, case_id: str) -> None:
        if tty:
            sys.stderr.write(f"\r{done}/{total} {case_id:<30}")
            sys.stderr.flush()

    report = evaluate(cases, args.corpus, budgets, strategies, args.dump, options, progress, args.workers)
    if tty:
        sys.stderr.write("\r" + " " * 50 + "\r")
    if args.json:
        json.dump(summary_json(report, strategies), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_summary(report, strategies)
    return 0
