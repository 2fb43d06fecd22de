"""The check on the fixture workspace: what it rejects, what it lets pass, what it cannot decide."""

from __future__ import annotations

import pytest

from ssc_lsp.grounding import Checker, Externals, repair_hints
from ssc_lsp.grounding.check import ATTRIBUTE, CALL, IMPORT_MISSING, MODULE_MISSING, NAME
from ssc_lsp.map.service import MapOptions, MapService
from tests.conftest import FIXTURE_WS

BILLING = "shop/services/billing.py"
ANCHOR = "    amount = order.total()\n"


@pytest.fixture(scope="module")
def svc():
    s = MapService(str(FIXTURE_WS), MapOptions(persist=False))
    s.index()
    yield s


@pytest.fixture(scope="module")
def externals():
    ext = Externals(str(FIXTURE_WS))
    yield ext
    ext.close()


def check(svc, externals, suggestion: str, rel: str = BILLING, anchor: str = ANCHOR,
          before: bool = False):
    """Check `suggestion` inserted after (or before) the anchor line of `rel`."""
    text = svc.text_of(rel)
    at = text.index(anchor) + (0 if before else len(anchor))
    doc = svc.open(rel, text, 1)
    offset = len(text[:at].encode())
    checker = Checker(svc, externals)
    verdict, placed = checker.check(doc.fm, doc.data, offset, suggestion, doc.tree, doc.index)
    if verdict.pending:
        checker.settle(verdict, 60)
        verdict, placed = checker.check(doc.fm, doc.data, offset, suggestion, doc.tree, doc.index)
    svc.close(rel)
    return verdict, placed


def kinds(verdict) -> list[tuple[str, str]]:
    return [(i.kind, i.name) for i in verdict.issues]


@pytest.mark.parametrize("suggestion, expected", [
    ("    x = order.totl()\n", [(ATTRIBUTE, "order.totl")]),
    ("    x = compute_totl(amount)\n", [(NAME, "compute_totl")]),
    ("    x = tax(amount, 0.1, 3)\n", [(CALL, "tax")]),
    ("    x = tax(amount, rat=3)\n", [(CALL, "tax")]),
    ("    notify(order.customer, amount, 3)\n", [(CALL, "notify")]),
    ("    round_cents(amount, 2)\n", [(CALL, "round_cents")]),
    ("    import nonexistent_module_xyz\n", [(MODULE_MISSING, "nonexistent_module_xyz")]),
    ("    from ..models.customer import Customr\n", [(IMPORT_MISSING, "shop.models.customer.Customr")]),
    ("    from ..models import nothing_here\n", [(IMPORT_MISSING, "shop.models.nothing_here")]),
    ("    import os\n    p = os.path.joinx('a')\n", [(ATTRIBUTE, "os.path.joinx")]),
    ("    x = order.customer.greting()\n", [(ATTRIBUTE, "order.customer.greting")]),
    ("    x = Order.totl\n", [(ATTRIBUTE, "Order.totl")]),
    ("    x = (order.totl(\n", [(ATTRIBUTE, "order.totl")]),  # checked as if closed
])
def test_rejects_what_does_not_exist(svc, externals, suggestion, expected):
    verdict, _ = check(svc, externals, suggestion)
    assert not verdict.ok
    assert kinds(verdict) == expected
    issue = verdict.issues[0]
    assert suggestion[issue.start:issue.end] == expected[0][1].rsplit(".", 1)[-1]


@pytest.mark.parametrize("suggestion", [
    "    x = tax(amount) + order.customer.greeting(formal=True)\n",
    "    total = sum(item.total() for item in order.items)\n",
    "    for (a, b) in [(1, 2)]:\n        print(a, b, currency)\n",
    "    helper = lambda v: round_cents(v) + TAX_RATE\n",
    "    def inner(q):\n        return q * TAX_RATE\n    x = inner(amount)\n",
    "    import os\n    p = os.path.join('a', 'b')\n",
    "    import json\n    data = json.dumps({'a': amount})\n",
    "    order.save(force=True)\n    order.describe()\n",
    "    x = charge(order, currency='USD')\n",
    "    from ..models.customer import Customer\n",
])
def test_lets_real_code_pass(svc, externals, suggestion):
    verdict, _ = check(svc, externals, suggestion)
    assert verdict.ok, verdict.to_json()
    assert verdict.checked > 0


@pytest.mark.parametrize("suggestion, unknown", [
    ("    with open('x') as (fa, fb):\n        print(fa, fb)\n", "fa"),  # the extractor's gap
    ("    order.note = 3\n", "note"),  # assigning creates the attribute
    ("    x = order.__dict__\n", "__dict__"),
    ("    x = amount.whatever\n", "amount.whatever"),  # the receiver's type is unknown
    ("    x = order.totl(]\n", "totl"),  # does not parse: nothing is decided in an ERROR node
])
def test_cannot_decide_and_says_so(svc, externals, suggestion, unknown):
    verdict, _ = check(svc, externals, suggestion)
    assert verdict.ok
    assert unknown in verdict.unknown


def test_identifiers_are_read_across_the_cursor(svc, externals):
    # the user typed `order.to`; the model completes `tl()`: the member used is `totl`
    verdict, _ = check(svc, externals, "tl()\n", anchor="    amount = order.to", before=False)
    assert kinds(verdict) == [(ATTRIBUTE, "order.totl")]
    verdict, _ = check(svc, externals, "tal()\n", anchor="    amount = order.to")
    assert verdict.ok


def test_names_the_rest_of_the_file_leaves_unresolved_are_not_the_models_fault(svc, externals):
    # dynamic.py uses `obj` only as a parameter; a name unresolved elsewhere in a file is excused
    text = svc.text_of("shop/dynamic.py")
    svc.open("shop/dynamic.py", text + "\ndef late():\n    return mystery_global\n", 1)
    doc = svc.docs["shop/dynamic.py"]
    offset = len(doc.data)
    verdict, _ = Checker(svc, externals).check(doc.fm, doc.data, offset,
                                               "\nvalue = mystery_global\n", doc.tree, doc.index)
    svc.close("shop/dynamic.py")
    assert verdict.ok and "mystery_global" in verdict.unknown


def test_the_live_map_is_not_touched(svc, externals):
    rel = BILLING
    text = svc.text_of(rel)
    doc = svc.open(rel, text, 1)
    before = [(s.id, s.row0, s.byte0) for s in doc.fm.symbols]
    units = [(u.start_byte, u.end_byte) for u in doc.fm.units]
    at = len(text[:text.index(ANCHOR)].encode())
    Checker(svc, externals).check(doc.fm, doc.data, at, "def charge():\n    pass\n", doc.tree,
                                  doc.index)
    assert [(s.id, s.row0, s.byte0) for s in doc.fm.symbols] == before
    assert [(u.start_byte, u.end_byte) for u in doc.fm.units] == units
    assert svc.ws.files[rel] is doc.fm
    svc.close(rel)


def test_repair_hints_say_what_exists(svc, externals):
    verdict, placed = check(svc, externals, "    x = order.totl() + tx(amount)\n")
    missing, available = repair_hints(svc.ws, placed, verdict.issues)
    assert missing == ("order.totl", "tx")
    assert available[0] == "total()"  # the closest member, with its parameters
    assert "tax(amount, rate=...)" in available
    verdict, placed = check(svc, externals, "    x = tax(amount, 1, 2)\n")
    missing, available = repair_hints(svc.ws, placed, verdict.issues)
    assert missing[0].startswith("tax(...): `tax()` takes 1-2 positional arguments")
    assert available == ("tax(amount, rate=...)",)
    verdict, placed = check(svc, externals, "    x = format_mony(amount)\n")
    _, available = repair_hints(svc.ws, placed, verdict.issues)
    assert any(a.startswith("format_money(value, currency=...) (in util.money") for a in available)


def test_repair_hints_name_nothing_from_a_file_the_privacy_gate_refuses(svc, externals):
    """The hints go to the model like the context: a file refused (ignored, secret-looking,
    really outside the workspace) is not named in them."""
    verdict, placed = check(svc, externals, "    x = format_mony(amount)\n")
    _, available = repair_hints(svc.ws, placed, verdict.issues,
                                allowed=lambda path: path != "util/money.py")
    assert not any("format_money" in a for a in available)
    order = next(loc.file.path for loc in svc.ws.symbols_named("Order")
                 if loc.symbol.kind == "class")
    verdict, placed = check(svc, externals, "    x = order.totl()\n")
    _, available = repair_hints(svc.ws, placed, verdict.issues, allowed=lambda p: p != order)
    assert "total()" not in available
    _, available = repair_hints(svc.ws, placed, verdict.issues, allowed=lambda p: True)
    assert "total()" in available


# -- what real code does that the map cannot see: no false alarms ---------------------------------

DYNAMIC = {
    "pkg/__init__.py": "",
    "pkg/base.py": (
        "class Meta(type):\n"
        "    def __new__(mcs, name, bases, ns):\n"
        "        cls = super().__new__(mcs, name, bases, ns)\n"
        "        cls._meta = name\n"
        "        return cls\n\n\n"
        "class WithMeta(metaclass=Meta):\n"
        "    def show(self):\n"
        "        return 1\n\n\n"
        "class Admin:\n"
        "    def perms(self):\n"
        "        return 2\n\n\n"
        "class ModelAdmin(Admin):\n"
        "    def __init__(self, model):\n"
        "        self.opts = model\n\n\n"
        "class Form:\n"
        "    def clean(self):\n"
        "        return self.cleaned\n\n"
        "    def errors(self):\n"
        "        return 3\n\n\n"
        "def converters(pairs):\n"
        "    out = {}\n"
        "    for j, (conv, col) in pairs:\n"
        "        out[j] = conv\n"
        "    return out\n\n\n"
        "def make_form():\n"
        "    return Form()\n\n\n"
        "def use_form():\n"
        "    form = make_form()\n"
        "    return form\n"),
}


@pytest.fixture(scope="module")
def dynamic(tmp_path_factory):
    root = tmp_path_factory.mktemp("dyn")
    for rel, text in DYNAMIC.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    s = MapService(str(root), MapOptions(persist=False))
    s.index()
    return s


@pytest.mark.parametrize("anchor, suggestion, unknown", [
    # a metaclass may add attributes
    ("        return 1\n", "        x = self._meta\n", "self._meta"),
    # set in a subclass (`self.opts` read in the base class)
    ("        return 2\n", "        y = self.opts\n", "self.opts"),
    # the rest of the file reads `self.cleaned` and the map cannot resolve it there either
    ("        return 3\n", "        z = self.cleaned\n", "self.cleaned"),
    # bound by a nested tuple target
    ("        out[j] = conv\n", "        out[j] = (conv, col)\n", "col"),
])
def test_no_false_alarm_where_the_map_cannot_see(dynamic, externals, anchor, suggestion, unknown):
    verdict, _ = check(dynamic, externals, suggestion, rel="pkg/base.py", anchor=anchor)
    assert verdict.ok, verdict.to_json()
    assert unknown in verdict.unknown


def test_but_a_member_nobody_defines_is_still_reported(dynamic, externals):
    verdict, _ = check(dynamic, externals, "        y = self.nothing_like_it\n", rel="pkg/base.py",
                       anchor="        return 2\n")
    assert kinds(verdict) == [(ATTRIBUTE, "self.nothing_like_it")]


def test_jedi_types_what_the_map_cannot(dynamic, externals):
    # `form = make_form()`: no annotation, so the map cannot type `form`; jedi can
    anchor = "    form = make_form()\n"
    verdict, _ = check(dynamic, externals, "    form.clena()\n", rel="pkg/base.py", anchor=anchor)
    assert kinds(verdict) == [(ATTRIBUTE, "form.clena")]
    assert "as jedi infers it" in verdict.issues[0].message
    verdict, _ = check(dynamic, externals, "    form.clean()\n", rel="pkg/base.py", anchor=anchor)
    assert verdict.ok and verdict.checked >= 2


def test_an_unclosed_first_line_is_checked_as_if_closed(svc, externals):
    verdict, _ = check(svc, externals, "    x = tax(amount, compute_rate(order,\n")
    assert kinds(verdict) == [(NAME, "compute_rate")]
    verdict, _ = check(svc, externals, "    x = tax(amount, round_cents(amount,\n")
    assert verdict.ok and verdict.checked >= 2
    # an open call's arguments are still being written: not "missing an argument"
    verdict, _ = check(svc, externals, "    x = tax(\n")
    assert verdict.ok
    # but a keyword the callee does not take, or one positional too many, is already wrong
    verdict, _ = check(svc, externals, "    x = tax(amount, percent=3,\n")
    assert [(i.kind, i.name) for i in verdict.issues] == [(CALL, "tax")]
    assert "no parameter `percent`" in verdict.issues[0].message
    verdict, _ = check(svc, externals, "    x = tax(amount, 0.2, 3,\n")
    assert [i.kind for i in verdict.issues] == [CALL]


@pytest.mark.parametrize("suggestion, expected", [
    ("    if amount > LIMIT_X", [(NAME, "LIMIT_X")]),  # a header without its colon
    ("    with tax(amount, percent=3) as fh\n", [(CALL, "tax")]),
    ("    return tax(amount) if ok_flag else\n", [(NAME, "ok_flag")]),  # an operand to come
    ("    key = sorted([amount], key=lambda v", []),  # a lambda's body to come
    ("    total = round_cents(amount) +\n", []),
    ("    x = order.nothing_z.", [(ATTRIBUTE, "order.nothing_z")]),  # stopped before a member
    ("    @Order.nothing_w\n", [(ATTRIBUTE, "Order.nothing_w")]),  # a decorator, no def yet
])
def test_an_unfinished_line_is_checked_as_if_finished(svc, externals, suggestion, expected):
    verdict, _ = check(svc, externals, suggestion)
    assert kinds(verdict) == expected
    assert not verdict.syntax_error and verdict.checked >= 1


def test_class_decorators_that_add_nothing_keep_the_class_checkable(tmp_path, externals):
    root = tmp_path / "deco"
    root.mkdir()
    (root / "m.py").write_text(
        "import abc\nfrom dataclasses import dataclass\n\n\n"
        "@dataclass(frozen=True)\nclass Point:\n    x: int\n\n\n"
        "@abc.Mapping.register\nclass Box:\n    def get(self):\n        return 1\n\n\n"
        "def use(p: Point, b: Box):\n    return p.x\n")
    s = MapService(str(root), MapOptions(persist=False))
    s.index()
    verdict, _ = check(s, externals, "    b.gett()\n    p.y\n", rel="m.py", anchor="    return p.x\n",
                       before=True)
    assert kinds(verdict) == [(ATTRIBUTE, "b.gett"), (ATTRIBUTE, "p.y")]


def test_a_workspace_module_member_is_decided_even_in_code_that_does_not_parse(svc, externals):
    # the enclosing call is left open by the text after the cursor: an ERROR node
    text = svc.text_of("scripts/run_shop.py")
    anchor = "    print(money.format_money("
    at = text.index(anchor) + len(anchor)
    broken = text[:at] + "(((" + text[at:]
    doc = svc.open("scripts/run_shop.py", broken, 1)
    offset = len(broken[:at + 3].encode())
    checker = Checker(svc, externals)
    verdict, _ = checker.check(doc.fm, doc.data, offset, "money.round_cent(1)", doc.tree, doc.index)
    assert kinds(verdict) == [(ATTRIBUTE, "money.round_cent")]
    verdict, _ = checker.check(doc.fm, doc.data, offset, "money.round_cents(1)", doc.tree,
                               doc.index)
    assert verdict.ok
    svc.close("scripts/run_shop.py")
