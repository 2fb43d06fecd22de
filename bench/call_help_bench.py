"""Signature help in the brace languages (map/call_help.py) on real code: at sampled call sites
of a Go, Java, JavaScript/TypeScript or Rust tree, with the cursor just after the call's `(` and
just after its first argument's `,`, how often help answers, whether its label is the callee's,
and whether the active parameter is the one the comma moves to. In process, no LSP.

    python bench/call_help_bench.py ROOT [ROOT...] [--n 600] [--seed 1]

Per call site (a reference the map records as called, inside a tree-sitter call node with an
`arguments` field): `answers`: at least one signature after `(`; `names it`: every label names
the called name (`name(`); `agrees`: the signature's symbol is the one the map resolves the
complete call to (Java: the overload it picks is among those shown); `active ok`: after the first
`,` of a call of 2+ arguments, the active parameter is 1 (or the variadic last one), judged only
where help answers. The label and the map's own resolution share the resolver, so `agrees` is
consistency, not ground truth; `names it` is independent of the resolver.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from ssc_lsp.map.call_help import brace_signatures, candidates  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402


def call_sites(svc: MapService, root: Path):
    """(file map, data, tree, ref, unit, arguments node) for every called reference in a call node."""
    for fm in list(svc.ws.files.values()):
        if fm.language.calls is None:
            continue
        data = (root / fm.path).read_bytes()
        tree = svc.parsers.get(fm.language).parse(data)
        for unit in fm.units:
            for ref in unit.refs:
                if ref.nargs < 0 or ref.kind not in ("name", "attribute"):
                    continue
                b = unit.start_byte + ref.byte
                node = tree.root_node.descendant_for_byte_range(b, b + 1)
                args = None
                for _ in range(4):
                    if node is None:
                        break
                    args = node.child_by_field_name("arguments")
                    if args is not None and args.start_byte > b:
                        break
                    args, node = None, node.parent
                if args is None or not args.children or args.children[0].type != "(":
                    continue
                yield fm, data, tree, ref, unit, args


def run(root: Path, n: int, seed: int) -> dict:
    svc = MapService(str(root), MapOptions(persist=False))
    t0 = time.perf_counter()
    svc.index()
    index_s = time.perf_counter() - t0
    sites = list(call_sites(svc, root))
    random.Random(seed).shuffle(sites)
    sites = sites[:n]
    answers = names = agrees = resolved = commas = active_ok = 0
    times: list[float] = []
    for fm, data, tree, ref, unit, args in sites:
        t = time.perf_counter()
        sigs = brace_signatures(svc.resolver, fm, data, args.children[0].end_byte, tree) or []
        times.append((time.perf_counter() - t) * 1000)
        target = svc.resolver.resolve_ref(fm, ref, unit)
        resolved += isinstance(target, Located)
        if not sigs:
            continue
        answers += 1
        names += all(f"{ref.name}(" in s.label for s in sigs)
        if isinstance(target, Located):
            row, col = ref.row + unit.start_row, ref.col
            agrees += any(c.symbol.id == target.symbol.id or c.symbol.parent == target.symbol.qualname
                          for c in candidates(svc.resolver, fm, row, col, True))
        comma = next((c for c in args.children if c.type == ","), None)
        if comma is None:
            continue
        after = brace_signatures(svc.resolver, fm, data, comma.end_byte, tree) or []
        if not after:
            continue
        commas += 1
        s = after[0]
        params = s.params
        variadic = "..." in s.label
        want = 1 if len(params) > 1 else (0 if variadic and params else None)
        active_ok += s.active == want
    times.sort()
    return {"files": len(svc.ws.files), "index_s": index_s, "sites": len(sites), "resolved": resolved,
            "answers": answers, "names": names, "agrees": agrees, "commas": commas, "active_ok": active_ok,
            "p50": statistics.median(times) if times else 0.0,
            "p99": times[int(len(times) * 0.99)] if times else 0.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("roots", nargs="+", type=Path)
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print("| tree | files | call sites | map resolves the call | help answers | label names the callee | "
          "agrees with the map's callee | active after 1st `,` right | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for root in args.roots:
        r = run(root, args.n, args.seed)
        a = max(1, r["answers"])
        print(f"| {root.name} | {r['files']} | {r['sites']} | {r['resolved']} | {r['answers']} "
              f"({r['answers'] / max(1, r['sites']):.0%}) | {r['names']} ({r['names'] / a:.1%}) | "
              f"{r['agrees']} ({r['agrees'] / a:.1%}) | {r['active_ok']}/{r['commas']} | "
              f"{r['p50']:.2f} | {r['p99']:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
