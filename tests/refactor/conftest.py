"""Fixtures of the refactor tests: the edit check's indexed workspace (`svc`, shared with
tests/grounding) and the rope fixture workspace (`rope_ws`, `rope_svc`; the rope tests name it
`svc` in their own modules)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ssc_lsp.map.service import MapOptions, MapService
from tests.grounding.test_edit_check import svc  # noqa: F401

from ..conftest import FIXTURES

ROPE_WS = FIXTURES / "rope_ws"


@pytest.fixture
def rope_ws(tmp_path) -> Path:
    """A private copy of the rope fixture workspace."""
    dest = tmp_path / "rope_ws"
    shutil.copytree(ROPE_WS, dest)
    return dest


@pytest.fixture
def rope_svc(rope_ws):
    """The copy, indexed (no store)."""
    s = MapService(str(rope_ws), MapOptions(persist=False))
    s.index()
    yield s
    s.close_store()
