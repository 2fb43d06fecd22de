"""`ssc-lsp feedback export | path`: preference pairs from the local feedback log.

`export` reads the shown/accepted events (docs/feedback.md) and writes one JSON object a line:
`{"id", "prompt": {path, language, prefix, suffix, context}, "accepted", "rejected", "source",
"reasons"}`. `path` prints where the events are written. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..suggest.feedback import events_path, preference_pairs, read_events


def add_parser(sub) -> None:
    p = sub.add_parser("feedback", help="the local feedback log: export preference pairs")
    fsub = p.add_subparsers(dest="action", required=True)
    e = fsub.add_parser("export", help="write (prompt, accepted, rejected) pairs as JSONL")
    e.add_argument("--events", help="the events file (default: the user data dir)")
    e.add_argument("-o", "--output", help="write here instead of stdout")
    e.set_defaults(run=export)
    w = fsub.add_parser("path", help="print where feedback events are written")
    w.set_defaults(run=lambda a: print(events_path()) or 0)


def export(args) -> int:
    src = Path(args.events) if args.events else events_path()
    if not src.is_file():
        sys.stderr.write(f"no feedback events at {src} (feedback.enabled is off by default)\n")
        return 1
    pairs = list(preference_pairs(read_events(src)))
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        for pair in pairs:
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    sys.stderr.write(f"{len(pairs)} preference pairs from {src}\n")
    return 0
