"""Rust extraction: from a tree-sitter tree to units of symbols and references.

A unit is one top-level item with the outer doc comments (`///`) and attributes directly above
it, but an `impl` of a type by name is a header unit plus one unit per item of its body (as
Java's classes: see _split_impl); the file's inner doc comment (`//!`) is a unit of its own
whose doc is the module's. One
scope per function (inner blocks are merged into it: a name bound twice loses its type, as in
Go's module). Qualnames: items of the file are bare (`Server`, `helper`), items of an inline
`mod m { }` are `m.item`; methods and associated items of an `impl` are `Type.name` with parent
`""` (an impl may sit in another file than its type), their trait (for `impl Trait for Type`) in
`bases`; fields, variants and trait items are `Type.name` under their type. `mod x;` is a
MODULE symbol whose value is `"file"` (or `"path:<p>"` with a plain `#[path]`); the resolver
maps it to a file. Paths are references segment by segment: the first a name, each next an
attribute whose receiver is the path before it, written with `::` (`crate::a::B` -> `B` with
receiver `crate::a`). Macro bodies are token trees: their identifiers are name references
(`x`), or attributes after `::`; macro names themselves are not references.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    PARAMETER,
    POSITIONAL_ONLY,
    REF_ATTRIBUTE,
    REF_BIND,
    REF_NAME,
    VARIABLE,
    Param,
    Signature,
    Symbol,
    Unit,
)
from ..base import Captures, UnitSpec
from ..common import MAX_TEXT, Walker, first_line
from ..common import node_text as _text

UNTIL = "<until>"  # Symbol.target[0] of a local: where its block ends (see visible_until)
STAR_SEP = "|"  # a glob import is stored as "<inline module prefix>|<path>"
_NOT_ITEMS = frozenset({"attribute_item", "inner_attribute_item", "line_comment", "block_comment"})
IMPL_SEP = "|"  # an impl member unit's context: "<type>|<trait or nothing>"
_SKIP = frozenset({"attribute_item", "inner_attribute_item", "line_comment", "block_comment",
                   "lifetime", "label", "primitive_type", "visibility_modifier", "string_literal",
                   "raw_string_literal", "char_literal", "integer_literal", "float_literal",
                   "boolean_literal", "field_identifier", "shorthand_field_identifier",
                   "metavariable", "crate", "super"})
_SUBKINDS = {"struct_item": "struct", "union_item": "struct", "enum_item": "enum", "trait_item": "trait",
             "type_item": "type_alias"}
_PATHS = frozenset({"scoped_identifier", "scoped_type_identifier"})
_GENERICS = re.compile(r"<[^<>]*>")


def _short(node: ts.Node | None) -> str | None:
    if node is None:
        return None
    raw = node.text[: MAX_TEXT * 8]  # a 3,000-line table needs no more than its start
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    if len(raw) < node.end_byte - node.start_byte and len(text) <= MAX_TEXT:
        text = text[: MAX_TEXT - 3] + "..."  # cut: say so even when the start is short
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def strip_generics(text: str) -> str:
    """`S::<T>::new` -> `S::new`, `Vec<Box<T>>` -> `Vec` (nested brackets too)."""
    prev = None
    while prev != text:
        prev, text = text, _GENERICS.sub("", text)
    return text.replace("::::", "::").replace(" ", "")


def type_name(node: ts.Node | None) -> str | None:
    """The named type of an impl or annotation: `&mut S<T>` -> `S`, `a::S` -> `a::S`."""
    while node is not None and node.type in ("reference_type", "generic_type", "pointer_type"):
        node = node.child_by_field_name("type")
    if node is None or node.type not in ("type_identifier", "scoped_type_identifier"):
        return None
    return strip_generics(_text(node))


# -- units -------------------------------------------------------------------------------


def unit_specs(root: ts.Node) -> list[UnitSpec]:
    """One unit per top-level item, from the doc comments and attributes directly above it."""
    specs: list[UnitSpec] = []
    lead: list[ts.Node] = []  # outer doc comments and attributes waiting for their item
    inner: list[ts.Node] = []
    for child in root.children:
        t = child.type
        if t in ("line_comment", "block_comment"):
            if _is_inner_doc(child):
                inner.append(child)
                continue
            if lead and lead[-1].end_point[0] + 1 < child.start_point[0]:
                lead = []
            if _is_outer_doc(child):
                lead.append(child)
            continue
        if t == "attribute_item" or t == "inner_attribute_item":
            if t == "attribute_item":
                lead.append(child)
            continue
        if inner:
            _add(specs, inner[0], inner[-1], _doc_of(inner))
            inner = []
        first = lead[0] if lead and lead[-1].end_point[0] + 1 >= child.start_point[0] else child
        lead = []
        if not _split_impl(specs, first, child):
            _add(specs, first, child, None)
    if inner:
        _add(specs, inner[0], inner[-1], _doc_of(inner))
    specs.sort(key=lambda s: s[0])
    return specs


def _split_impl(specs: list[UnitSpec], first: ts.Node, node: ts.Node) -> bool:
    """An `impl` of a type by name: a header unit (attributes to `{`) and one unit per item of
    its body, from the doc comments and attributes directly above it, whose context says the
    type and the trait (all a member's records depend on outside it). An edit inside a method
    re-extracts that method, not the impl (hundreds of lines in real crates)."""
    body = node.child_by_field_name("body") if node.type == "impl_item" else None
    tname = type_name(node.child_by_field_name("type")) if body is not None else None
    if body is None or tname is None or "::" in tname or not body.child_count or body.children[0].type != "{":
        return False
    if specs and specs[-1][1] > first.start_byte:  # never overlap (broken code)
        return True
    brace = body.children[0]
    ep = brace.end_point
    specs.append((first.start_byte, brace.end_byte, first.start_point[0], ep[0], ep[1], "", "impl_header", None))
    trait = node.child_by_field_name("trait")
    ctx = tname + IMPL_SEP + (strip_generics(_text(trait)) if trait is not None else "")
    lead: list[ts.Node] = []
    for c in body.children[1:]:
        if c.type in _NOT_ITEMS:  # any comment directly above joins (the doc is _doc_above's)
            if lead and lead[-1].end_point[0] + 1 < c.start_point[0]:
                lead = []
            lead.append(c)
            continue
        if not c.is_named:
            continue
        m0 = lead[0] if lead and lead[-1].end_point[0] + 1 >= c.start_point[0] else c
        lead = []
        ep = c.end_point
        specs.append((m0.start_byte, c.end_byte, m0.start_point[0], ep[0], ep[1], ctx, "impl_body", None))
    return True


def _add(specs: list[UnitSpec], first: ts.Node, last: ts.Node, doc: str | None) -> None:
    if specs and specs[-1][1] > first.start_byte:  # never overlap (broken code)
        return
    ep = last.end_point
    specs.append((first.start_byte, last.end_byte, first.start_point[0], ep[0], ep[1], "", "stmt", doc))


def _is_inner_doc(c: ts.Node) -> bool:
    return any(x.type == "inner_doc_comment_marker" for x in c.children)


def _is_outer_doc(c: ts.Node) -> bool:
    return any(x.type == "outer_doc_comment_marker" for x in c.children)


def _doc_of(comments: list[ts.Node]) -> str | None:
    """The first non-empty line of doc comments."""
    return first_line(_doc_body(c) for c in comments)


def _doc_body(c: ts.Node) -> str:
    doc = c.child_by_field_name("doc")
    return _text(doc) if doc is not None else _text(c).lstrip("/!*")


def _doc_above(node: ts.Node, floor: int) -> str | None:
    comments: list[ts.Node] = []
    prev = node.prev_sibling
    while prev is not None and prev.start_byte >= floor and prev.type in ("line_comment", "block_comment",
                                                                         "attribute_item"):
        if prev.type != "attribute_item":
            if not _is_outer_doc(prev):
                break
            comments.insert(0, prev)
        prev = prev.prev_sibling
    return _doc_of(comments) if comments else None


def _mod_path_attr(node: ts.Node, floor: int) -> str | None:
    """`#[path = "x.rs"]` directly above a `mod` item, when it is a plain string."""
    prev = node.prev_sibling
    while prev is not None and prev.start_byte >= floor and prev.type in ("attribute_item", "line_comment",
                                                                         "block_comment"):
        m = re.fullmatch(r'#\[\s*path\s*=\s*"([^"\\]+)"\s*\]', _text(prev))
        if m:
            return m.group(1)
        prev = prev.prev_sibling
    return None


# -- use trees ---------------------------------------------------------------------------


def use_entries(node: ts.Node, prefix: str = "") -> list[tuple[str, str | None, ts.Node | None, str]]:
    """The imports of a use tree: (path, bound name or None for a glob, the bound name's node,
    kind) with kind "use", "glob"; `use a::{self as b}` binds `a` (or `b`)."""
    out: list[tuple[str, str | None, ts.Node | None, str]] = []
    t = node.type

    def join(p: str) -> str:
        return f"{prefix}::{p}" if prefix else p

    if t in ("identifier", "scoped_identifier", "crate", "self", "super", "metavariable"):
        path = join(_text(node))
        if t == "self" and prefix:
            last = _last_name_node(node)
            out.append((prefix, prefix.rpartition("::")[2], last, "use"))
        else:
            out.append((path, path.rpartition("::")[2], _last_name_node(node), "use"))
    elif t == "use_as_clause":
        path_node, alias = node.child_by_field_name("path"), node.child_by_field_name("alias")
        if path_node is not None and alias is not None:
            path = join(_text(path_node))
            if path_node.type == "self" and prefix:
                path = prefix
            out.append((path, _text(alias), alias, "use"))
    elif t == "use_wildcard":
        inner = next((c for c in node.named_children), None)
        out.append((join(_text(inner)) if inner is not None else prefix, None, None, "glob"))
    elif t == "scoped_use_list":
        path_node, lst = node.child_by_field_name("path"), node.child_by_field_name("list")
        sub = join(_text(path_node)) if path_node is not None else prefix
        if lst is not None:
            out.extend(use_entries(lst, sub))
    elif t == "use_list":
        for c in node.named_children:
            out.extend(use_entries(c, prefix))
    return out


def _last_name_node(node: ts.Node) -> ts.Node:
    while node.type == "scoped_identifier" and node.child_by_field_name("name") is not None:
        node = node.child_by_field_name("name")
    return node


# -- extraction ------------------------------------------------------------------------


class _Walker(Walker):
    """Fills one unit from its item node."""

    def __init__(self, unit: Unit):
        super().__init__(unit)
        self.locals: dict[tuple[str, str], Symbol | None] = {}

    def bind_module(self, name: str) -> None:
        if name and name != "_" and name not in self.u.bindings:
            self.u.bindings.append(name)

    def bind_local(self, scope: str, name_node: ts.Node, stmt: ts.Node, kind: str = VARIABLE,
                   annotation: str | None = None, value: str | None = None) -> None:
        """A local: in a named function, a symbol for every binding (`let x = ..; let x = ..`
        shadows: the resolver takes the last one whose statement ends before the use); in an
        anonymous scope (closure, match arm, `if let`, `for`) a name without a symbol."""
        name = _text(name_node)
        if not name or name == "_":
            return
        key = (scope, name)
        names = self.u.scopes.setdefault(scope, [])
        if key not in self.locals:
            names.append(name)
        elif "<" in scope:
            self.ref(name_node, REF_BIND, scope)
            return
        if "<" not in scope:
            self.locals[key] = self.symbol(kind, name_node, stmt, scope, f"{scope}.{name}",
                                           annotation=annotation, value=value)
        else:
            self.locals[key] = None

    # -- items
    def item(self, node: ts.Node, prefix: str) -> None:
        """A module-level item; `prefix` is the inline module path (`m.` or "")."""
        t = node.type
        if t in _NOT_ITEMS:  # before the doc above: a run of k comment lines would cost k^2
            return
        name_node = node.child_by_field_name("name")
        doc = _doc_above(node, self.b0)
        scope = prefix[:-1]
        if t == "use_declaration":
            self.on_use(node, prefix)
        elif t == "mod_item":
            if name_node is None:
                return
            body = node.child_by_field_name("body")
            qual = prefix + _text(name_node)
            path = _mod_path_attr(node, self.b0)
            value = None if body is not None else (f"path:{path}" if path else "file")
            self.symbol(MODULE, name_node, node, "", qual, doc=doc, value=value, subkind="namespace")
            self.bind_module(qual)
            if body is not None:
                for c in body.named_children:
                    self.item(c, qual + ".")
        elif t in ("struct_item", "union_item", "enum_item", "trait_item", "type_item"):
            if name_node is None:
                return
            qual = prefix + _text(name_node)
            typ = node.child_by_field_name("type")
            bases = []
            bounds = node.child_by_field_name("bounds")
            if bounds is not None:
                bases = [strip_generics(_text(b)) for b in bounds.named_children
                         if b.type in ("type_identifier", "scoped_type_identifier", "generic_type")]
            self.symbol(CLASS, name_node, node, "", qual, doc=doc, bases=bases,
                        value=_short(typ) if t == "type_item" else None, subkind=_SUBKINDS[t])
            self.bind_module(qual)
            for f in ("type_parameters", "bounds", "type"):
                sub = node.child_by_field_name(f)
                if sub is not None:
                    self.walk(sub, scope)
            body = node.child_by_field_name("body")
            if body is not None:
                self.members(body, qual, scope)
        elif t == "impl_item":
            self.on_impl(node, prefix)
        elif t in ("function_item", "function_signature_item"):
            if name_node is None:
                return
            qual = prefix + _text(name_node)
            self.on_function(node, qual, "", FUNCTION, doc)
            self.bind_module(qual)
        elif t in ("const_item", "static_item"):
            if name_node is None:
                return
            qual = prefix + _text(name_node)
            typ = node.child_by_field_name("type")
            value = node.child_by_field_name("value")
            self.symbol(CONSTANT if t == "const_item" else VARIABLE, name_node, node, "", qual, doc=doc,
                        annotation=_short(typ), value=_short(value))
            self.bind_module(qual)
            for sub in (typ, value):
                if sub is not None:
                    self.walk(sub, scope)
        elif t == "macro_definition":
            if name_node is not None:
                self.symbol(FUNCTION, name_node, node, "", prefix + _text(name_node) + "!", doc=doc)
        elif t == "extern_crate_declaration":
            alias = node.child_by_field_name("alias") or name_node
            if name_node is not None and alias is not None:
                self.symbol(IMPORT, alias, node, "", prefix + _text(alias), target=(_text(name_node),),
                            value="crate")
                self.bind_module(prefix + _text(alias))
        elif t == "foreign_mod_item":
            body = node.child_by_field_name("body")
            for c in (body.named_children if body is not None else ()):
                self.item(c, prefix)
        elif t == "macro_invocation":
            self.walk(node, scope)
        else:
            self.walk(node, scope)

    def on_use(self, node: ts.Node, prefix: str) -> None:
        arg = node.child_by_field_name("argument")
        if arg is None:
            return
        scope = prefix[:-1]
        for path, name, name_node, kind in use_entries(arg):
            if kind == "glob":
                entry = f"{scope}{STAR_SEP}{path}"
                if entry not in self.u.star_imports:
                    self.u.star_imports.append(entry)
            elif name and name_node is not None and name not in ("self", "crate", "super"):
                self.symbol(IMPORT, name_node, node, "", prefix + name, target=(path,), value="use")
                self.bind_module(prefix + name)
        self.path_refs(arg, scope, use=True)

    def path_refs(self, node: ts.Node, scope: str, use: bool = False) -> None:
        """References for every segment of the paths in a use tree."""
        stack = [(node, "")]
        while stack:
            n, prefix = stack.pop()
            t = n.type
            if t in ("identifier", "scoped_identifier"):
                self.on_path(n, scope, prefix)
            elif t == "use_as_clause":
                p = n.child_by_field_name("path")
                if p is not None:
                    stack.append((p, prefix))
            elif t == "use_wildcard":
                inner = next(iter(n.named_children), None)
                if inner is not None:
                    stack.append((inner, prefix))
            elif t == "scoped_use_list":
                p, lst = n.child_by_field_name("path"), n.child_by_field_name("list")
                if p is not None:
                    stack.append((p, prefix))
                sub = _join(prefix, strip_generics(_text(p))) if p is not None else prefix
                if lst is not None:
                    stack.extend((c, sub) for c in lst.named_children)

    def members(self, body: ts.Node, qual: str, scope: str) -> None:
        """Fields, variants and trait items under their type `qual`."""
        for c in body.named_children:
            t = c.type
            name_node = c.child_by_field_name("name")
            doc = _doc_above(c, self.b0)
            if t == "field_declaration" and name_node is not None:
                typ = c.child_by_field_name("type")
                self.symbol(ATTRIBUTE, name_node, c, qual, f"{qual}.{_text(name_node)}", doc=doc,
                            annotation=_short(typ), subkind="field")
                if typ is not None:
                    self.walk(typ, scope)
            elif t == "enum_variant" and name_node is not None:
                self.symbol(CONSTANT, name_node, c, qual, f"{qual}.{_text(name_node)}", doc=doc,
                            subkind="enum_member")
                for f in ("body", "value"):
                    sub = c.child_by_field_name(f)
                    if sub is not None:
                        self.walk(sub, scope)
            elif t in ("function_item", "function_signature_item") and name_node is not None:
                self.on_function(c, f"{qual}.{_text(name_node)}", qual, METHOD, doc)
            elif t in ("const_item", "associated_type") and name_node is not None:
                self.symbol(CONSTANT if t == "const_item" else CLASS, name_node, c, qual,
                            f"{qual}.{_text(name_node)}", doc=doc)
                for f in ("type", "value", "bounds"):
                    sub = c.child_by_field_name(f)
                    if sub is not None:
                        self.walk(sub, scope)
            elif t == "ordered_field_declaration_list" or t not in ("attribute_item", "line_comment",
                                                                     "block_comment"):
                self.walk(c, scope)

    def on_impl(self, node: ts.Node, prefix: str, members: bool = True) -> None:
        """An impl: its header's references, then (`members`) its items."""
        scope = prefix[:-1]
        typ = node.child_by_field_name("type")
        trait = node.child_by_field_name("trait")
        tname = type_name(typ)
        for f in ("type_parameters", "trait", "type"):
            sub = node.child_by_field_name(f)
            if sub is not None:
                self.walk(sub, scope)
        for c in node.children:
            if c.type == "where_clause":
                self.walk(c, scope)
        body = node.child_by_field_name("body")
        if body is None or not members:
            return
        if tname is None or "::" in tname:  # an impl of a type by path or of a non-path type
            for c in body.named_children:
                self.walk(c, scope)
            return
        bases = [strip_generics(_text(trait))] if trait is not None else []
        for c in body.named_children:
            self.impl_member(c, prefix + tname, bases, scope)

    def impl_member(self, c: ts.Node, tqual: str, bases: list[str], scope: str) -> None:
        """One item of an impl of the type `tqual` (of the trait `bases`, if any)."""
        if c.type in _NOT_ITEMS:
            return
        name_node = c.child_by_field_name("name")
        doc = _doc_above(c, self.b0)
        if c.type == "function_item" and name_node is not None:
            self.on_function(c, f"{tqual}.{_text(name_node)}", "", METHOD, doc, bases=bases)
        elif c.type == "const_item" and name_node is not None:
            self.symbol(CONSTANT, name_node, c, "", f"{tqual}.{_text(name_node)}", doc=doc, bases=bases,
                        annotation=_short(c.child_by_field_name("type")))
            for f in ("type", "value"):
                sub = c.child_by_field_name(f)
                if sub is not None:
                    self.walk(sub, scope)
        else:
            self.walk(c, scope)

    def on_function(self, fn: ts.Node, qual: str, parent: str, kind: str, doc: str | None,
                    bases: list[str] | None = None) -> None:
        name_node = fn.child_by_field_name("name")
        params = fn.child_by_field_name("parameters")
        ret = fn.child_by_field_name("return_type")
        plist: list[Param] = []
        for p in (params.named_children if params is not None else ()):
            if p.type == "self_parameter":
                plist.append(Param("self", POSITIONAL_ONLY, False, _short(p)))
            elif p.type == "parameter":
                plist.append(Param(_text(p.child_by_field_name("pattern")) or "_", POSITIONAL_ONLY, False,
                                   _short(p.child_by_field_name("type"))))
            elif p.type == "variadic_parameter":
                plist.append(Param("...", "var_positional", False, None))
        self.symbol(kind, name_node, fn, parent, qual, doc=doc, bases=bases or [],
                    signature=Signature(plist, _short(ret)))
        self.u.scopes.setdefault(qual, [])
        tparams = fn.child_by_field_name("type_parameters")
        if tparams is not None:
            self.walk(tparams, qual)
        for p in (params.named_children if params is not None else ()):
            if p.type == "parameter":
                typ = p.child_by_field_name("type")
                if typ is not None:
                    self.walk(typ, qual)
                pat = p.child_by_field_name("pattern")
                if pat is not None:
                    first = len(self.u.symbols)
                    self.bind_pattern(pat, qual, p, PARAMETER, _short(typ))
                    self.visible_until(first, fn)
            elif p.type != "self_parameter":
                self.walk(p, qual)
        if ret is not None:
            self.walk(ret, qual)
        for c in fn.children:
            if c.type == "where_clause":
                self.walk(c, qual)
        body = fn.child_by_field_name("body")
        if body is not None:
            self.walk(body, qual)

    # -- patterns
    def bind_pattern(self, pat: ts.Node, scope: str, stmt: ts.Node, kind: str = VARIABLE,
                     annotation: str | None = None, value: str | None = None) -> None:
        """Bind the names of a pattern; paths in it (`E::A`, `Some`, `Point { .. }`) are uses.
        A bare identifier starting with an upper-case letter is a constant or a unit variant
        (`None`), by Rust's naming convention; any other is a binding."""
        t = pat.type
        if t == "identifier":
            name = _text(pat)
            if name[:1].isupper():
                self.ref(pat, REF_NAME, scope)
            else:
                self.bind_local(scope, pat, stmt, kind, annotation, value)
            return
        if t in _PATHS:
            self.on_path(pat, scope)
            return
        if t == "field_pattern":
            name = pat.child_by_field_name("name")
            sub = pat.child_by_field_name("pattern")
            if sub is not None:
                self.bind_pattern(sub, scope, stmt, kind)
            elif name is not None and name.type == "shorthand_field_identifier":
                self.bind_local(scope, name, stmt, kind)
            return
        if t in ("struct_pattern", "tuple_struct_pattern"):
            typ = pat.child_by_field_name("type")
            if typ is not None:
                if typ.type in _PATHS:
                    self.on_path(typ, scope)
                else:
                    self.ref(typ, REF_NAME, scope)
            for c in pat.named_children:
                if c != typ:
                    self.bind_pattern(c, scope, stmt, kind)
            return
        if t in _SKIP or t in ("self", "range_pattern", "negative_literal", "remaining_field_pattern"):
            if t == "range_pattern":
                self.walk(pat, scope)
            return
        for c in pat.named_children:
            self.bind_pattern(c, scope, stmt, kind)

    # -- paths
    def on_path(self, node: ts.Node, scope: str, prefix: str = "") -> None:
        """`a::b::c`: `a` a name (`crate`, `self`, `super` none), then each segment an attribute
        of the path before it; generic arguments are walked as types."""
        segs: list[ts.Node] = []
        n: ts.Node | None = node
        while n is not None and n.type in _PATHS or n is not None and n.type == "generic_type":
            if n.type == "generic_type":
                args = n.child_by_field_name("type_arguments")
                if args is not None:
                    self.walk(args, scope)
                n = n.child_by_field_name("type")
                continue
            name = n.child_by_field_name("name")
            if name is not None:
                segs.insert(0, name)
            n = n.child_by_field_name("path")
        head = None
        if n is not None:
            if n.type in ("identifier", "type_identifier", "crate", "self", "super"):
                head = n
            else:  # `<T as Trait>::x`: what follows is not certain
                self.walk(n, scope)
                return
        chain = [head] + segs if head is not None else segs
        receiver = prefix
        for i, seg in enumerate(chain):
            text = _text(seg)
            if seg.type in ("crate", "super") or (seg.type == "self" and i == 0):
                receiver = _join(receiver, text)
                continue
            if not receiver:  # a path's head names a module, a type or an item: no local
                self.ref(seg, REF_NAME, scope, **(_call_shape(node) if seg is chain[-1] else {"module": "::"}))
            else:
                self.ref(seg, REF_ATTRIBUTE, scope, receiver=receiver + "::",
                         **(_call_shape(node) if seg is chain[-1] else {}))
            receiver = _join(receiver, text)

    # -- bodies
    def walk(self, node: ts.Node, scope: str) -> None:
        """Every use below `node`, and the locals bound there, in `scope`."""
        stack = [node]
        while stack:
            n = stack.pop()
            t = n.type
            if t in _SKIP:
                continue
            if t in ("identifier", "type_identifier"):
                if n.start_byte != n.end_byte and n.text != b"_":
                    self.ref(n, REF_NAME, scope, **_call_shape(n))
                continue
            if t == "self":
                continue
            if t in _PATHS:
                self.on_path(n, scope)
                continue
            if t == "generic_function":
                fn = n.child_by_field_name("function")
                args = n.child_by_field_name("type_arguments")
                if args is not None:
                    stack.append(args)
                if fn is not None:
                    if fn.type in _PATHS:
                        self.on_path(fn, scope)
                    else:
                        stack.append(fn)
                continue
            if t == "field_expression":
                value, field = n.child_by_field_name("value"), n.child_by_field_name("field")
                if field is not None and field.type == "field_identifier" and value is not None:
                    self.ref(field, REF_ATTRIBUTE, scope, receiver=_short(value), **_call_shape(field))
                if value is not None:
                    stack.append(value)
                continue
            if t == "struct_expression":
                self.on_struct_expr(n, scope, stack)
                continue
            if t == "let_declaration":
                pat, typ, value = (n.child_by_field_name(f) for f in ("pattern", "type", "value"))
                alt = n.child_by_field_name("alternative")
                for sub in (alt, value, typ):
                    if sub is not None:
                        self.walk(sub, scope)
                if pat is not None:
                    first = len(self.u.symbols)
                    self.bind_pattern(pat, scope, n, VARIABLE, _short(typ), _short(value))
                    self.visible_until(first, n.parent)
                continue
            if t == "let_condition":  # in the anonymous scope of its `if` / `while`
                pat, value = n.child_by_field_name("pattern"), n.child_by_field_name("value")
                if value is not None:
                    self.walk(value, scope)
                if pat is not None:
                    self.bind_pattern(pat, scope, n)
                continue
            if t in ("if_expression", "while_expression"):
                cond = n.child_by_field_name("condition")
                if cond is not None and (cond.type in ("let_condition", "let_chain")):
                    anon = self.anon(scope, "if", n)
                    self.walk(cond, anon)
                    body = n.child_by_field_name("consequence") or n.child_by_field_name("body")
                    if body is not None:
                        self.walk(body, anon)
                    alt = n.child_by_field_name("alternative")
                    if alt is not None:
                        stack.append(alt)
                    continue
                stack.extend(reversed(n.named_children))
                continue
            if t == "for_expression":
                pat, value = n.child_by_field_name("pattern"), n.child_by_field_name("value")
                anon = self.anon(scope, "for", n)
                if value is not None:
                    self.walk(value, scope)
                if pat is not None:
                    self.bind_pattern(pat, anon, n)
                body = n.child_by_field_name("body")
                if body is not None:
                    self.walk(body, anon)
                continue
            if t == "match_arm":
                anon = self.anon(scope, "arm", n)
                pat = n.child_by_field_name("pattern")
                for i, c in enumerate(pat.named_children if pat is not None else ()):
                    if pat.field_name_for_named_child(i) == "condition":
                        self.walk(c, anon)
                    else:
                        self.bind_pattern(c, anon, n)
                value = n.child_by_field_name("value")
                if value is not None:
                    self.walk(value, anon)
                continue
            if t == "closure_expression":
                anon = f"{scope}.<closure@{n.start_byte - self.b0}>" if scope else f"<closure@{n.start_byte - self.b0}>"
                self.u.scopes.setdefault(anon, [])
                params = n.child_by_field_name("parameters")
                for p in (params.named_children if params is not None else ()):
                    pat = p.child_by_field_name("pattern") if p.type == "parameter" else p
                    typ = p.child_by_field_name("type") if p.type == "parameter" else None
                    if typ is not None:
                        self.walk(typ, anon)
                    if pat is not None:
                        self.bind_pattern(pat, anon, p, PARAMETER)
                for f in ("return_type", "body"):
                    sub = n.child_by_field_name(f)
                    if sub is not None:
                        self.walk(sub, anon)
                continue
            if t == "macro_invocation":
                for c in n.named_children:
                    if c.type == "token_tree":
                        self.on_tokens(c, scope)
                continue
            if t in ("function_item", "struct_item", "enum_item", "union_item", "trait_item", "type_item",
                     "const_item", "static_item", "mod_item", "impl_item", "use_declaration",
                     "macro_definition"):
                self.nested_item(n, scope)
                continue
            stack.extend(reversed(n.named_children))

    def visible_until(self, first: int, block: ts.Node | None) -> None:
        """Locals made since symbol `first` are seen up to the end of `block` (their block, or
        the function of a parameter): `target` is ("<until>", row relative to the unit, col)."""
        if block is None:
            return
        row, col = block.end_point
        if block.end_byte > self.u.end_byte:  # broken code: the block runs past the unit,
            row, col = self.u.end_row, self.u.end_col  # whose records may read only the unit
        for sym in self.u.symbols[first:]:
            if sym.kind in (VARIABLE, PARAMETER):
                sym.target = (UNTIL, str(row - self.r0), str(col))

    def anon(self, scope: str, what: str, n: ts.Node) -> str:
        """An anonymous scope: its names have no symbols (they resolve to no definition)."""
        name = f"<{what}@{n.start_byte - self.b0}>"
        anon = f"{scope}.{name}" if scope else name
        self.u.scopes.setdefault(anon, [])
        return anon

    def nested_item(self, n: ts.Node, scope: str) -> None:
        """An item inside a function: its name is a local of the function (no symbol of its own
        beyond that); its body is an anonymous scope."""
        name = n.child_by_field_name("name")
        if name is not None and n.type != "impl_item":
            self.bind_local(scope, name, n, FUNCTION if n.type == "function_item" else CLASS)
        anon = f"{scope}.<item@{n.start_byte - self.b0}>"
        self.u.scopes.setdefault(anon, [])
        for c in n.named_children:
            if c != name and c.type not in ("parameters",):
                self.walk(c, anon)
        params = n.child_by_field_name("parameters")
        for p in (params.named_children if params is not None else ()):
            if p.type == "parameter":
                typ, pat = p.child_by_field_name("type"), p.child_by_field_name("pattern")
                if typ is not None:
                    self.walk(typ, anon)
                if pat is not None:
                    self.bind_pattern(pat, anon, p, PARAMETER)

    def on_struct_expr(self, n: ts.Node, scope: str, stack: list) -> None:
        """`S { f: v, g }`: `f` is S's field; a shorthand `g` is a use of the local `g`."""
        name = n.child_by_field_name("name")
        body = n.child_by_field_name("body")
        tname = None
        if name is not None:
            if name.type in _PATHS:
                self.on_path(name, scope)
            elif name.type == "generic_type_with_turbofish" or name.type == "generic_type":
                stack.append(name)
            else:
                self.ref(name, REF_NAME, scope)
            tname = strip_generics(_text(name))
        for c in (body.named_children if body is not None else ()):
            if c.type == "field_initializer":
                field, value = c.child_by_field_name("field"), c.child_by_field_name("value")
                if field is not None and field.type == "field_identifier" and tname:
                    self.ref(field, REF_ATTRIBUTE, scope, receiver=tname + "{}")
                if value is not None:
                    stack.append(value)
            elif c.type == "shorthand_field_initializer":
                ident = next(iter(c.named_children), None)
                if ident is not None:
                    self.ref(ident, REF_NAME, scope)
            elif c.type == "base_field_initializer":
                stack.extend(c.named_children)

    def on_tokens(self, tree: ts.Node, scope: str) -> None:
        """A macro's tokens: identifiers are names, or attributes after `::` of the identifiers
        before it; after `.` they are members of values nobody knows here: none."""
        prev: list[ts.Node] = []
        for c in tree.children:
            t = c.type
            if t == "token_tree":
                self.on_tokens(c, scope)
                prev = []
                continue
            if t in ("identifier", "self", "super", "crate"):
                before = c.prev_sibling
                if before is not None and before.type == "::" and prev:
                    recv = "::".join(_text(p) for p in prev)
                    self.ref(c, REF_ATTRIBUTE, scope, receiver=recv + "::")
                elif before is not None and before.type in (".", "$", "'"):
                    prev = []
                    continue
                elif t == "identifier":
                    after = c.next_sibling
                    self.ref(c, REF_NAME, scope, **({"module": "::"} if after is not None and after.type == "::" else {}))
                if before is None or before.type != "::":
                    prev = []
                prev.append(c)
                continue
            if t != "::":
                prev = []


def _join(prefix: str, seg: str) -> str:
    return f"{prefix}::{seg}" if prefix else seg


def _call_shape(callee: ts.Node) -> dict:
    """`f(a, b)`: the callee's ref carries the argument count (Rust has no defaults, keywords or
    spreads: the count is certain)."""
    node = callee
    parent = node.parent
    while parent is not None and (parent.type in _PATHS and parent.child_by_field_name("name") == node
                                  or parent.type == "field_expression" and parent.child_by_field_name("field") == node
                                  or parent.type == "generic_function" and parent.child_by_field_name("function") == node):
        node, parent = parent, parent.parent
    if parent is None or parent.type != "call_expression" or parent.child_by_field_name("function") != node:
        return {}
    args = parent.child_by_field_name("arguments")
    if args is None:
        return {}
    items = [a for a in args.named_children if a.type not in ("line_comment", "block_comment", "attribute_item")]
    return {"nargs": len(items), "star": False}


def fill_unit(unit: Unit, root: ts.Node, caps: Captures) -> None:
    """Fill `unit` from the items the map query found in it; an impl's header unit holds its
    header's references, a member unit one item of its body (see _split_impl)."""
    walker = _Walker(unit)
    if unit.kind == "impl_body":  # its nodes: from the body's child at its first byte on
        n = root.descendant_for_byte_range(unit.start_byte, unit.start_byte)
        while n is not None and n.parent is not None and not (
                n.parent.type == "declaration_list" and n.parent.parent is not None
                and n.parent.parent.type == "impl_item" and n.parent.parent.parent == root):
            n = n.parent
        tname, _, trait = unit.context.partition(IMPL_SEP)
        while n is not None and n.parent is not None and n.start_byte < unit.end_byte:
            walker.impl_member(n, tname, [trait] if trait else [], "")
            n = n.next_named_sibling
        return
    items = sorted((n for nodes in caps.values() for n in nodes if n.parent is not None
                    and n.parent.type == "source_file"), key=lambda n: n.start_byte)
    for item in items:
        if unit.kind == "impl_header" and item.type == "impl_item":
            walker.on_impl(item, "", members=False)
        else:
            walker.item(item, "")
