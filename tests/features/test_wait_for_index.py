"""Requests that need the whole map wait for the index, with a bound, and say so past it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from ssc_lsp.features.locate import RequestFailed, whole_map
from ssc_lsp.map.jedi_bridge import JediHit, to_target
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.workspace import Located


def test_whole_map_waits_then_refuses_saying_why(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    with pytest.raises(RequestFailed) as e:
        asyncio.run(whole_map(svc, "a references list", limit=0.2))
    assert "still being indexed" in str(e.value) and "a references list" in str(e.value)
    threading.Timer(0.2, svc.index).start()  # the index ends while the request waits
    asyncio.run(whole_map(svc, "a references list", limit=20))
    assert svc.indexed.is_set()


def test_a_jedi_landing_counts_only_where_the_map_has_that_symbol(tmp_path):
    (tmp_path / "m.py").write_text("class C:\n    def __init__(self):\n        self.items = []\n\n\n"
                                   "values = [v for v in range(3)]\n")
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    path = str(tmp_path / "m.py")
    t = to_target(svc.ws, svc.root, JediHit(path, 2, 13, "items", "statement", "m.C.items"))
    assert isinstance(t, Located) and t.symbol.id == "m.py::C.items"
    # a comprehension's variable: the map keeps no symbol there, so jedi's answer is dropped
    assert to_target(svc.ws, svc.root, JediHit(path, 5, 14, "v", "statement", "m.v")) is None
