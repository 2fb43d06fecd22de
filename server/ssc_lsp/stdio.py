"""LSP on stdio: one thread reads and frames stdin, the event loop gets whole message bodies.

Why our own reader: pygls' stdio reader asks a thread pool for every header line and for every
body: three round trips through the event loop per message. When the loop is busy with
background work (the continuity diagnostics check file after file), each trip waits for the step
in progress, so an inline completion request could sit 50-100 ms in the pipe before its handler
ran (measured with bench/inline_bench.py). Here one thread reads stdin in chunks and cuts it into
messages (`Framer`); each body costs the loop one wakeup.

Why the framing is forgiving: pygls' loop lost the stream for good after one bad header (a
`Content-Length` missing, not a number, or wrong): every later message, `shutdown` and `exit`
included, was misread. `Framer` resynchronises on the next `Content-Length:` header, which is
safe because that header (the name, digits, a line end) can never occur inside a valid JSON
body (JSON strings hold no raw line ends): so a body declared too long is cut where the next
header starts, one declared too short is completed up to the next header when that makes it end
like JSON, and garbage between messages is skipped (logged). A body over `MAX_BODY` is refused
and skipped as it streams by, never held in memory, and the request is answered when its id
can be read from the body's first bytes.

`exit` is also watched here: when the loop is busy (a long synchronous handler) and has not
ended the process `EXIT_GRACE_S` after an `exit` arrived, this thread ends it (rpc.py's
`exit` does it otherwise). End of input ends the process the same way: the client is gone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import BinaryIO

from pygls.io_ import StdoutWriter

from .process_exit import end_process

log = logging.getLogger(__name__)

CHUNK = 1 << 16  # bytes per read(2) of stdin
MAX_BODY = 64 << 20  # 64 MiB: a body declared larger is refused and skipped, not awaited
MAX_HEADER_LINE = 8 << 10  # a "header line" longer than this is garbage
PEEK_BYTES = 1024  # how much of a refused body is read for its id
EXIT_GRACE_S = 0.5  # how long the loop gets to process `exit` before the reader ends the process

# A Content-Length header line: the one pattern that cannot occur inside a valid JSON body.
HEADER_LINE = re.compile(rb"Content-Length:[ \t]*\d+[ \t]*\r?\n", re.IGNORECASE)
HEADER_START = re.compile(rb"Content-Length:", re.IGNORECASE)
CONTENT_LENGTH = re.compile(rb"Content-Length:[ \t]*(\d+)[ \t]*\r?\n?", re.IGNORECASE)
OTHER_HEADER = re.compile(rb"[A-Za-z][A-Za-z0-9-]*:[^\r\n]*\r?\n?")
PEEK_ID = re.compile(rb'^\s*\{[^{}\[\]]*?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.){0,200}")')
_TAIL = len(b"Content-Length: 00000000000\r\n")  # overlap kept between scans of new data


class Framer:
    """Bytes in, events out: ("body", bytes) per message, ("refused", id | None, reason) per
    body over MAX_BODY. Pure (no I/O), so tests feed it any cut of any stream."""

    def __init__(self, max_body: int = MAX_BODY) -> None:
        self.max_body = max_body
        self._buf = bytearray()
        self._length: int | None = None  # the declared length, once the headers are read
        self._bad_header = False  # a header block whose Content-Length is missing or wrong
        self._in_headers = False  # inside a header block (a header line was read)
        self._body_scan = 0  # how far the current body was searched for a header
        self._discard = 0  # bytes of a refused body still to skip
        self._refusing = 0  # the length of a body to refuse once its id can be read
        self._resync = False  # skipping garbage up to the next Content-Length header
        self._length_seen: int | None = None  # the Content-Length of the header block being read
        self.skipped = 0  # garbage bytes skipped (for logs and tests)

    def feed(self, data: bytes) -> Iterator[tuple]:
        self._buf += data
        while True:
            if self._refusing:
                event = self._refuse()
                if event is None:
                    return
                yield event
            elif self._discard:
                if not self._skip_refused():
                    return
            elif self._resync:
                if not self._find_header():
                    return
            elif self._length is None:
                event = self._header_line()
                if event is False:
                    return
                if event is not None:
                    yield event
            else:
                event = self._body()
                if event is None:
                    return
                yield event

    # -- headers ------------------------------------------------------------------------------
    def _header_line(self):
        """Read one header line; False: more bytes needed; an event or None otherwise."""
        end = self._buf.find(b"\n")
        if end < 0:
            if len(self._buf) > MAX_HEADER_LINE:
                self._garbage("a header line too long")
                return None  # on to the search, in this same feed
            return False
        line = bytes(self._buf[:end + 1])
        if not line.strip() or CONTENT_LENGTH.fullmatch(line) or (
                OTHER_HEADER.fullmatch(line) and HEADER_START.search(line, 1) is None):
            del self._buf[:end + 1]
        else:  # garbage: left in place for the search, which may find a header inside the line
            self._in_headers, self._bad_header, self._length_seen = False, False, None
            self._garbage("bytes that are not a header")
            return None
        if line.strip() == b"":
            if not self._in_headers:
                return None  # blank lines between messages
            length, bad = self._length_seen, self._bad_header
            self._in_headers, self._bad_header, self._length_seen = False, False, None
            if bad or length is None:
                log.warning("a message without a valid Content-Length: skipped up to the next header")
                self._resync = True
                return None
            if length > self.max_body:
                self._refusing = length
                return None
            self._length = length
            self._body_scan = 0
            return None
        match = CONTENT_LENGTH.fullmatch(line)
        if match:
            self._in_headers = True
            self._length_seen = int(match.group(1))
            return None
        if OTHER_HEADER.fullmatch(line):
            self._in_headers = True
            if HEADER_START.match(line):
                self._bad_header = True  # Content-Length: with no number
            return None
        return None

    def _garbage(self, what: str) -> None:
        log.warning("%s between messages: skipped up to the next Content-Length header", what)
        self._resync = True

    def _find_header(self) -> bool:
        match = HEADER_LINE.search(self._buf)
        if match is None:
            drop = max(0, len(self._buf) - _TAIL)  # keep what may be the start of a header
            self.skipped += drop
            del self._buf[:drop]
            return False
        self.skipped += match.start()
        del self._buf[:match.start()]
        self._resync = False
        return True

    # -- bodies -------------------------------------------------------------------------------
    def _body(self):
        """The body once whole (cut at a header it runs into); None: more bytes needed."""
        n = self._length
        assert n is not None
        limit = min(len(self._buf), n)
        start = max(0, self._body_scan - _TAIL)
        found = HEADER_LINE.search(self._buf, start, min(len(self._buf), n + _TAIL))
        if found is not None and found.start() < n:
            cut = found.start()
            log.warning("Content-Length %d runs into the next message: the body taken as its first "
                        "%d bytes", n, cut)
            return self._take(cut)
        self._body_scan = limit
        if len(self._buf) < n:
            return None
        body_end = n
        if not _ends_like_json(self._buf[:n]):  # declared too short? complete it up to a header
            after = HEADER_LINE.search(self._buf, n)
            end = after.start() if after is not None else len(self._buf)
            if end > n and _ends_like_json(self._buf[:end]):
                log.warning("Content-Length %d is short of the body: %d bytes taken", n, end)
                body_end = end
        return self._take(body_end)

    def _take(self, n: int) -> tuple:
        body = bytes(self._buf[:n])
        del self._buf[:n]
        self._length = None
        return ("body", body)

    def _refuse(self) -> tuple | None:
        """Refuse a body over the limit, with its id when its first bytes show it; None while
        they have not come (at most PEEK_BYTES, less when a header shows the body ended)."""
        length = self._refusing
        peek = bytes(self._buf[:PEEK_BYTES])
        match = PEEK_ID.match(peek)
        if match is None and len(peek) < min(PEEK_BYTES, length) and not HEADER_LINE.search(peek):
            return None
        msg_id = json.loads(match.group(1)) if match else None
        log.warning("a message of %d bytes is over the limit (%d MiB): refused, skipped unread",
                    length, self.max_body >> 20)
        self._refusing = 0
        self._discard = length
        return ("refused", msg_id, f"the message is {length} bytes; the limit is {self.max_body} bytes")

    def _skip_refused(self) -> bool:
        """Drop the refused body as it comes (a header inside it ends it early); False: more."""
        found = HEADER_LINE.search(self._buf, 0, min(len(self._buf), self._discard + _TAIL))
        if found is not None and found.start() < self._discard:
            del self._buf[:found.start()]
            self._discard = 0
            return True
        if len(self._buf) >= self._discard:
            del self._buf[:self._discard]
            self._discard = 0
            return True
        drop = max(0, len(self._buf) - _TAIL)  # keep a tail: a header may straddle two reads
        del self._buf[:drop]
        self._discard -= drop
        return False


def _ends_like_json(data: bytearray) -> bool:
    """An object or a batch ends with } or ] (whitespace aside); O(1)."""
    i = len(data) - 1
    while i >= 0 and data[i] in b" \t\r\n":
        i -= 1
    return i >= 0 and data[i] in b"}]"


def _is_exit(body: bytes) -> bool:
    if len(body) > 200 or b'"exit"' not in body:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("method") == "exit" and "id" not in data


class StdinPump:
    """A daemon thread: read stdin, frame it, hand each message to the loop."""

    def __init__(self, stream: BinaryIO, loop: asyncio.AbstractEventLoop, protocol,
                 end: Callable[[int, str], None] = end_process) -> None:
        self._fd = stream.fileno()
        self._loop = loop
        self._protocol = protocol
        self._end = end
        self.framer = Framer()

    def start(self) -> None:
        threading.Thread(target=self._run, name="ssc-stdin", daemon=True).start()

    def _exit_code(self) -> int:
        return 0 if getattr(self._protocol, "_shutdown", False) else 1

    def _run(self) -> None:
        while True:
            try:
                chunk = os.read(self._fd, CHUNK)
            except OSError as e:
                log.info("stdin closed: %s", e)
                chunk = b""
            if not chunk:
                self._soon(lambda: self._end(self._exit_code(), "end of input: the client is gone"))
                self._watchdog("end of input")
                return
            for event in self.framer.feed(chunk):
                if event[0] == "body":
                    body = event[1]
                    self._soon(lambda body=body: self._handle(body))
                    if _is_exit(body):
                        self._watchdog("exit")
                else:
                    _, msg_id, reason = event
                    self._soon(lambda i=msg_id, r=reason: self._protocol.refuse_request(i, r))

    def _soon(self, fn: Callable[[], None]) -> None:
        try:
            self._loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop is closed: the process is ending
            pass

    def _handle(self, body: bytes) -> None:
        try:
            self._protocol.handle_body(body)
        except BrokenPipeError:
            self._end(1, "the connection to the client is lost")
        except Exception:  # noqa: BLE001 - one message must not end the server
            log.exception("a message could not be handled")

    def _watchdog(self, why: str) -> None:
        """If the loop has not ended the process in EXIT_GRACE_S, end it from here."""
        timer = threading.Timer(EXIT_GRACE_S, lambda: self._end(
            self._exit_code(), f"{why} (the event loop was busy: ended by the reader)"))
        timer.daemon = True
        timer.start()


def private_stdio() -> tuple[BinaryIO, BinaryIO]:
    """The LSP stream on descriptors of its own, which no child process inherits (`os.dup`
    makes them close-on-exec); descriptor 0 then reads /dev/null and 1 writes to stderr.

    Why: every process the server starts inherits descriptors 0-2. An index worker that
    outlived the server (map/workers.py) held the client's stdout pipe open, and a client
    reading it to the end hung. And a stray `print` (ours or a library's) now lands in the log,
    not in the middle of a JSON-RPC message."""
    sys.stdout.flush()
    lsp_in = os.fdopen(os.dup(0), "rb", buffering=0)
    lsp_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(devnull, 0)
    finally:
        os.close(devnull)
    os.dup2(2, 1)
    return lsp_in, lsp_out


def serve_stdio(server, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """pygls' `start_io`, with the reader above; returns only if the process did not end.
    Without streams given, the process's stdin and stdout, moved apart (`private_stdio`)."""
    if stdin is None and stdout is None:
        stdin, stdout = private_stdio()
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        StdinPump(stdin or sys.stdin.buffer, loop, server.protocol).start()
        await loop.create_future()  # the process ends in end_process (exit, end of input)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        end_process(1, "interrupted")
