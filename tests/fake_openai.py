"""A scripted OpenAI-compatible HTTP server for tests (stdlib only).

Why real HTTP instead of mocks: the things worth testing -- SSE parsing,
retries, timeouts, a closed port, and above all that cancelling a completion
really closes the connection -- only exist on a real socket.

In a test::

    with FakeOpenAI() as fake:
        fake.enqueue(Reply(text="return a + b"))
        settings = LLMSettings(base_url=fake.base_url, model="m")
        ...
        assert fake.requests[0].body["stream"] is True

As a process (for language-server end-to-end and editor tests)::

    python tests/fake_openai.py --port 0 --script script.json [--log requests.jsonl]

prints the port on the first stdout line, then serves until SIGTERM/SIGINT.
A script is JSON: ``{"replies": [Reply...], "rules": [{"contains": "...",
"reply": Reply}], "default": Reply, "models": ["name"]}`` where a Reply is
an object with the fields of :class:`Reply`.  Rules match a substring of the
prompt (or of the concatenated chat messages) and win over the queue.

Control endpoints (both modes): ``GET /_fake/requests`` (what was received),
``POST /_fake/replies`` (a JSON list of replies to enqueue), ``POST
/_fake/reset``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import select
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_WORDS = re.compile(r"\s*\S+|\s+")


@dataclass
class Reply:
    """How to answer one request.

    text: the completion; streamed in word-sized pieces unless ``chunks`` is given.
    status: HTTP status; anything but 200 sends an OpenAI-style error body
        with ``error`` as its message (retry-after-ms from ``retry_after_ms``).
    delay: seconds before the response headers.
    chunk_delay: seconds between streamed pieces (a slow model).
    hang: never answer; hold the connection until the client goes away.
    hang_after: stream this many pieces, then hang.
    garbage: send this raw text as the (200) body / SSE data instead.
    repeat: stream the pieces this many times over (a huge answer, made lazily: the
        server never holds it whole).
    end: how a stream ends: "done" (a final chunk with ``finish_reason``, then
        ``[DONE]``), "clean" (the body ends properly but without either: a truncated
        answer behind a proxy), "reset" (the connection is closed mid-body).
    redirect_to: answer 307 with this ``Location`` instead (another host, say).
    """

    text: str = "ok"
    chunks: list[str] | None = None
    status: int = 200
    error: str = "scripted error"
    retry_after_ms: float | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunk_delay: float = 0.0
    hang: bool = False
    hang_after: int | None = None
    garbage: str | None = None
    finish_reason: str = "stop"
    repeat: int = 1
    end: str = "done"
    redirect_to: str | None = None

    @classmethod
    def from_dict(cls, data: dict | str) -> Reply:
        if isinstance(data, str):
            return cls(text=data)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown Reply fields: {sorted(unknown)}")
        return cls(**data)

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        return _WORDS.findall(self.text) or [""]


@dataclass
class RecordedRequest:
    """One request as the server saw it, and how it ended."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict | None
    raw: bytes = b""
    reply: Reply | None = None
    completed: bool = False
    disconnected: bool = False
    chunks_sent: int = 0
    bytes_sent: int = 0  # of the body, as written to the socket
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    @property
    def stream(self) -> bool:
        return bool(self.body and self.body.get("stream"))

    @property
    def prompt_text(self) -> str:
        """The prompt, or all chat message contents joined (for matching)."""
        if not self.body:
            return ""
        if "prompt" in self.body:
            prompt = self.body["prompt"]
            return prompt if isinstance(prompt, str) else json.dumps(prompt)
        parts = []
        for message in self.body.get("messages") or []:
            content = message.get("content")
            parts.append(content if isinstance(content, str) else json.dumps(content))
        return "\n".join(parts)

    def to_json(self) -> dict:
        return {
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body": self.body,
            "completed": self.completed,
            "disconnected": self.disconnected,
            "chunks_sent": self.chunks_sent,
            "bytes_sent": self.bytes_sent,
            "duration": None if self.ended is None else self.ended - self.started,
        }


class _Disconnected(Exception):
    pass


class FakeOpenAI:
    """The server.  Thread-based, so it works the same from sync and async tests."""

    def __init__(
        self,
        replies: list[Reply | str] | None = None,
        *,
        handler: Callable[[RecordedRequest], Reply | str] | None = None,
        default: Reply | None = None,
        rules: list[tuple[str, Reply]] | None = None,
        models: list[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: str | None = None,
    ) -> None:
        self._queue: deque[Reply] = deque()
        self.handler = handler
        self.default = default or Reply()
        self.rules = list(rules or [])
        self.models = list(models or ["fake-model"])
        self.requests: list[RecordedRequest] = []
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._log_path = log_path
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for reply in replies or []:
            self.enqueue(reply)

    # -- scripting --------------------------------------------------------------

    def enqueue(self, *replies: Reply | str | dict) -> None:
        with self._cond:
            for reply in replies:
                self._queue.append(
                    reply if isinstance(reply, Reply) else Reply.from_dict(reply)  # type: ignore[arg-type]
                )

    def reset(self) -> None:
        with self._cond:
            self._queue.clear()
            self.requests.clear()

    def _choose(self, record: RecordedRequest) -> Reply:
        if self.handler is not None:
            reply = self.handler(record)
            return reply if isinstance(reply, Reply) else Reply(text=str(reply))
        text = record.prompt_text
        for needle, reply in self.rules:
            if needle in text:
                return reply
        with self._cond:
            if self._queue:
                return self._queue.popleft()
        return self.default

    # -- lifecycle --------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._httpd = _Server((self._host, self._port), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- observing --------------------------------------------------------------

    def _record(self, record: RecordedRequest) -> None:
        with self._cond:
            self.requests.append(record)
            self._cond.notify_all()

    def _finish(self, record: RecordedRequest) -> None:
        with self._cond:
            record.ended = time.monotonic()
            self._cond.notify_all()
        if self._log_path:
            with self._cond, open(self._log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record.to_json()) + "\n")

    def completion_requests(self) -> list[RecordedRequest]:
        """Requests to the completion endpoints (not /models or control)."""
        with self._cond:
            return [r for r in self.requests if r.path.endswith("completions")]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` (checked under the lock) holds, or time out."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout=timeout)

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> bool:
        return self.wait_for(lambda: len(self.completion_requests_unlocked()) >= n, timeout)

    def completion_requests_unlocked(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("completions")]

    def wait_for_end(self, record: RecordedRequest, timeout: float = 5.0) -> bool:
        """Wait until the server is done with ``record`` (finished or saw a disconnect)."""
        return self.wait_for(lambda: record.ended is not None, timeout)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that resets a kept-alive connection is normal here (that
        # is what cancellation does); only print real bugs.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeOpenAI

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: tests read the records instead

    # -- plumbing ---------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _peer_gone(self) -> bool:
        """Whether the client closed its side (EOF or reset) -- without consuming data."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _wait(self, seconds: float | None) -> None:
        """Sleep (forever when None) while watching for the client going away."""
        fake = self.server_fake
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            if self._peer_gone():
                raise _Disconnected
            if fake._stopping.is_set():
                raise _Disconnected
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                step = min(0.02, remaining)
            else:
                step = 0.02
            select.select([self.connection], [], [], step)

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError) as err:
            raise _Disconnected from err

    def _send_json(
        self, status: int, payload: object, headers: dict[str, str] | None = None
    ) -> int:
        data = json.dumps(payload).encode()
        self._send_raw(status, data, "application/json", headers)
        return len(data)

    def _send_raw(
        self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self._write(data)

    def _chunk(self, data: bytes, record: RecordedRequest | None = None) -> None:
        self._write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        if record is not None:
            record.bytes_sent += len(data)

    # -- routes -----------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        fake = self.server_fake
        path = self.path.split("?")[0]
        if path == "/_fake/requests":
            with fake._cond:
                self._send_json(200, [r.to_json() for r in fake.requests])
            return
        if path in ("/v1/models", "/models"):
            record = RecordedRequest("GET", path, _lower(self.headers), None)
            fake._record(record)
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.models
            ]
            self._send_json(200, {"object": "list", "data": data})
            record.completed = True
            fake._finish(record)
            return
        self._send_json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        fake = self.server_fake
        path = self.path.split("?")[0]
        raw = self._read_body()
        if path == "/_fake/replies":
            fake.enqueue(*json.loads(raw or b"[]"))
            self._send_json(200, {"queued": len(fake._queue)})
            return
        if path == "/_fake/reset":
            fake.reset()
            self._send_json(200, {"ok": True})
            return
        if path not in (
            "/v1/chat/completions",
            "/v1/completions",
            "/chat/completions",
            "/completions",
        ):
            self._send_json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        record = RecordedRequest("POST", path, _lower(self.headers), body, raw)
        fake._record(record)
        reply = fake._choose(record)
        record.reply = reply
        try:
            self._answer(record, reply, chat=path.endswith("chat/completions"))
            record.completed = True
        except _Disconnected:
            record.disconnected = True
            self.close_connection = True
        finally:
            fake._finish(record)

    def _answer(self, record: RecordedRequest, reply: Reply, *, chat: bool) -> None:
        if reply.delay:
            self._wait(reply.delay)
        if reply.hang:
            self._wait(None)
        if reply.redirect_to is not None:
            self._send_json(307, {"redirect": reply.redirect_to},
                            {"Location": reply.redirect_to, **reply.headers})
            return
        if reply.status != 200:
            headers = dict(reply.headers)
            if reply.retry_after_ms is not None:
                headers.setdefault("retry-after-ms", str(reply.retry_after_ms))
            error = {"message": reply.error * reply.repeat, "type": "fake_error",
                     "code": reply.status}
            record.bytes_sent = self._send_json(reply.status, {"error": error}, headers)
            return
        model = (record.body or {}).get("model") or "fake-model"
        if not record.stream:
            if reply.garbage is not None:
                self._send_raw(200, reply.garbage.encode(), "application/json", reply.headers)
                return
            record.bytes_sent = self._send_json(200, _full_body(reply, model, chat), reply.headers)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.flush()
        if reply.garbage is not None:
            self._chunk(f"data: {reply.garbage}\n\n".encode())
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
            return
        index = 0
        for _ in range(reply.repeat):
            for piece in reply.pieces():
                if reply.hang_after is not None and index >= reply.hang_after:
                    self._wait(None)
                if reply.chunk_delay and index:
                    self._wait(reply.chunk_delay)
                event = _chunk_body(piece, None, model, chat, first=index == 0)
                self._chunk(b"data: " + json.dumps(event).encode() + b"\n\n", record)
                record.chunks_sent += 1
                index += 1
        if reply.end == "reset":
            self.connection.shutdown(socket.SHUT_RDWR)  # no terminating chunk: a cut body
            self.close_connection = True
            return
        if reply.end == "clean":
            self._chunk(b"")  # the body ends properly, but the answer never did
            return
        final = _chunk_body("", reply.finish_reason, model, chat, first=False)
        self._chunk(b"data: " + json.dumps(final).encode() + b"\n\n", record)
        self._chunk(b"data: [DONE]\n\n", record)
        self._chunk(b"")


def _lower(headers: object) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}  # type: ignore[attr-defined]


def _chunk_body(text: str, finish: str | None, model: str, chat: bool, *, first: bool) -> dict:
    if chat:
        delta: dict = {"content": text} if text or first else {}
        if first:
            delta["role"] = "assistant"
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [choice],
        }
    choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
    return {
        "id": "cmpl-fake",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
    }


def _full_body(reply: Reply, model: str, chat: bool) -> dict:
    text = "".join(reply.pieces()) * reply.repeat
    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    if chat:
        message = {"role": "assistant", "content": text}
        choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [choice],
            "usage": usage,
        }
    choice = {"index": 0, "text": text, "finish_reason": reply.finish_reason, "logprobs": None}
    return {
        "id": "cmpl-fake",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": usage,
    }


def load_script(path: str) -> dict:
    """Read a script file into FakeOpenAI keyword arguments."""
    with open(path, encoding="utf-8") as fh:
        script = json.load(fh)
    kwargs: dict = {
        "replies": [Reply.from_dict(r) for r in script.get("replies", [])],
        "rules": [(r["contains"], Reply.from_dict(r["reply"])) for r in script.get("rules", [])],
    }
    if "default" in script:
        kwargs["default"] = Reply.from_dict(script["default"])
    if "models" in script:
        kwargs["models"] = list(script["models"])
    return kwargs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scripted OpenAI-compatible server for tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--script", help="JSON script file (see module docstring)")
    parser.add_argument("--log", help="append one JSON line per finished request to this file")
    args = parser.parse_args(argv)
    kwargs = load_script(args.script) if args.script else {}
    fake = FakeOpenAI(host=args.host, port=args.port, log_path=args.log, **kwargs).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(fake.port, flush=True)
    try:
        while not done.wait(0.2):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
