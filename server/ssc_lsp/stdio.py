"""LSP over stdio with a reader that costs the event loop one wakeup per message.

pygls' stdio reader asks a thread pool for every header line and for every body: three round
trips through the event loop per message. When the loop is busy with background work (the
continuity diagnostics check file after file), each trip waits for the step in progress, so an
inline completion request could sit 50-100 ms in the pipe before its handler ran (measured with
bench/inline_bench.py: with diagnostics off the wait vanished). Here one thread reads stdin in
chunks and hands them to the loop; lines and bodies are then served from memory, so a message
that arrived whole is parsed in one turn of the loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from typing import BinaryIO

from pygls.io_ import StdoutWriter, run_async

log = logging.getLogger(__name__)

CHUNK = 1 << 16  # bytes per read(2) of stdin


class BufferedStdinReader:
    """`readline()` / `readexactly(n)` over stdin, fed by a daemon thread (pygls' reader API)."""

    def __init__(self, stream: BinaryIO, loop: asyncio.AbstractEventLoop) -> None:
        self._fd = stream.fileno()
        self._loop = loop
        self._buf = bytearray()
        self._eof = False
        self._waiter: asyncio.Future | None = None
        threading.Thread(target=self._pump, name="ssc-stdin", daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = os.read(self._fd, CHUNK)
            except OSError as e:
                log.info("stdin closed: %s", e)
                chunk = b""
            try:
                self._loop.call_soon_threadsafe(self._feed, chunk)
            except RuntimeError:  # the loop is closed: the server is exiting
                return
            if not chunk:
                return

    def _feed(self, chunk: bytes) -> None:
        if chunk:
            self._buf += chunk
        else:
            self._eof = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _more(self) -> None:
        self._waiter = self._loop.create_future()
        await self._waiter

    async def readline(self) -> bytes:
        while True:
            end = self._buf.find(b"\n")
            if end >= 0 or self._eof:
                end = end + 1 if end >= 0 else len(self._buf)
                line = bytes(self._buf[:end])
                del self._buf[:end]
                return line
            await self._more()

    async def readexactly(self, n: int) -> bytes:
        while len(self._buf) < n and not self._eof:
            await self._more()
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data


def serve_stdio(server, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """pygls' `start_io`, with the reader above."""
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

    async def main() -> None:
        reader = BufferedStdinReader(stdin or sys.stdin.buffer, asyncio.get_running_loop())
        await run_async(stop_event=server._stop_event, reader=reader, protocol=server.protocol,
                        logger=log, error_handler=server.report_server_error)

    try:
        asyncio.run(main())
    except BrokenPipeError:
        log.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
