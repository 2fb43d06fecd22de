"""What the per-language map tests (test_go, test_java, test_rust) share: the fixture workspace
indexed once, a workspace written from dedented sources, and "what does this name resolve to"."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from ssc_lsp.map.resolve import Resolver
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.workspace import Located

from ..conftest import FIXTURES
from ..navigation.test_resolution_gaps import indexed


def fixture_shop(tmp_path_factory, language: str) -> MapService:
    """A copy of tests/fixtures/<language>, indexed (for a module-scoped fixture)."""
    root = tmp_path_factory.mktemp(language) / "shop"
    shutil.copytree(FIXTURES / language, root)
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    return svc


def write(root: Path, files: dict[str, str]) -> MapService:
    """A workspace of `files` (dedented), indexed."""
    return indexed(root, {rel: textwrap.dedent(text) for rel, text in files.items()})


def target(svc: MapService, path: str, line_text: str, name: str, nth: int = 0):
    """What the name `name` (its `nth` occurrence) in the first line containing `line_text`
    resolves to."""
    fm = svc.ws.files[path]
    text = (Path(svc.root) / path).read_text().splitlines()
    row = next(i for i, line in enumerate(text) if line_text in line)
    col = [i for i in range(len(text[row])) if text[row].startswith(name, i)][nth]
    return Resolver(svc.ws).target_at(fm, row, col)


def sid(t) -> str | None:
    """The symbol id of a resolution, None if it is not a located symbol."""
    return t.symbol.id if isinstance(t, Located) else None
