"""ssc.changeSignature's engine on a real copy of a fixture workspace: rope's result, the map's
completions of the call sites rope leaves, the notes, and the result mapped from scratch."""

from __future__ import annotations

import asyncio

import pytest

from ssc_lsp.map.positions import LineIndex
from ssc_lsp.refactor.change_signature import PARTIAL, change_signature
from ssc_lsp.refactor.rope_run import RefactorFailed, Stats
from ssc_lsp.refactor.signature_ops import BadChange, parse_ops

from .scratch import problems_from_scratch, write


@pytest.fixture
def svc(rope_svc):
    """The rope fixture workspace, indexed (conftest.rope_svc)."""
    return rope_svc



def _at(svc, rel: str, needle: str) -> tuple[int, int]:
    data = (svc.docs[rel].data if rel in svc.docs else open(svc.abspath(rel), "rb").read())
    return LineIndex(data).point_of_byte(data.index(needle.encode()))


def _run(svc, rel, needle, changes, stats=None):
    row, col = _at(svc, rel, needle)
    return asyncio.run(change_signature(svc, rel, row, col, parse_ops(changes), stats=stats))


def test_remove_completes_the_annotated_receiver_rope_misses(svc, rope_ws):
    stats = Stats()
    p = _run(svc, "pkg/geometry.py", "resize(self", [{"op": "remove", "name": "keep"}], stats)
    geometry = p.after["pkg/geometry.py"].decode()
    report = p.after["pkg/report.py"].decode()
    assert "def resize(self, factor):" in geometry
    # `box: Box` then `box.resize(3, keep=True)`: rope cannot type the receiver, the map can
    assert "grown = box.resize(3)\n" in report
    assert stats.completed == 1
    assert any("pkg/report.py:10" in n and "rope left unchanged" in n for n in p.notes)
    write(rope_ws, p.after)
    assert problems_from_scratch(rope_ws) == []


def test_rename_and_add_with_a_value_reach_keywords_and_partials(svc, rope_ws):
    p = _run(svc, "pkg/geometry.py", "area(width", [
        {"op": "rename", "name": "height", "newName": "h"},
        {"op": "add", "name": "depth", "value": "1"}])
    assert "def area(width, h, depth, scale=1):" in p.after["pkg/geometry.py"].decode()
    report = p.after["pkg/report.py"].decode()
    # rope passes the value at the calls it finds; the partial it does not see is the map's
    assert "unit_area = partial(area, 1, h=1, depth=1)" in report
    assert "area(grown.width, grown.height, 1)" in report
    assert "area(4, 5, 1)" in p.after["app.py"].decode()
    # `functools.partial(area, scale=1)`: its callers pass width and height; renaming one of them
    # may break a caller that names it, so it is listed, not rewritten
    assert "functools.partial(area, scale=1)" in p.after["pkg/geometry.py"].decode()
    assert f"{PARTIAL} (1): pkg/geometry.py:31" in p.notes
    write(rope_ws, p.after)
    assert problems_from_scratch(rope_ws) == []


def test_reorder_rewrites_a_partial_whose_callers_do_not_move(svc, rope_ws):
    p = _run(svc, "pkg/geometry.py", "area(width", [{"op": "reorder", "order": ["height", "width", "scale"]}])
    report = p.after["pkg/report.py"].decode()
    assert "unit_area = partial(area, height=1, width=1)" in report
    assert "geometry.area(2, 1" in report


def test_removing_a_used_parameter_is_said(svc):
    p = _run(svc, "pkg/geometry.py", "area(width", [{"op": "remove", "name": "scale"}])
    assert any("still uses the removed parameter `scale`" in n for n in p.notes)
    # the partial that bound only `scale` binds nothing now
    assert "square_area = functools.partial(area)" in p.after["pkg/geometry.py"].decode()


def test_unsaved_buffer_is_what_rope_and_the_map_read(svc, rope_ws):
    text = (rope_ws / "app.py").read_text() + "\n\ndef later(b: Box):\n    return b.resize(5, keep=True)\n"
    svc.open("app.py", text, 2)
    p = _run(svc, "pkg/geometry.py", "resize(self", [{"op": "remove", "name": "keep"}])
    app = p.after["app.py"].decode()
    assert "return b.resize(5)\n" in app  # the unsaved call, updated
    assert "later" not in (rope_ws / "app.py").read_text()  # nothing written to the workspace


def test_refusals_say_why(svc):
    with pytest.raises(RefactorFailed, match="keyword-only"):
        _run(svc, "pkg/report.py", "label(text", [{"op": "remove", "name": "text"}])
    with pytest.raises(RefactorFailed, match="no parameter `nope`"):
        _run(svc, "pkg/geometry.py", "area(width", [{"op": "remove", "name": "nope"}])
    with pytest.raises(RefactorFailed, match="no default"):
        _run(svc, "pkg/geometry.py", "resize(self", [{"op": "reorder", "order": ["keep", "factor"]}])
    with pytest.raises(RefactorFailed, match="no function or method"):
        _run(svc, "pkg/geometry.py", "import functools", [{"op": "remove", "name": "x"}])
    with pytest.raises(BadChange, match="default"):
        parse_ops([{"op": "add", "name": "z"}])


def test_a_rename_rope_refuses_is_the_maps(svc, rope_ws):
    # rope 1.x cannot resolve a keyword-only parameter; the map's rename does it, and says so
    p = _run(svc, "pkg/report.py", "label(text", [{"op": "rename", "name": "upper", "newName": "loud"}])
    report = p.after["pkg/report.py"].decode()
    assert "def label(text, *, loud=False):" in report
    assert "return text.upper() if loud else text" in report
    assert 'label("hi", loud=True)' in report
    assert any("the map renamed the parameter" in n for n in p.notes)
    write(rope_ws, p.after)
    assert problems_from_scratch(rope_ws) == []
