"""The pieces of the model's code actions that need no model: the docstring style of a
workspace, where a docstring goes, which header answers are refused, where tests go and which
of their fixtures exist. A real map of a real folder (tree-sitter, SQLite) in each test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ssc_lsp.map.service import MapService
from ssc_lsp.refactor import annotate, docstrings, testgen
from ssc_lsp.refactor.target import ActionError, load


def mapped(root: Path, files: dict[str, str]) -> MapService:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    svc = MapService(str(root))
    svc.index()
    return svc


GOOGLE = '''\
    def f(a):
        """Do f.

        Args:
            a: a thing.
        """
    '''
NUMPY = '''\
    def g(a):
        """Do g.

        Parameters
        ----------
        a : int
            A thing.
        """
    '''
REST = '''\
    def h(a):
        """Do h.

        :param a: a thing.
        :returns: nothing.
        """
    '''


@pytest.mark.parametrize(("files", "style"), [
    ({"a.py": GOOGLE, "b.py": GOOGLE, "c.py": REST}, "google"),
    ({"a.py": NUMPY, "b.py": NUMPY, "c.py": GOOGLE}, "numpy"),
    ({"a.py": REST, "b.py": REST}, "rest"),
    ({"a.py": GOOGLE, "b.py": "x = 1\n"}, "plain"),  # one file is not a style
    ({"a.py": "def f():\n    '''Plain.'''\n"}, "plain"),
])
def test_docstring_style_is_the_one_most_files_show(tmp_path, files, style):
    found = docstrings.detect_style(mapped(tmp_path, files))
    assert found.name == style
    assert (found.example is not None) == (style != "plain")


CLASSY = '''\
    class Box:
        """Old."""

        def put(self, x):
            # keep me
            return x

        def one(self): return 1
    '''


def test_a_docstring_replaces_the_old_one_or_comes_first_with_the_bodys_indentation(tmp_path):
    svc = mapped(tmp_path, {"m.py": CLASSY})
    box = load(svc, "m.py", "m.py::Box")
    assert docstrings.has_docstring(box)
    new = docstrings.placed(box, "A box.\n\nHolds things.").decode()
    assert new.startswith('class Box:\n    """A box.\n\n    Holds things.\n    """\n\n    def put')
    put = load(svc, "m.py", "m.py::Box.put")
    new = docstrings.placed(put, 'Put "x" back.').decode()
    assert '    def put(self, x):\n        """Put "x" back."""\n        # keep me\n' in new
    assert "'''" in docstrings.placed(put, 'Quotes """ inside.').decode()
    assert 'r"""Path a\\b."""' in docstrings.placed(put, "Path a\\b.").decode()
    with pytest.raises(ActionError, match="line of its header"):
        docstrings.placed(load(svc, "m.py", "m.py::Box.one"), "One.")


@pytest.mark.parametrize(("answer", "text"), [
    ('"""Sum it.\n\n    Args:\n        a: a.\n    """', "Sum it.\n\nArgs:\n    a: a."),
    ("```\nSum it.\n```", "Sum it."),
])
def test_the_docstring_in_an_answer(answer, text):
    assert docstrings.docstring_text(answer) == text


@pytest.mark.parametrize("answer", ["", "def f(a):\n    return a", "x" * 7000])
def test_an_answer_that_is_no_docstring_is_refused(answer):
    with pytest.raises(ActionError):
        docstrings.docstring_text(answer)


HEADER = '''\
    def scale(value,  # what is scaled
              factor=2, *rest, key: str = "k", **more):
        return value * factor
    '''


def test_annotations_go_into_the_old_header_keeping_its_layout(tmp_path):
    svc = mapped(tmp_path, {"s.py": HEADER})
    d = load(svc, "s.py", "s.py::scale")
    h = annotate.header_of(d)
    assert annotate.missing(d, h) == ["value", "factor", "rest", "more", "return"]
    got = annotate.new_header("def scale(value: float, factor: int = 2, *rest: Any, key: str = 'k', "
                              "**more: Optional[int]) -> float:", h.tree)
    after, used = annotate.annotated(d, h, got)
    assert after.decode().startswith(
        'def scale(value: float,  # what is scaled\n'
        '          factor: int = 2, *rest: Any, key: str = "k", **more: Optional[int]) -> float:\n')
    assert used == {"float", "int", "Any", "Optional"}
    assert annotate.imports_for(d, used, []) == ["from typing import Any", "from typing import Optional"]


@pytest.mark.parametrize(("answer", "why"), [
    ("def scale(value, factor=3, *rest, key: str = 'k', **more):", "default"),
    ("def scale(value, f=2, *rest, key: str = 'k', **more):", "parameters"),
    ("def scale(value, factor=2, *rest, key: bytes = 'k', **more):", "annotation of key"),
    ("def other(value, factor=2, *rest, key: str = 'k', **more):", "not that of scale"),
    ("It takes floats.", "not a function header"),
])
def test_a_header_that_changes_more_than_annotations_is_refused(tmp_path, answer, why):
    svc = mapped(tmp_path, {"s.py": HEADER})
    h = annotate.header_of(load(svc, "s.py", "s.py::scale"))
    with pytest.raises(ActionError, match=why):
        annotate.new_header(answer, h.tree)


PROJECT = {
    "pkg/__init__.py": "",
    "pkg/core.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
    "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef numbers():\n    return [1, 2]\n",
    "tests/unit/conftest.py": "from pytest import fixture\n\n\n@fixture\ndef zero():\n    return 0\n",
    "tests/unit/test_core.py": "import unittest\n\nfrom pkg.core import add\n\n\n"
                               "class TestAdd(unittest.TestCase):\n    def test_add(self):\n"
                               "        self.assertEqual(add(1, 2), 3)\n",
    "tests/other/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef elsewhere():\n    return 1\n",
}


def test_tests_go_to_the_module_importing_the_function_in_its_style_with_its_fixtures(tmp_path):
    svc = mapped(tmp_path, PROJECT)
    plan = testgen.plan(load(svc, "pkg/core.py", "pkg/core.py::sub"))
    assert (plan.path, plan.exists, plan.style) == ("tests/unit/test_core.py", True, "unittest")
    assert sorted(plan.fixtures) == ["numbers", "zero"]  # not the sibling folder's


def test_a_new_test_asking_for_a_fixture_nothing_defines_is_a_problem(tmp_path):
    svc = mapped(tmp_path, PROJECT)
    plan = testgen.plan(load(svc, "pkg/core.py", "pkg/core.py::sub"))
    after = textwrap.dedent('''\
        import pytest


        def test_old(numbers):
            pass


        @pytest.mark.parametrize("a,b", [(1, 2)])
        def test_sub(a, b, zero, tmp_path, elsewhere):
            pass
        ''').encode()
    found = testgen.problems(plan, None, after, 4)
    assert [(p.kind, p.symbol, p.range[0]) for p in found] == [(testgen.FIXTURE_PROBLEM, "elsewhere", 8)]


def test_tests_are_appended_with_the_imports_the_module_lacks_at_its_top(tmp_path):
    svc = mapped(tmp_path, {**PROJECT, "tests/unit/test_core.py": textwrap.dedent('''\
        import pytest


        def test_add():
            from pkg.core import sub
            assert sub(2, 1) == 1
        ''')})
    d = load(svc, "pkg/core.py", "pkg/core.py::sub")
    plan = testgen.plan(d)
    assert (plan.path, plan.style) == ("tests/unit/test_core.py", "pytest")
    after, first = testgen.merged(d, plan, "import pytest\nfrom pkg.core import sub\n\n\n"
                                           "def test_sub():\n    assert sub(3, 1) == 2\n")
    assert after.decode() == textwrap.dedent('''\
        import pytest
        from pkg.core import sub


        def test_add():
            from pkg.core import sub
            assert sub(2, 1) == 1


        def test_sub():
            assert sub(3, 1) == 2
        ''')
    assert after.decode().split("\n")[first] == "def test_sub():"
