"""`exit` while a big workspace starts indexing: does any process outlive the server, and does
the client's stdout end with it? (the CI hang of tests/test_exit.py; map/workers.py)

    python bench/exit_race.py --runs 30 [--slow-flush] [--server-dir DIR]

Each run starts `python -m ssc_lsp` (from --server-dir, default this tree's server/) in a session
of its own, initializes it on a workspace of 1500 modules with an empty cache, sends `exit` after
a delay drawn from [0, 1.2] s (seeded), then reads the server's stdout to its end (3 s at most)
and lists the processes of its group still alive 2 s later. A worker started as `exit` came used
to survive, holding the client's stdout open: the harness then hung.

The window is milliseconds wide. `--slow-flush` widens it the way a client slow to read does:
the server's last flush takes 0.4 s (`process_exit.FLUSH_LIMIT_S` allows 0.5 s), while the index
thread goes on submitting batches (a sitecustomize on the server's path, this run only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.exit_states import big_workspace, group  # noqa: E402

SLOW_FLUSH = """
import time
try:
    import ssc_lsp.process_exit as pe
    _flush = pe._flush
    def _slow():
        time.sleep(0.4)
        _flush()
    pe._flush = _slow
except Exception:
    pass
"""


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_until(fd: int, needle: bytes, timeout: float) -> bool:
    buf, end = b"", time.monotonic() + timeout
    while needle not in buf and time.monotonic() < end:
        if select.select([fd], [], [], 0.2)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                return False
            buf += chunk
    return needle in buf


def stdout_ends(fd: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([fd], [], [], 0.2)[0] and not os.read(fd, 65536):
            return True
    return False


def one_run(server_path: str, ws: Path, delay: float, tmp: Path) -> tuple[bool, list[int]]:
    """(stdout ended, processes of the group alive after the server)."""
    cache = Path(tempfile.mkdtemp(dir=tmp))
    env = dict(os.environ, PYTHONPATH=server_path, SSC_LSP_CACHE_DIR=str(cache))
    proc = subprocess.Popen([sys.executable, "-m", "ssc_lsp"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": ws.as_uri(), "capabilities": {},
            "workspaceFolders": [{"uri": ws.as_uri(), "name": ws.name}]}}))
        proc.stdin.flush()
        read_until(proc.stdout.fileno(), b'"id": 1', 60)
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        proc.stdin.flush()
        time.sleep(delay)
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.flush()
        proc.wait(30)
        ended = stdout_ends(proc.stdout.fileno(), 3.0)
        deadline = time.monotonic() + 2.0
        while (left := group(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        return ended, left
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        shutil.rmtree(cache, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--slow-flush", action="store_true")
    ap.add_argument("--server-dir", default=str(ROOT / "server"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="ssc-exit-race-") as t:
        tmp = Path(t)
        ws = big_workspace(tmp / "big")
        server_path = args.server_dir
        if args.slow_flush:
            (tmp / "slow").mkdir()
            (tmp / "slow" / "sitecustomize.py").write_text(SLOW_FLUSH)
            server_path += os.pathsep + str(tmp / "slow")
        held = leftover = 0
        for i in range(args.runs):
            delay = rng.uniform(0.0, 1.2)
            ended, left = one_run(server_path, ws, delay, tmp)
            held += not ended
            leftover += bool(left)
            print(f"{i:3d} exit after {delay:.2f}s: stdout ended={ended} left={len(left)}", flush=True)
    print(json.dumps({"runs": args.runs, "slowFlush": args.slow_flush, "stdoutHeld": held,
                      "processesLeft": leftover, "server": args.server_dir}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
