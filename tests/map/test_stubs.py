"""Stubs beside sources: a `.pyi` describes a module's names for type checkers; it neither hides
the package's submodules nor shadows the `.py` (regressions from attrs' and black's releases)."""

from pathlib import Path

from ssc_lsp.map.checks import check_file
from ssc_lsp.map.hover import hover_markdown
from ssc_lsp.map.navigation import definition
from ssc_lsp.map.service import MapService
from tests.navigation.test_map_navigation import workspace


def problems(svc: MapService) -> list[tuple[str, int, str, str]]:
    return [(path, p.range[0], p.code, p.message) for path, fm in sorted(svc.ws.files.items())
            for p in check_file(svc.ws, svc.resolver, fm)]


def position(svc: MapService, rel: str, needle: str) -> tuple[int, int]:
    text = Path(svc.abspath(rel)).read_text()
    i = text.index(needle)
    return text.count("\n", 0, i), len(text[text.rfind("\n", 0, i) + 1:i].encode())


ATTR = {
    "attr/__init__.py": """
        from . import _compat
        from ._funcs import asdict
        from .wrapped import wrapped

        __all__ = ["asdict", "wrapped", "make"]

        def make(*args, **kwargs):
            return type(*args, **kwargs)
    """,
    "attr/__init__.pyi": """
        from typing import Any

        def asdict(inst: Any, recurse: bool = ...) -> dict: ...
        def wrapped(a: int, b: int = ...) -> int: ...
        def make(name: str) -> type: ...
    """,
    "attr/_compat.py": "PY3 = True\n",
    "attr/_funcs.py": """
        def asdict(inst, recurse=True, retain_collection_types=False):
            return {}
    """,
    "attr/wrapped.py": """
        import functools

        def deco(f):
            @functools.wraps(f)
            def inner(*args, **kwargs):
                return f(*args, **kwargs)
            return inner

        @deco
        def wrapped(a, b=0):
            return a + b
    """,
    "app.py": """
        import attr
        from attr import _compat

        attr.asdict(object(), retain_collection_types=True)
        attr.wrapped(1, 2)
        attr.make("C")
    """,
}


def test_a_package_stub_does_not_hide_its_submodules(tmp_path):
    svc = workspace(tmp_path, {
        **ATTR,
        "blib/pgen2/__init__.py": "",
        "blib/pgen2/__init__.pyi": "",
        "blib/pgen2/grammar.py": "class Grammar: ...\n",
        "blib/__init__.py": "",
        "blib/__init__.pyi": "",
        "driver.py": "from blib.pgen2 import grammar\nfrom blib import pgen2\n",
    })
    assert svc.ws.modules["attr"] == "attr/__init__.py"  # the source, whichever came last
    assert svc.ws.stubs["attr"] == "attr/__init__.pyi"
    assert problems(svc) == []


def test_a_keyword_the_source_takes_and_the_stub_does_not_declare_is_no_alarm(tmp_path):
    svc = workspace(tmp_path, {**ATTR, "use.py": """
        import attr

        attr.asdict(object(), nope=1)
        attr.wrapped(1, 2, 3)
    """})
    got = [(p, row, code) for p, row, code, _ in problems(svc)]
    # wrong by both signatures: flagged; `wrapped`'s source is wrapped in `*args`, the stub speaks
    assert got == [("use.py", 2, "call-keyword"), ("use.py", 3, "call-arguments")]
    msgs = [m for _, _, _, m in problems(svc)]
    assert msgs[0] == "`asdict()` has no parameter `nope`"


def test_the_stub_and_the_source_disagreeing_about_a_call_say_nothing(tmp_path):
    svc = workspace(tmp_path, {
        "lib/__init__.py": "def f(a, b):\n    return a\n",
        "lib/__init__.pyi": "def f(a: int, b: int = ...) -> int: ...\n",
        "use.py": "from lib import f\n\nf(1)\nf()\n",
    })
    # `f(1)` runs short of `b` by the source, fits the stub: nothing; `f()` fits neither
    assert [(p, row) for p, row, _, _ in problems(svc)] == [("use.py", 3)]


def test_a_stub_imports_names_only_stubs_declare(tmp_path):
    svc = workspace(tmp_path, {
        "pkg/__init__.py": "from .conv import optional\n",
        "pkg/__init__.pyi": "from .conv import optional, _ConverterType\n",
        "pkg/conv.py": "def optional(c):\n    return c\n",
        "pkg/conv.pyi": "from typing import Any\n_ConverterType = Any\ndef optional(c: Any) -> Any: ...\n",
        "pkg/_typing.pyi": "Alias = int\n",  # stub only: the module table names the stub
        "use.py": "from pkg._typing import Alias\n",
    })
    assert svc.ws.modules["pkg._typing"] == "pkg/_typing.pyi"
    assert problems(svc) == []


def test_definition_lands_on_the_source_and_hover_shows_the_precise_signature(tmp_path):
    svc = workspace(tmp_path, ATTR)
    fm = svc.ws.files["app.py"]
    row, col = position(svc, "app.py", "wrapped(1")
    loc = definition(svc.resolver, fm, row, col)
    assert loc is not None and loc.file.path == "attr/wrapped.py"
    stub = svc.ws.files["attr/__init__.pyi"]
    srow, scol = position(svc, "attr/__init__.pyi", "asdict(")
    loc2 = definition(svc.resolver, stub, srow, scol)
    assert loc2 is not None and loc2.file.path == "attr/_funcs.py"  # from the stub to the body
    row, col = position(svc, "app.py", "make(")
    make = definition(svc.resolver, fm, row, col)
    assert make is not None and make.file.path == "attr/__init__.py"
    md = hover_markdown(svc.ws, svc.resolver, make, lambda p: Path(svc.abspath(p)).read_bytes(), 0.0)
    assert md is not None and "def make(name: str) -> type" in md  # not (*args, **kwargs)
    assert "defined in `attr/__init__.py:" in md


def test_a_source_that_goes_leaves_its_stub_in_the_module_table(tmp_path):
    svc = workspace(tmp_path, {"m.py": "x = 1\n", "m.pyi": "x: int\n"})
    assert svc.ws.modules["m"] == "m.py"
    svc.ws.remove("m.py")
    assert svc.ws.modules["m"] == "m.pyi"
    svc.ws.remove("m.pyi")
    assert "m" not in svc.ws.modules and "m" not in svc.ws.stubs


def test_a_class_deriving_from_object_is_judged_by_its_init(tmp_path):
    # attrs' `_ClassBuilder(object)` and `Attribute(object)`: a required parameter added to
    # `__init__`, a caller in another file left behind (attrs 19.3.0 -> 20.1.0)
    svc = workspace(tmp_path, {
        "make.py": "class Builder(object):\n    def __init__(self, cls, these, on_setattr):\n        pass\n",
        "use.py": "from make import Builder\n\nBuilder(1, None)\nBuilder(1, None, True)\n",
    })
    assert [(p, row, code) for p, row, code, _ in problems(svc)] == [("use.py", 2, "call-arguments")]


def test_a_package_with_an_import_hook_in_the_workspace_may_have_any_submodule(tmp_path):
    # flask 0.12: `flask.ext` installs a meta path importer; `from flask.ext import newext` runs
    svc = workspace(tmp_path, {
        "flask/__init__.py": "",
        "flask/ext/__init__.py": "from ..exthook import install\ninstall()\n",
        "flask/exthook.py": "import sys\n\ndef install():\n    sys.meta_path.append(object())\n",
        "tests/test_ext.py": "def test():\n    from flask.ext import newext\n",
    })
    assert problems(svc) == []
    # without the hook the same import is reported
    svc.ws.remove("flask/exthook.py")
    assert [(p, code) for p, _, code, _ in problems(svc)] == [("tests/test_ext.py", "import-missing")]


def test_cached_functions_and_generic_classes_are_judged(tmp_path):
    # black 22.1 -> 22.3: `@lru_cache(maxsize=4096) def list_comments(prefix, *, is_endmarker)`;
    # black 22.12 -> 23.1: `class LineGenerator(Visitor[Line])`, `class Visitor(Generic[T])`
    svc = workspace(tmp_path, {
        "comments.py": """
            from functools import lru_cache
            from typing import Generic, TypeVar

            T = TypeVar("T")

            @lru_cache(maxsize=4096)
            def list_comments(prefix, *, is_endmarker):
                return []

            class Visitor(Generic[T]):
                def visit(self, node):
                    return node

            class LineGenerator(Visitor[int]):
                def __init__(self, mode, features):
                    self.mode = mode
        """,
        "use.py": """
            from comments import LineGenerator, list_comments

            list_comments("#", is_endmarker=False)
            list_comments("#", False)
            LineGenerator(mode=1, features=())
            LineGenerator(mode=1)
            LineGenerator(1, ()).visit(None)
        """,
    })
    assert [(p, row, code) for p, row, code, _ in problems(svc)] == [
        ("use.py", 3, "call-arguments"), ("use.py", 5, "call-arguments")]


def test_a_decorator_named_like_the_method_it_decorates_is_the_outer_name(tmp_path):
    # marshmallow 3.26 -> 4.0 tests: `@post_dump(pass_many=True)` above `def post_dump(self, ...)`
    # was tied to the method (a class body binds the method only after the decorator ran)
    svc = workspace(tmp_path, {
        "decorators.py": "def post_dump(fn=None, *, pass_collection=False):\n    return fn\n",
        "test_it.py": """
            from decorators import post_dump

            class Schema:
                @post_dump(pass_many=True)
                def post_dump(self, data):
                    return data

                @post_dump(pass_collection=True)
                def other(self, data):
                    return data

            class Outer:
                def post_dump(self, pass_many=False):
                    return self

                class Inner:  # sees the module's names, not Outer's
                    @post_dump(pass_many=True)
                    def post_dump(self, data):
                        return data
        """,
    })
    # the decorator above the method is the import (4.0 renamed `pass_many`); the one below it
    # is the method itself, decorated: not judged
    got = [(p, row, code, msg) for p, row, code, msg in problems(svc)]
    assert got == [("test_it.py", 3, "call-keyword", "`post_dump()` has no parameter `pass_many`"),
                   ("test_it.py", 16, "call-keyword", "`post_dump()` has no parameter `pass_many`")]
    fm = svc.ws.files["test_it.py"]
    loc = definition(svc.resolver, fm, *position(svc, "test_it.py", "post_dump(pass_many"))
    assert loc is not None and loc.file.path == "decorators.py"
    loc = definition(svc.resolver, fm, *position(svc, "test_it.py", "post_dump(pass_collection"))
    assert loc is not None and loc.symbol.qualname == "Schema.post_dump"
