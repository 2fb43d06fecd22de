"""Resolution the issue found wrong: re-exports of outside modules through a compat module,
namespace packages, a class body's decorator named like the def below it, and requests made
before the index has reached the files they need (mapped on demand)."""

from __future__ import annotations

import threading
from pathlib import Path

from ssc_lsp.map.navigation import definition, implementation_of
from ssc_lsp.map.relations import unresolved_imports
from ssc_lsp.map.resolve import External
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.workspace import Located


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def position(svc: MapService, rel: str, needle: str, offset: int = 0) -> tuple[int, int]:
    lines = (Path(svc.root) / rel).read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if needle in line)
    return row, lines[row].index(needle) + offset


def indexed(root: Path, files: dict[str, str]) -> MapService:
    """A workspace of `files`, indexed."""
    write(root, files)
    svc = MapService(str(root), MapOptions(persist=False, workers=1))
    svc.index()
    return svc


def test_a_compat_reexport_of_the_stdlib_is_external_not_unresolved(tmp_path):
    svc = indexed(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/compat.py": "from urllib.parse import urlparse, urlunparse\nimport io as StringIO\n",
        "pkg/api.py": "from .compat import urlparse, StringIO\nfrom .compat import missing\n",
    })
    fm = svc.ws.files["pkg/api.py"]
    row, col = position(svc, "pkg/api.py", "urlparse")
    assert svc.resolver.target_at(fm, row, col) == External("urllib.parse", "urlparse")
    found = [(u["module"], u["name"]) for u in unresolved_imports(svc.resolver, svc.ws)]
    assert found == [("pkg.compat", "missing")]  # only the name compat does not define


def test_a_namespace_package_is_a_module(tmp_path):
    svc = indexed(tmp_path, {
        "src/app/__init__.py": "",
        "src/app/sansio/core.py": "class App:\n    pass\n",  # no __init__.py: PEP 420
        "src/app/main.py": "from .sansio.core import App\nfrom . import sansio\nfrom .sansio import core\n"
                           "core.App\n",
        "src/app/gone.py": "from .nowhere import x\n",
    })
    assert svc.ws.is_namespace("app.sansio") and not svc.ws.is_namespace("app")
    found = {(u["path"], u["module"]) for u in unresolved_imports(svc.resolver, svc.ws)}
    assert found == {("src/app/gone.py", "app.nowhere")}  # the module and its name; not sansio
    fm = svc.ws.files["src/app/main.py"]
    row, col = position(svc, "src/app/main.py", "core.App", 5)
    loc = definition(svc.resolver, fm, row, col)
    assert loc is not None and loc.symbol.id == "src/app/sansio/core.py::App"


def test_a_decorator_in_a_class_body_is_not_the_def_it_decorates(tmp_path):
    svc = indexed(tmp_path, {
        "deco.py": "def post_dump(fn=None, **kw):\n    return fn\n",
        "use.py": "from deco import post_dump\n\nclass S:\n    @post_dump(pass_original=True)\n"
                  "    def post_dump(self):\n        pass\n\n    x = post_dump\n",
    })
    fm = svc.ws.files["use.py"]
    row, col = position(svc, "use.py", "@post_dump", 1)
    assert definition(svc.resolver, fm, row, col).symbol.id == "deco.py::post_dump"
    row, col = position(svc, "use.py", "x = post_dump", 4)  # below the def: the method
    assert definition(svc.resolver, fm, row, col).symbol.id == "use.py::S.post_dump"


def test_requests_before_the_index_map_what_they_need_on_demand(tmp_path, monkeypatch):
    """The index is held after its crawl: a definition then maps the asking file and the
    modules its resolution goes through, and is the same answer the full index gives."""
    write(tmp_path, {
        "pkg/__init__.py": "from .models import Cart as Cart\n",
        "pkg/models.py": "class Cart:\n    def total(self):\n        return 0\n",
        "pkg/other.py": "X = 1\n",
        "app.py": "from pkg import Cart\n\nCart().total()\n",
    })
    svc = MapService(str(tmp_path), MapOptions(persist=False, workers=1))
    hold, crawled = threading.Event(), threading.Event()
    real = svc._note_unmapped

    def note_then_hold(found):
        real(found)
        crawled.set()
        hold.wait(30)

    monkeypatch.setattr(svc, "_note_unmapped", note_then_hold)
    t = threading.Thread(target=svc.index)
    t.start()
    try:
        assert crawled.wait(30)
        assert svc.ws.files == {}
        fm = svc.ensure("app.py")
        assert fm is not None and fm.module == "app"
        row, col = position(svc, "app.py", "total")
        loc = definition(svc.resolver, fm, row, col)
        assert isinstance(loc, Located) and loc.symbol.id == "pkg/models.py::Cart.total"
        assert "pkg/other.py" not in svc.ws.files  # only what resolution needed
        assert not svc.indexed.is_set()
    finally:
        hold.set()
        t.join(30)
    assert svc.indexed.is_set() and "pkg/other.py" in svc.ws.files
    fm = svc.ws.files["app.py"]
    assert definition(svc.resolver, fm, row, col).symbol.id == "pkg/models.py::Cart.total"
    assert svc.ensure("not_there.py") is None


def test_definition_goes_to_the_source_beside_a_stub(tmp_path):
    svc = indexed(tmp_path, {
        "pkg/__init__.py": "from .headers import Headers\n",
        "pkg/headers.py": "class Headers:\n    def get(self, key):\n        return key\n",
        "pkg/headers.pyi": "class Headers:\n    def get(self, key: str) -> str: ...\n",
        "use.py": "from pkg import Headers\n\nHeaders().get('a')\n",
    })
    fm = svc.ws.files["use.py"]
    row, col = position(svc, "use.py", "get")
    loc = definition(svc.resolver, fm, row, col)
    assert loc is not None and loc.symbol.qualname == "Headers.get"  # the stub's or the source's
    assert implementation_of(svc.ws, loc).symbol.id == "pkg/headers.py::Headers.get"
    stub = svc.ws.files["pkg/headers.pyi"]
    impl = implementation_of(svc.ws, Located(stub, stub.lookup("Headers.get")))
    assert impl.symbol.id == "pkg/headers.py::Headers.get"
    assert implementation_of(svc.ws, impl) is impl
