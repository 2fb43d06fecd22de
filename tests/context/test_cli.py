"""`ssc-lsp context FILE:LINE:COL` from a terminal."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from .conftest import FIXTURES


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssc_lsp", "--log-level", "WARNING", "context", *args],
                          capture_output=True, text=True, timeout=300)


def test_context_command(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root)
    (root / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    target = root / "shop" / "checkout.py"
    line = next(i for i, ln in enumerate(target.read_text().split("\n"), 1) if "self.repo.save" in ln)
    col = target.read_text().split("\n")[line - 1].index("save") + 1
    out = run(f"{target}:{line}:{col}", "--budget", "1500", "--json", "--cut", "--no-cache")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["receiver"] == "self.repo" and res["used"] <= 1500
    assert res["items"][0]["path"] == "shop/repository.py"
    text = run(f"{target}:{line}:{col}", "--budget", "800", "--cut", "--no-cache")
    assert text.returncode == 0 and "context for shop/checkout.py" in text.stdout
    assert "# shop/repository.py" in text.stdout
    bad = run(f"{target}", "--no-cache")
    assert bad.returncode == 2
