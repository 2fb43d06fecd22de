"""Go extraction: from a tree-sitter tree to units of symbols and references.

A unit is one top-level declaration together with the comment lines directly above it (its doc
comment: a unit's records may depend only on its own text, and a new comment line changes the
unit's start, so an edit there re-extracts it). The `map` query (map.scm) names the declarations;
this module walks each one, keeping one scope per function; Go's inner blocks are told apart by
the spans of the locals' symbols (a local's span is its scope, see `_Walker.bind_local`).

Qualnames: package-level names are bare (`Server`, `NewServer`), a method is `Recv.Name` with
parent `""` (a method may sit in another file than its type; it is part of the package's
interface), fields and interface methods `Type.name`, parameters and locals `Func.name`; a
function literal is an anonymous scope `Func.<func@N>` whose names have no symbols. The package
clause's name is kept as `unit.scopes["<package>"]` (what an unaliased import binds elsewhere),
its `//go:build` line as `unit.scopes["<build>"]` (which files of a package build together).
"""

from __future__ import annotations

import tree_sitter as ts

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE_REF,
    PARAMETER,
    POSITIONAL_ONLY,
    REF_ATTRIBUTE,
    REF_BASE,
    REF_BIND,
    REF_IMPORT,
    REF_NAME,
    VAR_POSITIONAL,
    VARIABLE,
    Param,
    Ref,
    Signature,
    Symbol,
    Unit,
)
from ..base import Captures, UnitSpec
from ..common import MAX_RUN_TOKENS, Walker, comment_body, first_line, gather_comment, lead
from ..common import add_run as _add_run
from ..common import node_text as _text
from ..common import short as _short

PACKAGE_SCOPE = "<package>"  # unit.scopes key holding the package clause's name
BUILD_SCOPE = "<build>"  # unit.scopes key holding the file's `//go:build` expression

_DECLS = ("package_clause", "import_declaration", "function_declaration", "method_declaration",
          "type_declaration", "const_declaration", "var_declaration")
# identifiers that are uses of a name (field_identifier only as a selector's field)
_NAME_TYPES = frozenset({"identifier", "type_identifier", "package_identifier"})
_SCOPE_NODES = frozenset({"func_literal"})


def import_path(spec: ts.Node) -> str:
    """The path of an `import_spec`, without quotes."""
    path = spec.child_by_field_name("path")
    return _text(path).strip('"`') if path is not None else ""


def default_import_name(path: str) -> str:
    """The name an unaliased import is guessed to bind before its package is read: the last path
    element (the resolver checks it against the package clause)."""
    return path.rstrip("/").rpartition("/")[2]


# -- units -------------------------------------------------------------------------------


def unit_specs(root: ts.Node) -> list[UnitSpec]:
    """One unit per top-level declaration, starting at its doc comment (the comment lines
    directly above it)."""
    specs: list[UnitSpec] = []
    add = specs.append
    run: list[ts.Node] = []
    comments: list[ts.Node] = []
    for child in root.children:
        t = child.type
        if t == "comment":
            comments = gather_comment(comments, child)
            continue
        if child.child_count == 0 and t not in ("\n", ";"):
            run.append(child)
            if len(run) == MAX_RUN_TOKENS:
                _add_run(add, run)
            comments = []
            continue
        if child.child_count == 0:
            continue
        if run:
            _add_run(add, run)
        first = lead(comments, child)
        doc = _doc_text(comments) if first is not child and t == "package_clause" else None
        if t == "package_clause" and not specs and not run:
            # the file's header comments (build constraints) belong to the package clause
            head = next((c for c in root.children if c.type == "comment"), None)
            if head is not None and head.start_byte < first.start_byte:
                first = head
        comments = []
        ep = child.end_point
        add((first.start_byte, child.end_byte, first.start_point[0], ep[0], ep[1], "", "stmt", doc))
    if run:
        _add_run(add, run)
    return specs


def package_level_names(root: ts.Node) -> set[str]:
    """The names a file declares at package level (functions, types, variables, constants; not
    methods, not `_`): what another package may select from its package, as `pkg.Name`
    (grounding/go_std.py reads the standard library's packages with it)."""
    out: set[str] = set()
    for decl in root.named_children:
        t = decl.type
        if t == "function_declaration":
            name = decl.child_by_field_name("name")
            names = [name] if name is not None else []
        elif t == "type_declaration":
            names = [n for spec in decl.named_children if spec.type in ("type_spec", "type_alias")
                     for n in [spec.child_by_field_name("name")] if n is not None]
        elif t in ("const_declaration", "var_declaration"):
            names = [n for spec in _descendants(decl, ("const_spec", "var_spec"))
                     for n in spec.children_by_field_name("name")]
        else:
            continue
        out.update(_text(n) for n in names)
    out.discard("_")
    return out


def _doc_text(comments: list[ts.Node]) -> str | None:
    """The first line of a doc comment (`// ...` lines or a `/* */` block)."""
    return first_line(comment_body(_text(c)) for c in comments)


def _doc_above(node: ts.Node, floor: int) -> str | None:
    """The doc comment directly above `node`, not above byte `floor` (the unit's start)."""
    comments: list[ts.Node] = []
    prev = node.prev_sibling
    row = node.start_point[0]
    while prev is not None and prev.type == "comment" and prev.end_point[0] + 1 >= row \
            and prev.start_byte >= floor:
        comments.insert(0, prev)
        row = prev.start_point[0]
        prev = prev.prev_sibling
    return _doc_text(comments) if comments else None


# -- extraction ------------------------------------------------------------------------


# a type declaration's own word (Symbol.subkind) by the type it declares; a defined type of
# another (`type Celsius float64`) is a plain CLASS
_TYPE_SUBKINDS = {"struct_type": "struct", "interface_type": "interface"}


class _Walker(Walker):
    """Fills one unit from its declaration node."""

    def __init__(self, unit: Unit):
        super().__init__(unit)
        self.locals: dict[tuple[str, str, tuple], Symbol] = {}  # (scope, name, block) -> symbol
        self.decls: dict[tuple[str, str], list[tuple]] = {}  # (scope, name) -> blocks declaring it

    # -- records
    def bind_module(self, name: str) -> None:
        if name != "_" and name not in self.u.bindings:
            self.u.bindings.append(name)

    def bind_local(self, scope: str, name_node: ts.Node, stmt: ts.Node, kind: str = VARIABLE,
                   annotation: str | None = None, value: str | None = None, symbolic: bool = True,
                   scope_from: ts.Node | None = None) -> None:
        """A local name. Go scopes it to its block (`_block_of`): a declaration in a block where
        the name is already declared is an assignment (a rebinding ref); in another block it is
        a new variable, one more symbol of the same qualname (`f.err`, `f.err@2`) whose span is
        its scope: from the end of its declaration (`scope_from`: `path, err := f(path)` reads
        the outer `path`; a parameter's starts at its name) to the end of its block (the
        resolver picks the innermost span around a use)."""
        name = _text(name_node)
        if not name or name == "_":
            return
        names = self.u.scopes.setdefault(scope, [])
        block = _block_of(name_node)
        bid = (block.start_byte, block.end_byte)
        key = (scope, name)
        blocks = self.decls.setdefault(key, [])
        if bid in blocks:
            self.ref(name_node, REF_BIND, scope)
            return
        if not blocks:
            names.append(name)
        blocks.append(bid)
        if symbolic and "<" not in scope:
            sym = self.symbol(kind, name_node, stmt, scope, annotation=annotation, value=value)
            first = scope_from.end_point if scope_from is not None else name_node.start_point
            sym.span = (first[0] - self.r0, first[1], block.end_point[0] - self.r0, block.end_point[1])
            self.locals[(scope, name, bid)] = sym

    # -- declarations
    def run(self, decl: ts.Node) -> None:
        t = decl.type
        if t == "package_clause":
            name = next((c for c in decl.named_children if c.type == "package_identifier"), None)
            if name is not None:
                self.u.scopes[PACKAGE_SCOPE] = [_text(name)]
            prev = decl.prev_sibling
            while prev is not None and prev.start_byte >= self.b0:
                text = _text(prev)
                if prev.type == "comment" and text.startswith("//go:build "):
                    self.u.scopes[BUILD_SCOPE] = [text[len("//go:build "):].strip()]
                prev = prev.prev_sibling
            # other files' resolution reads both: they enter the unit's interface (records.Unit:
            # `all_names`, Python's `__all__`, has no other use in Go), so changing either moves
            # the workspace's generation and drops what was resolved with the old ones
            self.u.all_names = [f"{k}{v[0]}" for k, v in sorted(self.u.scopes.items())
                                if k in (PACKAGE_SCOPE, BUILD_SCOPE)]
        elif t == "import_declaration":
            for spec in _descendants(decl, "import_spec"):
                self.on_import(spec)
        elif t == "function_declaration":
            self.on_function(decl, None)
        elif t == "method_declaration":
            self.on_function(decl, decl.child_by_field_name("receiver"))
        elif t == "type_declaration":
            for spec in decl.named_children:
                if spec.type in ("type_spec", "type_alias"):
                    self.on_type(spec, decl)
        elif t in ("const_declaration", "var_declaration"):
            self.on_values(decl, "", CONSTANT if t == "const_declaration" else VARIABLE)

    def on_import(self, spec: ts.Node) -> None:
        path = import_path(spec)
        path_node = spec.child_by_field_name("path")
        alias = spec.child_by_field_name("name")
        if path_node is None:
            return
        self.u.refs.append(Ref(name=path, kind=REF_IMPORT, scope="", row=path_node.start_point[0] - self.r0,
                               col=path_node.start_point[1], end_col=path_node.end_point[1],
                               byte=path_node.start_byte - self.b0, receiver=MODULE_REF, module=path))
        if alias is not None and alias.type in ("dot", "blank_identifier"):
            if alias.type == "dot" and path not in self.u.star_imports:
                self.u.star_imports.append(path)
            return
        if alias is not None:
            self.symbol(IMPORT, alias, spec, "", target=(path,), value="alias")
            self.bind_module(_text(alias))
        else:  # named by the package clause of what it imports: the resolver decides
            sym = self.symbol(IMPORT, path_node, spec, "", qual=default_import_name(path), target=(path,))
            sym.name = default_import_name(path)

    def on_function(self, fn: ts.Node, receiver: ts.Node | None) -> None:
        name_node = fn.child_by_field_name("name")
        if name_node is None:
            return
        name = _text(name_node)
        recv_type = _receiver_type(receiver) if receiver is not None else None
        if receiver is not None and recv_type is None:
            return
        qual = f"{recv_type}.{name}" if recv_type else name
        params = fn.child_by_field_name("parameters")
        sig, pnodes = _signature(fn, params)
        sym = self.symbol(METHOD if recv_type else FUNCTION, name_node, fn, "", qual=qual, signature=sig,
                          doc=_doc_above(fn, self.b0), bases=[recv_type] if recv_type else [])
        if not recv_type:
            self.bind_module(name)
        self.u.scopes.setdefault(qual, [])
        tparams = fn.child_by_field_name("type_parameters")
        if tparams is not None:
            self.params(tparams, qual, "type_parameter_declaration")
        if receiver is not None:
            self.params(receiver, qual)
        self.function_parts(fn, qual)
        del sym, pnodes

    def function_parts(self, fn: ts.Node, scope: str) -> None:
        """Parameters, results and body of a function, a method or a function literal."""
        for f in ("parameters", "result"):
            sub = fn.child_by_field_name(f)
            if sub is not None and sub.type == "parameter_list":
                self.params(sub, scope)
            elif sub is not None:
                self.walk(sub, scope)
        body = fn.child_by_field_name("body")
        if body is not None:
            self.walk(body, scope)

    def params(self, plist: ts.Node, scope: str, decl_type: str = "") -> None:
        for p in plist.named_children:
            if p.type not in ("parameter_declaration", "variadic_parameter_declaration",
                              "type_parameter_declaration"):
                continue
            typ = p.child_by_field_name("type")
            ann = _short(typ)
            for c in p.children_by_field_name("name"):
                self.bind_local(scope, c, p, PARAMETER, annotation=ann)
            if typ is not None:
                self.walk(typ, scope)

    def on_type(self, spec: ts.Node, decl: ts.Node) -> None:
        name_node = spec.child_by_field_name("name")
        if name_node is None:
            return
        name = _text(name_node)
        typ = spec.child_by_field_name("type")
        bases: list[str] = []
        members: list[tuple] = []
        if typ is not None and typ.type == "struct_type":
            for fd in _descendants(typ, "field_declaration"):
                names = fd.children_by_field_name("name")
                ftype = fd.child_by_field_name("type")
                if not names and ftype is not None:
                    bases.append(_text(ftype).lstrip("*"))
                members.append(("field", fd, names, ftype))
        elif typ is not None and typ.type == "interface_type":
            for el in typ.named_children:
                if el.type == "method_elem":
                    members.append(("method", el))
                elif el.type == "type_elem" and el.named_child_count == 1:
                    bases.append(_text(el))
                    members.append(("embed", el))
                else:
                    members.append(("embed", el))
        node = decl if len(decl.named_children) == 1 else spec
        subkind = "type_alias" if spec.type == "type_alias" else _TYPE_SUBKINDS.get(typ.type if typ is not None else "")
        self.symbol(CLASS, name_node, node, "", bases=bases, doc=_doc_above(decl, self.b0),
                    value=_short(typ) if spec.type == "type_alias" else None, subkind=subkind)
        self.bind_module(name)
        tparams = spec.child_by_field_name("type_parameters")
        if tparams is not None:
            self.params(tparams, name)
        for m in members:
            if m[0] == "field":
                _, fd, names, ftype = m
                for n in names:
                    self.symbol(ATTRIBUTE, n, fd, name, annotation=_short(ftype), doc=_doc_above(fd, self.b0))
                if ftype is not None:
                    self.walk(ftype, name, base=not names)
            elif m[0] == "method":
                el = m[1]
                mn = el.child_by_field_name("name")
                if mn is None:
                    continue
                sig, _ = _signature(el, el.child_by_field_name("parameters"))
                self.symbol(METHOD, mn, el, name, signature=sig, doc=_doc_above(el, self.b0))
                for f in ("parameters", "result"):
                    sub = el.child_by_field_name(f)
                    if sub is not None:
                        self.walk_types(sub, name)
            else:
                self.walk(m[1], name, base=True)
        if typ is not None and typ.type not in ("struct_type", "interface_type"):
            self.walk(typ, name)

    def walk_types(self, node: ts.Node, scope: str) -> None:
        """Only the types of a parameter list (its names bind nothing outside it)."""
        for p in node.named_children:
            typ = p.child_by_field_name("type") if p.type.endswith("parameter_declaration") else p
            if typ is not None:
                self.walk(typ, scope)

    def on_values(self, decl: ts.Node, scope: str, kind: str) -> None:
        for spec in _descendants(decl, ("const_spec", "var_spec")):
            typ = spec.child_by_field_name("type")
            value = spec.child_by_field_name("value")
            values = value.named_children if value is not None else []
            names = spec.children_by_field_name("name")
            for i, n in enumerate(names):
                v = _short(values[i]) if len(values) == len(names) else None
                if scope:
                    self.bind_local(scope, n, spec, kind, annotation=_short(typ), value=v, scope_from=spec)
                elif _text(n) != "_":
                    self.symbol(kind, n, spec, "", annotation=_short(typ), value=v,
                                doc=_doc_above(decl if len(decl.named_children) == 1 else spec, self.b0))
                    self.bind_module(_text(n))
            if typ is not None:
                self.walk(typ, scope or "")
            if value is not None:
                self.walk(value, scope or "")

    # -- bodies
    def walk(self, node: ts.Node, scope: str, base: bool = False) -> None:
        """Every use below `node`, and the locals bound there, in `scope`."""
        stack = [node]
        while stack:
            n = stack.pop()
            t = n.type
            if base and t == "type_arguments":  # `Base<User>`: User is a use, not a supertype
                self.walk(n, scope)
                continue
            if t in _NAME_TYPES:
                if n.start_byte != n.end_byte and n.text != b"_":
                    self.ref(n, REF_BASE if base else REF_NAME, scope, **_call_shape(n))
                continue
            if t == "selector_expression":
                self.on_selector(n, scope)
                stack.append(n.child_by_field_name("operand"))
                continue
            if t == "qualified_type":
                pkg, name = n.child_by_field_name("package"), n.child_by_field_name("name")
                if pkg is not None and name is not None:
                    self.ref(pkg, REF_NAME, scope)
                    self.ref(name, REF_BASE if base else REF_ATTRIBUTE, scope, receiver=_text(pkg))
                continue
            if t == "short_var_declaration":
                right = n.child_by_field_name("right")
                left = n.child_by_field_name("left")
                vals = right.named_children if right is not None else []
                if right is not None:
                    self.walk(right, scope)
                if left is not None:
                    names = left.named_children
                    for i, c in enumerate(names):
                        if c.type == "identifier":
                            v = _short(vals[i]) if len(vals) == len(names) else None
                            self.bind_local(scope, c, n, value=v, scope_from=n)
                continue
            if t in ("var_declaration", "const_declaration") and scope:
                self.on_values(n, scope, VARIABLE if t == "var_declaration" else CONSTANT)
                continue
            if t == "range_clause":
                left = n.child_by_field_name("left")
                right = n.child_by_field_name("right")
                if right is not None:
                    self.walk(right, scope)
                if left is not None:
                    if _is_define(n):
                        for c in left.named_children:
                            if c.type == "identifier":
                                self.bind_local(scope, c, n, scope_from=n)
                                self._untype(scope, c)
                    else:
                        self.walk(left, scope)
                continue
            if t == "receive_statement" and any(c.type == ":=" for c in n.children):
                left = n.child_by_field_name("left")
                right = n.child_by_field_name("right")
                if right is not None:
                    self.walk(right, scope)
                for c in (left.named_children if left is not None else []):
                    if c.type == "identifier":
                        self.bind_local(scope, c, n, scope_from=n)
                        self._untype(scope, c)
                continue
            if t == "type_switch_statement":
                alias = n.child_by_field_name("alias")
                if alias is not None:
                    for c in (alias.named_children if alias.type == "expression_list" else [alias]):
                        if c.type == "identifier":
                            self.bind_local(scope, c, n, scope_from=n.child_by_field_name("value") or alias)
                            self._untype(scope, c)
                stack.extend(c for c in reversed(n.named_children) if c != alias)
                continue
            if t == "func_literal":
                anon = f"{scope}.<func@{n.start_byte - self.b0}>" if scope else f"<func@{n.start_byte - self.b0}>"
                self.u.scopes.setdefault(anon, [])
                self.function_parts(n, anon)
                continue
            if t == "labeled_statement" or t in ("break_statement", "continue_statement", "goto_statement"):
                stack.extend(c for c in reversed(n.named_children) if c.type != "label_name")
                continue
            if t == "keyed_element":
                self.on_keyed(n, scope, stack)
                continue
            if t == "field_identifier":
                continue
            stack.extend(reversed(n.named_children))

    def _untype(self, scope: str, name_node: ts.Node) -> None:
        """A range or type-switch variable: its type is not the value's text."""
        block = _block_of(name_node)
        sym = self.locals.get((scope, _text(name_node), (block.start_byte, block.end_byte)))
        if sym is not None:
            sym.annotation = sym.value = None

    def on_selector(self, n: ts.Node, scope: str) -> None:
        field = n.child_by_field_name("field")
        operand = n.child_by_field_name("operand")
        if field is None or operand is None:
            return
        self.ref(field, REF_ATTRIBUTE, scope, receiver=_short(operand), **_call_shape(field))

    def on_keyed(self, n: ts.Node, scope: str, stack: list) -> None:
        """`T{Name: v}`: Name is T's field when T is a named type (else a key expression)."""
        key = n.child_by_field_name("key")
        value = n.child_by_field_name("value")
        lit = n.parent.parent if n.parent is not None else None
        typ = lit.child_by_field_name("type") if lit is not None and lit.type == "composite_literal" else None
        inner = key.named_children[0] if key is not None and key.named_child_count == 1 else None
        if inner is not None and inner.type == "identifier" and typ is not None \
                and typ.type in ("type_identifier", "qualified_type"):
            self.ref(inner, REF_ATTRIBUTE, scope, receiver=_text(typ) + "{}")
        elif key is not None:
            stack.append(key)
        if value is not None:
            stack.append(value)


_BLOCKS = frozenset({"block", "if_statement", "for_statement", "expression_switch_statement",
                     "type_switch_statement", "expression_case", "type_case", "default_case",
                     "communication_case", "func_literal", "function_declaration",
                     "method_declaration", "type_spec", "type_alias"})


_FUNCTIONS = frozenset({"func_literal", "function_declaration", "method_declaration"})


def _block_of(node: ts.Node) -> ts.Node:
    """The block a local declared at `node` is scoped to (Go spec, "Declarations and scope"):
    the innermost block, the `if`/`for`/`switch` whose header declares it, the case clause,
    the function of a parameter."""
    p = node.parent
    while p is not None and p.type not in _BLOCKS:
        p = p.parent
    if p is not None and p.type == "block" and p.parent is not None and p.parent.type in _FUNCTIONS:
        return p.parent  # a function's body is the block of its parameters and results
    return p if p is not None else node


def _is_define(range_clause: ts.Node) -> bool:
    return any(c.type == ":=" for c in range_clause.children)


def _receiver_type(receiver: ts.Node) -> str | None:
    """`(s *Server)` -> `Server` (`Server[T]` -> `Server`)."""
    p = next((c for c in receiver.named_children if c.type == "parameter_declaration"), None)
    typ = p.child_by_field_name("type") if p is not None else None
    while typ is not None and typ.type in ("pointer_type", "generic_type", "parenthesized_type"):
        typ = typ.child_by_field_name("type") if typ.type == "generic_type" else \
            (typ.named_children[0] if typ.named_child_count else None)
    return _text(typ) if typ is not None and typ.type == "type_identifier" else None


def _call_shape(callee: ts.Node) -> dict:
    """`f(a, b)`: the callee's ref carries the argument count; a spread (`xs...`) or a single
    call argument (`f(g())`, which may return several values) leaves the shape unknown."""
    node = callee.parent if callee.parent is not None and callee.parent.type == "selector_expression" \
        and callee.parent.child_by_field_name("field") == callee else callee
    call = node.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != node:
        return {}
    args = call.child_by_field_name("arguments")
    if args is None:
        return {}
    items = [a for a in args.named_children if a.type != "comment"]
    star = any(a.type == "variadic_argument" for a in items) or \
        (len(items) == 1 and items[0].type == "call_expression")
    return {"nargs": len(items), "star": star}


def _descendants(node: ts.Node, types) -> list[ts.Node]:
    types = (types,) if isinstance(types, str) else types
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in types:
            out.append(n)
            continue
        stack.extend(reversed(n.named_children))
    return out


def _signature(fn: ts.Node, params: ts.Node | None) -> tuple[Signature, list]:
    """Go parameters are positional; a variadic one (`xs ...T`) takes any number."""
    out: list[Param] = []
    if params is not None:
        for p in params.named_children:
            if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            ann = _short(p.child_by_field_name("type"))
            kind = VAR_POSITIONAL if p.type == "variadic_parameter_declaration" else POSITIONAL_ONLY
            if kind == VAR_POSITIONAL and ann:
                ann = "..." + ann
            names = p.children_by_field_name("name")
            for n in names or [None]:
                out.append(Param(_text(n) if n is not None else "_", kind, False, ann))
    result = fn.child_by_field_name("result")
    return Signature(out, _short(result)), []


def fill_unit(unit: Unit, root: ts.Node, caps: Captures) -> None:
    """Fill `unit` from the declarations the map query found in it."""
    walker = _Walker(unit)
    decls = sorted((n for nodes in caps.values() for n in nodes if n.parent is not None
                    and n.parent.type == "source_file"), key=lambda n: n.start_byte)
    for decl in decls:
        walker.run(decl)
