"""Third-party APIs used near the cursor come with their installed signatures (via jedi)."""

from __future__ import annotations

from pathlib import Path

from ssc_lsp.context.engine import ContextEngine, ContextOptions
from ssc_lsp.context.tokens import Budget
from ssc_lsp.map.service import MapOptions, MapService


def test_installed_api_signature_and_doc(tmp_path: Path):
    root = tmp_path / "w"
    root.mkdir()
    # pathspec is a dependency of this project, so it is installed wherever the tests run
    code = "import pathspec\n\n\ndef load(lines):\n    spec = pathspec.PathSpec.from_lines('gitwildmatch', lines)\n    return "
    (root / "app.py").write_text(code)
    svc = MapService(str(root), MapOptions(persist=False, workers=1))
    svc.index()
    engine = ContextEngine(svc)
    try:
        lines = code.split("\n")
        res = engine.assemble("app.py", len(lines) - 1, len(lines[-1]),
                              ContextOptions(budget=Budget(4000), jedi_deadline=None, wait_for_indexes=True))
        ext = [it for it in res.items if it.external]
        assert ext, [it.name for it in res.items]
        it = next((x for x in ext if x.name.endswith("from_lines")), None)
        assert it is not None, [(x.name, x.path) for x in ext]
        assert it.name.startswith("pathspec.") and it.path.startswith("pathspec/")
        assert "def from_lines(" in it.text and it.text.count("\n") <= 3
        assert "(installed package)" in res.text
        assert any("installed API" in w for w in it.why)
    finally:
        engine.close()
