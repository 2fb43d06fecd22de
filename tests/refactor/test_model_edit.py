"""The model's edit format on the real map of the fixture workspace: blocks located by the map,
re-indented, spliced; what is refused and why; what the briefing shows; stubs."""

from __future__ import annotations

import pytest

from ssc_lsp.refactor.briefing import Briefing, definitions_at
from ssc_lsp.refactor.model_edit import FormatError, interpret, parse
from ssc_lsp.refactor.stubs import is_stub, wants_body
from tests.grounding.test_edit_check import BILLING

ORDER = "shop/models/order.py"


def reader(svc):
    def read(rel):
        try:
            with open(svc.abspath(rel), "rb") as f:
                return f.read()
        except OSError:
            return None
    return read


def block(op_head: str, code: str | None = None, fence: str = "```python") -> str:
    return f"### {op_head}\n" + (f"{fence}\n{code}```\n" if code is not None else "")


def test_a_method_written_at_column_0_lands_indented_in_its_class(svc):
    answer = ("Here it is:\n\n" + block("replace Order.total in shop/models/order.py",
                                        "def total(self):\n    return 0.0")).rstrip()  # fence glued, no newline
    out = interpret(svc, answer, reader(svc))
    assert out.rejected == []
    text = out.after[ORDER].decode()
    assert "    def total(self):\n        return 0.0\n" in text
    assert "sum(item.total()" not in text and "    def add(self, sku" in text  # only that method
    assert text.count("def total(self)") == 2  # LineItem.total kept


def test_module_prefix_backticks_and_unfenced_code_are_tolerated(svc):
    answer = ("### replace `shop.services.billing.tax` in `shop/services/billing.py`:\n"
              "def tax(amount, rate=TAX_RATE):\n    return round_cents(amount * rate * 1)\n")
    out = interpret(svc, answer, reader(svc))
    assert out.rejected == [] and b"amount * rate * 1)" in out.after[BILLING]


def test_a_path_without_its_folders_is_found_when_one_file_ends_so(svc):
    out = interpret(svc, block("replace tax in billing.py", "def tax(amount, rate=TAX_RATE):\n    return 0\n"),
                    reader(svc))
    assert out.rejected == [] and list(out.after) == [BILLING]
    out = interpret(svc, block("replace greeting in nowhere/customer.py", "def greeting(self):\n    return 1\n"),
                    reader(svc))
    assert out.after == {} and "does not exist" in out.rejected[0][1]


def test_add_hoists_imports_and_appends_code_and_creates_files(svc):
    answer = (block("add to shop/services/billing.py", "import math\n\ndef ceil_total(x):\n    return math.ceil(x)\n")
              + block("add to Order in shop/models/order.py", "def count(self):\n    return len(self.items)\n")
              + block("add to shop/extra.py", "def fresh():\n    return 1\n"))
    out = interpret(svc, answer, reader(svc))
    billing = out.after[BILLING].decode()
    assert billing.index("import math") < billing.index("TAX_RATE")
    assert billing.rstrip().endswith("return math.ceil(x)") and "\n\n\ndef ceil_total" in billing
    order = out.after[ORDER].decode()
    assert order.rstrip().endswith("    def count(self):\n        return len(self.items)")
    assert out.after["shop/extra.py"] == b"def fresh():\n    return 1\n"


def test_delete_takes_the_definition_and_its_spacing(svc):
    out = interpret(svc, block("delete notify in shop/services/billing.py"), reader(svc))
    text = out.after[BILLING].decode()
    assert "def notify" not in text and text.endswith("    return total\n")


@pytest.mark.parametrize("answer, why", [
    (block("replace nothing in shop/services/billing.py", "def nothing():\n    pass\n"),
     "defines no function or class `nothing`"),
    (block("replace tax in ../../elsewhere.py", "def tax():\n    return 0\n"), "outside the workspace"),
    (block("replace charge in shop/services/billing.py",
           "def charge(order):\n    # ... existing code ...\n    return total\n"), "lazy placeholder"),
    (block("replace charge in shop/services/billing.py", "total = 1\n"), "not a whole `def` or `class`"),
    (block("replace tax in .env", "def tax():\n    return 0\n"), "secret"),
    (block("replace TAX_RATE in shop/services/billing.py", "TAX_RATE = 0.3\n"), "no function or class"),
])
def test_refused_blocks_say_why(svc, answer, why):
    out = interpret(svc, answer, reader(svc))
    assert out.after == {} and len(out.rejected) == 1 and why in out.rejected[0][1], out.rejected


def test_overlapping_blocks_keep_the_first(svc):
    answer = (block("replace Order in shop/models/order.py", "class Order(Model):\n    pass\n")
              + block("replace Order.total in shop/models/order.py", "def total(self):\n    return 1\n"))
    out = interpret(svc, answer, reader(svc))
    assert [b.symbol for b in out.used] == ["Order"] and "overlaps" in out.rejected[0][1]


def test_garbage_is_a_format_error():
    assert parse("Sorry, I can't.") == []
    with pytest.raises(FormatError, match="no edit block"):
        interpret(None, "Sorry, I can't.", lambda rel: None)  # type: ignore[arg-type]


def test_a_kept_redacted_line_gets_its_secret_back(svc, ws_copy):
    path = ws_copy / BILLING
    path.write_text(path.read_text().replace("    message = customer.greeting(formal=True)\n",
                                             '    message = customer.greeting(formal=True)\n'
                                             '    password = "correct-horse-battery"\n'))
    answer = block("replace notify in shop/services/billing.py",
                   'def notify(customer: Customer, amount):\n    message = customer.greeting()\n'
                   '    password = "[redacted]"\n    return f"{message}: {amount}"\n')
    out = interpret(svc, answer, reader(svc))
    assert b'password = "correct-horse-battery"' in out.after[BILLING]
    wrong = answer.replace('password = "[redacted]"', 'token = "[redacted]"')
    assert "redacted" in interpret(svc, wrong, reader(svc)).rejected[0][1]


def test_stubs_and_the_definitions_at_a_selection(svc, ws_copy):
    path = ws_copy / BILLING
    extra = ('\n\ndef a(x):\n    """Doc."""\n    # TODO\n\n\ndef b(x):\n    raise NotImplementedError("later")\n'
             '\n\ndef c(x):\n    ...\n\n\ndef d(x):\n    return x\n')
    data = (path.read_text() + extra).encode()
    path.write_bytes(data)
    fm = svc.file_changed_on_disk(BILLING)
    stubs = {s.name: is_stub(data, s) for s in fm.symbols if s.name in "abcd" and s.kind == "function"}
    assert stubs == {"a": True, "b": True, "c": True, "d": False}
    assert all(wants_body(svc, fm, s) for s in fm.symbols if s.name in "abc" and s.kind == "function")
    charge = fm.lookup("charge")
    row = charge.range[0] + 2
    assert definitions_at(fm, (row, 4)) == [charge]
    both = definitions_at(fm, (charge.range[0], 0), (fm.lookup("notify").range[0] + 1, 0))
    assert [s.name for s in both] == ["charge", "notify"]


def test_the_briefing_shows_callers_in_closed_files_and_counts_the_budget(svc):
    from ssc_lsp.map.workspace import Located

    fm = svc.ws.files["util/money.py"]
    brief = Briefing(svc, reader(svc), "Instruction: x")
    assert brief.definition("util/money.py", fm.lookup("format_money"), "The definition to change,")
    assert brief.callers(Located(fm, fm.lookup("format_money"))) == 1
    text = brief.text()
    assert "`main` in `scripts/run_shop.py`" in text and "money.format_money(charge_order(order))" in text
    small = Briefing(svc, reader(svc), "Instruction: x")
    small.used = 24_000 - 10  # the budget (PROMPT_BUDGET) nearly spent: the section is left out
    assert not small.definition("util/money.py", fm.lookup("format_money"), "The definition to change,")
    assert small.sections == []


def test_bodies_meant_to_be_empty_are_not_stubs(svc, ws_copy):
    path = ws_copy / "shop/models/base.py"
    path.write_text(path.read_text() + '''

class Hook(Model):
    def on_save(self):
        """Does nothing by default."""
        pass

    def todo(self):
        # TODO: write it
        pass

    def save(self, force=False):
        ...

    def later(self):
        raise NotImplementedError

    def unsupported(self):
        raise NotImplementedError("use save()")

    def quiet(self):
        """Nothing happens by default."""

    def soon(self):
        raise NotImplementedError()


class Saver(Hook):
    def later(self):
        return 1


class Shape(Protocol):
    def area(self) -> float:
        ...


@overload
def one(x: int) -> int:
    ...
''')
    data = path.read_bytes()
    fm = svc.file_changed_on_disk("shop/models/base.py")
    wanted = {s.qualname: is_stub(data, s) and wants_body(svc, fm, s)
              for s in fm.symbols if s.kind in ("function", "method") and s.row0 > 20}
    assert wanted == {"Hook.on_save": False,  # `pass` in a method: a no-op on purpose
                      "Hook.todo": True,  # ... unless a comment says it is to do
                      "Hook.save": False,  # overrides Model.save: an intentional no-op
                      "Hook.later": False,  # Saver overrides it: an interface
                      "Hook.unsupported": False, "Hook.quiet": False,  # said on purpose
                      "Hook.soon": True,
                      "Saver.later": False, "Shape.area": False, "one": False}
