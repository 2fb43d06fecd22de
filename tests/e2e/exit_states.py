"""The server in the states where `exit` used to wait (tests/test_exit.py, bench/fuzz_bench.py).

Each `enter_*` takes a started RawServer (not initialized) and leaves it busy with one thing:
the embedded model loading (a stand-in that loads for a minute: SSC_LLM_LOCAL_TEST_LOAD_S, see
llm/local.py), a big workspace indexing in worker processes, the jedi helper inferring, an HTTP
request waiting on a slow endpoint (tests/fake_openai.py). `children(pid)` lists the processes
the server started, to check none outlives it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.conftest import FIXTURE_WS
from tests.e2e.raw import RawServer

SLOW_LOAD_S = "60"
INLINE_CAPS = {"textDocument": {"inlineCompletion": {}}, "window": {"workDoneProgress": False}}


def initialize(s: RawServer, root: Path, options: dict | None = None, caps: dict | None = None,
               ready: bool = True) -> None:
    s.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                             "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                             "capabilities": caps or {}, "initializationOptions": options or {}})
    s.notify("initialized", {})
    if ready:
        s.wait_ready()


def did_open(s: RawServer, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1,
        "text": path.read_text() if text is None else text}})
    return uri


def env_model_loading() -> dict[str, str]:
    return {"SSC_LLM_LOCAL_TEST_LOAD_S": SLOW_LOAD_S}


def enter_model_loading(s: RawServer) -> None:
    """Precondition: started with env_model_loading()."""
    initialize(s, FIXTURE_WS, {"llm": {"provider": "local"}}, INLINE_CAPS)
    did_open(s, FIXTURE_WS / "util" / "money.py")  # a client with ghost text: the load starts
    wait(lambda: any("loading the embedded model" in m["params"]["message"]
                     for m in s.notifications("window/showMessage")), "the model load to start")


def big_workspace(root: Path, files: int = 1500) -> Path:
    """`files` modules of ~60 lines each: seconds of indexing in worker processes."""
    for i in range(files):
        pkg = root / f"pkg{i // 100}"
        pkg.mkdir(parents=True, exist_ok=True)
        body = "".join(f"def f{i}_{j}(a, b=1):\n    return helper(a) + b * {j}\n\n\n" for j in range(15))
        (pkg / f"m{i}.py").write_text(f"from .m{max(i - 1, 0)} import *\n\n\ndef helper(x):\n"
                                      f"    return x\n\n\n{body}")
    return root


def enter_indexing(s: RawServer, root: Path) -> None:
    initialize(s, root, ready=False)
    wait(lambda: s.request("ssc/status", {})["result"]["folders"][0]["state"] == "indexing",
         "indexing to start")


def enter_jedi_busy(s: RawServer, root: Path) -> None:
    """ssc/context on a receiver only jedi can type (an installed package's module): the jedi
    helper process starts and infers; the request is not waited for."""
    initialize(s, root)
    path = root / "uses_numpy.py"
    text = "import numpy as np\nimport email.mime.text\n\nnp.linalg.\n"
    path.write_text(text)
    uri = did_open(s, path, text)
    s.send({"jsonrpc": "2.0", "id": "ctx", "method": "ssc/context",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 3, "character": 10}}})
    wait(lambda: children(s.proc.pid), "a helper process to start")


def enter_http_in_flight(s: RawServer, base_url: str) -> None:
    """An inline completion waiting on an endpoint that answers in a minute."""
    initialize(s, FIXTURE_WS, {"llm": {"baseUrl": base_url, "model": "m", "retries": 0,
                                       "timeoutMs": 120_000}, "completion": {"debounceMs": 0}},
               INLINE_CAPS)
    path = FIXTURE_WS / "util" / "money.py"
    uri = did_open(s, path)
    lines = path.read_text().splitlines()
    s.send({"jsonrpc": "2.0", "id": "inline", "method": "textDocument/inlineCompletion",
            "params": {"textDocument": {"uri": uri},
                       "position": {"line": len(lines) - 1, "character": len(lines[-1])},
                       "context": {"triggerKind": 1}}})


def children(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (Linux /proc)."""
    return [child for child, stat in _stats() if int(stat[1]) == pid]


def group(pgid: int) -> list[int]:
    """Live processes of process group `pgid` (Linux /proc): RawServer starts the server in a
    session of its own, so this is every process it started, directly or not, even one started
    after a snapshot of `children` (an index worker starting as `exit` came)."""
    return [pid for pid, stat in _stats() if int(stat[2]) == pgid]


def holding(pids: list[int], stream) -> list[int]:
    """Those of `pids` with a descriptor on the pipe behind our `stream` (its other end)."""
    pipe = os.readlink(f"/proc/self/fd/{stream.fileno()}")
    held = []
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == pipe:
                    held.append(pid)
                    break
            except OSError:
                pass
    return held


def _stats():
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if stat[0] != b"Z":
            yield int(entry), stat


def alive(pids: list[int], timeout: float = 2.0) -> list[int]:
    """Those of `pids` still running after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for p in pids:
            try:
                with open(f"/proc/{p}/stat", "rb") as f:
                    if f.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                        left.append(p)
            except OSError:
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def wait(predicate, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        time.sleep(0.05)
