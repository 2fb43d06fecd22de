"""The JSON-lines helper process both jedi users run: answers, restarts, time limits, stop."""

from __future__ import annotations

import os

from ssc_lsp.helper_process import HelperProcess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def helper(**kw) -> HelperProcess:
    return HelperProcess("tests.helper_echo", env={**os.environ, "PYTHONPATH": REPO}, **kw)


def test_one_process_answers_question_after_question():
    h = helper()
    try:
        first = h.call({"q": 1})
        second = h.call({"q": 2})
        assert first["echo"] == {"q": 1} and second["echo"] == {"q": 2}
        assert first["pid"] == second["pid"]  # started once
    finally:
        h.stop()


def test_a_process_that_dies_is_started_again_and_a_lost_cause_is_an_error():
    h = helper()
    try:
        before = h.call({"q": 1})["pid"]
        assert "error" in h.call({"exit": True})  # dies on both tries: an answer, not a raise
        after = h.call({"q": 3})
        assert after["echo"] == {"q": 3} and after["pid"] != before
    finally:
        h.stop()


def test_an_answer_later_than_the_timeout_kills_the_process():
    h = helper(timeout=0.3)
    try:
        assert "error" in h.call({"sleep": 2})
        assert h.call({"q": 4})["echo"] == {"q": 4}
    finally:
        h.stop()


def test_stop_ends_the_process_and_a_missing_module_is_an_error():
    h = helper()
    h.call({"q": 5})
    proc = h._proc
    h.stop()
    assert proc is not None and proc.poll() is not None
    assert "error" in HelperProcess("tests.no_such_module_here").call({})
