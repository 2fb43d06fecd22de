"""Shared helpers: a copy of a fixture workspace, its map and engine, and cut-file cursors."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from ssc_lsp.context.engine import ContextEngine, ContextOptions
from ssc_lsp.context.items import ContextResult
from ssc_lsp.context.tokens import Budget
from ssc_lsp.map.service import MapOptions, MapService

FIXTURES = Path(__file__).parent / "fixtures"
collect_ignore_glob = ["fixtures/*"]  # fixture workspaces hold their own tests: not ours to run


@dataclass
class Workspace:
    root: Path
    svc: MapService
    engine: ContextEngine

    def cut_at(self, rel: str, marker: str, after: bool = True, occurrence: int = 0) -> tuple[int, int]:
        """Open `rel` cut right after (or before) the `occurrence`-th `marker`; the cursor's (row, byte col)."""
        text = (self.root / rel).read_text()
        pos = -1
        for _ in range(occurrence + 1):
            pos = text.index(marker, pos + 1)
        end = pos + len(marker) if after else pos
        head = text[:end]
        row = head.count("\n")
        col = len(head.rsplit("\n", 1)[-1].encode())
        self.svc.open(rel, head, 1)
        return row, col

    def context(self, rel: str, marker: str, budget: int = 4000, unit: str = "chars", **kw) -> ContextResult:
        row, col = self.cut_at(rel, marker, **{k: v for k, v in kw.items() if k in ("after", "occurrence")})
        opts = ContextOptions(budget=Budget(budget, unit), jedi_deadline=None, wait_for_indexes=True,
                              use_jedi=kw.get("use_jedi", False))
        try:
            return self.engine.assemble(rel, row, col, opts)
        finally:
            self.svc.close(rel)
            self.engine.settle()


def make_workspace(src: Path, dest: Path) -> Workspace:
    shutil.copytree(src, dest)
    svc = MapService(str(dest), MapOptions(persist=False, workers=1))
    svc.index()
    engine = ContextEngine(svc)
    engine.warm()
    engine.settle()
    return Workspace(dest, svc, engine)


@pytest.fixture
def shop(tmp_path: Path):
    ws = make_workspace(FIXTURES / "shop", tmp_path / "shop")
    yield ws
    ws.engine.close()
