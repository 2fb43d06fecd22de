from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ssc_lsp.map.service import MapOptions, MapService

from ..conftest import FIXTURES

ROPE_WS = FIXTURES / "rope_ws"


@pytest.fixture
def rope_ws(tmp_path) -> Path:
    """A private copy of the rope fixture workspace."""
    dest = tmp_path / "rope_ws"
    shutil.copytree(ROPE_WS, dest)
    return dest


@pytest.fixture
def svc(rope_ws):
    """The copy, indexed (no store)."""
    s = MapService(str(rope_ws), MapOptions(persist=False))
    s.index()
    yield s
    s.close_store()
