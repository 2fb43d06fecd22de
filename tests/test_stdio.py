"""The stdio transport and the JSON-RPC layer (stdio.py, rpc.py).

The framer: messages cut anywhere by the pipe come out whole; after a bad Content-Length it
finds the next message; a body over the limit is refused and skipped without being held.
The real server over raw bytes: every request with an id gets an answer with the code the specs
name, never a popup; the LSP lifecycle; didChange in broken states.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ssc_lsp.stdio import CHUNK, Framer
from tests.conftest import FIXTURE_WS
from tests.e2e import exit_states as st
from tests.e2e.raw import RawServer, encode, frame


def message(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def run(framer: Framer, stream: bytes, step: int) -> list[tuple]:
    out = []
    for i in range(0, len(stream), step):
        out += list(framer.feed(stream[i:i + step]))
    return out


def bodies(events: list[tuple]) -> list[bytes]:
    return [e[1] for e in events if e[0] == "body"]


REQUEST = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "ssc/status", "params": {}}).encode()


# -- the framer ----------------------------------------------------------------------------------

@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_messages_cut_anywhere_by_the_pipe_are_read_whole(step: int):
    parts = [b'{"a": 1}', "{\"é\": \"\\n\"}".encode(), b'{"x": "' + b"x" * 200_000 + b'"}']
    stream = b"".join(message(b) for b in parts)
    assert bodies(run(Framer(), stream, step)) == parts


@pytest.mark.parametrize("step", [1, 7, 1 << 20])
@pytest.mark.parametrize("bad", [
    b"Content-Length: abc\r\n\r\n{}",  # not a number
    b"Content-Type: x\r\n\r\n{}",  # no Content-Length
    b"garbage between messages\r\n\r\n",  # not a header at all
    b"\x00\xff" * 100,  # binary, no line end
    b"z" * 10_000,  # longer than any header line, no line end
    b"Content-Length: 5\r\n\r\n{\"jsonrpc\"",  # declared too short: the rest is garbage
])
def test_the_stream_resynchronises_on_the_next_header(bad: bytes, step: int):
    framer = Framer()
    got = bodies(run(framer, bad + message(REQUEST) + message(b'{"b": 2}'), step))
    assert got[-2:] == [REQUEST, b'{"b": 2}']


def test_a_body_declared_too_long_is_cut_at_the_next_header():
    got = bodies(run(Framer(), b"Content-Length: 500\r\n\r\n{\"a\": 1}" + message(REQUEST), 1 << 20))
    assert got == [b'{"a": 1}', REQUEST]


def test_a_body_declared_too_short_is_completed_up_to_the_next_header():
    stream = b"Content-Length: 3\r\n\r\n" + REQUEST + message(b'{"b": 2}')
    assert bodies(run(Framer(), stream, 1 << 20)) == [REQUEST, b'{"b": 2}']


def test_a_header_inside_a_json_string_is_not_a_header():
    body = json.dumps({"text": "Content-Length: 12\r\n\r\nContent-Length: 3"}).encode()
    assert bodies(run(Framer(), message(body) + message(REQUEST), 5)) == [body, REQUEST]


def test_a_body_over_the_limit_is_refused_with_its_id_and_never_held():
    framer = Framer(max_body=1000)
    head = b'Content-Length: 50000000\r\n\r\n{"jsonrpc": "2.0", "id": 12, "method": "x", "params": {"t": "'
    events = list(framer.feed(head))
    largest = 0
    for _ in range(50_000_000 // CHUNK):
        events += list(framer.feed(b"y" * CHUNK))
        largest = max(largest, len(framer._buf))
    events += list(framer.feed(b"y" * (50_000_000 % CHUNK) + message(REQUEST)))
    assert events[0][:2] == ("refused", 12)
    assert bodies(events) == [REQUEST]
    assert largest < 2 * CHUNK  # skipped as it came, not held


# -- the real server: malformed messages ---------------------------------------------------------

def _request(msg_id, method="ssc/status", params=None, **extra) -> dict:
    out = {"jsonrpc": "2.0", "id": msg_id, "method": method, **extra}
    if params is not None:
        out["params"] = params
    return out


POS = {"textDocument": {"uri": (FIXTURE_WS / "util" / "money.py").as_uri()},
       "position": {"line": 0, "character": 0}}

# (what is sent, the id the answer carries, the error code)
MALFORMED = [
    (encode(_request(1, "textDocument/definition", {**POS, "position": "abc"})), 1, -32602),
    (encode(_request(2, "textDocument/definition", [1, 2])), 2, -32602),
    (encode(_request(3, "textDocument/definition")), 3, -32602),
    (encode(_request(4, "textDocument/hover", {**POS, "position": {"line": -1, "character": 0}})), 4, -32602),
    (encode(_request(5, "textDocument/hover", {**POS, "position": {"line": "1", "character": 0}})), 5, -32602),
    (encode(_request(6, "textDocument/definition", "a string")), 6, -32602),
    (encode({"jsonrpc": "2.0", "id": 7}), 7, -32600),
    (encode({"jsonrpc": "2.0", "id": 8, "method": 12}), 8, -32600),
    (encode({"id": 9, "method": "ssc/status", "params": {}}), 9, -32600),
    (encode({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ssc/status"}), None, -32600),
    (encode({"jsonrpc": "2.0", "id": 10, "method": "no/such/method", "params": {}}), 10, -32601),
    (encode({"jsonrpc": "2.0", "id": 11, "method": "exit"}), 11, -32600),
    (encode({"jsonrpc": "2.0", "id": 12, "method": "initialize", "params": {"capabilities": {}}}), 12, -32600),
    (frame(b"{not json"), None, -32700),
    (frame(b'{"jsonrpc": "2.0", "id": 13, "method": "\xff"}'), None, -32700),
    (frame(b"[]"), None, -32600),
    (frame(b"42"), None, -32600),
    (frame(b"Content-Length: abc\r\n\r\n{}") + encode(_request(14)), 14, None),
    (b"Content-Length: 5\r\n\r\n{\"jsonrpc\"" + encode(_request(15)), 15, None),
    (b"garbage\r\n" + encode(_request(16)), 16, None),
]


def test_every_malformed_request_is_answered_and_nothing_pops_up(tmp_path: Path):
    with RawServer(tmp_path) as s:
        st.initialize(s, FIXTURE_WS)
        for data, msg_id, code in MALFORMED:
            before = len(s.messages)
            s.send_raw(data)
            if msg_id is None:  # answered with id null: the next message is the answer
                st.wait(lambda b=before: len(s.messages) > b, f"an answer to {data[:60]!r}")
                answer = s.messages[before]
                assert answer["id"] is None
            else:
                answer = s.wait_for(msg_id)
            got = answer.get("error", {}).get("code")
            assert got == code, (data[:80], answer)
        # a batch: one answer per request in it, as an array (JSON-RPC 2.0), none for notifications
        batch_frame = frame(json.dumps([_request(20), {"jsonrpc": "2.0", "method": "x"}, _request(21)]).encode())
        batch = next(m for m in _send_and_wait(s, batch_frame, lambda m: isinstance(m, list)))
        assert [(a["id"], a["error"]["code"]) for a in batch] == [(20, -32600), (21, -32600)]
        # notifications with bad params are dropped, not answered
        before = len(s.messages)
        s.notify("textDocument/didOpen", {"textDocument": "nope"})
        s.notify("textDocument/didChange", [1])
        assert s.request("ssc/status", {})["result"]["ready"]
        assert len(s.messages) == before + 1
        assert s.notifications("window/showMessage") == []
        errors = [line for line in s.stderr_text().splitlines() if " ERROR " in line]
        assert errors == []


def _send_and_wait(s: RawServer, data: bytes, predicate):
    """Send `data`; the raw messages (arrays included) the server sent after it, once one
    matches (the hook is in place before the send: a fast answer is not missed)."""
    raw: list = []
    original = s._got

    def keep(message):
        raw.append(message)
        original(message)

    s._got = keep  # type: ignore[method-assign]
    s.send_raw(data)
    st.wait(lambda: any(predicate(m) for m in raw), "a matching message", timeout=20)
    s._got = original  # type: ignore[method-assign]
    return [m for m in raw if predicate(m)]


def test_a_body_over_the_limit_is_answered_without_being_awaited(tmp_path: Path):
    with RawServer(tmp_path) as s:
        st.initialize(s, FIXTURE_WS)
        s.send_raw(b'Content-Length: 80000000\r\n\r\n{"jsonrpc": "2.0", "id": 30, "method": "x", "params": {')
        assert s.wait_for(30)["error"]["code"] == -32600
        s.send_raw(b"x" * 1000 + encode(_request(31)))  # the rest never comes: resync on a header
        assert s.wait_for(31)["result"]["ready"]


# -- lifecycle ---------------------------------------------------------------------------------

def test_lifecycle_before_initialize_and_after_shutdown(tmp_path: Path, ws_copy: Path):
    with RawServer(tmp_path) as s:
        assert s.request("textDocument/hover", POS)["error"]["code"] == -32002
        assert s.request("no/such/method", {})["error"]["code"] == -32002
        path = ws_copy / "util" / "money.py"
        st.did_open(s, path)  # before initialize: dropped
        st.initialize(s, ws_copy)
        assert s.request("ssc/status", {})["result"]["folders"][0]["openDocuments"] == 0
        assert s.request("shutdown")["result"] is None
        assert s.request("ssc/status", {})["error"]["code"] == -32600
        assert s.request("shutdown")["error"]["code"] == -32600
        seconds, code = s.exit_seconds()
        assert code == 0


# -- didChange in broken states ------------------------------------------------------------------

def _symbols(s: RawServer, uri: str) -> list[str]:
    got = s.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"] or []
    return sorted(x["name"] for x in got)


def _change(s: RawServer, uri: str, version: int, text, rng=None) -> None:
    change = {"text": text} if rng is None else {"range": rng, "text": text}
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                        "contentChanges": [change]})


def test_did_change_in_broken_states(tmp_path: Path, ws_copy: Path):
    with RawServer(tmp_path) as s:
        st.initialize(s, ws_copy)
        path = ws_copy / "util" / "money.py"
        uri = st.did_open(s, path)
        on_disk = _symbols(s, uri)
        assert on_disk
        # text: null is refused (a notification: dropped with a log line), the document unchanged
        _change(s, uri, 2, None)
        assert _symbols(s, uri) == on_disk
        # a change to a document that is not open: ignored, one log line, no error
        _change(s, (ws_copy / "util" / "nowhere.py").as_uri(), 2, "x = 1\n")
        # a good change, then a stale one: the buffer is dropped for the disk copy, said once
        _change(s, uri, 2, "def only_this(): pass\n")
        assert _symbols(s, uri) == ["only_this"]
        _change(s, uri, 2, "def stale(): pass\n")
        _change(s, uri, 3, "def later(): pass\n")  # ignored until reopened
        assert _symbols(s, uri) == on_disk
        said = [m["params"]["message"] for m in s.notifications("window/showMessage")]
        assert len([m for m in said if "out of sync" in m]) == 1, said
        st.did_open(s, path, "def reopened(): pass\n")
        assert _symbols(s, uri) == ["reopened"]
        time.sleep(0.2)
        log = s.stderr_text()
        assert log.count("which is not open: ignored") == 1
        assert "Traceback" not in log and "KeyError" not in log


# -- refusals are answers, not errors --------------------------------------------------------------

def test_a_refused_rename_and_a_model_turned_off_are_log_lines_not_errors(tmp_path: Path, ws_copy: Path):
    with RawServer(tmp_path) as s:
        st.initialize(s, ws_copy, {"llm": {"provider": "none"}}, st.INLINE_CAPS)
        path = ws_copy / "uses_print.py"
        path.write_text("print(1)\n")
        uri = st.did_open(s, path)  # an inline-completion client: the provider is built here
        answer = s.request("textDocument/rename", {"textDocument": {"uri": uri},
                                                   "position": {"line": 0, "character": 2},
                                                   "newName": "show"})
        assert answer["error"]["code"] in (-32803, -32602), answer
        assert s.request("ssc/status", {})["result"]["ready"]
        time.sleep(0.2)
        log = s.stderr_text()
        assert "Traceback" not in log and " ERROR " not in log, log
        assert "answered with error" in log and "LLM features are off" in log
        assert s.notifications("window/showMessage") == []
