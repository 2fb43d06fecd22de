from ssc_lsp.map.document import Change, Document
from ssc_lsp.map.records import (
    KEYWORD_ONLY,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    VAR_KEYWORD,
    VAR_POSITIONAL,
)

SRC = b'''"""Module doc."""
import os.path as osp
from .sibling import thing as other

LIMIT = 3


class Base:
    pass


@decorate(1)
class Service(Base):
    """Does things."""

    retries: int = 2

    def __init__(self, url, /, timeout=1.0, *args, verbose, level=0, **extra):
        self.url = url
        self.session = None

    @staticmethod
    def helper(x):
        def inner(y):
            return x + y
        return inner

    async def send(self, payload, *, retry=True) -> bool:
        """Send the payload."""
        return await self.post(payload, len(payload), retry=retry, **{})


def top(a, b=2):
    return Service(a, verbose=True).send(b)
'''


def _doc() -> Document:
    return Document("pkg/svc.py", "pkg.svc", SRC, 1)


def by_id(doc):
    return {s.id: s for s in doc.fm.symbols}


def test_definitions_kinds_and_qualnames():
    s = by_id(_doc())
    assert s["pkg/svc.py"].kind == "module" and s["pkg/svc.py"].doc == "Module doc."
    assert s["pkg/svc.py::LIMIT"].kind == "constant"
    assert s["pkg/svc.py::Service"].kind == "class"
    assert s["pkg/svc.py::Service"].bases == ["Base"]
    assert s["pkg/svc.py::Service"].decorators == ["decorate(1)"]
    assert s["pkg/svc.py::Service"].doc == "Does things."
    assert s["pkg/svc.py::Service.retries"].annotation == "int"
    assert s["pkg/svc.py::Service.__init__"].kind == "method"
    assert s["pkg/svc.py::Service.url"].kind == "attribute"
    assert s["pkg/svc.py::Service.helper.inner"].kind == "function"
    assert s["pkg/svc.py::Service.helper"].decorators == ["staticmethod"]
    assert s["pkg/svc.py::osp"].kind == "import" and s["pkg/svc.py::osp"].target == ("os.path",)
    assert s["pkg/svc.py::other"].target == (".sibling", "thing")
    assert s["pkg/svc.py::top.b"].kind == "parameter"


def test_signature_parameter_kinds():
    sig = by_id(_doc())["pkg/svc.py::Service.__init__"].signature
    kinds = [(p.name, p.kind, p.has_default) for p in sig.params]
    assert kinds == [
        ("self", POSITIONAL_ONLY, False), ("url", POSITIONAL_ONLY, False),
        ("timeout", POSITIONAL_OR_KEYWORD, True), ("args", VAR_POSITIONAL, False),
        ("verbose", KEYWORD_ONLY, False), ("level", KEYWORD_ONLY, True),
        ("extra", VAR_KEYWORD, False),
    ]
    send = by_id(_doc())["pkg/svc.py::Service.send"].signature
    assert send.is_async and send.returns == "bool"
    assert send.render("send") == "async def send(self, payload, *, retry=...) -> bool"


def test_ranges_are_absolute_and_split_class_ends_at_last_member():
    doc = _doc()
    s = by_id(doc)
    lines = SRC.decode().splitlines()
    cls = s["pkg/svc.py::Service"]
    assert cls.range[0] == lines.index("@decorate(1)")
    assert cls.range[2] == lines.index("        return await self.post(payload, len(payload), retry=retry, **{})")
    name = s["pkg/svc.py::Service.send"].name_range
    assert lines[name[0]][name[1]:name[3]] == "send"


def test_call_references_carry_argument_shapes():
    doc = _doc()
    calls = {(r.name, r.receiver): r for u in doc.fm.units for r in u.refs if r.nargs >= 0}
    post = calls[("post", "self")]
    assert (post.nargs, post.kwargs, post.star) == (2, ("retry",), True)
    svc = calls[("Service", None)]
    assert (svc.nargs, svc.kwargs, svc.star) == (1, ("verbose",), False)
    send = calls[("send", "Service(a, verbose=True)")]
    assert send.nargs == 1


def test_ids_survive_edits_elsewhere_and_positions_move():
    doc = _doc()
    before = by_id(doc)["pkg/svc.py::top"].range
    doc.apply_changes([Change("# a comment line\n", ((5, 0), (5, 0)))])
    after = by_id(doc)["pkg/svc.py::top"]
    assert after.range[0] == before[0] + 1
    assert "pkg/svc.py::Service.send" in by_id(doc)


def test_broken_source_never_raises():
    doc = Document("x.py", "x", b"def f(:\n  class \xff\xfe (\n\x00 return", 1)
    assert doc.fm.symbols[0].kind == "module"
    doc.apply_changes([Change("))))", ((0, 0), (0, 0)))])
    assert doc.fm.lines >= 3


def test_statements_sharing_a_row_move_with_an_edit_before_them():
    doc = Document("m.py", "m", b"a = 1; b = 2\nc = b\n", 1)
    doc.apply_changes([Change("xyz", ((0, 0), (0, 1)))])  # a -> xyz: `b` moves right
    scratch = Document("m.py", "m", doc.data, 1)
    assert doc.fm.snapshot() == scratch.fm.snapshot()
    b = next(s for s in doc.fm.symbols if s.name == "b")
    assert b.name_range == (0, 9, 0, 10)
