"""How much a misbehaving endpoint can cost the server: time to give up on a drip and a hang,
bytes read and memory for a 10 MB answer, requests made for each.

Each scenario runs in a subprocess, once against this tree and once against a baseline commit
(default: 6a260c9, before the bounds; exported with `git archive` to a temp dir), against the
scripted server of tests/fake_openai.py on loopback, in a process of its own (so the memory
measured, tracemalloc's peak, is the suggestion's alone). Through the whole suggestion pipeline
(suggest/assistant.py: post-processing, the check, the repair round), not just the client.

    python bench/llm_limits_bench.py [--baseline COMMIT] [--repeat 3] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# scaled-down settings for both trees, so the unbounded baseline finishes in a minute: a read
# waits at most 1.5 s, the request (new tree only) 2 s, two retries as by default
SETTINGS = {"timeout_ms": 1500, "request_timeout_ms": 2000, "retries": 2}
WORKSPACE = 'def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    \n'


SCENARIOS = {  # replies of tests/fake_openai.py (its Reply fields)
    "drip": {"chunks": ["x "] * 128, "chunk_delay": 0.25},  # 4 tokens a second: 32 s
    "hang": {"hang": True},
    "huge-line": {"chunks": ["x" * 10_000_000]},  # one 10 MB event without a newline
    "huge-pieces": {"chunks": ["x" * 1000], "repeat": 10_000},  # 10,000 events of 1 KB
}
FAKE = REPO / "tests" / "fake_openai.py"


def _requests(base: str) -> list[dict]:
    with urllib.request.urlopen(base + "/_fake/requests", timeout=10) as r:
        return [q for q in json.loads(r.read()) if q["path"].endswith("completions")]


async def run_one(name: str, root: str, base: str) -> dict:
    from ssc_lsp.config import Config
    from ssc_lsp.llm.settings import LLMSettings
    from ssc_lsp.map.service import MapOptions, MapService
    from ssc_lsp.suggest.assistant import Assistant
    from ssc_lsp.suggest.spot import Spot

    fields = set(LLMSettings.__dataclass_fields__)
    cfg = Config()
    cfg.llm.base_url, cfg.llm.model = base + "/v1", "m"
    for k, v in SETTINGS.items():
        if k in fields:
            setattr(cfg.llm, k, v)
    svc = MapService(root, MapOptions(persist=False))
    svc.index()
    svc.open("m.py", WORKSPACE, 1)
    said: list[str] = []
    assistant = Assistant(lambda: cfg, said.append)
    provider = assistant.providers.get(cfg.llm)
    tracemalloc.start()
    t = time.perf_counter()
    out = await assistant.suggest(Spot.take(svc, "m.py", 5, 4), use_cache=False)
    took = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    read = getattr(provider, "bytes_read", None)
    await assistant.aclose()
    await asyncio.sleep(0.5)  # let the server notice the closed connections
    requests = _requests(base)
    return {"seconds": round(took, 2), "requests": len(requests),
            "bytes_sent": sum(r.get("bytes_sent", 0) for r in requests),
            "bytes_read": read, "peak_mb": round(peak / 1e6, 1),
            "shown": bool(out.text), "error": (out.error or "")[:120]}


def child(name: str) -> None:
    """One scenario, the scripted server in a process of its own (its memory is not ours)."""
    with tempfile.TemporaryDirectory() as root:
        Path(root, "m.py").write_text(WORKSPACE)
        script = Path(root, "script.json")
        script.write_text(json.dumps({"default": SCENARIOS[name]}))
        fake = subprocess.Popen([sys.executable, str(FAKE), "--port", "0", "--script", str(script)],
                                stdout=subprocess.PIPE, text=True)
        try:
            base = f"http://127.0.0.1:{int(fake.stdout.readline())}"
            print(json.dumps(asyncio.run(run_one(name, root, base))))
        finally:
            fake.terminate()
            fake.wait(timeout=10)


def measure(tree: Path, name: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree / "server"))
    proc = subprocess.run([sys.executable, __file__, "--child", name], env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        return {"failed": proc.stderr[-400:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict]) -> dict:
    if any("failed" in r for r in runs):
        return runs[0]
    out = dict(runs[-1])
    for k in ("seconds", "peak_mb", "bytes_read", "bytes_sent", "requests"):
        values = [r[k] for r in runs if isinstance(r.get(k), int | float)]
        if values:
            out[k] = statistics.median(values)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child")
    ap.add_argument("--baseline", default="6a260c9")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return 0
    results: dict = {"settings": SETTINGS, "baseline": args.baseline, "scenarios": {}}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline, "server"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        for name in SCENARIOS:
            row = {}
            for label, tree in (("baseline", base), ("now", REPO)):
                # the unbounded baseline runs once (its cases take a minute or two each)
                n = 1 if label == "baseline" else args.repeat
                row[label] = median_of([measure(tree, name) for _ in range(n)])
                print(name, label, row[label], flush=True)
            b, now = row["baseline"], row["now"]
            if "seconds" in b and "seconds" in now and now["seconds"]:
                row["time_ratio"] = round(b["seconds"] / now["seconds"], 1)
            if b.get("peak_mb") and now.get("peak_mb"):
                row["memory_ratio"] = round(b["peak_mb"] / now["peak_mb"], 1)
            results["scenarios"][name] = row
    text = json.dumps(results, indent=1)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
