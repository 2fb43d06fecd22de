"""A raw LSP client: bytes over the real server's stdin/stdout, nothing between.

pytest-lsp (tests/e2e/lsp.py) speaks well-formed JSON-RPC only; the protocol tests need to send
what no library would (bad framing, bodies that are not JSON, ids that are objects) and to time
`exit` to the end of the process. A thread reads the server's stdout and splits it into
messages; requests the server sends (workspace/configuration, registrations, progress) are
answered with null so the server never waits on us.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .lsp import SERVER, server_env

HANG_GUARD_S = 20.0  # a request unanswered this long is a hang
KILL_WAIT_S = 10.0  # how long `kill` waits for the process and for the end of its stdout


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def encode(message: dict) -> bytes:
    return frame(json.dumps(message).encode("utf-8"))


class RawServer:
    """`python -m ssc_lsp` on pipes; `send`/`send_raw` bytes, `wait_for(id)` answers."""

    def __init__(self, cache_dir: Path, env: dict[str, str] | None = None) -> None:
        self.stderr = tempfile.TemporaryFile()
        # A session of its own: `kill` ends every process the server started, even one that
        # outlived it (its process group stays the server's pid).
        self.proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=server_env(cache_dir, **(env or {})),
                                     start_new_session=True)
        self.messages: list[dict] = []  # every message the server sent, in order
        self.answers: dict = {}  # id (as JSON text) -> response
        self._cond = threading.Condition()
        self._inbox: queue.Queue = queue.Queue()
        self._next_id = 1 << 20  # apart from the ids a test writes by hand
        self.closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- reading ------------------------------------------------------------------------------
    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                    elif line in (b"\r\n", b"\n") and length is not None:
                        break
                message = json.loads(out.read(length))
                self._got(message)
        finally:
            with self._cond:
                self.closed = True
                self._cond.notify_all()

    def _got(self, message: dict | list) -> None:
        if isinstance(message, list):  # the answer to a batch: one response per request
            for item in message:
                self._got(item)
            return
        if "method" in message and "id" in message:  # a request to the client: answer null
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        with self._cond:
            self.messages.append(message)
            if "method" not in message and "id" in message:
                self.answers[json.dumps(message["id"])] = message
            self._cond.notify_all()

    # -- writing ------------------------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_raw(encode(message))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def notify(self, method: str, params=None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def wait_for(self, msg_id, timeout: float = HANG_GUARD_S) -> dict:
        """The response to `msg_id` (any JSON value); TimeoutError if none comes."""
        key = json.dumps(msg_id)
        deadline = time.monotonic() + timeout
        with self._cond:
            while key not in self.answers:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise TimeoutError(f"no answer to id {key}")
                self._cond.wait(left)
            return self.answers[key]

    def request(self, method: str, params=None, timeout: float = HANG_GUARD_S) -> dict:
        msg_id = self.new_id()
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.wait_for(msg_id, timeout)

    def initialize(self, root: Path | None, options: dict | None = None) -> dict:
        params: dict = {"processId": None, "capabilities": {}, "initializationOptions": options or {}}
        if root is not None:
            params["rootUri"] = root.as_uri()
            params["workspaceFolders"] = [{"uri": root.as_uri(), "name": root.name}]
        answer = self.request("initialize", params)
        self.notify("initialized", {})
        return answer

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.request("ssc/status", {})["result"]["ready"]:
            if time.monotonic() > deadline:
                raise TimeoutError("map not ready")
            time.sleep(0.05)

    def notifications(self, method: str) -> list[dict]:
        with self._cond:
            return [m for m in self.messages if m.get("method") == method and "id" not in m]

    # -- ending -------------------------------------------------------------------------------
    def exit_seconds(self, timeout: float = HANG_GUARD_S) -> tuple[float, int | None]:
        """Send `exit`; the seconds until the process ended, and its exit code (None: hung)."""
        started = time.monotonic()
        try:
            self.notify("exit")
        except (BrokenPipeError, OSError):
            pass
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
        return time.monotonic() - started, code

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def kill(self) -> None:
        """End the server and everything it started; never blocks for long. Closing stdout
        while the reader thread waits on it blocks until the pipe ends, which a process still
        holding it (a leftover worker) would delay forever: the whole group is killed first,
        and the pipe is closed only once the reader saw its end."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass  # the group is empty: everyone ended already
        try:
            self.proc.wait(KILL_WAIT_S)
        except subprocess.TimeoutExpired:
            pass
        self._reader.join(KILL_WAIT_S)
        streams = [self.proc.stdin] + ([self.proc.stdout] if not self._reader.is_alive() else [])
        for stream in streams:
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        self.stderr.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc) -> None:
        self.kill()
