"""The edit check on a real copy of the fixture workspace (real tree-sitter, real SQLite), and
`ssc-lsp check` as a subprocess (diff files, stdin, git's working tree, exit codes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssc_lsp.grounding.diff import DiffError, apply, parse
from ssc_lsp.grounding.edit_check import (
    ATTRIBUTE,
    CALL,
    IMPORT,
    MODULE_MISSING,
    NAME,
    PLACEHOLDER,
    REFUSED,
    REMOVED_USE,
    SYNTAX,
    EditCheck,
)
from ssc_lsp.map.service import MapOptions, MapService

BILLING = "shop/services/billing.py"
INIT = "shop/__init__.py"
RUN = "scripts/run_shop.py"
MONEY = "util/money.py"


@pytest.fixture
def svc(ws_copy):
    s = MapService(str(ws_copy), MapOptions(persist=False))
    s.index()
    return s


def text(svc, rel: str) -> str:
    return Path(svc.abspath(rel)).read_text()


def judge(svc, after: dict[str, str | None]):
    return EditCheck(svc).check({p: t.encode() if t is not None else None for p, t in after.items()})


def found(result) -> list[tuple[str, int, str]]:
    """(path, 1-based line, kind) of every problem."""
    return [(p.path, p.range[0] + 1, p.kind) for p in result.problems]


def line_of(source: str, needle: str) -> int:
    return source[:source.index(needle)].count("\n") + 1


def rename_charge(svc) -> dict[str, str]:
    """A correct multi-file rename: `charge` -> `bill` at its definition and both importers."""
    return {BILLING: text(svc, BILLING).replace("def charge(", "def bill("),
            INIT: text(svc, INIT).replace("import charge as", "import bill as")}


def test_correct_multi_file_rename_has_no_problem(svc):
    assert judge(svc, rename_charge(svc)).problems == []


def test_a_dropped_call_site_in_an_untouched_file_is_caught_at_its_line(svc):
    edits = rename_charge(svc)
    del edits[INIT]  # the hunk of shop/__init__.py is dropped: it still imports `charge`
    result = judge(svc, edits)
    line = line_of(text(svc, INIT), "charge as charge_order")
    assert found(result) == [(INIT, line, IMPORT)]
    assert "charge" in result.problems[0].message and "bill" in result.problems[0].message
    assert INIT in result.checked


def test_rename_of_a_function_called_elsewhere_without_its_callers(svc):
    money = text(svc, MONEY).replace("def round_cents(", "def to_cents(")
    result = judge(svc, {MONEY: money})
    src = text(svc, BILLING)
    assert (BILLING, line_of(src, "round_cents\n"), IMPORT) in found(result)


def test_removed_parameter_with_a_caller_left(svc):
    src = text(svc, BILLING)
    new = src.replace("def tax(amount, rate=TAX_RATE):\n    return round_cents(amount * rate)",
                      "def tax(amount):\n    return round_cents(amount * TAX_RATE)")
    new = new.replace("total = amount + tax(amount)", "total = amount + tax(amount, 0.1)")
    result = judge(svc, {BILLING: new})
    assert found(result) == [(BILLING, line_of(new, "total = amount + tax"), CALL)]


def test_changed_signature_caught_in_another_file(svc):
    src = text(svc, MONEY)
    assert "def format_money(value, currency=" in src
    new = src.replace("def format_money(value, currency=", "def format_money(value, *, currency=")
    new2 = new.replace("def format_money(value, *,", "def format_money(value, digits, *,")
    result = judge(svc, {MONEY: new2})
    assert (RUN, line_of(text(svc, RUN), "money.format_money("), CALL) in found(result)


def test_invented_function_and_attribute_are_caught(svc):
    src = text(svc, BILLING)
    new = src.replace("total = amount + tax(amount)", "total = amount + compute_tax(amount)")
    new = new.replace("amount = order.total()", "amount = order.totl()")
    result = judge(svc, {BILLING: new})
    assert sorted(found(result)) == sorted([(BILLING, line_of(new, "compute_tax"), NAME),
                                            (BILLING, line_of(new, "order.totl"), ATTRIBUTE)])


def test_missing_workspace_module_is_caught(svc):
    new = text(svc, BILLING).replace("from ..models.customer import", "from ..models.custmer import")
    assert found(judge(svc, {BILLING: new})) == [(BILLING, line_of(new, "custmer"), MODULE_MISSING)]


def test_lazy_placeholder_and_ellipsis_body_are_caught(svc):
    src = text(svc, BILLING)
    body = "    amount = order.total()\n    total = amount + tax(amount)\n    notify(order.customer, total)\n"
    lazy = src.replace(body, "    # ... existing code ...\n")
    assert found(judge(svc, {BILLING: lazy})) == [(BILLING, line_of(lazy, "# ..."), PLACEHOLDER)]
    gutted = src.replace(body + "    return total\n", "    ...\n")
    result = judge(svc, {BILLING: gutted})
    assert [k for *_, k in found(result)] == [PLACEHOLDER] and "`charge`" in result.problems[0].message


def test_placeholder_comment_that_deletes_nothing_is_not_reported(svc):
    src = text(svc, BILLING)
    new = src.replace("    amount = order.total()\n", "    # rest unchanged\n    amount = order.total()\n")
    assert judge(svc, {BILLING: new}).problems == []


def test_syntax_error_where_the_file_parsed(svc):
    new = text(svc, BILLING).replace("def tax(amount, rate", "def tax(amount,, rate")
    assert found(judge(svc, {BILLING: new})) == [(BILLING, line_of(new, "def tax("), SYNTAX)]
    # a function left without its name: the error is reported where the edit is, and the
    # symbols the parser lost in its recovery are not reported as removed in other files
    # what tree-sitter parses and Python refuses
    bad = text(svc, BILLING).replace("def tax(amount, rate=TAX_RATE)", "def tax(rate=TAX_RATE, amount)")
    assert found(judge(svc, {BILLING: bad})) == [(BILLING, line_of(bad, "def tax("), SYNTAX)]
    broken = text(svc, MONEY).replace("def format_money(value", "def (value")
    assert found(judge(svc, {MONEY: broken})) == [(MONEY, line_of(broken, "def (value"), SYNTAX)]


def test_removed_function_with_a_use_left(svc):
    src = text(svc, BILLING)
    start = src.index("def notify(")
    new = src[:start].rstrip() + "\n"
    result = judge(svc, {BILLING: new})
    assert found(result) == [(BILLING, line_of(new, "notify(order.customer"), REMOVED_USE)]


def test_existing_problems_are_not_reported_again(svc):
    src = text(svc, BILLING)
    broken = src.replace("total = amount + tax(amount)", "total = amount + tax(amount, 1, 2)")
    Path(svc.abspath(BILLING)).write_text(broken)
    svc.file_changed_on_disk(BILLING)
    # an unrelated edit of the same file: the old bad call is not the edit's problem
    new = broken.replace("TAX_RATE = 0.2", "TAX_RATE = 0.25")
    assert judge(svc, {BILLING: new}).problems == []
    # a rename of the callee: the old bad call, under its new name, is still not the edit's
    renamed = broken.replace("def tax(", "def levy(").replace("+ tax(", "+ levy(")
    assert judge(svc, {BILLING: renamed}).problems == []


def test_edits_outside_the_root_ignored_or_secret_are_refused(svc, ws_copy):
    outside = str(ws_copy.parent / "elsewhere.py")
    result = judge(svc, {"../x.py": "", outside: "", ".env": "A=1", "secret_dir/hidden.py": "x = 1\n"})
    assert sorted(p.path for p in result.problems) == sorted(["../x.py", outside, ".env", "secret_dir/hidden.py"])
    assert {p.kind for p in result.problems} == {REFUSED}


def test_the_live_map_is_not_mutated(svc):
    before = {p: id(fm) for p, fm in svc.ws.files.items()}
    names = {k: set(v) for k, v in svc.ws.names.items()}
    events = len(svc.history.log)
    judge(svc, {**rename_charge(svc), "shop/new_mod.py": "def fresh():\n    return 1\n", MONEY: None})
    assert {p: id(fm) for p, fm in svc.ws.files.items()} == before
    assert svc.ws.names == names and len(svc.history.log) == events


# -- diffs ------------------------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout


def test_diff_apply_and_reverse_round_trip(ws_copy):
    git(ws_copy, "init", "-q")
    git(ws_copy, "add", "-A")
    git(ws_copy, "commit", "-qm", "init")
    (ws_copy / BILLING).write_text((ws_copy / BILLING).read_text().replace("0.2", "0.3") + "\nX = 1")
    (ws_copy / "shop" / "extra.py").write_text("Y = 2\n")
    git(ws_copy, "add", "-N", "shop/extra.py")
    git(ws_copy, "rm", "-q", MONEY)
    diff = git(ws_copy, "diff", "HEAD").encode()

    def read(rel):
        p = ws_copy / rel
        return p.read_bytes() if p.is_file() else None

    before = apply(parse(diff), read, reverse=True)
    assert before["shop/extra.py"] is None
    assert before[MONEY] is not None and b"def round_cents" in before[MONEY]
    assert b"TAX_RATE = 0.2\n" in before[BILLING] and before[BILLING].endswith(b"\n")
    texts = dict(before)
    after = apply(parse(diff), lambda rel: texts.get(rel) if rel in texts else read(rel))
    assert after[BILLING] == (ws_copy / BILLING).read_bytes()
    assert after[MONEY] is None and after["shop/extra.py"] == b"Y = 2\n"


def test_a_hunk_that_does_not_apply_says_where():
    diff = b"--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
    with pytest.raises(DiffError, match="m.py: hunk 1"):
        apply(parse(diff), lambda rel: b"a = 1\nb = 5\n")
    assert apply(parse(diff), lambda rel: b"x\na = 1\nb = 2\n")["m.py"] == b"x\na = 1\nb = 3\n"


# -- the CLI ----------------------------------------------------------------------------------------


def cli(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ssc_lsp", "check", "--root", str(root), "--no-cache", *args],
                          input=stdin, capture_output=True, timeout=120)


def unified(root: Path, after: dict[str, str]) -> bytes:
    """`git diff --no-index`-style unified diff of files under `root` with their new text."""
    import difflib

    out = []
    for rel, new in after.items():
        old = (root / rel).read_text().splitlines(keepends=True)
        out.extend(difflib.unified_diff(old, new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"))
    return "".join(out).encode()


def test_cli_diff_file_json_and_exit_codes(ws_copy, tmp_path):
    src = (ws_copy / BILLING).read_text()
    good = {BILLING: src.replace("def charge(", "def bill("),
            INIT: (ws_copy / INIT).read_text().replace("import charge as", "import bill as")}
    d = tmp_path / "good.diff"
    d.write_bytes(unified(ws_copy, good))
    done = cli(ws_copy, "--diff", str(d), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"problems": []}
    bad = tmp_path / "bad.diff"
    bad.write_bytes(unified(ws_copy, {BILLING: good[BILLING]}))
    done = cli(ws_copy, "--diff", "-", "--json", stdin=bad.read_bytes())
    assert done.returncode == 1, done.stderr
    problems = json.loads(done.stdout)["problems"]
    init = (ws_copy / INIT).read_text()
    assert [(p["path"], p["line"], p["kind"]) for p in problems] == [(INIT, line_of(init, "charge as"), IMPORT)]
    assert problems[0]["column"] == init.splitlines()[problems[0]["line"] - 1].index("charge") + 1
    (ws_copy / BILLING).write_text(src.replace("Charge an order;", "Charges an order;"))
    done = cli(ws_copy, "--diff", str(d))
    assert done.returncode == 2 and b"does not apply" in done.stderr and BILLING.encode() in done.stderr


def test_cli_git_working_tree_against_head(ws_copy):
    git(ws_copy, "init", "-q")
    git(ws_copy, "add", "-A")
    git(ws_copy, "commit", "-qm", "init")
    done = cli(ws_copy)
    assert done.returncode == 0, done.stderr
    money = (ws_copy / MONEY).read_text()
    (ws_copy / MONEY).write_text(money.replace("def round_cents(value", "def round_cents(value, digits"))
    done = cli(ws_copy, "--json")
    assert done.returncode == 1, done.stderr
    problems = json.loads(done.stdout)["problems"]
    billing = (ws_copy / BILLING).read_text()
    assert (BILLING, line_of(billing, "return round_cents("), CALL) in \
        [(p["path"], p["line"], p["kind"]) for p in problems]
    git(ws_copy, "checkout", "-q", ".")
    (ws_copy / BILLING).write_text(billing.replace("def tax(", "def levy(").replace("+ tax(", "+ levy("))
    assert cli(ws_copy).returncode == 0


def test_cli_outside_a_git_repository_is_bad_usage(ws_copy):
    done = cli(ws_copy)
    assert done.returncode == 2 and b"git" in done.stderr


def _move_notify(svc, with_import: bool) -> dict[str, str]:
    src = text(svc, BILLING)
    start = src.index("def notify(")
    moved = src[start:]
    head = "from ..models.customer import Customer\n\n\n" if with_import else ""
    billing = src[:start].rstrip() + "\n"
    billing = billing.replace("from ...util.money import round_cents\n",
                              "from ...util.money import round_cents\nfrom .notify import notify\n")
    return {BILLING: billing, "shop/services/notify.py": head + moved}


def test_moved_function_with_its_imports_has_no_problem(svc):
    assert judge(svc, _move_notify(svc, with_import=True)).problems == []


def test_moved_function_that_lost_a_name_it_used_is_caught(svc):
    edits = _move_notify(svc, with_import=False)
    result = judge(svc, edits)
    line = line_of(edits["shop/services/notify.py"], "customer: Customer")
    assert found(result) == [("shop/services/notify.py", line, NAME)]
