"""The protocol fuzz suite run long, and `exit` timed in each state where it used to wait.

    python bench/fuzz_bench.py [--examples 5000] [--seeds 1 2] [--exit-runs 3] [--json]

Part 1 runs tests/fuzz/protocol.py's barrage (SSC_FUZZ_EXAMPLES requests per seed, each seed a
server of its own) and prints the counts: requests sent, answered by result / error code,
unanswered (hangs), internal errors, crashes, `exit` time and code, whether definition still
answers right afterwards. Part 2 starts a server per run in each state (idle, the embedded model
loading, a 1,500-file workspace indexing, jedi inferring, an HTTP request waiting on a slow
endpoint; tests/e2e/exit_states.py) and times `exit` from the write of the message to the
end of the process, after `shutdown` and without it; p50 and max per state.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "server"))

from tests.conftest import FIXTURE_WS  # noqa: E402
from tests.e2e import exit_states as st  # noqa: E402
from tests.e2e.raw import RawServer  # noqa: E402
from tests.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.fuzz.protocol import run  # noqa: E402


def fuzz(examples: int, seeds: list[int]) -> list[dict]:
    out = []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            report = run(Path(tmp), examples, seed)
        row = {"seed": seed, **report.summary(), "failures": report.failures()}
        out.append(row)
        print(json.dumps(row), flush=True)
    return out


def _one_exit(state: str, shutdown: bool, tmp: Path, big: Path) -> tuple[float, int | None]:
    env = st.env_model_loading() if state == "model loading" else None
    fake = FakeOpenAI().start() if state == "http in flight" else None
    try:
        with RawServer(tmp / f"cache-{time.monotonic_ns()}", env=env) as s:
            if state == "idle":
                st.initialize(s, FIXTURE_WS)
            elif state == "model loading":
                st.enter_model_loading(s)
            elif state == "indexing":
                st.enter_indexing(s, big)
            elif state == "jedi busy":
                ws = tmp / "jedi-ws"
                if not ws.exists():
                    import shutil

                    shutil.copytree(FIXTURE_WS, ws)
                st.enter_jedi_busy(s, ws)
            elif state == "http in flight":
                assert fake is not None
                fake.enqueue(Reply(text="x = 1", delay=60))
                st.enter_http_in_flight(s, fake.base_url)
                fake.wait_for_requests(1, timeout=20)
            if shutdown:
                s.request("shutdown")
            return s.exit_seconds(timeout=60)
    finally:
        if fake is not None:
            fake.stop()


STATES = ("idle", "model loading", "indexing", "jedi busy", "http in flight")


def exits(runs: int) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        big = st.big_workspace(tmp / "big")
        for state in STATES:
            for shutdown in (True, False):
                times, codes = [], []
                for _ in range(runs):
                    seconds, code = _one_exit(state, shutdown, tmp, big)
                    times.append(seconds)
                    codes.append(code)
                row = {"state": state, "shutdown": shutdown, "runs": runs,
                       "p50_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                       "codes": sorted(set(codes), key=str)}
                out.append(row)
                print(json.dumps(row), flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=int(os.environ.get("SSC_FUZZ_EXAMPLES", "5000")))
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--exit-runs", type=int, default=3)
    ap.add_argument("--skip-fuzz", action="store_true")
    ap.add_argument("--skip-exit", action="store_true")
    args = ap.parse_args()
    started = time.monotonic()
    if not args.skip_fuzz:
        rows = fuzz(args.examples, args.seeds)
        total = {"requests": sum(r["requests"] for r in rows),
                 "unanswered": sum(r["unanswered"] for r in rows),
                 "internal_errors": sum(r["internal_errors"] for r in rows),
                 "crashes": sum(r["crashes"] for r in rows)}
        print("fuzz total:", json.dumps(total))
    if not args.skip_exit:
        exits(args.exit_runs)
    print(f"done in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
