"""jedi's refactorings through the server's jedi process: the text is jedi's own, a whole-line
selection is widened so jedi does not glue statements, jedi's refusals come back as reasons."""

from __future__ import annotations

import asyncio

import jedi
import pytest

from ssc_lsp.context.jedi_infer import jedi_helper_for
from ssc_lsp.map.jedi_env import project
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.refactor import jedi_refactor as J

SRC = "def f(a):\n    x = a + 1\n    y = x * 3\n    return x * y\n"


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    (root / "m.py").write_text(SRC)
    s = MapService(str(root), MapOptions(persist=False))
    s.index()
    yield s
    jedi_helper_for(s).close()


def span(text: str) -> tuple[int, int]:
    start = SRC.encode().index(text.encode())
    return start, start + len(text.encode())


def jedis_own(svc, kind: str, *args, **kw) -> str:
    script = jedi.Script(SRC, path=svc.abspath("m.py"), project=project(svc.root))
    changed = getattr(script, kind)(*args, **kw).get_changed_files()
    return next(iter(changed.values())).get_new_code()


def test_whole_line_selection_is_widened_and_the_text_is_jedis(svc):
    start, end = J.statement_span(SRC.encode(), *span("x = a + 1"))
    assert SRC.encode()[start:end] == b"x = a + 1\n"
    out = asyncio.run(J.run(svc, "m.py", SRC.encode(), J.EXTRACT_FUNCTION, start, end, "g"))
    assert out["m.py"].decode() == jedis_own(svc, "extract_function", 2, 4, until_line=3, until_column=0,
                                             new_name="g")
    assert "def g(a):\n    x = a + 1\n    return x\n" in out["m.py"].decode()
    # as selected (ending at the end of the line), jedi 0.20 glues the return onto the statement
    glued = jedis_own(svc, "extract_function", 2, 4, until_line=2, until_column=13, new_name="g")
    assert "a + 1return x" in glued


def test_extract_variable_and_inline_are_jedis(svc):
    start, end = span("x * 3")
    out = asyncio.run(J.run(svc, "m.py", SRC.encode(), J.EXTRACT_VARIABLE, start, end, "tripled"))
    assert out["m.py"].decode() == jedis_own(svc, "extract_variable", 3, 8, until_line=3, until_column=13,
                                             new_name="tripled")
    start, _ = span("y = x")
    out = asyncio.run(J.run(svc, "m.py", SRC.encode(), J.INLINE, start))
    assert out["m.py"].decode() == "def f(a):\n    x = a + 1\n    return x * (x * 3)\n"


def test_jedis_refusal_is_the_reason(svc):
    with pytest.raises(J.Refused, match="no references to this name\\.$"):
        asyncio.run(J.run(svc, "m.py", SRC.encode(), J.INLINE, SRC.index("f(")))


def test_docstring_goes_into_the_new_function_only():
    code = b"def g(a):\n    return a + 1\n\n\ndef f(a):\n    return g(a)\n"
    assert J.with_docstring(code, "g", "Add one.") == \
        b'def g(a):\n    """Add one."""\n    return a + 1\n\n\ndef f(a):\n    return g(a)\n'
    assert J.with_docstring(b"def g(a): return a\n", "g", "x.") is None  # one-line def
    assert J.with_docstring(b"def g(:\n", "g", "x.") is None  # does not parse
    assert J.one_line_doc('Adds """one"""\n to \\ a') == "Adds one to a."
    assert J.one_line_doc("  ") is None


def test_statements_with_no_output_become_a_call_statement(tmp_path):
    src = "class S:\n    def get(self, key):\n        self.seen = True\n        return key\n"
    (tmp_path / "s.py").write_text(src)
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    try:
        start, end = J.statement_span(src.encode(), src.index("self.seen"), src.index(" True") + 5)
        raw = asyncio.run(J.run(svc, "s.py", src.encode(), J.EXTRACT_FUNCTION, start, end, "mark"))["s.py"]
    finally:
        jedi_helper_for(svc).close()
    assert b"         = self.mark()" in raw and b"        return \n" in raw  # jedi 0.20 as it comes
    assert J.without_empty_output(raw, "mark").decode() == (
        "class S:\n    def mark(self):\n        self.seen = True\n\n"
        "    def get(self, key):\n        self.mark()\n        return key\n")
    assert J.without_empty_output(raw, "other") == raw  # only the function just made


def test_a_trailing_comment_goes_with_the_selected_statement():
    data = b"def f(o):\n    v = o.get(1)  # type: ignore\n    return v\n"
    start, end = J.statement_span(data, data.index(b"v ="), data.index(b")  #") + 1)
    assert data[start:end] == b"v = o.get(1)  # type: ignore\n"
    start, end = J.statement_span(data, data.index(b"o.get"), data.index(b")  #") + 1)
    assert data[start:end] == b"o.get(1)"  # part of a line: an expression, as selected
