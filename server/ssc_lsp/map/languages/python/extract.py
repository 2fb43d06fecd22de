"""Python extraction: from a tree-sitter tree to units of symbols and references.

The query (map.scm beside this module) finds everything of interest in C; this module only walks
the captures, in byte order, keeping a stack of scopes. `unit_specs` cuts a tree into the units
that `records` describes, and `fill_unit` fills one unit from its captures (map/extract.py runs
the query and deals the captures out); both depend only on the unit's own text and its enclosing
class name, so a unit extracted after an edit equals the same unit extracted from scratch.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import tree_sitter as ts

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    KEYWORD_ONLY,
    METHOD,
    MODULE_REF,
    PARAMETER,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    REF_ATTRIBUTE,
    REF_BASE,
    REF_BIND,
    REF_IMPORT,
    REF_KEYWORD,
    REF_NAME,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    VARIABLE,
    Param,
    Ref,
    Signature,
    Symbol,
    Unit,
)
from ..base import Captures, UnitSpec
from ..common import MAX_RUN_TOKENS, MAX_TEXT, Walker
from ..common import add_run as _add_run
from ..common import node_text as _text
from ..common import short as _short

# -- units -------------------------------------------------------------------------------


def _docstring_node(block: ts.Node) -> ts.Node | None:
    first = block.named_children[0] if block.named_child_count else None
    if first is not None and first.type == "expression_statement" and first.named_child_count:
        if first.named_children[0].type == "string":
            return first
    return None


def unit_specs(root: ts.Node) -> list[UnitSpec]:
    """Cut a module into units: statements, and top-level classes into header + body units."""
    specs: list[UnitSpec] = []
    add = specs.append
    run: list[ts.Node] = []  # adjacent tokens left bare at the top level (broken code)
    for child in root.children:
        ctype = child.type
        if ctype == "comment":
            continue
        if child.child_count == 0:
            run.append(child)
            if len(run) == MAX_RUN_TOKENS:
                _add_run(add, run)
            continue
        if run:
            _add_run(add, run)
        cls = child
        if ctype == "decorated_definition":
            cls = child.child_by_field_name("definition") or child
        body = cls.child_by_field_name("body") if cls.type == "class_definition" else None
        sp, ep = child.start_point, child.end_point
        if body is None or body.type != "block":
            doc = None
            if ctype == "expression_statement" and child.named_child_count:
                first = child.named_children[0]
                if first.type == "string":  # a module docstring if it comes first
                    doc = _first_doc_line(first)
            add((child.start_byte, child.end_byte, sp[0], ep[0], ep[1], "", "stmt", doc))
            continue
        name_node = cls.child_by_field_name("name")
        name = _text(name_node) if name_node is not None else "?"
        stmts = [c for c in body.children if c.type != "comment"]
        doc_node = _docstring_node(body)
        rest = stmts[1:] if doc_node is not None and stmts and stmts[0] == doc_node else stmts
        if rest:
            hb, hp = rest[0].start_byte, rest[0].start_point
        else:
            hb, hp = child.end_byte, ep
        add((child.start_byte, hb, sp[0], hp[0], hp[1], "", "class_header", None))
        for stmt in rest:
            add((stmt.start_byte, stmt.end_byte, stmt.start_point[0], stmt.end_point[0],
                 stmt.end_point[1], name, "class_body", None))
    if run:
        _add_run(add, run)
    return specs


# -- extraction ------------------------------------------------------------------------


@dataclass(slots=True)
class _Scope:
    qualname: str  # in-module qualname; "" for the module
    kind: str  # "module", "class", "function", "anon"
    end: int
    first_param: str | None = None  # methods: the name bound to the instance


_SCOPE_KINDS = {"def.function": "function", "scope.lambda": "anon", "scope.comprehension": "anon"}


class _Extractor(Walker):
    """Walks one unit's captures in byte order and fills the unit."""

    def __init__(self, unit: Unit, root: ts.Node):
        super().__init__(unit)
        self.root = root
        self.handled: set[int] = set()  # start bytes of identifiers already turned into records
        self.seen: dict[tuple[str, str], Symbol] = {}  # (scope, name) -> first symbol in unit
        self.calls: dict[int, tuple[int, tuple[str, ...], bool]] = {}
        self.bases_at: set[int] = set()  # identifiers written as base classes
        self.pending: list[tuple[int, _Scope]] = []  # scopes that open later (body, params)
        base = _Scope("", "module", 1 << 62)
        self.stack: list[_Scope] = [base]
        if unit.context:
            self.stack.append(_Scope(unit.context, "class", 1 << 62))

    def scope_at(self, byte: int) -> _Scope:
        stack = self.stack
        while len(stack) > 1 and stack[-1].end <= byte:
            stack.pop()
        while self.pending and self.pending[-1][0] <= byte:
            stack.append(self.pending.pop()[1])
            while len(stack) > 1 and stack[-1].end <= byte:
                stack.pop()
        return stack[-1]

    # -- records
    def add_symbol(self, kind: str, name_node: ts.Node, node: ts.Node, scope: _Scope, **extra) -> Symbol:
        name = _text(name_node)
        qual = f"{scope.qualname}.{name}" if scope.qualname else name
        sym = Symbol(
            id=qual,
            kind=kind,
            name=name,
            qualname=qual,
            parent=scope.qualname,
            span=self.span(node),
            name_span=self.span(name_node),
            name_byte=name_node.start_byte - self.b0,
            dynamic=self.in_conditional(node),
            **extra,
        )
        self.u.symbols.append(sym)
        self.seen[(scope.qualname, name)] = sym
        self.handled.add(name_node.start_byte)
        return sym

    def add_ref(self, node: ts.Node, kind: str, scope: _Scope, **extra) -> Ref:
        s = node.start_point
        ref = Ref(
            name=_text(node),
            kind=kind,
            scope=scope.qualname,
            row=s[0] - self.r0,
            col=s[1],
            end_col=node.end_point[1] if node.end_point[0] == s[0] else s[1] + len(node.text),
            byte=node.start_byte - self.b0,
            **extra,
        )
        self.u.refs.append(ref)
        self.handled.add(node.start_byte)
        return ref

    def bind_local(self, scope: _Scope, name: str) -> None:
        names = self.u.scopes.setdefault(scope.qualname, [])
        if name not in names:
            names.append(name)

    def in_conditional(self, node: ts.Node) -> bool:
        """True when a definition sits under if/try/with at its own scope level."""
        p = node.parent
        while p is not None and p.type not in ("module", "function_definition", "class_definition"):
            if p.type in ("if_statement", "try_statement", "ERROR", "else_clause", "elif_clause",
                          "except_clause", "finally_clause", "with_statement", "for_statement",
                          "while_statement"):
                return True
            p = p.parent
        return False

    # -- the walk
    def run(self, caps: dict[str, list[ts.Node]]) -> None:
        """Walk `caps`, the captures that start inside this unit."""
        events: list[tuple[int, int, str, ts.Node]] = []
        for cname, nodes in caps.items():
            order = _ORDER.get(cname, 5)
            for n in nodes:
                events.append((n.start_byte, order, cname, n))
        events.sort(key=lambda e: (e[0], e[1], -e[3].end_byte))
        for call in caps.get("call.function", ()):
            self.note_call(call)
        for byte, _, cname, node in events:
            scope = self.scope_at(byte)
            handler = _HANDLERS.get(cname)
            if handler is not None:
                handler(self, node, scope)

    # -- definitions
    def on_function(self, node: ts.Node, scope: _Scope) -> None:
        name_node = node.child_by_field_name("name")
        params = node.child_by_field_name("parameters")
        if name_node is None or params is None:
            return
        kind = METHOD if scope.kind == "class" else FUNCTION
        sig, param_nodes = _signature(node, params)
        sym = self.add_symbol(
            kind, name_node, _outer(node), scope,
            signature=sig,
            decorators=_decorators(node),
            doc=_doc_of(node),
            body_hash=zlib.crc32(node.text[name_node.end_byte - node.start_byte:]),
        )
        self.register_binding(scope, sym.name)
        fscope = _Scope(sym.qualname, "function", node.end_byte)
        if scope.kind == "class" and sig.params and "staticmethod" not in sym.decorators:
            fscope.first_param = sig.params[0].name
        self.open_later(fscope, params.start_byte)
        for pnode, param in param_nodes:
            self.add_symbol(PARAMETER, pnode, pnode, fscope, annotation=param.annotation)
            self.bind_local(fscope, param.name)

    def open_later(self, scope: _Scope, start: int) -> None:
        """The scope begins at `start` (parameters, body): the name and bases stay outside."""
        self.pending.append((start, scope))
        self.pending.sort(key=lambda p: -p[0])

    def on_class(self, node: ts.Node, scope: _Scope) -> None:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name_node is None or body is None:
            return
        supers = node.child_by_field_name("superclasses")
        bases = [_text(a) for a in supers.named_children if a.type != "keyword_argument" and a.type != "comment"] if supers else []
        header_end = body.start_byte
        sym = self.add_symbol(
            CLASS, name_node, _outer(node), scope,
            decorators=_decorators(node),
            doc=_doc_of(node),
            bases=bases,
            body_hash=zlib.crc32(node.text[name_node.end_byte - node.start_byte: header_end - node.start_byte]),
        )
        self.register_binding(scope, sym.name)
        if supers is not None:
            for arg in supers.named_children:
                if arg.type in ("identifier", "attribute"):
                    target = arg if arg.type == "identifier" else arg.child_by_field_name("attribute")
                    if target is not None:
                        self.mark_base(target)
        self.open_later(_Scope(sym.qualname, "class", node.end_byte), body.start_byte)

    def mark_base(self, ident: ts.Node) -> None:
        self.bases_at.add(ident.start_byte)

    def on_anon_scope(self, node: ts.Node, scope: _Scope) -> None:
        qual = f"{scope.qualname}.<{node.type}@{node.start_byte - self.b0}>" if scope.qualname else f"<{node.type}@{node.start_byte - self.b0}>"
        anon = _Scope(qual, "anon", node.end_byte)
        self.stack.append(anon)
        if node.type == "lambda":
            params = node.child_by_field_name("parameters")
            if params is not None:
                for ident in _param_identifiers(params):
                    self.handled.add(ident.start_byte)
                    self.bind_local(anon, _text(ident))
        self.u.scopes.setdefault(qual, [])

    # -- bindings
    def register_binding(self, scope: _Scope, name: str) -> None:
        if scope.kind in ("module", "class"):
            if scope.kind == "module" and name not in self.u.bindings:
                self.u.bindings.append(name)
        else:
            self.bind_local(scope, name)

    def on_bind(self, node: ts.Node, scope: _Scope) -> None:
        name = _text(node)
        if not name:  # a MISSING identifier of error recovery binds nothing (and incremental
            return    # and scratch parses of broken code need not agree on where it goes)
        if scope.kind == "anon":
            self.handled.add(node.start_byte)
            self.bind_local(scope, name)
            return
        if scope.kind == "function" and name in self.u.globals.get(scope.qualname, ()):
            self.add_ref(node, REF_BIND, self.stack[0])
            if name not in self.u.bindings:
                self.u.bindings.append(name)
            return
        if (scope.qualname, name) in self.seen:
            self.add_ref(node, REF_BIND, scope)
            return
        if scope.kind == "function" and self.declared_nonlocal(scope, name):
            self.add_ref(node, REF_BIND, scope)
            return
        kind = VARIABLE
        if scope.kind in ("module", "class") and name.isupper() and len(name) > 1:
            kind = CONSTANT
        stmt = node.parent
        while stmt is not None and stmt.type in ("pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "as_pattern_target"):
            stmt = stmt.parent
        value = annotation = None
        full = node
        if stmt is not None and stmt.type == "assignment":
            full = stmt
            if stmt.child_by_field_name("left") == node:
                value = _short(stmt.child_by_field_name("right"))
                annotation = _short(stmt.child_by_field_name("type"))
        self.add_symbol(kind, node, full, scope, value=value, annotation=annotation)
        self.register_binding(scope, name)
        if scope.qualname == "" and name == "__all__" and stmt is not None and stmt.type == "assignment":
            self.u.all_names = _string_list(stmt.child_by_field_name("right"))

    def declared_nonlocal(self, scope: _Scope, name: str) -> bool:
        return name in self.u.globals.get("nonlocal:" + scope.qualname, ())

    def on_self_attribute(self, node: ts.Node, scope: _Scope) -> None:
        parent = node.parent
        obj = parent.child_by_field_name("object") if parent is not None else None
        method_scope = scope
        if obj is None or method_scope.kind != "function" or method_scope.first_param is None:
            return
        if _text(obj) != method_scope.first_param:
            return
        cls_scope = self.stack[-2] if len(self.stack) >= 2 else None
        if cls_scope is None or cls_scope.kind != "class":
            return
        name = _text(node)
        if (cls_scope.qualname, name) in self.seen:
            return  # the attribute reference (REF_ATTRIBUTE) is recorded by on_attribute
        stmt = parent.parent
        value = _short(stmt.child_by_field_name("right")) if stmt is not None and stmt.type == "assignment" else None
        self.add_symbol(ATTRIBUTE, node, stmt or parent, cls_scope, value=value)

    def on_global(self, node: ts.Node, scope: _Scope) -> None:
        key = scope.qualname if node.parent.type == "global_statement" else "nonlocal:" + scope.qualname
        names = self.u.globals.setdefault(key, [])
        name = _text(node)
        if name not in names:
            names.append(name)
        self.handled.add(node.start_byte)

    # -- imports
    def on_import(self, node: ts.Node, scope: _Scope) -> None:
        for ident in _identifiers(node):
            self.handled.add(ident.start_byte)
        if node.type == "future_import_statement":
            return
        if node.type == "import_statement":
            for item in node.named_children:
                dotted, alias = (item.child_by_field_name("name"), item.child_by_field_name("alias")) if item.type == "aliased_import" else (item, None)
                if dotted is None:
                    continue
                module = _text(dotted)
                self.module_refs(dotted, module, scope)
                if alias is not None:
                    self.import_symbol(alias, item, scope, (module,))
                else:
                    first = dotted.named_children[0] if dotted.named_child_count else dotted
                    self.import_symbol(first, item, scope, (module.split(".")[0],), whole=module)
            return
        mod_node = node.child_by_field_name("module_name")
        if mod_node is None:
            return
        module = _text(mod_node).replace(" ", "")
        if mod_node.type == "dotted_name":
            self.module_refs(mod_node, module, scope)
        elif mod_node.type == "relative_import":  # `from ..pkg.mod import x`: pkg and mod
            dotted = next((c for c in mod_node.named_children if c.type == "dotted_name"), None)
            if dotted is not None:
                self.module_refs(dotted, module, scope, lead=module[: len(module) - len(module.lstrip("."))])
        for item in node.children:
            if item.type == "wildcard_import":
                if module not in self.u.star_imports:
                    self.u.star_imports.append(module)
                continue
            if item == mod_node or item.type not in ("dotted_name", "aliased_import"):
                continue
            dotted, alias = (item.child_by_field_name("name"), item.child_by_field_name("alias")) if item.type == "aliased_import" else (item, None)
            if dotted is None:
                continue
            name = _text(dotted)
            last = dotted.named_children[-1] if dotted.named_child_count else dotted
            self.add_ref(last, REF_IMPORT, scope, module=module)
            self.import_symbol(alias if alias is not None else last, item, scope, (module, name))

    def module_refs(self, dotted: ts.Node, module: str, scope: _Scope, lead: str = "") -> None:
        parts = [c for c in dotted.named_children if c.type == "identifier"]
        for i, part in enumerate(parts):
            prefix = lead + ".".join(_text(p) for p in parts[: i + 1])
            self.add_ref(part, REF_IMPORT, scope, module=prefix, receiver=MODULE_REF)

    def import_symbol(self, name_node: ts.Node, item: ts.Node, scope: _Scope, target: tuple[str, ...], whole: str | None = None) -> None:
        key = (scope.qualname, _text(name_node))
        if scope.kind == "anon":
            self.bind_local(scope, _text(name_node))
            return
        if key in self.seen:
            self.register_binding(scope, key[1])
            return
        sym = self.add_symbol(IMPORT, name_node, item, scope, target=target, value=whole)
        self.register_binding(scope, sym.name)

    # -- uses
    def note_call(self, func: ts.Node) -> None:
        args = func.next_named_sibling
        if args is None or args.type != "argument_list":
            return
        target = func.child_by_field_name("attribute") if func.type == "attribute" else func
        if target is None or target.type != "identifier":
            return
        nargs = 0
        kwargs: list[str] = []
        star = False
        for a in args.named_children:
            t = a.type
            if t == "keyword_argument":
                kn = a.child_by_field_name("name")
                if kn is not None:
                    kwargs.append(_text(kn))
            elif t in ("list_splat", "dictionary_splat"):
                star = True
            elif t != "comment":
                nargs += 1
        self.calls[target.start_byte] = (nargs, tuple(kwargs), star)

    def call_info(self, node: ts.Node) -> dict:
        info = self.calls.get(node.start_byte)
        if info is None:
            return {}
        return {"nargs": info[0], "kwargs": info[1], "star": info[2]}

    def on_attribute(self, node: ts.Node, scope: _Scope) -> None:
        if node.start_byte in self.handled and node.start_byte not in self.bases_at:
            return
        parent = node.parent
        obj = parent.child_by_field_name("object") if parent is not None else None
        kind = REF_BASE if node.start_byte in self.bases_at else REF_ATTRIBUTE
        self.add_ref(node, kind, scope, receiver=_short(obj), **self.call_info(node))

    def on_keyword(self, node: ts.Node, scope: _Scope) -> None:
        """`f(name=...)`: a reference to f's parameter, with f's text to resolve it by."""
        args = node.parent.parent if node.parent is not None else None
        call = args.parent if args is not None and args.type == "argument_list" else None
        func = call.child_by_field_name("function") if call is not None and call.type == "call" else None
        if func is not None and func.type in ("identifier", "attribute"):
            self.add_ref(node, REF_KEYWORD, scope, receiver=_short(func))
        else:
            self.handled.add(node.start_byte)

    def on_name(self, node: ts.Node, scope: _Scope) -> None:
        if node.start_byte in self.handled or node.start_byte == node.end_byte:
            return  # handled, or a MISSING identifier of error recovery (no name to refer to)
        kind = REF_BASE if node.start_byte in self.bases_at else REF_NAME
        self.add_ref(node, kind, scope, **self.call_info(node))


def _outer(node: ts.Node) -> ts.Node:
    p = node.parent
    return p if p is not None and p.type == "decorated_definition" else node


def _decorators(node: ts.Node) -> list[str]:
    p = node.parent
    if p is None or p.type != "decorated_definition":
        return []
    out = []
    for c in p.children:
        if c.type == "decorator":
            text = _text(c).lstrip("@").strip()
            out.append(text[:MAX_TEXT])
    return out


def _doc_of(node: ts.Node) -> str | None:
    body = node.child_by_field_name("body")
    if body is None:
        return None
    stmt = _docstring_node(body)
    return _first_doc_line(stmt.named_children[0]) if stmt is not None else None


def _first_doc_line(string: ts.Node) -> str | None:
    parts = [_text(c) for c in string.children if c.type == "string_content"]
    text = "".join(parts).strip()
    if not text:
        return None
    return text.splitlines()[0].strip()[:200]


def _string_list(node: ts.Node | None) -> list[str] | None:
    if node is None or node.type not in ("list", "tuple"):
        return None
    out = []
    for c in node.named_children:
        if c.type == "string":
            s = "".join(_text(x) for x in c.children if x.type == "string_content")
            out.append(s)
    return out


def _identifiers(node: ts.Node) -> list[ts.Node]:
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            out.append(n)
        else:
            stack.extend(n.named_children)
    return out


def _param_identifiers(params: ts.Node) -> list[ts.Node]:
    out = []
    for p in params.named_children:
        n = _param_name(p)
        if n is not None:
            out.append(n)
    return out


def _param_name(p: ts.Node) -> ts.Node | None:
    if p.type == "identifier":
        return p
    if p.type in ("default_parameter", "typed_default_parameter"):
        n = p.child_by_field_name("name")
        return n if n is not None and n.type == "identifier" else None
    if p.type == "typed_parameter":
        for c in p.named_children:
            if c.type == "identifier":
                return c
            if c.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                return _param_name(c)
        return None
    if p.type in ("list_splat_pattern", "dictionary_splat_pattern"):
        for c in p.named_children:
            if c.type == "identifier":
                return c
    return None


def _signature(fn: ts.Node, params: ts.Node) -> tuple[Signature, list[tuple[ts.Node, Param]]]:
    out: list[tuple[ts.Node, Param]] = []
    keyword_only = False
    for p in params.named_children:
        t = p.type
        if t == "keyword_separator":
            keyword_only = True
            continue
        if t == "positional_separator":
            for _, prm in out:
                if prm.kind == POSITIONAL_OR_KEYWORD:
                    prm.kind = POSITIONAL_ONLY
            continue
        name = _param_name(p)
        if name is None:
            continue
        inner = p.named_children[0] if t == "typed_parameter" and p.named_child_count else p
        if inner.type == "list_splat_pattern":
            kind = VAR_POSITIONAL
            keyword_only = True
        elif inner.type == "dictionary_splat_pattern":
            kind = VAR_KEYWORD
        else:
            kind = KEYWORD_ONLY if keyword_only else POSITIONAL_OR_KEYWORD
        ann = p.child_by_field_name("type") if t in ("typed_parameter", "typed_default_parameter") else None
        out.append((name, Param(_text(name), kind, t in ("default_parameter", "typed_default_parameter"), _short(ann))))
    returns = _short(fn.child_by_field_name("return_type"))
    is_async = fn.child_count > 0 and fn.children[0].type == "async"
    return Signature([prm for _, prm in out], returns, is_async), out


# capture name -> (order among captures starting at the same byte, handler)
_ORDER = {
    "def.function": 0, "def.class": 0, "scope.lambda": 1, "scope.comprehension": 1,
    "import": 0, "import.from": 0, "import.future": 0,
    "decl.global": 2, "decl.nonlocal": 2,
    "bind.self.attribute": 2, "bind.assign": 3, "bind.for": 3, "bind.comprehension": 3,
    "bind.as": 3, "bind.walrus": 3,
    "keyword.name": 4, "attribute.name": 4, "name": 6,
}
_HANDLERS = {
    "def.function": _Extractor.on_function,
    "def.class": _Extractor.on_class,
    "scope.lambda": _Extractor.on_anon_scope,
    "scope.comprehension": _Extractor.on_anon_scope,
    "import": _Extractor.on_import,
    "import.from": _Extractor.on_import,
    "import.future": _Extractor.on_import,
    "decl.global": _Extractor.on_global,
    "decl.nonlocal": _Extractor.on_global,
    "bind.assign": _Extractor.on_bind,
    "bind.for": _Extractor.on_bind,
    "bind.comprehension": _Extractor.on_bind,
    "bind.as": _Extractor.on_bind,
    "bind.walrus": _Extractor.on_bind,
    "bind.self.attribute": _Extractor.on_self_attribute,
    "keyword.name": _Extractor.on_keyword,
    "attribute.name": _Extractor.on_attribute,
    "name": _Extractor.on_name,
}


def fill_unit(unit: Unit, root: ts.Node, caps: Captures) -> None:
    """Fill `unit` from the captures of the map query that start inside it."""
    _Extractor(unit, root).run(caps)
