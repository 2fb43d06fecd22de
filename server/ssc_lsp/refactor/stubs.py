"""Which functions are stubs, and which stubs are code still to write ("Implement with ssc").

A stub's body is `...`, `pass`, `raise NotImplementedError` or only a docstring and comments. In
released code nearly all of these are meant to stay (overloads, abstract methods, hooks, no-op
overrides, "not supported"): `wants_body` and the method rules of `is_stub` keep the action for
code still to come (bench/RESULTS.md: 531 body-stubs in five released projects, 2 offered).
LSP-free.
"""

from __future__ import annotations

import re
import textwrap

from ..map.filemap import FileMap
from ..map.hierarchy import subtypes
from ..map.languages.python import PYTHON
from ..map.records import CLASS, FUNCTION, METHOD, Symbol
from ..map.service import MapService
from ..map.workspace import Located
from .briefing import source_of

_TODO = re.compile(r"\b(?:TODO|FIXME|XXX|implement)", re.I)  # a comment saying code is to come
_STUB_BODY = re.compile(r"^(?:pass|\.\.\.|raise\s+NotImplementedError(?:\(.*\))?)$", re.S)


def is_stub(data: bytes, sym: Symbol) -> bool:
    """A function whose body is `...`, `pass`, `raise NotImplementedError` or only a docstring
    and comments (a TODO): the code is still to be written."""
    if sym.kind not in (FUNCTION, METHOD):
        return False
    tree = PYTHON.parser().parse(textwrap.dedent(source_of(data, sym)).encode("utf-8"))
    node = tree.root_node.named_children[0] if tree.root_node.named_children else None
    if node is not None and node.type == "decorated_definition":
        node = node.child_by_field_name("definition")
    body = node.child_by_field_name("body") if node is not None else None
    if body is None or tree.root_node.has_error:
        return False
    stmts = [c for c in body.named_children if c.type != "comment"]
    noted = any(c.type == "comment" and _TODO.search((c.text or b"").decode("utf-8", "replace"))
                for c in (*node.children, *body.named_children))
    if stmts and stmts[0].type == "expression_statement" and stmts[0].named_children and \
            stmts[0].named_children[0].type == "string":
        stmts = stmts[1:]  # the docstring
    text = (stmts[0].text or b"").decode("utf-8", "replace").strip() if stmts else ""
    if sym.kind == METHOD and not noted and (not stmts or text == "pass" or text.endswith(")") and
                                             not text.endswith("()")):
        # a method with only a docstring, `pass`, or `raise NotImplementedError("why")` is far
        # more often a hook, a no-op or "not supported" on purpose than code still to write
        return False
    return not stmts or len(stmts) == 1 and bool(_STUB_BODY.match(text))


PLAIN_DECORATORS = ("staticmethod", "classmethod", "property")  # a stub under these is still one
MAX_SUBCLASSES = 50  # classes searched for an override of a stub method


def wants_body(svc: MapService, fm: FileMap, sym: Symbol) -> bool:
    """Whether a stub (`is_stub`) is code still to be written, not a body that is meant to be
    empty: none in a `.pyi`; no `@overload`, `@abstractmethod` or framework-decorated function
    (`@click.group()` over `pass`); no nested function; no method of a Protocol or ABC, none
    that a subclass overrides (a hook or an interface) or that overrides a base's (an
    intentional no-op). In five released projects every stub is one of these (bench/RESULTS.md)."""
    if fm.path.endswith(".pyi"):
        return False
    if any(d.split("(")[0].split(".")[0] not in PLAIN_DECORATORS for d in sym.decorators):
        return False
    parent = fm.lookup(sym.parent) if sym.parent else None
    if sym.kind == FUNCTION:
        return parent is None
    if parent is None or parent.kind != CLASS or parent.parent:
        return False  # a method of a nested or local class
    cls = Located(fm, parent)
    r = svc.resolver
    up, seen = [cls], set()
    while up and len(seen) < MAX_SUBCLASSES:  # the class and its bases: an interface, or an override
        c = up.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        if any("Protocol" in b or b.rpartition(".")[2] in ("ABC", "ABCMeta") for b in c.symbol.bases):
            return False
        if c is not cls and r.class_member(c, sym.name) is not None:
            return False
        up += [b for b in r.bases(c) if isinstance(b, Located)]
    todo, seen = [cls], set()
    while todo and len(seen) < MAX_SUBCLASSES:
        c = todo.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        for sub in subtypes(svc.ws, r, c):
            if sub.file.lookup(f"{sub.symbol.qualname}.{sym.name}") is not None:
                return False
            todo.append(sub)
    return True
