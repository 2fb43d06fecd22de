"""A Java/Rust/Go file cut at the cursor (the evaluation's protocol, or a file being written at
its end) parses as an ERROR that loses the definitions around the cursor; the context engine
reads the cursor's scopes from the map of the text with its blocks closed (map/repair.py)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from ssc_lsp.context.cursor import analyze
from ssc_lsp.context.engine import ContextOptions
from ssc_lsp.context.evaluate import RepoRun, cut_at
from ssc_lsp.context.tokens import Budget
from ssc_lsp.map import repair
from ssc_lsp.map.document import build_filemap
from ssc_lsp.map.languages import language_for_path
from ssc_lsp.map.repair import PLACEHOLDER, closed_filemap, closers, closers_after

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAIN = "src/main/java/com/acme/app/Main.java"


def test_closers_close_what_is_open_outside_strings_and_comments():
    assert closers("class A { void f(Map m) { if (m.") == PLACEHOLDER + ");};}"
    assert closers('fn f<\'a>(x: &\'a str) { let s = "{"; // {\n let c = \'{\';') == PLACEHOLDER + ";}"
    assert closers("class A { /* { */ }") is None  # nothing open
    assert closers('class A { String s = "') is None  # inside a string: no safe repair
    assert closers("fn f() { x // a comment") == "\n" + PLACEHOLDER + ";}"
    assert closers("function f() { const s = '{a'; g(") == PLACEHOLDER + ");};}"  # no char literal
    assert closers("function f() { const s = '{a'; g(", js=True) == PLACEHOLDER + ");}"  # a string in JS


def _cut_map(text: str, path: str):
    lang = language_for_path(path)
    data = text.encode()
    return build_filemap(lang, path, "m", data, lang.parser().parse(data))


def test_a_cut_java_file_keeps_its_definitions_once_closed():
    text = (FIXTURES / "java" / MAIN).read_text()
    prefix, _ = cut_at(text, text.split("\n").index("        m.first = c.scaled(2);"), len("        m.first = c."))
    cut = _cut_map(prefix, MAIN)
    assert not any(s.kind in ("class", "method") for s in cut.symbols)  # tree-sitter: one ERROR
    closed = closed_filemap(cut, prefix)
    assert closed is not None
    names = {s.qualname for s in closed.symbols}
    assert {"Main", "Main.main", "Main.main(String[]).c"} <= names
    assert all(s.range[2] < len(prefix.split("\n")) for s in closed.symbols)  # rows of the text


def _records(fm) -> list:
    """Everything a map's units hold, their symbols' absolute positions included."""
    return [(u.key(), u.start_row, u.end_row, u.symbols, u.refs, u.scopes, u.bindings) for u in fm.units]


def _cursor(fm, prefix: str, row: int, col: int, rel: str) -> tuple:
    c = analyze(fm, prefix.split("\n"), row, col, rel)
    return [s.qualname for s in c.scopes], c.scope, c.receiver, [(u.row, u.ref.name, u.ref.receiver) for u in c.uses]


@pytest.mark.parametrize("rel", [f"java/{MAIN}", "rust/src/lib.rs", "rust/src/store/mod.rs", "go/util/shapes.go"])
def test_the_repair_from_the_last_one_is_the_full_repair(rel):
    """Typing a line key by key, then jumping to another place of the file: each repair made
    from the file's last one (map/repair.py's reuse) has the map, scopes, receiver and uses of a
    repair from scratch, and it did reuse the last repair's units."""
    lines = (FIXTURES / rel).read_text().split("\n")
    rows = [r for r, line in enumerate(lines) if line.strip()]
    random.Random(7).shuffle(rows)
    repaired = shared = 0
    previous = None
    for row in rows[:10]:
        line = lines[row]
        for col in range(len(line) - len(line.lstrip()), len(line) + 1, 2):
            prefix = "\n".join(lines[:row] + [line[:col]])
            cut = _cut_map(prefix, rel)
            full = closed_filemap(cut, prefix, reuse=False)
            fast = closed_filemap(cut, prefix)
            if full is None:
                assert fast is None
                continue
            repaired += 1
            assert _records(fast) == _records(full), (row, col)
            assert _cursor(fast, prefix, row, col, rel) == _cursor(full, prefix, row, col, rel), (row, col)
            if previous is not None:
                old = {id(u.refs) for u in previous.units if u.refs}
                shared += sum(id(u.refs) in old for u in fast.units)
            previous = fast
    assert repaired >= 20
    assert shared >= repaired  # most repairs reused units of the one before


@pytest.mark.parametrize("js", [False, True])
def test_the_bracket_scan_resumed_at_a_mark_is_the_full_scan(monkeypatch, js):
    """Every prefix of a text whose comments and strings hold brackets and span lines, in a
    scrambled order, each scan resumed from the marks of the one before: the closers of a scan
    from the start (a mark inside a comment or a string would carry its brackets)."""
    monkeypatch.setattr(repair, "MARK_EVERY", 1)  # a mark at every line start no token spans
    text = ("class A {\n  /* { (\n  [ { */ void f() {\n    s = \"{\\\"(\";\n    t = `{\n(`;\n"
            "    c = '{'; // {\n    if (x) { g(a,\n      b[1\n    ];\n  }\n  /* unclosed {\n")
    cuts = list(range(len(text) + 1))
    random.Random(3).shuffle(cuts)
    last, marks = "", []
    for n in cuts:
        suffix, marks_now = closers_after(text[:n], js, last, marks)
        assert suffix == closers(text[:n], js), n
        last, marks = text[:n], marks_now
    assert marks  # the last scan left places to resume at


def test_python_is_never_repaired():
    fm = _cut_map("def f(x):\n    if (x.", "a.py")
    assert closed_filemap(fm, "def f(x):\n    if (x.") is None


def _assemble_cut(tmp_path: Path, repo: str, rel: str, line: str, before: str):
    """The context at 2,000 characters for a copy of a fixture whose `rel` is cut just after
    `before` on the line `line` (the evaluation's protocol)."""
    root = tmp_path / repo
    shutil.copytree(FIXTURES / repo, root)
    text = (root / rel).read_text()
    row = text.split("\n").index(line)
    prefix, col = cut_at(text, row, len(before))
    run = RepoRun(str(root), ("map",), workers=1)
    try:
        run.svc.open(rel, prefix, 1)
        return run.engine.assemble(rel, row, col, ContextOptions(budget=Budget(2000), wait_for_indexes=True,
                                                                 use_jedi=False))
    finally:
        run.close()


def test_the_engine_types_a_local_receiver_in_a_cut_java_method(tmp_path):
    res = _assemble_cut(tmp_path, "java", MAIN, "        m.first = c.scaled(2);", "        m.first = c.")
    # the resolver's name for the scope: Java's method scopes carry their parameter types
    assert res.scope == "Main.main(String[])"
    assert res.receiver == "c"
    scaled = [it for it in res.items if it.name == "Circle.scaled"]
    assert scaled and scaled[0].path == "src/main/java/com/acme/model/Circle.java"
    assert any("inferred type of `c`" in w for w in scaled[0].why)


def test_a_rust_path_is_the_receiver(tmp_path):
    """`Inventory::` before the cursor: the members of what the path names (here an alias of
    `store::Store`, through `pub use`), as `x.` gives an instance's."""
    res = _assemble_cut(tmp_path, "rust", "src/lib.rs", "    let mut st = Inventory::new(name);",
                        "    let mut st = Inventory::")
    assert res.scope == "open" and res.receiver == "Inventory::"
    new = [it for it in res.items if it.name == "Store.new"]
    assert new and new[0].path == "src/store/mod.rs"
    assert any("inferred type of `Inventory::`" in w for w in new[0].why)
