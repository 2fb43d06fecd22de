import pytest

from ssc_lsp.map.relations import all_edges, incoming, unresolved_imports
from ssc_lsp.map.resolve import External
from ssc_lsp.map.service import MapOptions, MapService

from ..conftest import FIXTURE_WS


@pytest.fixture(scope="module")
def svc():
    s = MapService(str(FIXTURE_WS), MapOptions(persist=False))
    s.index()
    return s


def resolved(svc, path):
    fm = svc.ws.files[path]
    out = {}
    for ref, unit in fm.iter_refs():
        t = svc.resolver.resolve_ref(fm, ref, unit)
        key = (ref.row + unit.start_row, ref.name)
        out[key] = t.symbol.id if hasattr(t, "symbol") else t
    return out


def test_ignored_and_secret_files_are_not_mapped(svc):
    assert "secret_dir/hidden.py" not in svc.ws.files
    assert all(not p.endswith(".env") for p in svc.ws.files)


def test_imports_reexports_and_members(svc):
    r = resolved(svc, "scripts/run_shop.py")
    assert r[(0, "Customer")] == "shop/models/customer.py::Customer"  # via two __init__ re-exports
    assert r[(0, "charge_order")] == "shop/services/billing.py::charge"  # aliased re-export
    assert r[(2, "money")] == "util/money.py"  # `from util import money`: a submodule
    assert r[(10, "format_money")] == "util/money.py::format_money"
    assert r[(8, "add")] == "shop/models/order.py::Order.add"  # receiver typed by `Order(...)`
    assert r[(11, "describe")] == "shop/models/base.py::Model.describe"  # inherited
    assert r[(10, "total")] == "shop/models/order.py::LineItem.total"
    assert r[(10, "print")] == External("builtins", "print")


def test_relative_imports_self_attributes_and_annotations(svc):
    r = resolved(svc, "shop/services/billing.py")
    assert r[(4, "round_cents")] == "util/money.py::round_cents"  # three dots
    assert r[(15, "total")] == "shop/models/order.py::Order.total"  # `order: Order` annotation
    assert r[(17, "customer")] == "shop/models/order.py::Order.customer"  # self.customer = ...
    assert r[(9, "TAX_RATE")] == "shop/services/billing.py::TAX_RATE"
    assert r[(22, "greeting")] == "shop/models/customer.py::Customer.greeting"
    c = resolved(svc, "shop/models/customer.py")
    assert c[(7, "__init__")] == "shop/models/base.py::Model.__init__"  # super().__init__


def test_local_scopes_shadow_module_names(svc):
    r = resolved(svc, "shop/models/order.py")
    # `item` inside the generator expression is the comprehension's own binding
    gen_items = [v for (row, name), v in r.items() if name == "item" and row == 30]
    assert gen_items and all(not isinstance(v, str) for v in gen_items)
    assert r[(26, "item")] == "shop/models/order.py::Order.add.item"


def test_incoming_calls_and_inheritance(svc):
    loc = svc.ws.get("shop/models/customer.py::Customer.greeting")
    inc = incoming(svc.ws, svc.resolver, loc)
    callers = sorted(c["caller"] for c in inc["calls"])
    assert callers == ["scripts/run_shop.py::main", "shop/services/billing.py::notify"]
    edges = all_edges(svc.ws, svc.resolver)
    assert ("inherits", "shop/models/order.py::Order", "shop/models/base.py::Model") in edges
    assert ("imports", "shop/services/billing.py", "util/money.py") in edges
    assert ("contains", "shop/models/order.py::Order", "shop/models/order.py::Order.add") in edges


def test_no_unresolved_workspace_imports(svc):
    assert unresolved_imports(svc.resolver, svc.ws) == []


def test_chained_calls_are_typed_part_by_part(tmp_path):
    (tmp_path / "shop.py").write_text(
        "class Item:\n"
        "    def price(self) -> int:\n"
        "        return 1\n\n"
        "class Cart:\n"
        "    def first(self) -> Item:\n"
        "        return Item()\n\n"
        "def make() -> Cart:\n"
        "    return Cart()\n")
    s = MapService(str(tmp_path), MapOptions(persist=False))
    s.index()
    fm = s.ws.files["shop.py"]

    def value(expr):
        v = s.resolver.value_of_expr(fm, "", expr)
        cls = getattr(v, "cls", None)
        return f"Instance({cls.symbol.name})" if cls is not None else getattr(getattr(v, "symbol", None), "name", v)

    assert value("Cart()") == "Instance(Cart)"
    assert value("Cart().first()") == "Instance(Item)"  # not `Cart`: the last call decides
    assert value("make().first().price") == "price"
    assert value("Cart(')', x=(1, 2)).first()") == "Instance(Item)"  # brackets in arguments
    assert value("Cart().missing().first") is None  # an unknown member stops the chain
    assert value("Cart()[0]") is None
    assert value("Cart(") is None
