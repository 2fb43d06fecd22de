"""Python's answers to the check's questions (see base.py): the behaviour the check had when it
knew only Python, moved here unchanged.

Implicit names (`__class__`, `reveal_type`), pattern syntax (`case` patterns, nested targets
the extractor may not bind), attribute stores (`obj.new = 1` creates the attribute), classes
closed only without outside bases, metaclasses, `__getattr__` or decorators that may add
members, Python's argument binding for calls (map/checks.py), imports through the workspace
and jedi, and the finishing of a line the model left open (`:`, an operand).
"""

from __future__ import annotations

import re
from typing import Any

import tree_sitter as ts

from ...map import checks
from ...map.checks import Problem
from ...map.filemap import FileMap
from ...map.records import Ref, Unit
from ...map.resolve import Resolver, Value
from ...map.workspace import Located, Workspace
from .base import (
    CheckRules,
    closed_hierarchy,
    closed_value,
    closers,
    finished,
    source_text,
    under,
)

# Names Python provides implicitly in some scopes, which the map does not record as bindings
IMPLICIT = frozenset({"__class__", "__qualname__", "__module__", "__annotations__", "__dict__",
                      "__all__", "__path__", "__builtins__", "__debug__", "reveal_type"})
# Syntax that binds or matches names the map's extractor does not record as bindings
_PATTERNS = frozenset({"case_pattern", "as_pattern_target", "keyword_pattern", "splat_pattern",
                       "dict_pattern", "class_pattern", "type_parameter"})
# Target syntax (only ever on the left of `=`, `for ... in`, `as`): nested tuples the extractor
# may not bind (`for j, (a, b) in ...`)
_TARGETS = frozenset({"tuple_pattern", "list_pattern", "pattern_list"})
_SCOPES = frozenset({"module", "block"})
_METACLASS = re.compile(r"\bmetaclass\s*=|\*\*")
# Class decorators that add no members a model could call by a name the map does not see
_TRANSPARENT_CLASS_DECORATORS = frozenset({
    "dataclass", "dataclasses.dataclass", "final", "typing.final", "total_ordering",
    "functools.total_ordering", "attr.s", "attr.attrs", "attrs.define", "attrs.frozen",
    "attr.define", "attr.frozen", "enum.unique", "unique", "runtime_checkable",
    "typing.runtime_checkable"})
# What may finish a line the model left unfinished, besides closing its brackets: a compound
# statement's colon (`if x > y`), an operand (`a +`, `b if c else`), or both (`lambda x`)
_FINISHERS = ("", ":", " None", ": None")


def _transparent(decorator: str) -> bool:
    """`dataclass(frozen=True)` is `dataclass`; `abc.Mapping.register` registers a virtual
    subclass and returns the class unchanged."""
    name = decorator.split("(", 1)[0].strip()
    return name in _TRANSPARENT_CLASS_DECORATORS or name.endswith(".register")


class PythonRules(CheckRules):
    externals = True
    scope_types = _SCOPES
    self_receivers = ("self", "cls")

    def decides_names(self, fm: FileMap) -> bool:
        return True

    def implicit(self, name: str, fm: FileMap) -> bool:
        return name in IMPLICIT

    def unbound_syntax(self, node: ts.Node) -> bool:
        return under(node, _PATTERNS, _SCOPES)

    def bound_in_syntax(self, node: ts.Node, name: str) -> bool:
        """Whether the top-level statement around `node` binds `name` in a pattern or `as`
        target."""
        top = node
        while top.parent is not None and top.parent.type != "module":
            top = top.parent
        todo = [top]
        while todo:
            n = todo.pop()
            if n.type == "identifier":
                if n.text.decode("utf-8", "replace") == name and under(n, _PATTERNS | _TARGETS, _SCOPES):
                    return True
                continue
            todo.extend(n.children)
        return False

    def unknown_member(self, name: str) -> bool:
        return name.startswith("__") and name.endswith("__")

    def is_store(self, node: ts.Node) -> bool:
        """Whether the attribute at `node` (its name identifier) is assigned to or deleted."""
        attr = node.parent
        if attr is None or attr.type != "attribute":
            return False
        child, p = attr, attr.parent
        while p is not None and p.type in ("pattern_list", "tuple_pattern", "list_pattern"):
            child, p = p, p.parent
        if p is None:
            return False
        if p.type in ("assignment", "augmented_assignment"):
            return p.child_by_field_name("left") == child
        return p.type == "delete_statement"

    def closed(self, run: Any, value: Value) -> bool:
        return closed_value(value, lambda m: _closed_module(run.r, m.file),
                            lambda c: closed_hierarchy(run, c, lambda k: _open_class(run, k) is None))

    def check_call(self, ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                   target: Any) -> Problem | None:
        if not isinstance(target, Located):
            return None
        return checks.check_call(ws, resolver, fm, unit, ref, target)

    def check_import(self, run: Any, unit: Unit, ref: Ref) -> None:
        run.python_import(unit, ref)

    def finishings(self, text: str, data: bytes, offset: int) -> list[tuple[str, bool]]:
        line_head = data[data.rfind(b"\n", 0, offset) + 1:offset].decode("utf-8", "replace")
        closing = closers(text)
        body, newline = (text[:-1], "\n") if text.endswith("\n") else (text, "")
        last_line = (line_head + body).rsplit("\n", 1)[-1]
        out: list[tuple[str, bool]] = []
        if last_line.lstrip().startswith("@") and not closing:
            # a decorator with nothing below it yet (the end of the file, or a blank line)
            indent = last_line[:len(last_line) - len(last_line.lstrip())]
            out.append((f"{body}\n{indent}def _ssc_decorated_(): pass{newline or chr(10)}", False))
        return out + finished(text, closing, _FINISHERS)


def _header(run: Any, cls: Located) -> str:
    """The text of a class statement's first lines (keywords like `metaclass=` are not in the
    map's records)."""
    text = source_text(run, cls)
    if text is None:
        return ""
    row = cls.symbol.range[0]
    head = []
    for line in text.split("\n")[row:row + 6]:
        head.append(line)
        if line.rstrip().endswith(":"):
            break
    return "\n".join(head)


def _open_class(run: Any, c: Located) -> str | None:
    """Why one class may have members the map does not see (decorators, `__getattr__`, a
    metaclass), or None."""
    sym = c.symbol
    if sym.dynamic or not all(_transparent(d) for d in sym.decorators):
        return "decorated"
    if c.file.lookup(f"{sym.qualname}.__getattr__") or c.file.lookup(f"{sym.qualname}.__getattribute__"):
        return "__getattr__"
    if _METACLASS.search(_header(run, c)):
        return "metaclass"  # a metaclass may add anything
    return None


def _closed_module(r: Resolver, fm: FileMap) -> bool:
    if fm.lookup("__getattr__") is not None or "__getattr__" in fm.module_bindings():
        return False
    return all(isinstance(r.module_target(fm, m), Located) for m in fm.star_imports())

