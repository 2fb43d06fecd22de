"""ssc.moveSymbol's engine on a real copy of a fixture workspace: rope's move, the imports the
map makes follow (a relative re-export rope leaves), the cycle warning, the refusals."""

from __future__ import annotations

import asyncio

import pytest

from ssc_lsp.map.positions import LineIndex
from ssc_lsp.refactor.move_symbol import move_symbol
from ssc_lsp.refactor.rope_run import RefactorFailed, Stats

from .scratch import problems_from_scratch, write


@pytest.fixture
def svc(rope_svc):
    """The rope fixture workspace, indexed (conftest.rope_svc)."""
    return rope_svc



def _move(svc, rel, needle, target, stats=None):
    data = open(svc.abspath(rel), "rb").read()
    row, col = LineIndex(data).point_of_byte(data.index(needle.encode()))
    return asyncio.run(move_symbol(svc, rel, row, col, target, stats=stats))


def test_move_to_a_new_module_every_import_follows(svc, rope_ws):
    stats = Stats()
    p = _move(svc, "pkg/geometry.py", "area(width", "pkg/measure.py", stats)
    assert p.title == "Move area to new module pkg/measure.py"
    assert "def area(width, height, scale=1):" in p.after["pkg/measure.py"].decode()
    assert "def area" not in p.after["pkg/geometry.py"].decode()
    # the package's relative re-export: rope leaves it, the map rewrites it
    assert "from .measure import area\n" in p.after["pkg/__init__.py"].decode()
    assert stats.completed == 2  # the re-export, and geometry's own import of CM (the test below)
    assert any("pkg/__init__.py:3" in n for n in p.notes)
    assert not any("cycle" in n for n in p.notes)
    # app imports it through the package's re-export, which follows: that import stays
    assert p.after["app.py"].decode().startswith("from pkg import area")
    write(rope_ws, p.after)
    assert problems_from_scratch(rope_ws) == []


def test_a_move_that_closes_an_import_cycle_warns(svc, rope_ws):
    # report imports geometry; geometry's Box.outline calls perimeter: moved into report,
    # geometry must import report
    p = _move(svc, "pkg/geometry.py", "perimeter(width", "pkg/report.py")
    cycle = [n for n in p.notes if "import cycle" in n]
    assert cycle == ["warning: an import cycle: pkg/report.py -> pkg/geometry.py -> pkg/report.py "
                     "(module-level imports)"]


def test_move_splits_an_import_of_several_names(svc, rope_ws):
    (rope_ws / "pkg" / "extra.py").write_text("from .geometry import Box, area\n\n\nprint(area(1, 2), Box)\n")
    svc.file_changed_on_disk("pkg/extra.py")
    p = _move(svc, "pkg/geometry.py", "area(width", "pkg/measure.py")
    extra = p.after["pkg/extra.py"].decode()
    # rope rewrote the use but left the relative import: the map split it
    assert extra.startswith("from .geometry import Box\nfrom .measure import area\n")
    write(rope_ws, p.after)
    assert problems_from_scratch(rope_ws) == []


def test_refusals(svc):
    with pytest.raises(RefactorFailed, match="top-level"):
        _move(svc, "pkg/geometry.py", "resize(self", "pkg/measure.py")
    with pytest.raises(RefactorFailed, match="outside"):
        _move(svc, "pkg/geometry.py", "area(width", "../elsewhere.py")
    with pytest.raises(RefactorFailed, match="already"):
        _move(svc, "pkg/geometry.py", "area(width", "pkg/geometry.py")
    with pytest.raises(RefactorFailed, match=r"\.py"):
        _move(svc, "pkg/geometry.py", "area(width", "pkg/measure")


def test_an_import_other_files_take_from_the_source_is_put_back(svc, rope_ws):
    # geometry imports CM only for pkg.legacy (`from pkg.geometry import CM`); rope's move drops
    # imports the source no longer uses
    p = _move(svc, "pkg/geometry.py", "area(width", "pkg/measure.py")
    geometry = p.after["pkg/geometry.py"].decode()
    assert "import CM" in geometry
    write(rope_ws, p.after)
    assert problems_from_scratch(rope_ws) == []
