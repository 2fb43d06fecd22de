"""Free names for extract function / variable, from the map's scopes (real tree-sitter, real
map): what is bound, visible or used where jedi puts the new name is refused."""

from __future__ import annotations

import textwrap

import pytest

from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.refactor.naming import (
    CLASS_LEVEL,
    LOCAL_LEVEL,
    MODULE_LEVEL,
    fallback,
    landing_of,
    why_taken,
)

MOD = textwrap.dedent('''\
    from os.path import join
    from helpers import *

    LIMIT = 3


    def total(items, rate):
        extracted = 0
        subtotal = sum(items)
        return subtotal * rate + LIMIT


    class Cart:
        size = 1

        def __init__(self):
            self.items = []

        def price(self, rate):
            return total(self.items, rate) + self.size

        @staticmethod
        def unit(x):
            return x * 2


    class Bigger(Cart):
        def discount(self):
            return 1


    def late():
        return later_name
    ''')

HELPERS = "def helper_fn():\n    return 1\n\n__all__ = ['helper_fn']\n"


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    (root / "cart.py").write_text(MOD)
    (root / "helpers.py").write_text(HELPERS)
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    return svc, svc.ws.files["cart.py"]


def row(text: str) -> int:
    return [line.strip() for line in MOD.splitlines()].index(text.strip())


def taken(mapped, at: str, what: str, name: str) -> str | None:
    svc, fm = mapped
    return why_taken(svc.ws, svc.resolver, fm, landing_of(fm, row(at), what), name)


def test_where_jedi_binds_the_new_name(mapped):
    _, fm = mapped
    assert landing_of(fm, row("        subtotal = sum(items)"), "variable").level == LOCAL_LEVEL
    assert landing_of(fm, row("        subtotal = sum(items)"), "function").level == MODULE_LEVEL
    method = landing_of(fm, row("            return total(self.items, rate) + self.size"), "function")
    assert (method.level, method.scope) == (CLASS_LEVEL, "Cart")
    static = landing_of(fm, row("            return x * 2"), "function")
    assert static.level == MODULE_LEVEL  # a staticmethod's extraction goes to the module
    assert landing_of(fm, row("LIMIT = 3"), "variable").level == MODULE_LEVEL


def test_local_names_params_globals_and_builtins_are_taken(mapped):
    at = "        subtotal = sum(items)"
    assert "already bound" in taken(mapped, at, "variable", "extracted")
    assert "already bound" in taken(mapped, at, "variable", "rate")  # a parameter
    assert "already means" in taken(mapped, at, "variable", "LIMIT")  # would make it local
    assert "already means" in taken(mapped, at, "variable", "join")  # an import
    assert "already means" in taken(mapped, at, "variable", "helper_fn")  # through a star import
    assert "builtin" in taken(mapped, at, "variable", "sum")
    assert "keyword" in taken(mapped, at, "variable", "class")
    assert "identifier" in taken(mapped, at, "variable", "2fast")
    assert taken(mapped, at, "variable", "weighted") is None


def test_module_function_names(mapped):
    at = "        subtotal = sum(items)"
    assert "already defined" in taken(mapped, at, "function", "total")
    assert "already defined" in taken(mapped, at, "function", "Cart")
    assert "already means" in taken(mapped, at, "function", "subtotal")  # the caller's local
    assert "already used" in taken(mapped, at, "function", "later_name")  # unresolved today
    assert taken(mapped, at, "function", "compute_subtotal") is None


def test_method_names_look_at_members_bases_and_subclasses(mapped):
    at = "            return total(self.items, rate) + self.size"
    assert "member" in taken(mapped, at, "function", "size")
    assert "member" in taken(mapped, at, "function", "items")  # an instance attribute
    assert "subclass" in taken(mapped, at, "function", "discount")
    assert taken(mapped, at, "function", "total") is None  # a method may reuse a module name


def test_fallback_skips_taken_names(mapped):
    svc, fm = mapped
    local = landing_of(fm, row("        subtotal = sum(items)"), "variable")
    assert fallback(svc.ws, svc.resolver, fm, local) == "extracted_2"
    module = landing_of(fm, row("LIMIT = 3"), "variable")
    assert fallback(svc.ws, svc.resolver, fm, module) == "extracted"
