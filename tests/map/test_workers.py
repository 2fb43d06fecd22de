"""The index's worker processes never outlive the server (map/workers.py).

Each case runs in a process of its own: `stop_all` stops the workers of the whole process for
good, and one case ends its process on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

from tests.e2e.exit_states import alive

SERVER_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "server")


def run(script: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SERVER_DIR))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_stop_all_kills_the_workers_and_no_worker_starts_after():
    got = run("""
        import json, os, time
        from ssc_lsp.map.workers import WorkerPool, WorkersStopped, stop_all
        pool = WorkerPool(2)
        pid = pool.submit(os.getpid).result(30)
        busy = pool.submit(time.sleep, 60)
        killed = stop_all()
        try:
            pool.submit(os.getpid)
            refused = False
        except WorkersStopped:
            refused = True
        print(json.dumps({"pid": pid, "killed": killed, "refused": refused}))
    """)
    assert got["refused"], "a worker could start after stop_all"
    assert got["killed"] >= 1
    assert alive([got["pid"]]) == []


def test_a_worker_ends_when_the_server_is_killed_outright():
    got = run("""
        import json, os, sys, time
        from ssc_lsp.map.workers import WorkerPool
        pool = WorkerPool(1)
        pid = pool.submit(os.getpid).result(30)
        pool.submit(time.sleep, 60)  # busy: only its watcher can end it
        print(json.dumps({"pid": pid}), flush=True)
        os._exit(0)  # no stop_all, no shutdown: as if SIGKILLed
    """)
    time.sleep(0.1)
    assert alive([got["pid"]], timeout=10.0) == [], "the worker outlived its server"
