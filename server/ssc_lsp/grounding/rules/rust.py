"""Rust's answers to the check's questions (see base.py).

Bare names resolve through the Rust resolver (locals by position, the module's items, `use`
and glob imports, the prelude: map/languages/rust). What it cannot resolve is missing unless:
- it heads a path (`serde::Serialize`): an outside crate the map does not see;
- it is a token of a macro that is not one of std's expression macros (`println!`, `vec!`, ...;
  a workspace `macro_rules!` of that name counts as not std's): a macro takes any tokens;
- a glob import from outside the workspace (`use std::io::*`) may bring it.

Members, only where certain:
- a module's items (`crate::util::nope`) when every glob import of the module is a workspace
  module's and no macro is invoked among its items (it may expand to items);
- a field of a workspace struct (`x.nme`, no call) when nothing implements `Deref` for it (auto
  deref reaches the target's fields);
- a method (`x.f()`), an associated item (`Type::f`): unknown unless found, since any trait in
  scope (std's blanket impls included) may provide it.

Calls by path of workspace functions: the count is exact (no defaults in Rust), the map's own
rule (map/languages/rust/checks.py, arity.py).
"""

from __future__ import annotations

import zlib
from typing import Any

import tree_sitter as ts

from ...map.checks import Problem
from ...map.filemap import FileMap
from ...map.languages.arity import arity_call
from ...map.languages.rust import RUST
from ...map.languages.rust.checks import call_target
from ...map.languages.rust.extract import STAR_SEP
from ...map.records import CLASS, METHOD, MODULE, Ref, Unit
from ...map.resolve import Instance, Resolver, Value
from ...map.workspace import Located, Workspace
from .base import CheckRules, closers, finished, source_text

_SCOPES = frozenset({"source_file", "block", "declaration_list"})
# std's macros whose tokens are expressions (a format string, then arguments): their names are
# names of the program; any other macro may take its tokens as anything (new bindings, keys)
STD_EXPRESSION_MACROS = frozenset({
    "println", "print", "eprintln", "eprint", "format", "format_args", "write", "writeln", "panic",
    "assert", "assert_eq", "assert_ne", "debug_assert", "debug_assert_eq", "debug_assert_ne", "vec",
    "dbg", "todo", "unimplemented", "unreachable"})
# Syntax whose identifier heads a path (`a::b`): the head may be an outside crate
_PATHS = frozenset({"scoped_identifier", "scoped_type_identifier", "scoped_use_list", "use_as_clause"})
# What may finish a line the model left unfinished, besides closing its brackets: a block
# (`if x > y`, `match v`), an operand and the statement's end (`let a = b +`)
_FINISHERS = ("", ";", " {}", " ();")
_FACTS: dict[tuple, frozenset[str]] = {}  # see _macro_modules


class RustRules(CheckRules):
    scope_types = _SCOPES

    def decides_names(self, fm: FileMap) -> bool:
        return True

    def implicit(self, name: str, fm: FileMap) -> bool:
        return name in RUST.builtins or name in ("self", "Self", "super", "crate")

    def unbound_syntax(self, node: ts.Node) -> bool:
        """A macro's name among another macro's tokens, a token of a macro that may take
        anything."""
        nxt = node.next_sibling
        if nxt is not None and nxt.type == "!":
            return True  # `vec![..]` inside `assert_eq!(..)`
        tree = _macro_of(node)
        if tree is None:
            return False
        macro = tree.child_by_field_name("macro")
        name = macro.text.decode("utf-8", "replace") if macro is not None else ""
        return name not in STD_EXPRESSION_MACROS

    def bound_in_syntax(self, node: ts.Node, name: str) -> bool:
        """A path's head the map cannot resolve (an outside crate: `serde::Serialize`); a `use`
        inside a function body (the map binds only a module's `use` items): one in the item
        around `node` that names `name`, or a glob, may bind it."""
        p, nxt = node.parent, node.next_sibling
        if (p is not None and p.type in _PATHS and p.child_by_field_name("path") == node) or \
                (nxt is not None and nxt.type == "::"):
            return True
        top = node
        while top.parent is not None and top.parent.type not in ("source_file", "declaration_list"):
            top = top.parent
        want = name.encode("utf-8")
        todo = [top]
        while todo:
            n = todo.pop()
            if n.type == "use_declaration":
                if b"*" in n.text or any(i.text == want for i in _identifiers(n)):
                    return True
                continue
            todo.extend(n.named_children)
        return False

    def closed(self, run: Any, value: Value) -> bool:
        if isinstance(value, Located) and value.symbol.kind == MODULE:
            return self._closed_module(run, value, set())
        if isinstance(value, Instance):
            return self._closed_struct(run, value.cls)
        if isinstance(value, Located) and value.symbol.kind == CLASS:
            # `Type::x`: its variants and inherent items are all seen, but see may_have
            return value.file.language is RUST and value.symbol.value is None
        return False

    def may_have(self, run: Any, value: Value, ref: Ref) -> bool:
        """A method call through a value: any trait in scope may provide the method. `Type::x`
        likewise (a trait's associated function or constant), except where only a variant or
        a struct can stand: a pattern's `Type::X(..)` or `Type::X { .. }`, a literal's
        `Type::X { .. }`."""
        if isinstance(value, Instance):
            return ref.nargs >= 0
        if isinstance(value, Located) and value.symbol.kind == CLASS:
            node = _node_of(run, ref)
            return node is None or not _variant_position(node)
        return False

    def _closed_module(self, run: Any, module: Located, seen: set[str]) -> bool:
        fm = module.file
        prefix = "" if module.symbol is fm.module_symbol else module.symbol.qualname + "."
        if (fm.path, prefix) in seen:
            return True
        seen.add((fm.path, prefix))
        if fm.language is not RUST or prefix in _macro_modules(run, fm):
            return False
        scope = prefix[:-1]
        for entry in fm.star_imports():
            where = entry.partition(STAR_SEP)[0]
            if where != scope:
                continue
            target = run.r.module_target(fm, entry)
            if not isinstance(target, Located):
                return False
            if target.symbol.kind == MODULE and not self._closed_module(run, target, seen):
                return False
            if target.symbol.kind not in (MODULE, CLASS):
                return False
        return True

    def _closed_struct(self, run: Any, cls: Located) -> bool:
        """A workspace struct's fields are all its own unless it derefs to another type."""
        sym = cls.symbol
        if cls.file.language is not RUST or sym.kind != CLASS or sym.value is not None:
            return False
        for loc in run.ws.symbols_named("deref"):
            q = loc.symbol.qualname
            if loc.symbol.kind == METHOD and q.rpartition(".")[0].rpartition(".")[2] == sym.name:
                return False  # `impl Deref for T`: `t.x` may be the target's field
        return "Deref" not in _attributes(run, cls)  # `#[derive(Deref)]` (derive_more and kin)


    def check_call(self, ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                   target: Any) -> Problem | None:
        """A call by path of a workspace function: the map's own rule (no defaults in Rust)."""
        return arity_call(call_target, resolver, fm, unit, ref)

    def finishings(self, text: str, data: bytes, offset: int) -> list[tuple[str, bool]]:
        return finished(text, closers(text, "//", "\"", escapes=True), _FINISHERS)


def _attributes(run: Any, cls: Located) -> str:
    """The text above an item's name in its unit: its attributes (`#[derive(..)]`), docs and
    header (the map records no attributes of Rust items)."""
    text = source_text(run, cls)
    unit = next((u for u in cls.file.units if any(s is cls.symbol for s in u.symbols)), None)
    if text is None or unit is None:
        return "Deref"  # unreadable: assume the worst
    lines = text.split("\n")
    return "\n".join(lines[unit.start_row:cls.symbol.name_range[0] + 1])


def _node_of(run: Any, ref: Ref) -> ts.Node | None:
    for unit in run.p.fresh:
        if any(r is ref for r in unit.refs):
            return run.p.node_at(unit, ref)
    return None


def _variant_position(node: ts.Node) -> bool:
    """Whether the path ending at `node` (`E::X`) is a tuple-struct or struct pattern's type
    or a struct literal's name: a variant or a struct, never a trait's item."""
    path = node.parent
    if path is None or path.type not in ("scoped_identifier", "scoped_type_identifier") or \
            path.child_by_field_name("name") != node:
        return False
    owner = path.parent
    if owner is None:
        return False
    if owner.type in ("tuple_struct_pattern", "struct_pattern"):
        return owner.child_by_field_name("type") == path
    return owner.type == "struct_expression" and owner.child_by_field_name("name") == path


def _identifiers(node: ts.Node) -> list[ts.Node]:
    out, todo = [], [node]
    while todo:
        n = todo.pop()
        if n.type in ("identifier", "type_identifier"):
            out.append(n)
        todo.extend(n.named_children)
    return out


def _macro_of(node: ts.Node) -> ts.Node | None:
    """The macro invocation whose tokens hold `node`, or None."""
    p = node.parent
    while p is not None and p.type == "token_tree":
        if p.parent is not None and p.parent.type == "macro_invocation":
            return p.parent
        p = p.parent
    return None


def _macro_modules(run: Any, fm: FileMap) -> frozenset[str]:
    """The module prefixes of `fm` (`""`, `"m."`) among whose items a macro is invoked (it may
    expand to items the map does not see), from the file's text; cached by the map's hash (the
    checked document's by its text's checksum)."""
    doc = fm.path == run.fm.path
    key: tuple = (fm.path, "doc", zlib.crc32(run.p.data)) if doc else (fm.path, fm.hash)
    got = _FACTS.get(key)
    if got is not None:
        return got
    data = run.p.data if doc else (run.svc.text_of(fm.path) or "").encode("utf-8")
    out: set[str] = set()
    if b"!" in data:
        root = RUST.parser().parse(data).root_node
        todo: list[tuple[ts.Node, str]] = [(root, "")]
        while todo:
            n, prefix = todo.pop()
            for c in n.named_children:
                if c.type == "macro_invocation" or (c.type == "expression_statement" and c.named_children
                                                    and c.named_children[0].type == "macro_invocation"):
                    out.add(prefix)
                elif c.type == "mod_item":
                    name, body = c.child_by_field_name("name"), c.child_by_field_name("body")
                    if name is not None and body is not None:
                        todo.append((body, f"{prefix}{name.text.decode('utf-8', 'replace')}."))
    if len(_FACTS) > 20_000:
        _FACTS.clear()
    facts = _FACTS[key] = frozenset(out)
    return facts

