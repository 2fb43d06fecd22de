"""The `ssc-lsp` command as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def ssc(*args: str, cache, seed: str = "0") -> subprocess.CompletedProcess:
    env = dict(os.environ, SSC_LSP_CACHE_DIR=str(cache), PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-m", "ssc_lsp", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_version():
    out = ssc("--version", cache="/nonexistent")
    assert out.returncode == 0 and out.stdout.startswith("ssc-lsp ")


def test_map_summary_json_and_symbol(ws_copy, tmp_path):
    out = ssc("map", str(ws_copy), cache=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "files       11 (11 parsed, 0 from cache)" in out.stdout
    assert "unresolved imports  0" in out.stdout
    again = ssc("map", str(ws_copy), cache=tmp_path)
    assert "files       11 (0 parsed, 11 from cache)" in again.stdout
    whole = json.loads(ssc("map", str(ws_copy), "--json", cache=tmp_path).stdout)
    assert {f["path"] for f in whole["files"]} >= {"shop/models/order.py", "util/money.py"}
    assert {"relation": "inherits", "from": "shop/models/order.py::Order",
            "to": "shop/models/base.py::Model"} in whole["relations"]
    one = json.loads(ssc("map", str(ws_copy), "--symbol", "Order.total", cache=tmp_path).stdout)
    assert one["id"] == "shop/models/order.py::Order.total"
    assert one["relations"]["parent"] == "shop/models/order.py::Order"
    missing = ssc("map", str(ws_copy), "--symbol", "NoSuchThing", cache=tmp_path)
    assert missing.returncode == 1 and "no symbol" in missing.stderr


def test_history_across_restarts_has_no_spurious_changes(ws_copy, tmp_path):
    assert ssc("map", str(ws_copy), cache=tmp_path, seed="1").returncode == 0
    money = ws_copy / "util" / "money.py"
    money.write_text(money.read_text().replace("def round_cents(value):", "def round_cents(value, digits=2):"))
    out = ssc("map", str(ws_copy), "--changes", "5", cache=tmp_path, seed="2")
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1, out.stdout  # format_money's body did not change: no event for it
    assert "util/money.py::round_cents  signature changed: added `digits`" in lines[0]
