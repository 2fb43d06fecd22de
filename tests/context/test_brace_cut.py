"""A Java/Rust/Go file cut at the cursor (the evaluation's protocol, or a file being written at
its end) parses as an ERROR that loses the definitions around the cursor; the context engine
reads the cursor's scopes from the map of the text with its blocks closed (map/repair.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ssc_lsp.context.engine import ContextOptions
from ssc_lsp.context.evaluate import RepoRun, cut_at
from ssc_lsp.context.tokens import Budget
from ssc_lsp.map.document import build_filemap
from ssc_lsp.map.languages import language_for_path
from ssc_lsp.map.repair import PLACEHOLDER, closed_filemap, closers

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
