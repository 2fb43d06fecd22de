"""The model's code actions (features/model_actions.py) on real projects, over stdio.

1. **Offer latency**: `textDocument/codeAction` at sampled lines inside functions of a project's
   files, with every source asked (the model's four among them), against the same positions
   with `context.only = ["quickfix"]` (the map's fixes alone: the model's sources are skipped),
   measured in the same run. The scripted endpoint must receive nothing while offering.
2. **Scripted answers judged by the check**: for sampled functions, each action resolved with a
   correct scripted answer made from the function itself (a plain docstring naming only its
   parameters; `object` annotations on everything missing one; a test importing the function
   and asserting it is callable), then with an invented name injected (the docstring names a
   helper nothing defines; an annotation names a type nothing defines; the test asks for a
   fixture nothing defines). Reported: correct answers that passed the check (no problem:
   precision), and injected inventions caught.

    python bench/model_actions_bench.py --corpus DIR [--projects flask,jinja2] [--positions 200]
                                        [--functions 8] [--seed 1] [--json OUT]

`DIR` is the development corpus (`bash /work/shared/bench/corpus.sh DIR`).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import random
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE.parent))

import attrs  # noqa: E402
from lsprotocol import types  # noqa: E402
from pytest_lsp import client_capabilities  # noqa: E402
from tests.e2e.lsp import open_doc, running  # noqa: E402
from tests.fake_openai import FakeOpenAI, Reply  # noqa: E402

from ssc_lsp.map.positions import LineIndex  # noqa: E402
from ssc_lsp.map.records import FUNCTION, METHOD  # noqa: E402
from ssc_lsp.map.service import MapService  # noqa: E402

INVENTED = "frobnicate_widget"
SETTLE_S = 5.0  # after opening the documents: their diagnostics pass runs


def caps() -> types.ClientCapabilities:
    base = client_capabilities("visual-studio-code")
    ca = attrs.evolve(base.text_document.code_action, tag_support=types.CodeActionTagOptions(
        value_set=[types.CodeActionTag.LlmGenerated]))
    return attrs.evolve(base, text_document=attrs.evolve(base.text_document, code_action=ca))


def functions(svc: MapService, rng: random.Random, n: int) -> list[tuple[str, object]]:
    """Sampled top-level functions and methods (not tests, not in package __init__ files)."""
    found = [(rel, s) for rel, fm in sorted(svc.ws.files.items())
             if rel.endswith(".py") and "test" not in rel and not rel.endswith("__init__.py")
             for s in fm.symbols if s.kind in (FUNCTION, METHOD) and not s.dynamic and s.signature]
    return rng.sample(found, min(n, len(found)))


def ms(xs: list[float]) -> dict:
    xs = sorted(xs)
    if not xs:
        return {"n": 0}
    return {"n": len(xs), "median_ms": round(statistics.median(xs) * 1000, 2),
            "p90_ms": round(xs[int(len(xs) * 0.9) - 1] * 1000, 2) if xs else None}


async def offer_latency(client, root: Path, svc: MapService, rng: random.Random, n: int) -> dict:
    """Both request kinds at each sampled position, in alternating order, on documents opened
    (and their diagnostics settled) before measuring."""
    picks = functions(svc, rng, n)
    opened = {rel: open_doc(client, root / rel) for rel in sorted({rel for rel, _ in picks})}
    await asyncio.sleep(SETTLE_S)
    timed: dict[bool, list[float]] = {True: [], False: []}
    offered = []
    for i, (rel, sym) in enumerate(picks):
        r = sym.range
        row = rng.randint(r[0], r[2])
        line, char = LineIndex((root / rel).read_bytes()).lsp_of_point(row, 0)
        pos = types.Position(line, char)
        for every in ((True, False) if i % 2 else (False, True)):
            kinds = None if every else [types.CodeActionKind.QuickFix]
            params = types.CodeActionParams(types.TextDocumentIdentifier(opened[rel]), types.Range(pos, pos),
                                            types.CodeActionContext(diagnostics=[], only=kinds))
            t0 = time.perf_counter()
            got = await client.text_document_code_action_async(params)
            timed[every].append(time.perf_counter() - t0)
            if every:
                offered.append(len([a for a in got or [] if "(ssc)" in a.title]))
    a, q = ms(timed[True]), ms(timed[False])
    return {"all_sources": a, "quickfix_only": q, "ratio_median": round(a["median_ms"] / q["median_ms"], 2),
            "model_actions_offered_mean": round(statistics.mean(offered), 2), "files_opened": len(opened)}


def scripted(kind: str, rel: str, sym, text: str, invent: bool) -> str:
    """A correct answer for `kind` on `sym`, or one with an invented name."""
    if kind == "docstring":
        params = [p.name for p in sym.signature.params if p.name not in ("self", "cls")]
        doc = f"Do what {sym.name} does." + (f"\n\nUses `{INVENTED}()` first." if invent else "")
        if params and not invent:
            doc += "\n\n" + "\n".join(f"{p}: a value." for p in params)
        return doc
    if kind == "annotate":
        node = _def_node(text, sym)
        t = INVENTED.title().replace("_", "") if invent else "object"
        args = node.args
        skip = args.posonlyargs[:1] + args.args[:1] if sym.kind == METHOD and "staticmethod" not in sym.decorators \
            else []
        for a in args.posonlyargs + args.args + args.kwonlyargs + [x for x in (args.vararg, args.kwarg) if x]:
            if a.annotation is None and a not in skip:
                a.annotation = ast.Name(t)
        if node.returns is None:
            node.returns = ast.Name(t)
        node.body, node.decorator_list = [ast.Pass()], []
        return "```python\n" + ast.unparse(node).split("\n")[0] + "\n```"
    module = rel[:-3].replace("/", ".").removeprefix("src.")
    name = sym.qualname.split(".")[0]
    arg = "tmp_path" if not invent else "made_up_fixture"
    return textwrap.dedent(f"""\
        from {module} import {name}


        def test_{name.lower()}_exists({arg}):
            assert {name} is not None
        """)


def _unannotated(sym) -> bool:
    sig = sym.signature
    return sig.returns is None or any(p.annotation is None for p in sig.params[1:] + sig.params[:1]
                                      if p.name not in ("self", "cls"))


def _def_node(text: str, sym):
    for n in ast.walk(ast.parse(text)):
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == sym.name \
                and n.lineno - 1 in range(sym.range[0], sym.range[0] + 1 + len(sym.decorators)):
            return n
    raise LookupError(sym.id)


TITLES = {"docstring": ("Generate a docstring for", "Update the docstring of"),
          "annotate": ("Add type annotations to",), "tests": ("Generate tests for",)}


async def judged(client, fake: FakeOpenAI, root: Path, svc: MapService, rng: random.Random, n: int) -> dict:
    out: dict = {}
    pool = functions(svc, rng, n * 20)
    for kind, prefixes in TITLES.items():
        picks = [x for x in pool if kind != "annotate" or _unannotated(x[1])]
        res = {"correct": 0, "passed": 0, "injected": 0, "caught": 0, "refused": 0, "false_alarms": [],
               "resolve_ms": []}
        done = 0
        for rel, sym in picks:
            if done >= n:
                break
            uri = open_doc(client, root / rel)
            line, char = LineIndex((root / rel).read_bytes()).lsp_of_point(sym.name_range[0], sym.name_range[1])
            params = types.CodeActionParams(types.TextDocumentIdentifier(uri), types.Range(
                types.Position(line, char), types.Position(line, char)), types.CodeActionContext(diagnostics=[]))
            got = await client.text_document_code_action_async(params)
            action = next((a for a in got or [] if a.title.startswith(prefixes) and f" {sym.name} " in a.title), None)
            if action is None:
                continue
            done += 1
            text = (root / rel).read_text()
            for invent in (False, True):
                fake.enqueue(Reply(text=scripted(kind, rel, sym, text, invent)))
                t0 = time.perf_counter()
                resolved = await client.code_action_resolve_async(action)
                res["resolve_ms"].append(time.perf_counter() - t0)
                edit = resolved.edit
                if edit is None:
                    res["refused"] += 1
                    continue
                summary = " ".join(a.description or "" for a in (edit.change_annotations or {}).values())
                key = ("injected", "caught") if invent else ("correct", "passed")
                res[key[0]] += 1
                ok = "checked: no problems" in summary
                if invent and not ok:
                    res["caught"] += 1
                elif not invent and ok:
                    res["passed"] += 1
                elif not invent:
                    res["false_alarms"].append(f"{rel}::{sym.qualname}: {summary[:200]}")
        res["resolve_ms"] = ms(res["resolve_ms"])
        out[kind] = res
    return out


async def run(root: Path, args) -> dict:
    rng = random.Random(args.seed)
    svc = MapService(str(root))
    svc.index()
    with FakeOpenAI() as fake:
        options = {"llm": {"baseUrl": fake.base_url, "model": "scripted", "retries": 0}}
        async with running(root, Path(tempfile.mkdtemp()), capabilities=caps(), options=options) as client:
            latency = await offer_latency(client, root, svc, rng, args.positions)
            asked = len(fake.completion_requests())
            scripted_ = await judged(client, fake, root, svc, rng, args.functions)
    return {"files": len(svc.ws.files), "offer": latency, "model_requests_while_offering": asked,
            "scripted": scripted_}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--projects", default="flask,jinja2")
    ap.add_argument("--positions", type=int, default=200)
    ap.add_argument("--functions", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = {}
    for name in args.projects.split(","):
        results[name] = asyncio.run(run(args.corpus / name, args))
        print(json.dumps({name: results[name]}, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
