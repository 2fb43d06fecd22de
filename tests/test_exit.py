"""`exit` ends the server at once whatever is in flight, with the LSP exit code, and takes the
helper processes with it (the process used to live ~40 s after `exit` while the embedded model
finished loading: the interpreter's shutdown joined the loader thread)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURE_WS
from tests.e2e import exit_states as st
from tests.e2e.raw import RawServer
from tests.fake_openai import FakeOpenAI, Reply

EXIT_GUARD_S = 5.0  # a hang guard, not a speed claim (bench/fuzz_bench.py measures)


def finish(s: RawServer, shutdown: bool) -> None:
    """shutdown (if asked) then exit: the process ends in time with the code LSP names, and no
    process it started lives on."""
    if shutdown:
        assert s.request("shutdown")["result"] is None
    helpers = st.children(s.proc.pid)
    seconds, code = s.exit_seconds(timeout=30)
    assert code is not None, "the server did not end after exit"
    assert seconds < EXIT_GUARD_S, f"exit took {seconds:.1f}s"
    assert code == (0 if shutdown else 1)
    assert st.alive(helpers) == [], "helper processes outlived the server"
    assert st.alive(st.group(s.proc.pid)) == [], "processes the server started outlived it"


@pytest.mark.parametrize("shutdown", [True, False])
def test_exit_while_idle(tmp_path: Path, shutdown: bool):
    with RawServer(tmp_path) as s:
        st.initialize(s, FIXTURE_WS)
        finish(s, shutdown)


def test_exit_before_initialize_is_code_1(tmp_path: Path):
    with RawServer(tmp_path) as s:
        assert s.request("ssc/status", {})["error"]["code"] == -32002  # it reads: time the exit
        finish(s, shutdown=False)


@pytest.mark.parametrize("shutdown", [True, False])
def test_exit_while_the_model_loads(tmp_path: Path, shutdown: bool):
    with RawServer(tmp_path, env=st.env_model_loading()) as s:
        st.enter_model_loading(s)
        finish(s, shutdown)


def test_exit_while_indexing_a_big_workspace(tmp_path: Path):
    root = st.big_workspace(tmp_path / "big")
    with RawServer(tmp_path / "cache") as s:
        st.enter_indexing(s, root)
        st.wait(lambda: len(st.group(s.proc.pid)) > 1, "the index workers to start")
        # A worker holding the client's pipes would keep them open after the server ended. A
        # child between fork and exec holds every descriptor of the server for a moment (the
        # private ones close at exec): only a holder that stays is one.
        st.wait(lambda: holders(s) == [], "no worker to hold the client's stdin or stdout", 10.0)
        finish(s, shutdown=True)


def holders(s: RawServer) -> list[int]:
    started = [pid for pid in st.group(s.proc.pid) if pid != s.proc.pid]
    return st.holding(started, s.proc.stdout) + st.holding(started, s.proc.stdin)


def test_exit_while_jedi_works(tmp_path: Path, ws_copy: Path):
    with RawServer(tmp_path / "cache") as s:
        st.enter_jedi_busy(s, ws_copy)
        finish(s, shutdown=False)


def test_exit_while_an_http_request_waits(tmp_path: Path):
    with FakeOpenAI() as fake, RawServer(tmp_path) as s:
        fake.enqueue(Reply(text="x = 1", delay=60))
        st.enter_http_in_flight(s, fake.base_url)
        assert fake.wait_for_requests(1, timeout=20), "the completion never reached the endpoint"
        finish(s, shutdown=True)
