"""Shared test helpers: fixture paths and an isolated cache dir for every test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_WS = FIXTURES / "ws"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's real cache dir."""
    monkeypatch.setenv("SSC_LSP_CACHE_DIR", str(tmp_path_factory.mktemp("ssc-cache")))


@pytest.fixture
def ws_copy(tmp_path) -> Path:
    """A private copy of the fixture workspace (tests may edit it)."""
    dest = tmp_path / "ws"
    shutil.copytree(FIXTURE_WS, dest)
    return dest
