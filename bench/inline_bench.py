"""The server's own overhead on an inline completion, the model excluded, on Django 5.2.

Positions: the first code line of a function body's statements, in the largest Django modules,
opened as editor documents with that line's code removed (the cursor after its indentation). The
"model" is in-process and instant and answers with the removed code, so the check resolves real
names on real receivers; its time is measured and subtracted anyway. Two configurations:

* `debounce 0`: the context engine on the critical path (an explicitly invoked completion);
* `debounce 150 ms` (the default): the context is assembled in a worker thread while the
  debounce runs, so only what exceeds the debounce counts.

A third configuration gives the model 300 ms (a fast endpoint) before its first piece: the
questions the check puts to jedi about the cursor's receiver are answered while it "writes".

overhead = total wall time - time inside the model's stream - the debounce. Prints p50/p95 of the
overhead and its parts (context, check), and with --lsp the same completions through the real
server over stdio against the scripted HTTP endpoint (JSON-RPC, HTTP and SSE included).

    python bench/inline_bench.py [--corpus DIR] [--n 200] [--json OUT] [--lsp]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from map_bench import fetch_django, pct  # noqa: E402
from ssc_lsp.config import Config  # noqa: E402
from ssc_lsp.context.engine import engine_for  # noqa: E402
from ssc_lsp.llm import CompletionRequest  # noqa: E402
from ssc_lsp.map.records import FUNCTION, METHOD  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.suggest.assistant import Assistant  # noqa: E402
from ssc_lsp.suggest.spot import Spot  # noqa: E402

DIAGNOSTICS = True  # --no-diagnostics: the server's workspace-wide check off (it shares the loop)
CLIENT = "visual-studio-code"  # --client: whose recorded capabilities the stdio runs declare


class InstantModel:
    """A Provider that answers at once with the code the benchmark removed at the cursor."""

    name = "bench"

    def __init__(self, delay: float = 0.0) -> None:
        self.answer = ""
        self.delay = delay

    async def stream_completion(self, request: CompletionRequest):
        text = self.answer
        if self.delay:
            await asyncio.sleep(self.delay)
        for i in range(0, len(text), 8):
            yield text[i:i + 8]

    def request_key(self, request: CompletionRequest) -> str:
        blob = json.dumps([request.prefix, request.suffix, request.context, request.kind])
        return hashlib.sha256(blob.encode()).hexdigest()

    def count_tokens(self, text: str) -> int:
        return len(text) // 4

    def describe(self) -> str:
        return "instant in-process model"

    async def aclose(self) -> None:
        pass


def positions(svc: MapService, n: int, seed: int) -> list[tuple[str, int, str]]:
    """(file, row, removed code) at statement lines inside functions of the largest modules."""
    rng = random.Random(seed)
    files = sorted(svc.ws.files.values(), key=lambda fm: -fm.lines)[:25]
    out = []
    for fm in files:
        text = svc.text_of(fm.path) or ""
        lines = text.split("\n")
        rows = set()
        for s in fm.symbols:
            if s.kind in (FUNCTION, METHOD):
                r = s.range
                for row in range(r[0] + 1, min(r[2], r[0] + 12) + 1):
                    code = lines[row].strip() if row < len(lines) else ""
                    if code and not code.startswith(("#", '"', "'", ")", "]", "}")) and \
                            len(code) > 8 and not lines[row].rstrip().endswith((",", "(", "\\")):
                        rows.add(row)
        for row in rng.sample(sorted(rows), min(len(rows), max(1, n // len(files) + 1))):
            out.append((fm.path, row, lines[row].strip()))
    rng.shuffle(out)
    return out[:n]


async def run_inprocess(svc: MapService, cases, debounce: float, model_s: float = 0.0
                        ) -> list[dict]:
    model = InstantModel(model_s)
    cfg = Config()
    a = Assistant(lambda: cfg, provider_factory=lambda s, e: (model, "bench"))
    results = []
    for rel, row, code in cases:
        text = svc.text_of(rel) or ""
        lines = text.split("\n")
        indent = lines[row][:len(lines[row]) - len(lines[row].lstrip())]
        lines[row] = indent
        svc.open(rel, "\n".join(lines), 1)
        model.answer = code
        # the harness opens whole files (an editor sends small edits): collect their garbage
        # outside the measured window, as the server's gc.freeze() after indexing does for the map
        gc.collect()
        spot = Spot.take(svc, rel, row, len(indent.encode()))
        out = await a.suggest(spot, debounce=debounce, use_cache=False)
        svc.close(rel)
        g = out.grounded
        results.append({"file": rel, "row": row, "overhead": out.timings.get("overhead", 0.0),
                        "context": out.timings.get("context", 0.0),
                        "contextWait": out.timings.get("contextWait", 0.0),
                        "check": out.timings.get("check", 0.0),
                        "post": out.timings.get("post", 0.0),
                        "jediWait": out.timings.get("jediWait", 0.0),
                        "other": out.timings.get("overhead", 0.0) - out.timings.get("check", 0.0)
                        - out.timings.get("post", 0.0) - out.timings.get("contextWait", 0.0)
                        - out.timings.get("jediWait", 0.0),
                        "model": out.timings.get("model", 0),
                        "outcome": g.outcome if g else None,
                        "checked": g.first.checked if g else 0,
                        "unknown": len(g.first.unknown) if g else 0,
                        "issues": [i.message for i in g.first.issues] if g else []})
    await a.aclose()
    return results


def summary(rows: list[dict], key: str) -> dict:
    values = sorted(r[key] for r in rows)
    return {"p50": round(pct(values, 50), 2), "p95": round(pct(values, 95), 2),
            "max": round(values[-1], 2), "mean": round(statistics.fmean(values), 2)}


async def run_lsp(root: Path, cases, n: int, debounce_ms: int = 0) -> dict:
    """The same completions through `python -m ssc_lsp` over stdio, against the HTTP fake:
    wall time at the client minus the time the fake spent answering (JSON-RPC, the HTTP client,
    SSE parsing and the event loop included). With `debounce_ms`, the requests are automatic
    (as while typing) and the debounce is subtracted too; with 0, explicitly invoked."""
    import attrs
    from lsprotocol import types
    from pytest_lsp import client_capabilities
    from pytest_lsp.client import make_test_lsp_client
    from tests.e2e.lsp import wait_ready
    from tests.fake_openai import FakeOpenAI, Reply

    # this process holds Django's map and context indexes (for choosing positions): out of the
    # cyclic GC's reach, or its full collections (100+ ms) land in the client's timings
    gc.collect()
    gc.freeze()
    answers: dict[str, str] = {}

    def handler(record):
        return Reply(text=answers.get("next", ""))

    fake = FakeOpenAI(handler=handler).start()
    client = make_test_lsp_client()
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    await client.start_io(sys.executable, "-m", "ssc_lsp")
    base = client_capabilities(CLIENT)
    caps = attrs.evolve(base, text_document=attrs.evolve(
        base.text_document, inline_completion=types.InlineCompletionClientCapabilities()))
    await client.initialize_session(types.InitializeParams(
        capabilities=caps, root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="django")],
        initialization_options={"llm": {"baseUrl": fake.base_url, "model": "m", "retries": 0},
                                "completion": {"debounceMs": debounce_ms},
                                "diagnostics": {"enabled": DIAGNOSTICS}}))
    trigger = types.InlineCompletionTriggerKind.Automatic if debounce_ms else \
        types.InlineCompletionTriggerKind.Invoked
    await wait_ready(client, 300)
    await asyncio.sleep(3)  # the context indexes build in the background after the map
    wall, fake_ms, inner, totals, models, handlers = [], [], [], [], [], []
    for rel, row, code in cases[:n]:
        path = root / rel
        lines = path.read_text().split("\n")
        indent = lines[row][:len(lines[row]) - len(lines[row].lstrip())]
        lines[row] = indent
        uri = path.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1,
                                                 text="\n".join(lines))))
        answers["next"] = code
        # an editor opens a file once and then types: let the open settle (the map of the file,
        # its diagnostics after their debounce) before timing the completion
        await client.protocol.send_request_async("ssc/status", {})
        await asyncio.sleep(0.5)
        before = len(fake.completion_requests())
        t = time.perf_counter()
        await client.protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionParams(
                context=types.InlineCompletionContext(trigger_kind=trigger),
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(row, len(indent))))
        wall.append((time.perf_counter() - t) * 1000)
        reqs = fake.completion_requests()[before:]
        for r in reqs:  # the fake stamps its end after the last write: wait for the stamp
            await asyncio.to_thread(fake.wait_for_end, r, 5)
        fake_ms.append(sum((r.ended - r.started) * 1000 for r in reqs if r.ended))
        stats = await client.protocol.send_request_async("ssc/stats", {})
        last = stats.lastTimings if hasattr(stats, "lastTimings") else stats["lastTimings"]
        last = last if isinstance(last, dict) else last._asdict()
        inner.append(last.get("overhead"))
        totals.append(last.get("total"))
        models.append(last.get("model"))
        handlers.append(last.get("handler"))
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
    await client.shutdown_session()
    await client.stop()
    fake.stop()
    over = sorted(w - f - debounce_ms for w, f in zip(wall, fake_ms, strict=True))
    inside = sorted(x for x in inner if x is not None)
    # outside the pipeline: the request's way in and out (JSON-RPC, pygls, the handler), and
    # the HTTP client's own share of the model's time (the openai package, httpx, SSE)
    transport = sorted(w - t for w, t in zip(wall, totals, strict=True) if t is not None)
    # of which outside the handler: JSON-RPC in and out, and the wait for the loop to dispatch
    rpc = sorted(w - h for w, h in zip(wall, handlers, strict=True) if h is not None)
    http = sorted(m - f for m, f in zip(models, fake_ms, strict=True) if m is not None)

    def p(values: list[float], q: int) -> float | None:
        return round(pct(values, q), 2) if values else None

    return {"n": len(over), "p50": p(over, 50), "p95": p(over, 95), "max": round(over[-1], 2),
            "pipeline_p50": p(inside, 50), "pipeline_p95": p(inside, 95),
            "transport_p50": p(transport, 50), "transport_p95": p(transport, 95),
            "rpc_p50": p(rpc, 50), "rpc_p95": p(rpc, 95),
            "http_client_p50": p(http, 50), "http_client_p95": p(http, 95)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(HERE / ".corpus"))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--model-ms", type=int, default=300,
                    help="the third configuration's model latency (jedi works meanwhile)")
    ap.add_argument("--json")
    ap.add_argument("--lsp", action="store_true", help="also through the real server over stdio")
    ap.add_argument("--lsp-only", action="store_true", help="only the runs over stdio")
    ap.add_argument("--client", default="visual-studio-code",
                    help="pytest-lsp's recorded client capabilities, e.g. neovim")
    ap.add_argument("--no-diagnostics", action="store_true",
                    help="with --lsp: turn the server's continuity diagnostics off")
    args = ap.parse_args()
    root = fetch_django(Path(args.corpus))
    svc = MapService(str(root), MapOptions(persist=True, cache_dir=str(HERE / ".corpus" / "cache")))
    t = time.perf_counter()
    svc.index()
    print(f"map of {root}: {len(svc.ws.files)} files in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    engine_for(svc).warm()
    print(f"context indexes in {time.perf_counter() - t:.1f} s")
    cases = positions(svc, args.n, args.seed)
    report: dict = {"corpus": str(root), "n": len(cases)}
    if not args.lsp_only:
        asyncio.run(run_inprocess(svc, cases[:20], 0.0))  # warm-up (first-time costs, jedi)
    configs = (("debounce0", 0.0, 0.0), ("debounce150", 0.15, 0.0),
               (f"debounce150_model{args.model_ms}", 0.15, args.model_ms / 1000))
    for label, debounce, model_s in configs if not args.lsp_only else ():
        rows = asyncio.run(run_inprocess(svc, cases, debounce, model_s))
        outcomes = {o: sum(1 for r in rows if r["outcome"] == o)
                    for o in ("passed", "repaired", "dropped", None)}
        report[label] = {k: summary(rows, k) for k in ("overhead", "context", "contextWait",
                                                        "check", "post", "jediWait", "other",
                                                        "model")}
        report[label]["jedi_waited"] = sum(1 for r in rows if r["jediWait"] > 0)
        report[label]["outcomes"] = {str(k): v for k, v in outcomes.items()}
        report[label]["checked_per_suggestion"] = round(statistics.fmean(r["checked"] for r in rows), 2)
        report[label]["unknown_per_suggestion"] = round(statistics.fmean(r["unknown"] for r in rows), 2)
        report[label]["false_alarms"] = [(r["file"], r["row"], r["issues"]) for r in rows
                                         if r["issues"]][:20]
        o = report[label]["overhead"]
        print(f"{label}: overhead p50 {o['p50']} ms, p95 {o['p95']} ms (max {o['max']}); "
              f"context p50 {report[label]['context']['p50']} p95 {report[label]['context']['p95']}; "
              f"check p50 {report[label]['check']['p50']} p95 {report[label]['check']['p95']}; "
              f"post p95 {report[label]['post']['p95']}; jedi wait p95 "
              f"{report[label]['jediWait']['p95']} ({report[label]['jedi_waited']} waited); "
              f"other p95 {report[label]['other']['p95']}; "
              f"outcomes {report[label]['outcomes']}")
    if args.lsp or args.lsp_only:
        global DIAGNOSTICS, CLIENT
        DIAGNOSTICS = not args.no_diagnostics
        CLIENT = args.client
        report["lsp_diagnostics"] = DIAGNOSTICS
        report["lsp"] = asyncio.run(run_lsp(root, cases, min(args.n, 100)))
        print(f"over stdio + HTTP, invoked (model time at the fake subtracted): {report['lsp']}")
        report["lsp_automatic150"] = asyncio.run(run_lsp(root, cases, min(args.n, 100), 150))
        print(f"over stdio + HTTP, automatic (model time and the 150 ms debounce subtracted): "
              f"{report['lsp_automatic150']}")
    svc.close_store()
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
