"""TypeScript and JavaScript extraction: units and their records from `map.scm`'s names.

The query captures every name node (`@name`, and `@member` for the names after a dot or in a
class body); each is a definition, a binding or a use by its place in the tree, and its scope is
the innermost function, class, interface, enum or namespace around it. Walking the parents of a
few thousand names per unit is cheaper than the scope stack of a query per construct, and keeps
one rule per construct in one table below.

Units: one per top-level statement, with the comments right above it (a JSDoc belongs to the
unit of what it documents, so an edit to the comment re-extracts that unit); a long class is
cut at its members, a long call at its callback's statements (`_class_units`, `_callback_units`). Scopes: JS binds
`let`/`const` per block, the map per function: a name bound anywhere in a function is that
function's local, the conservative side (a use is then LOCAL rather than a wrong module name);
declared twice, each declaration is a symbol and a use sees the nearest one above it
(resolve.py). What an anonymous function (a callback, an IIFE) declares has symbols too, in a
scope named by the function's place in its unit (`<arrow14>`): sibling units may name theirs
alike, and resolve.py tells their instances apart by the units between a use and a declaration.
"""

from __future__ import annotations

import zlib

import tree_sitter as ts

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    PARAMETER,
    POSITIONAL_OR_KEYWORD,
    REF_ATTRIBUTE,
    REF_BASE,
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
from ..common import Walker, short
from ..common import node_text as _text

MAX_SHORT = 80  # longest type / value text kept on a TypeScript record

# CommonJS: the qualname of `module.exports = v`, and the scope of `exports.P = v`'s symbols
COMMONJS_VALUE = "module.exports"
COMMONJS_EXPORTS = "exports"
NAMESPACE_IMPORT = "*"  # the value of an `import * as x` symbol
OWN_MODULE = ""  # an import target's module for `export { a as b }` without `from`: this file
FUNCTIONS = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                       "function", "generator_function", "arrow_function", "method_definition"})
# declarations with no body (TS overloads, `declare function`, interface methods): a symbol, no scope
SIGNATURES = frozenset({"function_signature", "method_signature", "abstract_method_signature"})
CLASSES = frozenset({"class_declaration", "abstract_class_declaration", "class", "interface_declaration",
                     "enum_declaration", "internal_module", "module"})
TYPE_ALIASES = frozenset({"type_alias_declaration"})
# the declaration's own word (Symbol.subkind); a class is the role itself
_CLASS_SUBKINDS = {"interface_declaration": "interface", "enum_declaration": "enum",
                   "internal_module": "namespace", "module": "namespace"}
FIELDS = frozenset({"public_field_definition", "field_definition", "property_signature"})
PATTERNS = frozenset({"object_pattern", "array_pattern", "pair_pattern", "assignment_pattern", "rest_pattern",
                      "object_assignment_pattern", "shorthand_property_identifier_pattern"})
PARAM_WRAPPERS = frozenset({"required_parameter", "optional_parameter"})
# modifiers that make a constructor parameter a member too (`constructor(private x: T)`)
PARAMETER_PROPERTY = frozenset({"accessibility_modifier", "readonly", "override_modifier"})
HERITAGE = frozenset({"extends_clause", "implements_clause", "extends_type_clause", "class_heritage"})
MAX_RECEIVER = 120
MAX_WALK = 256  # parents walked up from a name for its type parameters, `this`, patterns
# a top-level call statement longer than this (bytes) with a callback is cut at the callback's
# statements (test files are one `describe(...)`: a unit of the whole file made a keystroke
# re-extract 2,000 lines, ~100 ms)
SPLIT_BYTES = 2048
MAX_SPLIT_DEPTH = 4  # callbacks in callbacks cut this deep  # a receiver longer than this is no name path the resolver follows


def _short(node: ts.Node | None) -> str | None:
    return short(node, MAX_SHORT)


def _is(node: ts.Node | None, other: ts.Node | None) -> bool:
    return node is not None and other is not None and node.id == other.id


# -- units ---------------------------------------------------------------------------------------
def unit_specs(root: ts.Node) -> list[UnitSpec]:
    """One unit per top-level statement, starting at the comments right above it; a long
    statement that is a call with a callback (`describe("x", () => {...})`, an IIFE) is cut
    into a head, one unit per statement of the callback's body, and a tail (`_callback_units`)."""
    out: list[UnitSpec] = []
    for first, node in _with_comments(root.children):
        big = node.end_byte - node.start_byte > SPLIT_BYTES
        if big and _class_units(out, first, node):
            continue
        cb = _callback(node) if big else None
        if cb is None or not _callback_units(out, first, node, cb):
            out.append(_spec(first, node, ""))
    return out


def _class_units(out: list[UnitSpec], first: ts.Node, stmt: ts.Node) -> bool:
    """A long top-level class (or `export class`) as Java's and Python's: a header unit to its
    `{`, then one `class_body` unit per member with the comments and decorators above it (the
    closing brace in no unit): a keystroke in a 1,500-line class re-extracts one member."""
    cls = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
    if cls is None or cls.type not in ("class_declaration", "abstract_class_declaration"):
        return False
    name, body = cls.child_by_field_name("name"), cls.child_by_field_name("body")
    if name is None or body is None or not body.children or body.children[0].type != "{":
        return False
    brace = body.children[0]
    out.append((first.start_byte, brace.end_byte, first.start_point[0], brace.end_point[0], brace.end_point[1],
                "", "class_header", None))
    lead: ts.Node | None = None  # the first of the comments and decorators above a member
    for m in body.children[1:]:
        if m.type in ("comment", "decorator"):
            lead = lead or m
            continue
        if not m.is_named:
            continue  # `}`, a stray `;`
        out.append(_spec(lead or m, m, _text(name))[:6] + ("class_body", None))
        lead = None
    return True


def _with_comments(children: list[ts.Node]) -> list[tuple[ts.Node, ts.Node]]:
    """(first node of the unit, the statement) for each statement, comments above included."""
    out = []
    pending: ts.Node | None = None  # the first of a run of comments
    for child in children:
        if child.type == "comment":
            pending = pending or child
            continue
        if not child.is_named and child.start_byte == child.end_byte:
            continue
        out.append((pending or child, child))
        pending = None
    return out


def _spec(first: ts.Node, last: ts.Node, context: str, end: ts.Node | None = None) -> UnitSpec:
    e = (end or last)
    return (first.start_byte, e.end_byte, first.start_point[0], e.end_point[0], e.end_point[1], context, "stmt", None)


def _callback(stmt: ts.Node) -> ts.Node | None:
    """The function whose body a top-level call statement is mostly: its last function
    argument with a block body, or the function of an IIFE."""
    expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    if expr is None or expr.type != "call_expression":
        return None
    fn = expr.child_by_field_name("function")
    while fn is not None and fn.type == "parenthesized_expression" and fn.named_children:
        fn = fn.named_children[0]
    if fn is not None and fn.type in ("function_expression", "function"):
        return fn
    args = expr.child_by_field_name("arguments")
    cands = [a for a in (args.named_children if args is not None else ()) if a.type in FUNCTIONS]
    return cands[-1] if cands else None


def _callback_units(out: list[UnitSpec], first: ts.Node, stmt: ts.Node, cb: ts.Node, outer: str = "",
                    depth: int = 0) -> bool:
    """Cut `stmt` at its callback's body statements. The body's units have the callback's
    anonymous scope as their context, named as the head unit names it (its offset from the
    head's first byte): an edit of the head that moves the callback renames the context, and
    the body's units, keyed by it, are extracted again."""
    body = cb.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return False
    parts = _with_comments(body.children[1:-1] if body.child_count >= 2 else [])
    if len(parts) < 2 or body.children[-1].type != "}":
        return False
    anon = f"<{'arrow' if cb.type == 'arrow_function' else 'fn'}{cb.start_byte - first.start_byte}>"
    ctx = f"{outer}.{anon}" if outer else anon
    head_end = parts[0][0]
    out.append((first.start_byte, head_end.start_byte, first.start_point[0], head_end.start_point[0],
                head_end.start_point[1], outer, "stmt", None))
    for f, node in parts:  # a nested `describe(...)` is cut the same way
        inner = _callback(node) if node.end_byte - node.start_byte > SPLIT_BYTES and depth < MAX_SPLIT_DEPTH else None
        if inner is None or not _callback_units(out, f, node, inner, ctx, depth + 1):
            out.append(_spec(f, node, ctx))
    tail = parts[-1][1]
    out.append((tail.end_byte, stmt.end_byte, tail.end_point[0], stmt.end_point[0], stmt.end_point[1], outer, "stmt", None))
    return True


def _doc(node: ts.Node) -> str | None:
    """The first line of the JSDoc (`/** ... */`) right above a declaration (or its export)."""
    outer = node.parent if node.parent is not None and node.parent.type == "export_statement" else node
    prev = outer.prev_sibling
    if prev is None or prev.type != "comment":
        return None
    text = _text(prev)
    if not text.startswith("/**"):
        return None
    for line in text[3:-2].splitlines():
        line = line.strip().lstrip("*").strip()
        if line and not line.startswith("@"):
            return line
    return None


# -- signatures ---------------------------------------------------------------------------------
def _params_node(fn: ts.Node) -> ts.Node | None:
    return fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")


def _signature(fn: ts.Node) -> Signature | None:
    params = _params_node(fn)
    if params is None:
        return None
    out: list[Param] = []
    if params.type != "formal_parameters":  # `x => ...`
        return Signature([Param(_text(params), POSITIONAL_OR_KEYWORD)])
    for p in params.named_children:
        if p.type == "comment":
            continue
        pattern, ann, default = p, None, False
        if p.type in PARAM_WRAPPERS:
            pattern = p.child_by_field_name("pattern") or p
            t = p.child_by_field_name("type")
            ann = _short(t.named_children[0]) if t is not None and t.named_children else None
            default = p.type == "optional_parameter" or p.child_by_field_name("value") is not None
        if pattern.type == "this":
            continue  # TS's `this: T` parameter takes no argument
        if pattern.type == "assignment_pattern":
            default = True
            pattern = pattern.child_by_field_name("left") or pattern
        kind = POSITIONAL_OR_KEYWORD
        if pattern.type == "rest_pattern":
            kind = VAR_POSITIONAL
            pattern = pattern.named_children[0] if pattern.named_children else pattern
        out.append(Param(_short(pattern) or "?", kind, default, ann))
    ret = fn.child_by_field_name("return_type")
    returns = _short(ret.named_children[0]) if ret is not None and ret.named_children else None
    is_async = any(c.type == "async" for c in fn.children)
    return Signature(out, returns, is_async)


# -- the walk -----------------------------------------------------------------------------------
class _Extractor(Walker):
    """Turns one unit's captured names into records."""

    def __init__(self, unit: Unit, root: ts.Node, declares_this: bool = False):
        self.declares_this = declares_this  # JS: `this.x = v` in a method declares x (as tsc reads JS)
        self.this_fields: list[Symbol] = []  # the attributes declared so
        super().__init__(unit)
        self.quals: dict[int, tuple[str, str]] = {}  # scope node id -> (qualname, kind)
        self.scope_nodes: dict[int, tuple[ts.Node | None]] = {}  # node id -> (its scope node,)
        self.seen: set[tuple[str, str]] = set()

    # scopes
    def scope_node_of(self, node: ts.Node) -> ts.Node | None:
        """The innermost scope node around `node` (None: the module). A declaration's name is
        in the scope around it; a class's heritage too; only its body is the class's. Every
        node walked through gets the same answer, remembered: a file of deep nesting costs
        one walk, not one per name."""
        path: list[int] = []
        found: ts.Node | None = None
        child, p = node, node.parent
        while p is not None and p.type != "program":
            hit = self.scope_nodes.get(child.id)
            if hit is not None:
                found = hit[0]
                break
            path.append(child.id)
            t = p.type
            if t in FUNCTIONS and not _is(p.child_by_field_name("name"), child):
                found = p
                break
            if t in CLASSES and _is(p.child_by_field_name("body"), child):
                found = p
                break
            child, p = p, p.parent
        for i in path:
            self.scope_nodes[i] = (found,)
        return found

    def scope(self, node: ts.Node | None) -> tuple[str, str]:
        """(qualname, kind) of a scope node: kind is module, class, function or anon."""
        if node is None:
            return "", "module"
        if node.start_byte < self.b0:  # the class or callback around a unit cut from its body
            if not self.u.context:
                return "", "module"
            return self.u.context, "class" if self.u.kind == "class_body" else "anon"
        got = self.quals.get(node.id)
        if got is not None:
            return got
        chain = [node]  # the scopes around it not named yet, innermost first (no recursion:
        up = self.scope_node_of(node)  # a thousand nested functions are a thousand steps)
        while up is not None and up.start_byte >= self.b0 and up.id not in self.quals:
            chain.append(up)
            up = self.scope_node_of(up)
        for n in reversed(chain[1:]):
            self.quals[n.id] = self._named(n, self.scope(self.scope_node_of(n)))
        got = self.quals[node.id] = self._named(node, self.scope(self.scope_node_of(node)))
        return got

    def _named(self, node: ts.Node, around: tuple[str, str]) -> tuple[str, str]:
        """(qualname, kind) of a scope node given the scope around it."""
        outer, okind = around
        name = self.scope_name(node, okind)
        if name is None:
            # `<arrow N>` keeps the `this` around it, `<fn N>` binds its own (resolve._this_class)
            anon = f"<{'arrow' if node.type == 'arrow_function' else 'fn'}{node.start_byte - self.b0}>"
            qual, kind = (f"{outer}.{anon}" if outer else anon), "anon"
        else:
            qual = f"{outer}.{name}" if outer else name
            kind = "class" if node.type in CLASSES else "function"
        return qual, kind

    def scope_name(self, node: ts.Node, outer_kind: str) -> str | None:
        """The name a scope is known by, or None for an anonymous one (a callback, an object
        literal's method, anything inside an anonymous scope)."""
        if outer_kind == "anon":
            return None
        t = node.type
        if t == "method_definition":
            return _text(node.child_by_field_name("name")) if outer_kind == "class" else None
        if t in CLASSES or t in ("function_declaration", "generator_function_declaration"):
            n = node.child_by_field_name("name")
            return _text(n) if n is not None and t != "class" else None
        p = node.parent
        if p is not None and p.type == "variable_declarator" and _is(p.child_by_field_name("value"), node):
            n = p.child_by_field_name("name")
            return _text(n) if n is not None and n.type == "identifier" else None
        return None

    # records
    def add_symbol(self, kind: str, name_node: ts.Node, node: ts.Node, scope: tuple[str, str],
                   name: str | None = None, **extra) -> Symbol | None:
        qual0, skind = scope
        name = name if name is not None else _text(name_node)
        if not name:
            return None
        qual = f"{qual0}.{name}" if qual0 else name
        if kind != IMPORT and kind != PARAMETER and "doc" not in extra:
            extra["doc"] = _doc(node)
        after = self.u_text(node)[name_node.end_byte - node.start_byte:] if name_node.start_byte >= node.start_byte else b""
        sym = Symbol(id=qual, kind=kind, name=name, qualname=qual, parent=qual0, span=self.span(node),
                     name_span=self.span(name_node), name_byte=name_node.start_byte - self.b0,
                     body_hash=zlib.crc32(after), **extra)
        self.u.symbols.append(sym)
        if skind == "module":
            if name not in self.u.bindings:
                self.u.bindings.append(name)
        elif skind in ("function", "anon"):
            self.bind_local(qual0, name)
        return sym

    def u_text(self, node: ts.Node) -> bytes:
        return node.text or b""

    def bind_local(self, scope: str, name: str) -> None:
        names = self.u.scopes.setdefault(scope, [])
        if name not in names:
            names.append(name)

    def add_ref(self, node: ts.Node, kind: str, scope: str, **extra) -> None:
        s = node.start_point
        self.u.refs.append(Ref(name=_text(node), kind=kind, scope=scope, row=s[0] - self.r0, col=s[1],
                               end_col=node.end_point[1] if node.end_point[0] == s[0] else s[1] + len(node.text or b""),
                               byte=node.start_byte - self.b0, **extra))

    def call_info(self, callee: ts.Node) -> dict:
        """nargs/star of the call whose callee is `callee` (an identifier or member expression)."""
        p = callee.parent
        if p is None or p.type not in ("call_expression", "new_expression"):
            return {}
        field = "function" if p.type == "call_expression" else "constructor"
        if not _is(p.child_by_field_name(field), callee):
            return {}
        args = p.child_by_field_name("arguments")
        if args is None or args.type != "arguments":
            return {}
        nargs, star = 0, False
        for a in args.named_children:
            if a.type == "spread_element":
                star = True
            elif a.type != "comment":
                nargs += 1
        return {"nargs": nargs, "star": star}

    # the names
    def run(self, caps: Captures, root: ts.Node) -> None:
        stmt = root.first_child_for_byte(self.b0) if not self.u.context else None
        while stmt is not None and stmt.type == "comment" and stmt.end_byte < self.u.end_byte:
            stmt = stmt.next_sibling  # the comments above the statement are in its unit
        if stmt is not None and stmt.type == "export_statement" and stmt.start_byte < self.u.end_byte and not any(
                c.type in ("export_clause", "namespace_export") or c.is_named and c.type not in ("string", "comment")
                for c in stmt.children):
            spec = _string(stmt.child_by_field_name("source"))
            if spec is not None:
                self.u.star_imports.append(spec)  # `export * from "./m"`
        nodes = [n for k in ("name", "member") for n in caps.get(k, ())]
        nodes.sort(key=lambda n: n.start_byte)
        for n in nodes:
            if n.start_byte == n.end_byte:
                continue  # a MISSING node of error recovery
            self.on_name(n)
        if self.this_fields:  # `this.parse = this.parse.bind(this)` declares no field beside the
            # class's own method or field `parse` (tsc names that one)
            own = {id(s) for s in self.this_fields}
            declared = {s.qualname for s in self.u.symbols if s.kind in (METHOD, ATTRIBUTE) and id(s) not in own}
            self.u.symbols = [s for s in self.u.symbols if id(s) not in own or s.qualname not in declared]

    def on_name(self, n: ts.Node) -> None:
        p = n.parent
        if p is None:
            return
        t = p.type
        is_name = _is(p.child_by_field_name("name"), n)
        scope = self.scope(self.scope_node_of(n))
        if is_name and (t in ("function_declaration", "generator_function_declaration", "function_signature")):
            # an overload's signature yields to the implementation (FileMap.lookup prefers it)
            self.add_symbol(FUNCTION, n, _outer(p), scope, signature=_signature(p),
                            decorators=["overload"] if t == "function_signature" else [])
            self.default_export(n, p, scope)
            return
        if is_name and t in ("function_expression", "function", "generator_function"):
            # `function f() {...}` as a value: f is bound inside it only (a recursion, tsc's answer)
            self.add_symbol(FUNCTION, n, p, self.scope(p), signature=_signature(p))
            return
        if is_name and t in ("method_definition", "method_signature", "abstract_method_signature"):
            if scope[1] == "class":
                self.add_symbol(METHOD, n, p, scope, signature=_signature(p),
                                decorators=["overload"] if p.type != "method_definition" or
                                p.child_by_field_name("body") is None else [],
                                subkind="constructor" if n.text == b"constructor" else None)
            return
        if is_name and t in CLASSES and t != "class":
            self.add_symbol(CLASS, n, _outer(p), scope, bases=_bases(p), subkind=_CLASS_SUBKINDS.get(t))
            self.default_export(n, p, scope)
            return
        if is_name and t in TYPE_ALIASES:
            value = p.child_by_field_name("value")
            self.add_symbol(CLASS, n, _outer(p), scope, value=_short(value), subkind="type_alias")
            return
        if t in FIELDS and (is_name or _is(p.child_by_field_name("property"), n)):
            if scope[1] == "class":
                ann = p.child_by_field_name("type")
                value = p.child_by_field_name("value")
                self.add_symbol(ATTRIBUTE, n, p, scope, value=_short(value),
                                annotation=_short(ann.named_children[0]) if ann is not None and ann.named_children else None)
            return
        if t == "enum_body" or (t == "enum_assignment" and is_name):
            self.add_symbol(CONSTANT, n, p if t == "enum_assignment" else n, scope)
            return
        if t in ("import_specifier", "namespace_import", "import_clause"):
            self.on_import(n, p, scope)
            return
        if t == "export_specifier":
            self.on_export(n, p, scope)
            return
        if t == "export_statement" and _is(p.child_by_field_name("value"), n):
            self.add_ref(n, REF_NAME, scope[0])
            self.add_symbol(IMPORT, n, p, scope, name="default", target=(OWN_MODULE, _text(n)))
            return
        if t == "type_parameter" or self.on_binding(n, scope):
            return
        if n.type == "type_identifier" and _type_parameter(n):
            return  # a generic's parameter (`T` of `class C<T>`): no name of the workspace
        self.on_use(n, p, scope)

    def default_export(self, n: ts.Node, decl: ts.Node, scope: tuple[str, str]) -> None:
        """`export default function f` / `class C`: the module's `default` is `f`."""
        p = decl.parent
        if scope[1] == "module" and p is not None and p.type == "export_statement" and \
                any(c.type == "default" for c in p.children):
            self.add_symbol(IMPORT, n, p, scope, name="default", target=(OWN_MODULE, _text(n)))

    def on_binding(self, n: ts.Node, scope: tuple[str, str]) -> bool:
        """A name a declaration, a parameter, a `catch` or a `for` binds; True when it was one."""
        child, p = n, n.parent
        path: list[ts.Node] = []  # the patterns between the name and what binds it
        while p is not None and (p.type in PATTERNS or p.type in PARAM_WRAPPERS):
            if len(path) > MAX_WALK:
                return False
            if p.type == "pair_pattern" and not _is(p.child_by_field_name("value"), child):
                return False
            if p.type in ("assignment_pattern", "object_assignment_pattern") and not _is(p.child_by_field_name("left"), child):
                return False
            if p.type in PARAM_WRAPPERS and not _is(p.child_by_field_name("pattern"), child):
                return False
            path.append(p)
            child, p = p, p.parent
        if p is None:
            return False
        t = p.type
        if t == "formal_parameters" or (t == "arrow_function" and _is(p.child_by_field_name("parameter"), child)):
            fn = p.parent if t == "formal_parameters" else p
            fscope = self.scope(fn) if fn is not None and fn.type in FUNCTIONS else scope
            if fn is not None and fn.type in SIGNATURES | {"function_signature"}:
                return True  # a parameter of a declaration without body: no scope to bind in
            wrapper = path[-1] if path and path[-1].type in PARAM_WRAPPERS else None
            t = wrapper.child_by_field_name("type") if wrapper is not None and len(path) == 1 else None
            ann = _short(t.named_children[0]) if t is not None and t.named_children else None
            self.add_symbol(PARAMETER, n, n, fscope, annotation=ann)
            if wrapper is not None and len(path) == 1 and fn is not None:
                self.parameter_property(n, wrapper, fn, ann)
            return True
        if t == "variable_declarator" and _is(p.child_by_field_name("name"), child):
            self.on_declarator(n, p, path, scope)
            return True
        if t == "catch_clause" and _is(p.child_by_field_name("parameter"), child):
            self.add_symbol(VARIABLE, n, n, scope)
            return True
        if t in ("for_in_statement",) and _is(p.child_by_field_name("left"), child):
            self.add_symbol(VARIABLE, n, n, scope)
            return True
        return False

    def on_declarator(self, n: ts.Node, decl: ts.Node, path: list[ts.Node], scope: tuple[str, str]) -> None:
        value = decl.child_by_field_name("value")
        spec = _require_spec(value)
        member = value.child_by_field_name("property") if value is not None and value.type == "member_expression" else None
        if not path and spec is None and member is not None and member.type == "property_identifier":
            spec = _require_spec(value.child_by_field_name("object"))
            if spec is not None:  # `var f = require("./m").f`: an import of m's f, as tsc reads JS
                self.add_symbol(IMPORT, n, decl, scope, target=(spec, _text(member)))
                return
        outer = decl.parent
        const = outer is not None and any(c.type == "const" for c in outer.children)
        if spec is not None:
            key = None
            if path:
                types = [x.type for x in path]
                if types == ["object_pattern"] and n.type == "shorthand_property_identifier_pattern":
                    key = _text(n)
                elif types == ["pair_pattern", "object_pattern"]:
                    k = path[0].child_by_field_name("key")
                    key = _text(k) if k is not None and k.type == "property_identifier" else None
                if key is None:
                    self.add_symbol(VARIABLE, n, n, scope)
                    return
                self.add_symbol(IMPORT, n, decl, scope, target=(spec, key))
                at = path[0].child_by_field_name("key") if path[0].type == "pair_pattern" else n
                if at is not None:
                    self.add_ref(at, REF_IMPORT, scope[0], module=spec)
            else:
                self.add_symbol(IMPORT, n, decl, scope, target=(spec,))
            return
        t = decl.child_by_field_name("type")
        if not path and value is not None and value.type in FUNCTIONS:
            # (a `let`/`var` or an annotated binding may hold another function: `dynamic`)
            self.add_symbol(FUNCTION if scope[1] != "class" else METHOD, n, _outer(outer or decl), scope,
                            signature=_signature(value), dynamic=not const or t is not None)
            return
        ann = _short(t.named_children[0]) if t is not None and t.named_children else None
        kind = CONSTANT if const else VARIABLE
        node = _outer(outer) if outer is not None and not path else n
        self.add_symbol(kind, n, node, scope, value=_short(value) if not path else None, annotation=ann)

    def on_import(self, n: ts.Node, p: ts.Node, scope: tuple[str, str]) -> None:
        stmt = p
        while stmt is not None and stmt.type != "import_statement":
            stmt = stmt.parent
        spec = _string(stmt.child_by_field_name("source")) if stmt is not None else None
        if spec is None:
            return
        if p.type == "namespace_import":  # (its value says so: tsc's definition of it is the import)
            self.add_symbol(IMPORT, n, p, scope, target=(spec,), value=NAMESPACE_IMPORT)
        elif p.type == "import_clause":
            self.add_symbol(IMPORT, n, p, scope, target=(spec, "default"))
        else:
            name, alias = p.child_by_field_name("name"), p.child_by_field_name("alias")
            if _is(name, n):
                self.add_ref(n, REF_IMPORT, scope[0], module=spec)
                if alias is None:
                    self.add_symbol(IMPORT, n, p, scope, target=(spec, _text(n)))
            elif _is(alias, n) and name is not None:
                self.add_symbol(IMPORT, n, p, scope, target=(spec, _text(name)))

    def on_export(self, n: ts.Node, p: ts.Node, scope: tuple[str, str]) -> None:
        stmt = p.parent.parent if p.parent is not None else None
        spec = _string(stmt.child_by_field_name("source")) if stmt is not None and stmt.type == "export_statement" else None
        name, alias = p.child_by_field_name("name"), p.child_by_field_name("alias")
        if _is(name, n):
            if spec is not None:
                self.add_ref(n, REF_IMPORT, scope[0], module=spec)
                if alias is None:
                    self.add_symbol(IMPORT, n, p, scope, target=(spec, _text(n)))
            else:
                self.add_ref(n, REF_NAME, scope[0])
        elif _is(alias, n) and name is not None and _text(alias) != _text(name):
            self.add_symbol(IMPORT, n, p, scope, target=(spec if spec is not None else OWN_MODULE, _text(name)))

    def parameter_property(self, n: ts.Node, param: ts.Node, fn: ts.Node, ann: str | None) -> None:
        """`constructor(private repo: Repo)`: a parameter with a modifier is also a member of
        the class (TypeScript's parameter properties)."""
        if fn.type != "method_definition" or _text(fn.child_by_field_name("name")) != "constructor" or \
                not any(c.type in PARAMETER_PROPERTY for c in param.children):
            return
        cls = fn.parent.parent if fn.parent is not None else None
        if cls is None or cls.type not in CLASSES:
            return
        cscope = self.scope(cls)
        if cscope[1] == "class":
            self.add_symbol(ATTRIBUTE, n, param, cscope, annotation=ann)

    def this_field(self, n: ts.Node, member: ts.Node) -> bool:
        """`this.x = v` in a JS class method: an attribute `x` of the class (True), as Python's
        `self.x = v` and as tsc reads JS; a use of x otherwise (False)."""
        assign = member.parent
        if assign is None or assign.type != "assignment_expression" or not _is(assign.child_by_field_name("left"), member):
            return False
        cls = _this_class(member)
        if cls is None or cls.type not in CLASSES:
            return False
        cscope = self.scope(cls)
        if cscope[1] != "class":
            return False
        sym = self.add_symbol(ATTRIBUTE, n, assign, cscope, value=_short(assign.child_by_field_name("right")))
        if sym is not None:
            self.this_fields.append(sym)
        return True

    def commonjs_export(self, n: ts.Node, member: ts.Node, obj: ts.Node) -> None:
        """`exports.P = v` (or `module.exports.P = v`) at the top of a JS module declares the
        module's export P, as tsc reads CommonJS; `module.exports = v` declares the module's
        value. They are symbols apart from the module's own names (`exports.P`,
        `module.exports`): `var util; ... exports.util = util = {}` are two things, and a
        CommonJS module's members are its exports, not its top-level names (resolve.py)."""
        assign = member.parent
        if assign is None or assign.type != "assignment_expression" or not _is(assign.child_by_field_name("left"), member):
            return
        right = assign.child_by_field_name("right")
        receiver = _text(obj)
        last = right
        for _ in range(MAX_WALK):  # `exports.a = exports.b = void 0`: the value is the last one
            if last is None or last.type != "assignment_expression":
                break
            last = last.child_by_field_name("right")
        if right is None or last is None or _void_zero(last):
            return  # `exports.x = void 0`: tsc's emit declares nothing there (the real one follows)
        if receiver == "module" and n.text == b"exports":
            props = [c for c in right.named_children if c.type != "comment"] if right.type == "object" else None
            if props is not None and all(c.type == "shorthand_property_identifier" for c in props):
                # `module.exports = { a, b }` (or `{}`): tsc binds each as `exports.a = a`, and the
                # module stays the module's value
                for c in props:
                    self.add_symbol(IMPORT, c, c, (COMMONJS_EXPORTS, "class"), target=(OWN_MODULE, _text(c)))
                return
            self.commonjs_value(n, assign, right, ("module", "class"))  # qualname COMMONJS_VALUE
            if right.type == "object":  # `module.exports = { a, b: c, m() {} }`: its members
                for prop in right.named_children:
                    key = prop if prop.type == "shorthand_property_identifier" else prop.child_by_field_name(
                        "key" if prop.type == "pair" else "name")
                    if key is not None and key.type in ("shorthand_property_identifier", "property_identifier"):
                        value = prop.child_by_field_name("value") if prop.type == "pair" else prop  # (shorthand: itself)
                        self.commonjs_value(key, prop, value, (COMMONJS_EXPORTS, "class"), alias=False)
        elif receiver in ("exports", COMMONJS_VALUE):
            self.commonjs_value(n, assign, right, (COMMONJS_EXPORTS, "class"))

    def commonjs_value(self, n: ts.Node, node: ts.Node, value: ts.Node | None, scope: tuple[str, str],
                       alias: bool = True) -> None:
        """One CommonJS export: a function, an alias of a name path (`exports.a = b`: tsc's
        definition is b's; an IMPORT of this module's own `b`), or a variable."""
        if value is not None and value.type in FUNCTIONS:
            self.add_symbol(FUNCTION, n, node, scope, signature=_signature(value))
        elif alias and value is not None and _is_name_path(value):
            self.add_symbol(IMPORT, n, node, scope, target=(OWN_MODULE, "".join(_text(value).split())))
        else:
            self.add_symbol(VARIABLE, n, node, scope, value=_short(value))

    def on_use(self, n: ts.Node, p: ts.Node, scope: tuple[str, str]) -> None:
        t = p.type
        if n.type in ("property_identifier", "private_property_identifier"):
            if t == "member_expression" and _is(p.child_by_field_name("property"), n):
                obj = p.child_by_field_name("object")
                if self.declares_this and obj is not None and obj.type == "this" and self.this_field(n, p):
                    return
                if self.declares_this and scope[1] == "module" and obj is not None:
                    self.commonjs_export(n, p, obj)
                recv = _receiver(obj)
                # `x.constructor` is the object's constructor property, never the class's method
                if recv is not None and n.text != b"constructor":
                    self.add_ref(n, REF_ATTRIBUTE, scope[0], receiver=recv, **self.call_info(p))
            return
        if t == "nested_type_identifier" and _is(p.child_by_field_name("name"), n):
            mod = p.child_by_field_name("module")
            self.add_ref(n, REF_ATTRIBUTE, scope[0], receiver=_short(mod))
            return
        if t in ("jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element"):
            if not _text(n)[:1].isupper():
                return  # an intrinsic element (`<div>`), no name of the program
        if t in ("labeled_statement", "break_statement", "continue_statement"):
            return
        if self.declares_this and t == "member_expression" and n.text == b"exports":
            return  # `exports.P`: tsc names P's definition there, not the module; nothing said
        if t == "pair" or (t == "member_expression" and not _is(p.child_by_field_name("object"), n)):
            return
        kind = REF_BASE if _in_heritage(n) else REF_NAME
        self.add_ref(n, kind, scope[0], **self.call_info(n))


def _this_class(node: ts.Node) -> ts.Node | None:
    """The class whose `this` a node sees: up through arrow functions to a method of a class
    body; None past a `function` (it binds its own `this`) or outside classes."""
    p = node.parent
    for _ in range(MAX_WALK):
        if p is None or p.type == "program":
            return None
        if p.type == "method_definition":
            body = p.parent
            return body.parent if body is not None and body.type == "class_body" else None
        if p.type in FUNCTIONS and p.type != "arrow_function":
            return None
        p = p.parent
    return None


def _void_zero(node: ts.Node) -> bool:
    return node.type == "unary_expression" and " ".join(_text(node).split()) == "void 0"


def _is_name_path(node: ts.Node) -> bool:
    """`a` or `a.b.c`: what tsc takes as an alias when assigned to an export."""
    for _ in range(MAX_WALK):
        if node.type == "identifier":
            return True
        if node.type != "member_expression" or node.child_by_field_name("property") is None or \
                node.child_by_field_name("property").type != "property_identifier":
            return False
        node = node.child_by_field_name("object")
        if node is None:
            return False
    return False


def _outer(node: ts.Node) -> ts.Node:
    p = node.parent
    return p if p is not None and p.type == "export_statement" else node


def _receiver(obj: ts.Node | None) -> str | None:
    """The receiver text the resolver follows: a name path (`a.b`, `this.x`), else None."""
    if obj is None or obj.end_byte - obj.start_byte > MAX_RECEIVER:
        return None
    text = _text(obj)
    n = obj
    while n.type == "member_expression":
        n = n.child_by_field_name("object")
        if n is None:
            return None
    if n.type not in ("identifier", "this", "super"):
        return " ".join(text.split())  # a call or other expression: kept as text, rarely followed
    return "".join(text.split())


def _type_parameter(n: ts.Node) -> bool:
    """Whether a type name is a type parameter of a declaration around it."""
    name = n.text
    p = n.parent
    for _ in range(MAX_WALK):
        if p is None or p.type == "program":
            return False
        tps = p.child_by_field_name("type_parameters")
        if tps is not None and any(_text(tp.child_by_field_name("name")).encode() == name
                                   for tp in tps.named_children if tp.type == "type_parameter"):
            return True
        p = p.parent
    return True  # nested past MAX_WALK: say nothing of the name rather than guess


def _in_heritage(n: ts.Node) -> bool:
    p = n.parent
    for _ in range(4):
        if p is None:
            return False
        if p.type in HERITAGE:
            return True
        if p.type == "type_arguments":  # `extends Base<User>`: User is a use, not a supertype
            return False
        p = p.parent
    return False


def _bases(cls: ts.Node) -> list[str]:
    out: list[str] = []
    for c in cls.named_children:
        if c.type == "class_heritage":
            for clause in c.named_children:
                if clause.type not in ("extends_clause", "implements_clause", "comment"):
                    out.append(_short(clause) or "")  # JavaScript's grammar: `extends E`, no clause
                elif clause.type == "extends_clause":
                    v = clause.child_by_field_name("value")
                    if v is not None:
                        out.append(_short(v) or "")
        elif c.type == "extends_type_clause":
            out.extend(_short(x) or "" for x in c.named_children)
    return [b for b in out if b]


def _string(node: ts.Node | None) -> str | None:
    if node is None or node.type != "string":
        return None
    frag = [c for c in node.named_children if c.type == "string_fragment"]
    return _text(frag[0]) if len(frag) == 1 else ("" if not frag else None)


def _require_spec(value: ts.Node | None) -> str | None:
    """`require("x")` -> `x` (CommonJS), else None."""
    if value is None or value.type != "call_expression":
        return None
    fn, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
    if fn is None or fn.type != "identifier" or _text(fn) != "require" or args is None:
        return None
    named = [a for a in args.named_children if a.type != "comment"]
    return _string(named[0]) if len(named) == 1 else None


def fill_unit(unit: Unit, root: ts.Node, caps: Captures) -> None:
    """Fill `unit` (TypeScript) from the captures of the map query that start inside it."""
    _Extractor(unit, root).run(caps, root)


def fill_unit_js(unit: Unit, root: ts.Node, caps: Captures) -> None:
    """Fill `unit` (JavaScript: a class declares its fields by `this.x = v`)."""
    _Extractor(unit, root, declares_this=True).run(caps, root)
