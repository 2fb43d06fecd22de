"""The LSP-free navigation layer on small workspaces: definition, references, search, checks,
rename plans. (The e2e tests in tests/features drive the same code over stdio.)"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ssc_lsp.map.checks import check_file
from ssc_lsp.map.document import Change
from ssc_lsp.map.navigation import definition, references
from ssc_lsp.map.rename import RenameRefused, plan_rename
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.symbol_search import searcher
from tests.conftest import FIXTURE_WS


def workspace(tmp_path: Path, files: dict[str, str]) -> MapService:
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip())
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    return svc


def at(svc: MapService, rel: str, needle: str, nth: int = 0, offset: int = 0) -> tuple:
    text = Path(svc.abspath(rel)).read_text()
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    i += offset
    row = text.count("\n", 0, i)
    return svc.ws.files[rel], row, i - (text.rfind("\n", 0, i) + 1)


def defined(svc: MapService, rel: str, needle: str, nth: int = 0, offset: int = 0) -> str | None:
    fm, row, col = at(svc, rel, needle, nth, offset)
    loc = definition(svc.resolver, fm, row, col)
    return loc.symbol.id if loc is not None else None


@pytest.fixture(scope="module")
def shop() -> MapService:
    svc = MapService(str(FIXTURE_WS), MapOptions(persist=False))
    svc.index()
    return svc


def test_relative_import_module_names_lead_to_modules(shop):
    assert defined(shop, "shop/services/billing.py", "models.customer", offset=0) == "shop/models/__init__.py"
    assert defined(shop, "shop/services/billing.py", "customer import") == "shop/models/customer.py"
    assert defined(shop, "shop/services/billing.py", "money import") == "util/money.py"


def test_keyword_arguments_are_uses_of_the_parameter(shop):
    assert defined(shop, "shop/services/billing.py", "formal=True") == "shop/models/customer.py::Customer.greeting.formal"
    fm, row, col = at(shop, "shop/models/customer.py", "formal=False")
    loc = definition(shop.resolver, fm, row, col)
    spots = {(s.path, s.range[0]) for s in references(shop.ws, shop.resolver, loc, False)}
    assert spots == {("shop/models/customer.py", 12), ("shop/services/billing.py", 22)}


def test_a_name_imported_from_outside_is_defined_by_its_import(shop):
    assert defined(shop, "shop/models/order.py", "@dataclass", offset=1) == "shop/models/order.py::dataclass"
    assert defined(shop, "scripts/run_shop.py", "print(") is None  # builtins have no import


def test_overload_stubs_give_way_to_the_implementation(tmp_path):
    svc = workspace(tmp_path, {"m.py": """
        import typing as t

        @t.overload
        def pick(x: int) -> int: ...
        @t.overload
        def pick(x: str) -> str: ...
        def pick(x):
            return x

        pick(1)
    """})
    assert defined(svc, "m.py", "pick(1)") == "m.py::pick@3"
    assert defined(svc, "m.py", "return x", offset=7) == "m.py::pick.x@3"
    fm, row, col = at(svc, "m.py", "pick(1)")
    loc = definition(svc.resolver, fm, row, col)
    rows = sorted(s.range[0] for s in references(svc.ws, svc.resolver, loc, True))
    assert rows == [3, 5, 6, 9]  # both stubs, the implementation, the call


def test_a_fallback_definition_beats_an_unresolvable_import(tmp_path):
    svc = workspace(tmp_path, {"m.py": """
        try:
            from fastlib import speedup
        except ImportError:
            def speedup(x):
                return x

        speedup(2)
    """})
    assert defined(svc, "m.py", "speedup(2)") == "m.py::speedup@2"


def test_explicit_reexport_alias_is_a_reference_and_is_renamed(tmp_path):
    svc = workspace(tmp_path, {
        "pkg/__init__.py": "from .impl import run as run\n",
        "pkg/impl.py": "def run():\n    return 1\n",
        "main.py": "from pkg import run\nrun()\n",
    })
    fm, row, col = at(svc, "pkg/impl.py", "run")
    loc = definition(svc.resolver, fm, row, col)
    spots = sorted((s.path, s.range[1]) for s in references(svc.ws, svc.resolver, loc, True))
    assert spots == [("main.py", 0), ("main.py", 16), ("pkg/__init__.py", 18), ("pkg/__init__.py", 25),
                     ("pkg/impl.py", 4)]
    edits = plan_rename(svc.ws, svc.resolver, loc, "go", lambda p: Path(svc.abspath(p)).read_bytes())
    assert {p: len(e) for p, e in edits.items()} == {"main.py": 2, "pkg/__init__.py": 2, "pkg/impl.py": 1}


def test_rename_refuses_to_capture_a_use_in_an_inner_scope(tmp_path):
    svc = workspace(tmp_path, {"m.py": """
        def helper():
            return 1

        def outer():
            fresh = 2
            return helper() + fresh
    """})
    fm, row, col = at(svc, "m.py", "helper")
    loc = definition(svc.resolver, fm, row, col)
    with pytest.raises(RenameRefused, match="already means"):
        plan_rename(svc.ws, svc.resolver, loc, "fresh", lambda p: None)


def test_symbol_search_tiers_and_edits(tmp_path):
    svc = workspace(tmp_path, {"a.py": """
        class FileMap: ...
        def get_file_mtime(): ...
        def map_files(): ...
        def fm(): ...
    """})
    s = searcher(svc.ws)
    assert [x.symbol.name for x in s.search("fm")][:3] == ["fm", "FileMap", "get_file_mtime"]
    assert [x.symbol.name for x in s.search("gfm")] == ["get_file_mtime"]
    svc.open("a.py", Path(svc.abspath("a.py")).read_text(), 1)
    svc.change("a.py", [Change("def fm_two(): ...\n", ((0, 0), (0, 0)))], 2)
    assert "fm_two" in [x.symbol.name for x in s.search("fm")]  # the changed file, searched apart


DYNAMIC = """
    import functools

    def flexible(*args, **kwargs):
        return args

    def deco(fn):
        return fn

    @deco
    def wrapped(a):
        return a

    class Made:
        def __new__(cls, *a):
            return super().__new__(cls)

        def __init__(self, a):
            self.a = a

    @functools.total_ordering
    class Decorated:
        def __init__(self, a):
            self.a = a

    class Base:
        def hook(self):
            return None

        def run(self):
            return self.hook(1)

    class Child(Base):
        def hook(self, x):
            return x

    def plain(a, *, key):
        return a

    def use(obj, args):
        flexible(1, 2, x=3)
        wrapped(1, 2)
        Made(1, 2)
        Decorated(1, 2)
        plain(*args)
        obj.anything(1, 2, 3)
        getattr(obj, "x")(1)
"""


def test_no_alarm_on_dynamic_code(tmp_path):
    svc = workspace(tmp_path, {"d.py": DYNAMIC})
    assert check_file(svc.ws, svc.resolver, svc.ws.files["d.py"]) == []


def test_real_mismatches_are_reported(tmp_path):
    svc = workspace(tmp_path, {"d.py": DYNAMIC + "    plain(1, 2)\n    plain(1)\n    plain(1, key=2, other=3)\n"})
    got = [(p.code, p.message) for p in check_file(svc.ws, svc.resolver, svc.ws.files["d.py"])]
    assert got == [
        ("call-arguments", "`plain()` takes 1 positional argument; called with 2"),
        ("call-arguments", "`plain()` is missing the argument `key`"),
        ("call-keyword", "`plain()` has no parameter `other`"),
    ]
