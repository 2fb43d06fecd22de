"""The function or class a model action works on, found by the map and held with its text.

Why one place: every model action (docstring, annotations, tests, explain) starts from "the
definition at the cursor" and needs the same three things: the map's symbol (its id is the
action's identity in `CodeAction.data`: ids survive edits elsewhere in the file), the text the
editor holds now, and the tree-sitter node of the definition to place an edit in.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from ..map.filemap import FileMap
from ..map.languages.python import PYTHON
from ..map.records import CLASS, FUNCTION, METHOD, Symbol
from ..map.service import MapService

DEFINITIONS = (FUNCTION, METHOD, CLASS)


class ActionError(Exception):
    """A model action cannot go on; the message says why, fit to show to the user."""


def def_at(fm: FileMap, row: int, kinds: tuple[str, ...] = DEFINITIONS) -> Symbol | None:
    """The innermost definition of `kinds` whose lines hold `row` (a nested function before the
    function around it)."""
    best: Symbol | None = None
    for s in fm.symbols:
        if s.kind not in kinds:
            continue
        r = s.range
        if r[0] <= row <= r[2] and (best is None or r[0] >= best.range[0]):
            best = s
    return best


@dataclass
class Def:
    """A definition of the live map with the text it is in and its tree-sitter node."""

    svc: MapService
    fm: FileMap
    sym: Symbol
    data: bytes
    node: ts.Node  # function_definition or class_definition

    @property
    def rel(self) -> str:
        return self.fm.path

    @property
    def source(self) -> str:
        """The definition's text, decorators included."""
        start = self.outer.start_byte
        return self.data[self.line_start(start):self.node.end_byte].decode("utf-8", errors="replace")

    @property
    def outer(self) -> ts.Node:
        """The node with the decorators when there are any."""
        p = self.node.parent
        return p if p is not None and p.type == "decorated_definition" else self.node

    def line_start(self, byte: int) -> int:
        return self.data.rfind(b"\n", 0, byte) + 1

    def indent_of(self, node: ts.Node) -> bytes:
        """The whitespace before `node` on its line."""
        return self.data[self.line_start(node.start_byte):node.start_byte]


def load(svc: MapService, rel: str, symbol_id: str) -> Def:
    """The definition `symbol_id` of `rel` as the map and the editor hold it now."""
    fm = svc.ensure(rel)
    sym = fm.by_id.get(symbol_id) if fm is not None else None
    if fm is None or sym is None or sym.kind not in DEFINITIONS:
        raise ActionError(f"{symbol_id.split('::')[-1]} is no longer in {rel}")
    data = svc.text_now(rel)
    if data is None:
        raise ActionError(f"{rel} cannot be read")
    node = node_of(data, sym)
    if node is None:
        raise ActionError(f"{sym.name} is not where the map has it in {rel}; try again")
    return Def(svc, fm, sym, data, node)


def node_of(data: bytes, sym: Symbol) -> ts.Node | None:
    """The function_definition / class_definition node whose name is `sym`'s name."""
    tree = PYTHON.parser().parse(data)
    at = sym.byte0 + sym.name_byte
    node = tree.root_node.descendant_for_byte_range(at, at + len(sym.name.encode()))
    while node is not None and node.type not in ("function_definition", "class_definition"):
        node = node.parent
    if node is None:
        return None
    name = node.child_by_field_name("name")
    if name is None or name.text.decode("utf-8", errors="replace") != sym.name:
        return None
    return node


def with_imports(data: bytes, lines: list[str]) -> bytes:
    """`data` with `lines` inserted after the module's last top-level import (or its docstring,
    or at the top)."""
    if not lines:
        return data
    root = PYTHON.parser().parse(data).root_node
    at = 0
    imports_before = False
    for c in root.children:
        if c.type in ("import_statement", "import_from_statement", "future_import_statement"):
            at = c.end_byte
            imports_before = True
        elif at == 0 and c.type == "expression_statement" and c.named_child_count \
                and c.named_children[0].type == "string" and c == root.children[0]:
            at = c.end_byte
    block = "\n".join(lines).encode() + b"\n"
    end = 0
    if at:
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end + 1
    rest = data[end:]
    if not imports_before:  # a new import section: set apart from what follows, as PEP 8 has it
        if rest.startswith((b"def ", b"async def ", b"class ", b"@")):
            block += b"\n\n"
        elif rest and not rest.startswith(b"\n"):
            block += b"\n"
        if at:
            block = b"\n" + block
    return data[:end] + block + rest
