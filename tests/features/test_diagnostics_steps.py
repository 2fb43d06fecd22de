"""The background check gives way to requests inside a large file, and survives edits between
its steps (the map object under it replaced)."""

from __future__ import annotations

from ssc_lsp.features import diagnostics
from ssc_lsp.map.checks import check_file
from ssc_lsp.map.service import MapOptions, MapService

LIB = "def send(to, body):\n    return to, body\n"


def module(n: int, bad_at: int | None = None) -> str:
    lines = ["from lib import send", ""]
    for i in range(n):
        args = "1" if i == bad_at else "1, 2"  # one call missing an argument
        lines += [f"def f{i}():", f"    return send({args})", ""]
    return "\n".join(lines)


class Loop:
    """Stands in for the server: counts the turns the check gave back, may edit meanwhile."""

    def __init__(self, on_turn=None) -> None:
        self.turns = 0
        self.on_turn = on_turn

    async def yield_to_foreground(self) -> None:
        self.turns += 1
        if self.on_turn is not None:
            self.on_turn(self.turns)


def workspace(tmp_path, text: str) -> MapService:
    (tmp_path / "lib.py").write_text(LIB)
    (tmp_path / "big.py").write_text(text)
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    return svc


async def test_a_large_file_is_checked_in_steps_with_the_same_result(tmp_path, monkeypatch):
    svc = workspace(tmp_path, module(200, bad_at=150))
    monkeypatch.setattr(diagnostics, "STEP_S", 0.0)  # give way after every unit
    state, loop = diagnostics.State(), Loop()
    await diagnostics.problems_in_steps(loop, state, svc, "big.py")
    assert loop.turns >= 200
    cached = state.cache[(svc.root, "big.py")]
    expected = check_file(svc.ws, svc.resolver, svc.ws.files["big.py"])
    assert [p.key() for p in cached.problems] == [p.key() for p in expected]
    assert len(expected) == 1 and "missing" in expected[0].message
    # the synchronous path finds the result cached
    assert diagnostics.problems_for(state, svc, "big.py") is cached


async def test_an_edit_between_steps_checks_the_new_map(tmp_path, monkeypatch):
    svc = workspace(tmp_path, module(50))
    svc.open("big.py", module(50), 1)
    monkeypatch.setattr(diagnostics, "STEP_S", 0.0)

    def edit(turn: int) -> None:
        if turn == 10:  # mid-check: the user breaks a call near the end of the file
            svc.open("big.py", module(50, bad_at=45), 2)

    state = diagnostics.State()
    await diagnostics.problems_in_steps(Loop(edit), state, svc, "big.py")
    cached = state.cache[(svc.root, "big.py")]
    assert cached.key == diagnostics._key(svc, "big.py")
    assert [p.range[0] for p in cached.problems] == [2 + 45 * 3 + 1]
