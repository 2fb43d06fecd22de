"""The protocol fuzzer: hostile bytes over stdio to the real server, and the oracle.

Used by tests/fuzz/test_protocol_fuzz.py (a bounded run in every pytest run) and by
bench/fuzz_bench.py (longer runs with counts). Deterministic for a seed.

What is sent: for every method the server registers (read from the server itself), params
generated from the method's lsprotocol type (custom `ssc/*` methods get a position-shaped
object), then mutated: one leaf of the wrong type, positions as strings, negative or out of
range, params a list / null / a string / missing, URIs that are unknown, not files
(`untitled:`), devices (`file:///dev/zero`) or not URIs; unknown methods; framing damage (bad,
missing and huge Content-Length, garbage between messages), bodies that are not JSON or not
UTF-8, ids of the wrong type, batches; a 20 MB request and a 50 MB didOpen; requests before
`initialize` and after `shutdown`.

The oracle: no crash, no hang, every request with an id answered with a result or one of
ALLOWED_CODES (-32603, an internal error, is a handler crashing on bad input: a finding), and
afterwards `textDocument/definition` still right on the fixture workspace.
"""

from __future__ import annotations

import collections.abc
import enum
import json
import random
import shutil
import time
import typing
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import attrs
from lsprotocol import types

from tests.conftest import FIXTURE_WS
from tests.e2e import exit_states as st
from tests.e2e.raw import RawServer, frame

ALLOWED_CODES = {-32700, -32600, -32601, -32602, -32002, -32803, -32800, -32801}
NOT_FUZZED = {types.SHUTDOWN, types.EXIT}  # the lifecycle is driven on purpose, at the end
PIPELINE = 16  # requests in flight before their answers are awaited
BIG_REQUEST = 20 << 20
BIG_OPEN = 50 << 20

NoneType = type(None)


@dataclass
class Report:
    sent: int = 0  # requests with an id
    notifications: int = 0
    raw: int = 0  # framing / parse damage sent
    answered: Counter = field(default_factory=Counter)  # "result" or the error code
    unanswered: list = field(default_factory=list)  # (method, params excerpt)
    internal: list = field(default_factory=list)  # (method, params excerpt, message)
    crashes: int = 0
    exit_seconds: list = field(default_factory=list)
    exit_codes: list = field(default_factory=list)
    definition_ok: bool = False
    seconds: float = 0.0

    def failures(self) -> list[str]:
        out = [f"no answer: {m} {p}" for m, p in self.unanswered[:10]]
        out += [f"internal error: {m} {p} -> {e}" for m, p, e in self.internal[:10]]
        if self.crashes:
            out.append(f"{self.crashes} crashes")
        if not self.definition_ok:
            out.append("definition wrong after the barrage")
        return out

    def summary(self) -> dict:
        return {"requests": self.sent, "notifications": self.notifications, "raw": self.raw,
                "answered": dict(sorted(self.answered.items(), key=str)),
                "unanswered": len(self.unanswered), "internal_errors": len(self.internal),
                "crashes": self.crashes, "exit_s": [round(x, 3) for x in self.exit_seconds],
                "exit_codes": self.exit_codes, "definition_ok": self.definition_ok,
                "seconds": round(self.seconds, 1)}


# -- values ----------------------------------------------------------------------------------

def uris(ws: Path) -> list[str]:
    known = sorted(p.as_uri() for p in ws.rglob("*.py"))
    return known + [
        (ws / "no" / "such.py").as_uri(), "untitled:Untitled-1", "file:///dev/zero",
        "file:///", "file:///etc/passwd", "http://example.invalid/x.py", "", "not a uri",
        "file:///%00.py", "file://host/share/x.py", (ws / "shop").as_uri(),
    ]


INTS = [0, 1, 2, 3, 5, 10, 40, -1, -(1 << 31), (1 << 31) - 1, 1 << 31, 1 << 53, 10**12]
STRINGS = ["", "x", "def f(", "é\U0001f600", "a" * 300, "\x00", "round_cents", "Order.total",
           "ssc.reindex", "ssc.showContext", "ssc.acceptCompletion", "\ud800"[:0] + "z"]
WRONG = [None, "1", 1.5, True, [], {}, [1, 2], {"line": 1}, -1, "line", 10**30]


def camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


@typing.no_type_check
def _hints(cls) -> dict:
    try:
        return typing.get_type_hints(cls, vars(types))
    except Exception:  # noqa: BLE001
        return {}


class Gen:
    """JSON values shaped like a type, with a bias to the values that break servers."""

    def __init__(self, rng: random.Random, ws: Path) -> None:
        self.rng = rng
        self.uris = uris(ws)

    def position(self) -> dict:
        r = self.rng
        if r.random() < 0.6:
            return {"line": r.randint(0, 40), "character": r.randint(0, 30)}
        return {"line": r.choice(INTS), "character": r.choice(INTS)}

    def value(self, tp, key: str = "", depth: int = 0):
        r = self.rng
        if key.lower().endswith("uri"):
            return r.choice(self.uris)
        if key in ("line", "character"):
            return r.choice(INTS) if r.random() < 0.5 else r.randint(0, 30)
        if tp is types.Position:
            return self.position()
        if depth > 5:
            return None
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is str:
            return r.choice(STRINGS)
        if tp is bool:
            return r.random() < 0.5
        if tp is int:
            return r.choice(INTS)
        if tp is float:
            return r.choice([0.0, 1.5, -3.0])
        if tp is NoneType:
            return None
        if origin is typing.Union:
            arms = [a for a in args if a is not NoneType] or [NoneType]
            return self.value(r.choice(arms), key, depth + 1)
        if origin is typing.Literal:
            return r.choice(args)
        if origin in (list, tuple, collections.abc.Sequence):
            inner = args[0] if args else typing.Any
            return [self.value(inner, key, depth + 1) for _ in range(r.randint(0, 2))]
        if origin in (dict, collections.abc.Mapping):
            return {}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return r.choice(list(tp)).value
        if isinstance(tp, type) and attrs.has(tp):
            out = {}
            hints = _hints(tp)
            for f in attrs.fields(tp):
                required = f.default is attrs.NOTHING
                if required or r.random() < 0.3:
                    out[camel(f.name)] = self.value(hints.get(f.name, typing.Any), f.name, depth + 1)
            return out
        return r.choice([None, {}, [], "x", 1, {"a": [1, "b"]}])

    def params(self, method: str):
        """Params for `method`: shaped like its type (or a position object), then mutated."""
        r = self.rng
        kind = types.METHOD_TO_TYPES.get(method, (None,))[0]
        hints = _hints(kind) if kind is not None else {}
        if "params" in hints:
            params = self.value(hints["params"], "params")
        else:
            params = {"textDocument": {"uri": r.choice(self.uris)}, "position": self.position(),
                      "budget": r.choice(INTS), "withText": r.random() < 0.5}
        roll = r.random()
        if roll < 0.15:
            return r.choice(["<missing>", None, [1, 2], "params", 42, [params]])
        if roll < 0.55:
            return mutate(params, r)
        return params


def mutate(value, rng: random.Random):
    """`value` with one leaf (or the value of one key) replaced by something of the wrong type."""
    slots = []

    def walk(node):
        if isinstance(node, dict):
            for k in node:
                slots.append((node, k))
                walk(node[k])
        elif isinstance(node, list):
            for i in range(len(node)):
                slots.append((node, i))
                walk(node[i])

    value = json.loads(json.dumps(value))
    walk(value)
    if not slots:
        return rng.choice(WRONG)
    node, key = rng.choice(slots)
    node[key] = rng.choice(WRONG)
    return value


# -- the run ---------------------------------------------------------------------------------

def registered_methods() -> list[str]:
    """Every method the server has a handler for, read from the server object itself."""
    from ssc_lsp.server import create_server

    server = create_server()
    fm = server.protocol.fm
    return sorted(set(fm.features) | set(fm.builtin_features))


def is_request(method: str) -> bool:
    kind = types.METHOD_TO_TYPES.get(method, (None,))[0]
    if kind is None:
        return method.startswith("ssc/") or method == "no/such/method"
    return "id" in {f.name for f in attrs.fields(kind)}


class Fuzzer:
    def __init__(self, s: RawServer, ws: Path, seed: int, report: Report) -> None:
        self.s = s
        self.ws = ws
        self.rng = random.Random(seed)
        self.gen = Gen(self.rng, ws)
        self.report = report
        self.methods = [m for m in registered_methods() if m not in NOT_FUZZED]
        self.waiting: dict[object, tuple[str, str]] = {}
        self.next_id = 0

    # sending
    def request(self, method: str, params, msg_id=None) -> None:
        if msg_id is None:
            self.next_id += 1
            msg_id = self.rng.choice([self.next_id, f"r{self.next_id}"])
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params != "<missing>":
            message["params"] = params
        self.s.send(message)
        self.report.sent += 1
        self.waiting[msg_id] = (method, json.dumps(params)[:160])
        if len(self.waiting) >= PIPELINE:
            self.settle()

    def notify(self, method: str, params) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params != "<missing>":
            message["params"] = params
        self.s.send(message)
        self.report.notifications += 1

    def settle(self) -> None:
        """Wait for every request in flight; record how each was answered."""
        for msg_id, (method, params) in list(self.waiting.items()):
            try:
                answer = self.s.wait_for(msg_id)
            except TimeoutError:
                self.report.unanswered.append((method, params))
                if self.s.proc.poll() is not None:
                    self.report.crashes += 1
                    raise
                continue
            if "error" in answer:
                code = answer["error"].get("code")
                self.report.answered[code] += 1
                if code not in ALLOWED_CODES:
                    self.report.internal.append((method, params, answer["error"].get("message")))
            else:
                self.report.answered["result"] += 1
        self.waiting.clear()

    # cases
    def one(self) -> None:
        r = self.rng
        roll = r.random()
        if roll < 0.80:
            method = r.choice(self.methods)
            params = self.gen.params(method)
            if is_request(method):
                self.request(method, params)
            else:
                self.notify(method, params)
        elif roll < 0.84:
            self.request(r.choice(["no/such/method", "textDocument/noSuch", "$/noSuch"]), {})
        else:
            self.damage()

    def sweep(self) -> None:
        """Every registered method once with each broken params shape, and once generated."""
        for method in self.methods:
            for params in ("<missing>", None, [1, 2], "params", self.gen.params(method)):
                if is_request(method):
                    self.request(method, params)
                else:
                    self.notify(method, params)
        self.settle()

    def damage(self) -> None:
        """Framing and envelope damage; a request that follows must still be answered."""
        r = self.rng
        self.report.raw += 1
        kind = r.randrange(10)
        if kind == 0:
            self.s.send_raw(b"Content-Length: " + r.choice([b"abc", b"", b"-5", b"1e3"]) + b"\r\n\r\n{}")
        elif kind == 1:
            self.s.send_raw(b"Content-Type: application/json\r\n\r\n{\"jsonrpc\": \"2.0\"}")
        elif kind == 2:
            self.s.send_raw(bytes(r.randrange(256) for _ in range(r.randint(1, 200))))
        elif kind == 3:
            body = json.dumps({"jsonrpc": "2.0", "id": "damaged", "method": "ssc/status"}).encode()
            self.s.send_raw(b"Content-Length: %d\r\n\r\n" % (len(body) + r.choice([-9, -1, 1, 30])) + body)
        elif kind == 4:
            self.s.send_raw(frame(r.choice([b"{not json", b"", b"nul", b"[1,", b'{"a": 1}}'])))
        elif kind == 5:
            self.s.send_raw(frame(b'{"jsonrpc": "2.0", "method": "x\xff\xfe", "id": 5}'))
        elif kind == 6:
            self.next_id += 1
            self.s.send(r.choice([{"jsonrpc": "2.0", "id": [1], "method": "ssc/status"},
                                  {"jsonrpc": "1.0", "id": self.next_id, "method": "ssc/status"},
                                  {"jsonrpc": "2.0", "id": 1.5, "method": "ssc/status"},
                                  {"jsonrpc": "2.0", "id": None, "method": "ssc/status"}]))
        elif kind == 7:
            self.next_id += 1
            batch = [{"jsonrpc": "2.0", "id": f"b{self.next_id}", "method": "ssc/status"}, 5]
            self.s.send_raw(frame(json.dumps(batch).encode()))
            self.waiting[f"b{self.next_id}"] = ("<batch>", "")
            self.report.sent += 1
        elif kind == 8:
            self.next_id += 1
            msg_id = f"huge{self.next_id}"
            self.s.send_raw(b"Content-Length: 99999999999\r\n\r\n" + json.dumps(
                {"id": msg_id, "method": "x"}).encode())
            self.waiting[msg_id] = ("<over the limit>", "")
            self.report.sent += 1
        else:
            self.s.send_raw(b"\r\n\r\n\r\n")
        # a well-formed request right after: the stream must have resynchronised
        self.request("ssc/status", {})

    def big(self) -> None:
        """A 20 MB request and a 50 MB didOpen (a file that is one big string, and a non-Python
        document): answered, and the server still answers after."""
        text = "x = '" + "a" * BIG_REQUEST + "'\n"
        self.request("textDocument/hover", {"textDocument": {"uri": (self.ws / "big.py").as_uri()},
                                            "position": {"line": 0, "character": 3}, "pad": text})
        self.settle()
        for name, body in (("big_open.py", "s = '''" + "b" * BIG_OPEN + "'''\n"),
                           ("big_open.txt", "c" * BIG_OPEN)):
            uri = (self.ws / name).as_uri()
            self.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": body}})
            self.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
            self.settle()
            self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self.report.raw += 3

    def restore(self) -> None:
        """Undo what the barrage did to the session's view of the workspace: close every URI it
        may have opened, say every file changed on disk, settings back to the defaults."""
        for uri in self.gen.uris:
            self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        changes = [{"uri": p.as_uri(), "type": 2} for p in self.ws.rglob("*.py")]
        self.notify("workspace/didChangeWatchedFiles", {"changes": changes})
        self.notify("workspace/didChangeConfiguration", {"settings": {"ssc": {}}})


def definition_ok(s: RawServer, ws: Path) -> bool:
    """`round_cents` in billing.py (line 11, `    return round_cents(`) is defined in util/money.py."""
    billing = ws / "shop" / "services" / "billing.py"
    answer = s.request("textDocument/definition", {"textDocument": {"uri": billing.as_uri()},
                                                   "position": {"line": 10, "character": 14}})
    result = answer.get("result")
    if isinstance(result, dict):
        result = [result]
    return bool(result) and result[0].get("uri", result[0].get("targetUri")) == \
        (ws / "util" / "money.py").as_uri()


def before_initialize(s: RawServer, fuzzer: Fuzzer, n: int) -> None:
    """Requests before initialize: -32002 (or -32600/-32700 for the malformed); notifications dropped."""
    for _ in range(n):
        method = fuzzer.rng.choice(fuzzer.methods)
        if method == types.INITIALIZE:
            continue
        if is_request(method):
            fuzzer.request(method, fuzzer.gen.params(method))
        else:
            fuzzer.notify(method, fuzzer.gen.params(method))
    fuzzer.settle()


def run(tmp: Path, examples: int, seed: int = 1234, big: bool = True) -> Report:
    """The whole barrage against one server; the report says what happened."""
    report = Report()
    started = time.monotonic()
    ws = tmp / "ws"
    if not ws.exists():
        shutil.copytree(FIXTURE_WS, ws)
    with RawServer(tmp / "cache") as s:
        fuzzer = Fuzzer(s, ws, seed, report)
        try:
            before_initialize(s, fuzzer, max(8, examples // 20))
            st.initialize(s, ws)
            fuzzer.sweep()
            for _ in range(examples):
                fuzzer.one()
            fuzzer.settle()
            if big:
                fuzzer.big()
            fuzzer.restore()
            s.wait_ready()
            report.definition_ok = definition_ok(s, ws)
            assert s.request("shutdown").get("result", "x") is None
            for _ in range(max(4, examples // 50)):  # after shutdown: -32600
                method = fuzzer.rng.choice(fuzzer.methods)
                if is_request(method):
                    fuzzer.request(method, fuzzer.gen.params(method))
            fuzzer.settle()
            seconds, code = s.exit_seconds()
            report.exit_seconds.append(seconds)
            report.exit_codes.append(code)
        except (TimeoutError, BrokenPipeError, OSError):
            if s.proc.poll() is not None and not report.crashes:
                report.crashes += 1
            elif s.proc.poll() is None:
                report.unanswered.append(("<hang>", ""))
        report.stderr_tail = s.stderr_text()[-4000:]  # type: ignore[attr-defined]
    report.seconds = time.monotonic() - started
    return report
