"""The reader and the extractor on hostile input: device files, FIFOs, links, encodings,
bracket bombs, a unit too large to map. Real files in tmp dirs, real tree-sitter."""

from __future__ import annotations

import os
import threading

import pytest

from ssc_lsp.map import extract
from ssc_lsp.map.document import Document, build_filemap
from ssc_lsp.map.languages.python import PYTHON
from ssc_lsp.map.languages.python import extract as python_extract
from ssc_lsp.map.source import read_source, to_utf8
from tests.map.test_incremental_property import lsp_change

HANG_GUARD = 20.0


def _in_time(fn):
    """fn() in a thread; its result, or a failure when it does not return within the guard."""
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    t.join(HANG_GUARD)
    assert out, "did not return: a hang"
    return out[0]


def test_special_files_are_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "loop.py").symlink_to("loop.py")
    (tmp_path / "big.py").write_text("x = 1\n" * 100)
    root = str(tmp_path)
    assert _in_time(lambda: read_source(str(tmp_path / "fifo.py"), 1000, root)).reason == "not a regular file"
    assert _in_time(lambda: read_source("/dev/zero", 1000)).reason == "not a regular file"
    assert "outside the workspace" in read_source(str(tmp_path / "zero.py"), 1000, root).reason
    assert read_source(str(tmp_path / "loop.py"), 1000, root).reason == "symlink loop"
    assert read_source(str(tmp_path / "big.py"), 500, root).reason == "600 bytes is over the 500-byte limit"
    src = read_source(str(tmp_path / "big.py"), 1000, root)
    assert src.data == b"x = 1\n" * 100 and src.size == 600 and src.reason is None


def test_decoding_follows_python():
    assert to_utf8("# coding: latin-1\nx = 'é'\n".encode("latin-1")) == (
        "# coding: latin-1\nx = 'é'\n".encode(), None)
    assert to_utf8("\ufeffx = 'é'\n".encode()) == ("\ufeffx = 'é'\n".encode(), None)
    assert to_utf8(b"# coding: no-such-codec\nx = 1\n")[1].startswith("bad coding declaration")
    assert to_utf8(b"x = '\xe9'\n") == (None, "not UTF-8 and no coding declaration")


def test_bracket_bombs_extract_in_linear_time_and_edit_like_a_fresh_parse():
    """5,000 unclosed brackets are 5,000 one-token units under an ERROR root: 154 s before."""
    parser = PYTHON.parser()
    for text in ("def f():\n    pass\nx = " + "([{" * 1700 + "\n\ndef g():\n    pass\n",
                 "x = " + "(" * 5000 + "1" + ")" * 5000 + "\ny = 2\n",
                 "y = 1\n" + "f(\n" * 5000):
        doc = _in_time(lambda t=text: Document("b.py", "b", t.encode(), 1, parser))
        for e in [(0.5, 0.5, 0, 0, ")"), (0.1, 0.9, 0, 1, ""), (0.9, 0.2, 0, 0, "'")]:
            _in_time(lambda e=e, d=doc: d.apply_changes([lsp_change(d.text, e)]))
        fresh = build_filemap(PYTHON, "b.py", "b", doc.data, parser.parse(doc.data))
        assert doc.fm.snapshot() == fresh.snapshot()


def test_bare_tokens_are_grouped_so_an_edit_touches_few_units():
    """One unit per bare token made each edit of a 3 KB bracket file walk thousands of units."""
    text = "def f():\n    pass\nx = " + "(" * 1000 + "\n"
    doc = Document("b.py", "b", text.encode(), 1)
    assert len(doc.fm.units) <= 1000 // python_extract.MAX_RUN_TOKENS + 3
    upd = doc.apply_changes([lsp_change(doc.text, (0.99, 0.5, 0, 0, ")"))])
    assert upd.reextracted + upd.kept <= 1000 // python_extract.MAX_RUN_TOKENS + 3
    assert "f" in {s.name for s in doc.fm.symbols}


@pytest.mark.parametrize("bound", ["MAX_UNIT_CAPTURES", "MAX_UNIT_BYTES"])
def test_a_unit_too_large_is_left_empty_and_said_once(caplog, monkeypatch, bound):
    monkeypatch.setattr(extract, bound, 50)
    path = f"w_{bound}.py"
    data = ("def small():\n    pass\n\nx = [" + "a, " * 100 + "]\n\ndef after():\n    pass\n").encode()
    parser = PYTHON.parser()
    with caplog.at_level("WARNING"):
        fm = build_filemap(PYTHON, path, "w", data, parser.parse(data))
        doc = Document(path, "w", data, 1, parser)  # opened, then edited: said once all the same
        doc.apply_changes([lsp_change(doc.text, (0.5, 0.5, 0, 0, "b, "))])
    assert {s.name for s in fm.symbols} == {"w", "small", "after"}
    assert [r.message for r in caplog.records] == [
        f"{path}: 1 statement(s) too large or too deeply nested to map (first at line 4), left out"]


@pytest.mark.parametrize("chain", ["a" + ".b" * 20_000, "f(" * 20_000 + "1" + ")" * 20_000,
                                   "+".join(["q"] * 20_000)])
def test_a_statement_nested_20000_deep_is_left_empty_in_time(caplog, chain):
    """A node's parent costs tree-sitter a walk from the root: a chain this deep made the
    extraction quadratic (a 5,000-deep one took 35 s); it is left out, said once."""
    from ssc_lsp.map.languages.typescript import TYPESCRIPT
    data = ("export function before() {}\nexport const x = " + chain + ";\nbefore();\n").encode()
    path = f"deep{len(chain)}.ts"  # (a path is said once)
    with caplog.at_level("WARNING"):
        fm = _in_time(lambda: build_filemap(TYPESCRIPT, path, "deep", data, TYPESCRIPT.parser().parse(data)))
    assert {s.name for s in fm.symbols} == {"deep", "before"}
    assert [r.name for u in fm.units for r in u.refs] == ["before"]
    assert [r.message for r in caplog.records] == [
        f"{path}: 1 statement(s) too large or too deeply nested to map (first at line 2), left out"]
