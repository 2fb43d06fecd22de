"""A helper process spoken to in JSON lines (jedi, for the context engine and for the check).

jedi runs out of the server's process: its inferences are pure Python that would hold the GIL
while requests wait, and in-process it shared its compiled-module subprocess between threads and
mixed up answers. Each user keeps one such process: started on first use, asked one question at
a time (a line of JSON out, a line back), killed and started again once when it fails or, with
a `timeout`, does not answer in time; killed when the server ends (process_exit.py).
"""

from __future__ import annotations

import json
import logging
import select
import subprocess
import sys
import threading

from .process_exit import track

log = logging.getLogger(__name__)


class HelperProcess:
    """`python -m <module>` answering one JSON line per JSON line."""

    def __init__(self, module: str, *, timeout: float | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.module = module
        self.timeout = timeout  # seconds to wait for an answer (None: as long as it takes)
        self.env = env
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def call(self, request: dict) -> dict:
        """The answer, or `{"error": ...}` after a second failed try (never raises)."""
        with self._lock:
            for attempt in range(2):
                proc = self._proc
                if proc is None or proc.poll() is not None:
                    try:
                        proc = self._proc = subprocess.Popen(
                            [sys.executable, "-m", self.module], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            bufsize=1, env=self.env)
                        track(proc)  # killed with the server (`exit` does not wait for it)
                    except OSError as e:
                        return {"error": f"cannot start {self.module}: {e}"}
                try:
                    assert proc.stdin is not None and proc.stdout is not None
                    proc.stdin.write(json.dumps(request) + "\n")
                    proc.stdin.flush()
                    if self.timeout is None or select.select([proc.stdout], [], [], self.timeout)[0]:
                        line = proc.stdout.readline()
                        if line:
                            return json.loads(line)
                except (OSError, ValueError) as e:
                    log.debug("%s failed (attempt %d): %s", self.module, attempt + 1, e)
                proc.kill()
                self._proc = None
        return {"error": f"{self.module} did not answer"}

    def stop(self) -> None:
        """Close its input (it exits at end of input); kill it if it does not within 2 s."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                proc.stdin.close()  # type: ignore[union-attr]
                proc.wait(timeout=2)
            except Exception:
                proc.kill()
