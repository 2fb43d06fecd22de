"""Signature help from the map on released code: at every call site (cursor just after the
`(`), how often the map answers itself, whether its callee is the one the map's references
resolve to, and how long it takes (in process, no LSP, no jedi).

    python bench/signature_help_bench.py [--releases /work/cache/releases] [--projects ...]

`help names it`: the call's reference resolves to a workspace function, method or class and the
help names it (label starts with its name); `names another`: the help names something else
(wrong); `left to jedi`: the map gives no signature (classes whose `__init__` comes from an
outside base or a decorator, by design); `map answers`: help with a signature from the map at
any call site (the rest go to jedi in the server: installed, stdlib, untyped receivers).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from ssc_lsp.map.records import CLASS, FUNCTION, METHOD  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.signature_help import signature_help  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402

PROJECTS = ["requests-2.32.3", "click-8.1.7", "attrs-24.2.0"]


def run(root: Path) -> dict:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    texts: dict[str, bytes] = {}

    def source(path: str) -> bytes | None:
        if path not in texts:
            texts[path] = (root / path).read_bytes()
        return texts[path]

    calls = answered = workspace = agrees = other = 0
    times: list[float] = []
    for fm in list(svc.ws.files.values()):
        data = source(fm.path)
        tree = svc.parsers.get(fm.language).parse(data)
        for unit in fm.units:
            for ref in unit.refs:
                if ref.nargs < 0 or ref.kind not in ("name", "attribute"):
                    continue
                end = unit.start_byte + ref.byte + len(ref.name.encode())
                paren = data.find(b"(", end)
                if paren < 0 or data[end:paren].strip():
                    continue
                calls += 1
                t0 = time.perf_counter()
                help_ = signature_help(svc.resolver, fm, data, tree, paren + 1, source)
                times.append((time.perf_counter() - t0) * 1000)
                got = help_ is not None and help_.signature is not None
                answered += got
                t = svc.resolver.resolve_ref(fm, ref, unit)
                if isinstance(t, Located) and t.symbol.kind in (FUNCTION, METHOD, CLASS):
                    workspace += 1
                    named = got and help_.signature.label.startswith(t.symbol.name + "(")
                    agrees += named
                    other += got and not named
    times.sort()
    return {"calls": calls, "answered": answered, "workspace": workspace, "agrees": agrees,
            "other": other,
            "p50": statistics.median(times), "p99": times[int(len(times) * 0.99)]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--releases", type=Path, default=Path("/work/cache/releases"))
    ap.add_argument("--projects", nargs="*", default=PROJECTS)
    args = ap.parse_args()
    print("| project | call sites | map answers | to a workspace callable | help names it | "
          "names another (wrong) | left to jedi | p50 ms | p99 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in args.projects:
        r = run(args.releases / name)
        print(f"| {name} | {r['calls']} | {r['answered']} | {r['workspace']} | {r['agrees']} "
              f"({r['agrees'] / max(1, r['workspace']):.1%}) | {r['other']} | "
              f"{r['workspace'] - r['agrees'] - r['other']} | {r['p50']:.2f} | {r['p99']:.2f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
