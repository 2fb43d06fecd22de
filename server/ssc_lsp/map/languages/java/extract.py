"""Java extraction: from a tree-sitter tree to units of symbols and references.

A unit is one top-level declaration (package, import, type) with the comments directly above
it (its doc comment: an edit there re-extracts it). A top-level type is one unit with all its
members and nested types (a unit's records depend only on its own text).

Qualnames: a type is `Outer`, a nested type `Outer.Inner`, a member `Outer.name` (a
constructor `Outer.Outer`); the second, third... overload of a method in a type gets the scope
`Outer.name~2` for its parameters and locals (their symbols must not share a qualname). Locals
of a method are one scope (inner blocks merged: a name declared again in a sibling block is a
second symbol of the same qualname, `@2` in its id; a use means the nearest one above it). Lambdas, anonymous and local classes are anonymous scopes (`<lambda@N>`, `<anon@N>`)
whose names have no symbols; an anonymous class's supertype is kept as
`scopes["<anon@N>.<super>"]`, since its inherited members shadow the enclosing ones.

Java has separate namespaces for types, methods and variables, so a reference says which one it
names in `Ref.module` (for non-import refs): `TYPE` (a type context), `METHOD_CTX` (a call or a
method reference), None (a variable, or an ambiguous name: variable, then type, then package).
A call's `nargs` is its argument count; `new T(a)` is a `TYPE` ref to T with `nargs`.
The package declaration's name is kept as `unit.scopes["<package>"]`.
"""

from __future__ import annotations

import tree_sitter as ts

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    IMPORT,
    METHOD,
    MODULE_REF,
    PARAMETER,
    POSITIONAL_OR_KEYWORD,
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

PACKAGE_SCOPE = "<package>"  # unit.scopes key holding the package declaration's name
PRIVATE_SCOPE = "<private>"  # unit.scopes key: qualnames of private members (not inherited)
ABSTRACT_SCOPE = "<abstract>"  # unit.scopes key: qualnames of methods without a body
SUPER_SCOPE = "<super>"  # `<anon@N>.<super>`: the supertype of an anonymous class
TYPE = "<type>"  # Ref.module of a reference in a type context
METHOD_CTX = "<method>"  # Ref.module of a method call or method reference
ON_DEMAND = "on-demand"  # Symbol.value of an import symbol for `import p.*` (name `*`)
STATIC = "static"  # Symbol.value of a static import (`import static p.T.m`)
STATIC_ON_DEMAND = "static on-demand"

SPLIT_TYPES = frozenset({"class_declaration", "interface_declaration"})  # cut into header + members
TYPE_DECLS = frozenset({"class_declaration", "interface_declaration", "enum_declaration",
                        "record_declaration", "annotation_type_declaration"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
_TYPE_NODES = frozenset({"type_identifier"})
_SUBKINDS = {"interface_declaration": "interface", "enum_declaration": "enum",
             "annotation_type_declaration": "interface"}  # records.SUBKINDS, for the LSP kinds
_LITERAL_TYPES = frozenset({"integral_type", "floating_point_type", "boolean_type", "void_type"})


# -- units -------------------------------------------------------------------------------


def unit_specs(root: ts.Node) -> list[UnitSpec]:
    """One unit per top-level declaration, starting at the comments directly above it."""
    specs: list[UnitSpec] = []
    add = specs.append
    run: list[ts.Node] = []
    comments: list[ts.Node] = []
    for child in root.children:
        t = child.type
        if t in _COMMENTS:
            comments = gather_comment(comments, child)
            continue
        if child.child_count == 0 or t == "ERROR":
            if t != ";":
                run.append(child)
                if len(run) == MAX_RUN_TOKENS:
                    _add_run(add, run)
            comments = []
            continue
        if run:
            _add_run(add, run)
        first = lead(comments, child)
        comments = []
        body = child.child_by_field_name("body") if t in SPLIT_TYPES else None
        name = child.child_by_field_name("name")
        if body is not None and name is not None and body.child_count and body.children[0].type == "{":
            brace = body.children[0]
            ep = brace.end_point
            add((first.start_byte, brace.end_byte, first.start_point[0], ep[0], ep[1], "", "class_header", None))
            _member_specs(add, body, _text(name))
            continue
        ep = child.end_point
        add((first.start_byte, child.end_byte, first.start_point[0], ep[0], ep[1], "", "stmt", None))
    if run:
        _add_run(add, run)
    return specs


def _member_specs(add, body: ts.Node, cls: str) -> None:
    """One `class_body` unit per member of a top-level class body, from the comments directly
    above it (the closing brace and stray `;` belong to no unit)."""
    comments: list[ts.Node] = []
    for m in body.named_children:
        if m.type in _COMMENTS:
            comments = gather_comment(comments, m)
            continue
        first = lead(comments, m)
        comments = []
        ep = m.end_point
        add((first.start_byte, m.end_byte, first.start_point[0], ep[0], ep[1], cls, "class_body", None))


def doc_text(text: str) -> str | None:
    """The first sentence line of a Javadoc or comment (`/** ... */`, `// ...`)."""
    return first_line([comment_body(text)], skip_tags=True)


def _doc_above(node: ts.Node, floor: int) -> str | None:
    """The doc comment directly above `node` (or above its annotations), not above `floor`."""
    prev = node.prev_sibling
    if prev is not None and prev.type in _COMMENTS and prev.start_byte >= floor \
            and prev.end_point[0] + 1 >= node.start_point[0]:
        return doc_text(_text(prev))
    return None


# -- extraction ------------------------------------------------------------------------


class _Walker(Walker):
    """Fills one unit from its declaration node."""

    def __init__(self, unit: Unit):
        super().__init__(unit)
        self.locals: dict[tuple[str, str], Symbol | None] = {}

    def bind_local(self, scope: str, name_node: ts.Node, stmt: ts.Node, kind: str = VARIABLE,
                   annotation: str | None = None, value: str | None = None) -> None:
        name = _text(name_node)
        if not name or name_node.start_byte == name_node.end_byte:
            return
        key = (scope, name)
        if key in self.locals:
            if "<" not in scope:  # a sibling block's own local: a symbol of its own (resolve.py
                # takes the nearest declaration above a use)
                self.locals[key] = self.symbol(kind, name_node, stmt, scope, annotation=annotation, value=value)
            else:
                self.ref(name_node, REF_BIND, scope)
            return
        self.u.scopes.setdefault(scope, []).append(name)
        if "<" not in scope:
            self.locals[key] = self.symbol(kind, name_node, stmt, scope, annotation=annotation, value=value)
        else:
            self.locals[key] = None

    # -- declarations
    def run(self, decl: ts.Node) -> None:
        t = decl.type
        if t == "package_declaration":
            name = next((c for c in decl.named_children if c.type in ("scoped_identifier", "identifier")), None)
            if name is not None:
                self.u.scopes[PACKAGE_SCOPE] = [_text(name).replace(" ", "")]
        elif t == "import_declaration":
            self.on_import(decl)
        elif t in TYPE_DECLS:
            self.on_type(decl, "")

    def on_import(self, decl: ts.Node) -> None:
        path = next((c for c in decl.named_children if c.type in ("scoped_identifier", "identifier")), None)
        if path is None:
            return
        static = any(c.type == "static" for c in decl.children)
        star = any(c.type == "asterisk" for c in decl.children)
        dotted = "".join(_text(path).split())
        # the ref covers the last name (what a rename of the imported type or member edits)
        last = path.child_by_field_name("name") if path.type == "scoped_identifier" and not star else path
        self.u.refs.append(Ref(name=_text(last) if not star else dotted, kind=REF_IMPORT, scope="",
                               row=last.start_point[0] - self.r0, col=last.start_point[1], end_col=last.end_point[1],
                               byte=last.start_byte - self.b0, receiver=MODULE_REF, module=dotted))
        # the names before the last: a type's (`import p.Outer.Inner;` names Outer) or a package's
        prefix = path.child_by_field_name("scope") if path.type == "scoped_identifier" and not star else path
        while prefix is not None and prefix.type == "scoped_identifier" and prefix is not path:
            seg = prefix.child_by_field_name("name")
            if seg is not None:
                self.ref(seg, REF_IMPORT, "", module="".join(_text(prefix).split()))
            prefix = prefix.child_by_field_name("scope")
        if star:
            value = STATIC_ON_DEMAND if static else ON_DEMAND
            self.u.star_imports.append(("static " if static else "") + dotted)
            sym = self.symbol(IMPORT, path, decl, "", qual=f"<{value}:{dotted}>", target=(dotted,), value=value)
            sym.name = "*"
            return
        name = path.child_by_field_name("name") if path.type == "scoped_identifier" else path
        scope = path.child_by_field_name("scope") if path.type == "scoped_identifier" else None
        self.symbol(IMPORT, name, decl, "", target=("".join(_text(scope).split()), _text(name)),
                    value=STATIC if static else None)

    def on_type(self, decl: ts.Node, parent: str, header: bool = False) -> None:
        name_node = decl.child_by_field_name("name")
        if name_node is None:
            return
        qual = f"{parent}.{_text(name_node)}" if parent else _text(name_node)
        self.note_private(decl, qual)
        bases: list[str] = []
        for field in ("superclass", "interfaces"):
            sub = decl.child_by_field_name(field)
            if sub is not None:
                self.walk(sub, qual, base=True)
                bases.extend(_type_names(sub))
        for c in decl.named_children:
            if c.type == "extends_interfaces":
                self.walk(c, qual, base=True)
                bases.extend(_type_names(c))
        t = decl.type
        if t == "enum_declaration":
            bases.append("<enum>")
        elif t == "record_declaration":
            bases.append("<record>")
        elif t == "annotation_type_declaration":
            bases.append("<annotation>")
        elif t == "interface_declaration":
            bases.append("<interface>")
        sup = decl.child_by_field_name("superclass")
        body = decl.child_by_field_name("body")
        # a header unit's class ends at its `{` (FileMap closes it over its member units)
        span_node = body.children[0] if header and body is not None and body.child_count else decl
        self.symbol(CLASS, name_node, decl, parent, qual=qual, bases=bases, end=span_node,
                    annotation=_type_names(sup)[0] if sup is not None and sup.named_children else None,
                    doc=_doc_above(decl, self.b0), value=_kind_word(t), subkind=_SUBKINDS.get(t))
        self.u.scopes.setdefault(qual, [])
        tparams = decl.child_by_field_name("type_parameters")
        if tparams is not None:
            self.type_params(tparams, qual)
        self.modifiers(decl, qual)
        if t == "record_declaration":
            params = decl.child_by_field_name("parameters")
            for p in params.named_children if params is not None else ():
                n = p.child_by_field_name("name")
                typ = p.child_by_field_name("type")
                if n is not None:
                    self.symbol(ATTRIBUTE, n, p, qual, annotation=_short(typ), subkind="field")
                if typ is not None:
                    self.walk(typ, qual)
        if body is not None and not header:
            self.members(body, qual)

    def type_params(self, tparams: ts.Node, scope: str) -> None:
        for tp in tparams.named_children:
            if tp.type != "type_parameter":
                continue
            name = next((c for c in tp.named_children if c.type in ("type_identifier", "identifier")), None)
            if name is not None:
                names = self.u.scopes.setdefault(scope, [])
                if _text(name) not in names:
                    names.append(_text(name))
            for c in tp.named_children:
                if c is not name:
                    self.walk(c, scope)

    def note_private(self, decl: ts.Node, qual: str) -> None:
        if "private" in _modifiers(decl):
            self.u.scopes.setdefault(PRIVATE_SCOPE, []).append(qual)

    def modifiers(self, decl: ts.Node, scope: str) -> None:
        for c in decl.named_children:
            if c.type == "modifiers":
                self.walk(c, scope)

    def members(self, body: ts.Node, cls: str, only: tuple[int, int] | None = None) -> None:
        for m in body.named_children:
            if only is not None and not (only[0] <= m.start_byte and m.end_byte <= only[1]):
                continue
            t = m.type
            if t == "enum_body_declarations":
                self.members(m, cls)
            elif t in TYPE_DECLS:
                self.on_type(m, cls)
            elif t in ("method_declaration", "constructor_declaration", "compact_constructor_declaration",
                       "annotation_type_element_declaration"):
                self.on_method(m, cls)
            elif t in ("field_declaration", "constant_declaration"):
                self.on_field(m, cls, interface=body.type == "interface_body")
            elif t == "enum_constant":
                n = m.child_by_field_name("name")
                if n is not None:
                    self.symbol(CONSTANT, n, m, cls, annotation=cls.rpartition(".")[2],
                                doc=_doc_above(m, self.b0), subkind="enum_member")
                args = m.child_by_field_name("arguments")
                if args is not None:
                    self.walk(args, cls)
                cbody = m.child_by_field_name("body")
                if cbody is not None:
                    self.anonymous(cbody, cls, cls.rpartition(".")[2])
            elif t in ("static_initializer", "block"):
                self.walk(m, f"{cls}.<init@{m.start_byte - self.b0}>")
            elif t not in _COMMENTS:
                self.walk(m, cls)

    def on_field(self, decl: ts.Node, cls: str, interface: bool) -> None:
        typ = decl.child_by_field_name("type")
        mods = _modifiers(decl)
        kind = CONSTANT if interface or ("static" in mods and "final" in mods) else ATTRIBUTE
        doc = _doc_above(decl, self.b0)
        self.modifiers(decl, cls)
        if typ is not None:
            self.walk(typ, cls)
        for d in decl.children_by_field_name("declarator"):
            n = d.child_by_field_name("name")
            value = d.child_by_field_name("value")
            if n is not None:
                self.note_private(decl, f"{cls}.{_text(n)}")
                self.symbol(kind, n, decl, cls, annotation=_short(typ) + _dims(d) if typ is not None else None,
                            value=_short(value), doc=doc, subkind="field")
            if value is not None:
                self.walk(value, cls)

    def on_method(self, decl: ts.Node, cls: str) -> None:
        name_node = decl.child_by_field_name("name")
        if name_node is None:
            return
        ctor = decl.type in ("constructor_declaration", "compact_constructor_declaration")
        qual = f"{cls}.{_text(name_node)}"
        params = decl.child_by_field_name("parameters")
        scope = f"{qual}({_param_types(params)})"
        self.note_private(decl, qual)
        if decl.child_by_field_name("body") is None and decl.type == "method_declaration":
            names = self.u.scopes.setdefault(ABSTRACT_SCOPE, [])
            if qual not in names:
                names.append(qual)
        sig = _signature(params, decl.child_by_field_name("type"))
        self.symbol(METHOD, name_node, decl, cls, qual=qual, signature=sig, doc=_doc_above(decl, self.b0),
                    value="constructor" if ctor else None, decorators=_annotations(decl),
                    subkind="constructor" if ctor else None)
        if ctor:  # the constructor's name names its class too (a rename of the class renames it)
            self.ref(name_node, REF_NAME, cls, module=TYPE)
        self.u.scopes.setdefault(scope, [])
        tparams = decl.child_by_field_name("type_parameters")
        if tparams is not None:
            self.type_params(tparams, scope)
        self.modifiers(decl, scope)
        typ = decl.child_by_field_name("type")
        if typ is not None:
            self.walk(typ, scope)
        if params is not None:
            self.params(params, scope)
        for c in decl.named_children:
            if c.type == "throws":
                self.walk(c, scope)
        for f in ("body", "value"):
            body = decl.child_by_field_name(f)
            if body is not None:
                self.walk(body, scope)

    def params(self, plist: ts.Node, scope: str) -> None:
        for p in plist.named_children:
            if p.type == "formal_parameter":
                n = p.child_by_field_name("name")
                typ = p.child_by_field_name("type")
            elif p.type == "spread_parameter":
                d = next((c for c in p.named_children if c.type == "variable_declarator"), None)
                n = d.child_by_field_name("name") if d is not None else None
                typ = next((c for c in p.named_children if c.type not in ("modifiers", "variable_declarator")), None)
            elif p.type == "identifier":  # a lambda's inferred parameter
                self.bind_local(scope, p, p, PARAMETER)
                continue
            else:
                self.walk(p, scope)
                continue
            self.modifiers(p, scope)
            if typ is not None:
                self.walk(typ, scope)
            if n is not None:
                ann = _short(typ) if typ is not None else None
                if p.type == "spread_parameter" and ann:
                    ann += "[]"
                self.bind_local(scope, n, p, PARAMETER, annotation=ann)

    def anonymous(self, body: ts.Node, scope: str, super_text: str | None) -> None:
        """An anonymous (or local) class body: its members are names of an anonymous scope."""
        anon = f"{scope}.<anon@{body.start_byte - self.b0}>" if scope else f"<anon@{body.start_byte - self.b0}>"
        names = self.u.scopes.setdefault(anon, [])
        self.u.scopes[f"{anon}.{SUPER_SCOPE}"] = [super_text or ""]
        for m in body.named_children:
            n = m.child_by_field_name("name") if m.type != "field_declaration" else None
            if n is not None and _text(n) not in names:
                names.append(_text(n))
            if m.type == "field_declaration":
                for d in m.children_by_field_name("declarator"):
                    dn = d.child_by_field_name("name")
                    if dn is not None and _text(dn) not in names:
                        names.append(_text(dn))
        for m in body.named_children:
            if m.type in ("method_declaration", "constructor_declaration"):
                inner = f"{anon}.<m@{m.start_byte - self.b0}>"
                self.u.scopes.setdefault(inner, [])
                for f in ("type", "parameters", "body"):
                    sub = m.child_by_field_name(f)
                    if sub is None:
                        continue
                    if f == "parameters":
                        self.params(sub, inner)
                    else:
                        self.walk(sub, inner)
                self.modifiers(m, inner)
            else:
                self.walk(m, anon)

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
            if t in _TYPE_NODES:
                if n.start_byte != n.end_byte and n.text != b"var":
                    self.ref(n, REF_BASE if base else REF_NAME, scope, module=TYPE, **_new_shape(n))
                continue
            if t == "identifier":
                if n.start_byte != n.end_byte:
                    self.ref(n, REF_NAME, scope)
                continue
            if t == "scoped_type_identifier":
                parts = [c for c in n.named_children if c.type in ("type_identifier", "scoped_type_identifier")]
                if len(parts) >= 2:
                    stack.append(parts[0])
                    last = parts[-1]
                    self.ref(last, REF_BASE if base else REF_ATTRIBUTE, scope, module=TYPE,
                             receiver=_dotted(parts[0]), **_new_shape(last))
                stack.extend(c for c in n.named_children if c.type not in ("type_identifier", "scoped_type_identifier"))
                continue
            if t in ("scoped_identifier",):
                sc, nm = n.child_by_field_name("scope"), n.child_by_field_name("name")
                if sc is not None and nm is not None:
                    stack.append(sc)
                    self.ref(nm, REF_ATTRIBUTE, scope, receiver=_dotted(sc))
                continue
            if t == "field_access":
                obj, fld = n.child_by_field_name("object"), n.child_by_field_name("field")
                if obj is not None and fld is not None and fld.type == "identifier":
                    self.ref(fld, REF_ATTRIBUTE, scope, receiver=_short(obj))
                if obj is not None:
                    stack.append(obj)
                continue
            if t == "method_invocation":
                self.on_call(n, scope, stack)
                continue
            if t == "method_reference":
                kids = n.named_children
                if len(kids) == 2 and kids[1].type == "identifier":
                    self.ref(kids[1], REF_ATTRIBUTE, scope, receiver=_short(kids[0]), module=METHOD_CTX)
                    stack.append(kids[0])
                    continue
                stack.extend(reversed(kids))
                continue
            if t == "object_creation_expression":
                body = next((c for c in n.named_children if c.type == "class_body"), None)
                typ = n.child_by_field_name("type")
                stack.extend(c for c in reversed(n.named_children) if c is not body)
                if body is not None:
                    self.anonymous(body, scope, _short(typ))
                continue
            if t in ("local_variable_declaration",):
                typ = n.child_by_field_name("type")
                if typ is not None:
                    self.walk(typ, scope)
                ann = _short(typ) if typ is not None and _text(typ) != "var" else None
                for d in n.children_by_field_name("declarator"):
                    name, value = d.child_by_field_name("name"), d.child_by_field_name("value")
                    if value is not None:
                        self.walk(value, scope)
                    if name is not None:
                        self.bind_local(scope, name, n, annotation=ann + _dims(d) if ann else None,
                                        value=_short(value) if ann is None else None)
                self.modifiers(n, scope)
                continue
            if t in ("enhanced_for_statement",):
                typ, name = n.child_by_field_name("type"), n.child_by_field_name("name")
                for f in ("type", "value", "body"):
                    sub = n.child_by_field_name(f)
                    if f == "body" and name is not None:
                        ann = _short(typ) if typ is not None and _text(typ) != "var" else None
                        self.bind_local(scope, name, n, annotation=ann)
                    if sub is not None:
                        self.walk(sub, scope)
                continue
            if t in ("catch_formal_parameter", "resource"):
                typ, name = n.child_by_field_name("type"), n.child_by_field_name("name")
                ann = _short(typ) if typ is not None and _text(typ) != "var" and t == "resource" else None
                for c in n.named_children:
                    if c is not name:
                        self.walk(c, scope)
                if name is not None:
                    self.bind_local(scope, name, n, annotation=ann)
                continue
            if t in ("instanceof_expression", "type_pattern", "record_pattern_component"):
                name = n.child_by_field_name("name")
                if name is None and t == "type_pattern":
                    name = next((c for c in n.named_children if c.type == "identifier"), None)
                for c in n.named_children:
                    if c is not name:
                        stack.append(c)
                if name is not None:
                    self.bind_local(scope, name, n)
                    self._untype(scope, name)
                continue
            if t == "lambda_expression":
                anon = f"{scope}.<lambda@{n.start_byte - self.b0}>" if scope else f"<lambda@{n.start_byte - self.b0}>"
                self.u.scopes.setdefault(anon, [])
                params = n.child_by_field_name("parameters")
                if params is not None:
                    if params.type == "identifier":
                        self.bind_local(anon, params, params, PARAMETER)
                    else:
                        self.params(params, anon)
                body = n.child_by_field_name("body")
                if body is not None:
                    self.walk(body, anon)
                continue
            if t in TYPE_DECLS or t == "local_class_declaration":  # a local class
                body = n.child_by_field_name("body")
                name = n.child_by_field_name("name")
                if name is not None:
                    self.u.scopes.setdefault(scope, []).append(_text(name))
                if body is not None:
                    sup = n.child_by_field_name("superclass")
                    self.anonymous(body, scope, _short(sup.named_children[0]) if sup is not None and sup.named_children else None)
                continue
            if t in ("labeled_statement", "break_statement", "continue_statement"):
                stack.extend(c for c in reversed(n.named_children) if c.type != "identifier")
                continue
            if t in ("marker_annotation", "annotation"):
                name = n.child_by_field_name("name")
                if name is not None:
                    if name.type == "identifier":
                        self.ref(name, REF_NAME, scope, module=TYPE)
                    else:
                        stack.append(name)
                args = n.child_by_field_name("arguments")
                if args is not None:
                    for a in args.named_children:
                        stack.append(a.child_by_field_name("value") if a.type == "element_value_pair" else a)
                continue
            if t in _COMMENTS or t in _LITERAL_TYPES or t.endswith("_literal"):
                continue
            stack.extend(c for c in reversed(n.named_children) if c is not None)

    def _untype(self, scope: str, name_node: ts.Node) -> None:
        sym = self.locals.get((scope, _text(name_node)))
        if sym is not None:
            sym.annotation = sym.value = None

    def on_call(self, n: ts.Node, scope: str, stack: list) -> None:
        obj, name, args = (n.child_by_field_name(f) for f in ("object", "name", "arguments"))
        nargs = len([a for a in args.named_children if a.type not in _COMMENTS]) if args is not None else -1
        if name is not None:
            if obj is None:
                self.ref(name, REF_NAME, scope, module=METHOD_CTX, nargs=nargs)
            else:
                self.ref(name, REF_ATTRIBUTE, scope, module=METHOD_CTX, nargs=nargs, receiver=_short(obj))
        if args is not None:
            stack.append(args)
        if obj is not None:
            stack.append(obj)
        targs = n.child_by_field_name("type_arguments")
        if targs is not None:
            stack.append(targs)


def _param_types(params: ts.Node | None) -> str:
    """`(int a, List<String> b, Foo.Bar... c)` -> `int,List,Bar[]`: a method's scope name, one per
    overload whatever unit it is in (no dots: scopes are walked outward at dots)."""
    out = []
    for p in params.named_children if params is not None else ():
        if p.type == "formal_parameter":
            typ = p.child_by_field_name("type")
            text = _text(typ)
        elif p.type == "spread_parameter":
            typ = next((c for c in p.named_children if c.type not in ("modifiers", "variable_declarator")), None)
            text = _text(typ) + "[]"
        else:
            continue
        text = "".join(text.split()).split("<")[0].rpartition(".")[2] + ("[]" if text.endswith("]") and
                                                                          not text.split("<")[0].endswith("]") else "")
        out.append(text)
    return ",".join(out)


def _new_shape(type_node: ts.Node) -> dict:
    """`new T(a, b)`: the type's ref carries the constructor call's argument count."""
    node = type_node
    while node.parent is not None and node.parent.type in ("generic_type", "scoped_type_identifier") \
            and node.parent.named_children and node.parent.named_children[-1 if node.parent.type ==
                                                                          "scoped_type_identifier" else 0] == node:
        node = node.parent
    call = node.parent
    if call is None or call.type != "object_creation_expression" or call.child_by_field_name("type") != node:
        return {}
    args = call.child_by_field_name("arguments")
    if args is None or any(c.type == "class_body" for c in call.named_children):
        return {}
    return {"nargs": len([a for a in args.named_children if a.type not in _COMMENTS])}


def _dotted(node: ts.Node) -> str:
    return "".join(_text(node).split())


def _dims(declarator: ts.Node) -> str:
    """`int a[]`: the brackets after a declarator's name belong to its type."""
    return "[]" * sum(1 for c in declarator.named_children if c.type == "dimensions")


def _type_names(node: ts.Node) -> list[str]:
    """The types listed in an `extends` / `implements` clause, as written."""
    kids = node.named_children
    if len(kids) == 1 and kids[0].type == "type_list":
        kids = kids[0].named_children
    return [_short(k) or "" for k in kids]


def _modifiers(decl: ts.Node) -> set[str]:
    mods = next((c for c in decl.named_children if c.type == "modifiers"), None)
    return {c.type for c in mods.children} if mods is not None else set()


def _annotations(decl: ts.Node) -> list[str]:
    mods = next((c for c in decl.named_children if c.type == "modifiers"), None)
    return [_text(c).lstrip("@") for c in mods.named_children if c.type.endswith("annotation")] if mods else []


def _kind_word(t: str) -> str:
    return {"class_declaration": "class", "interface_declaration": "interface", "enum_declaration": "enum",
            "record_declaration": "record", "annotation_type_declaration": "@interface"}[t]


def _signature(params: ts.Node | None, returns: ts.Node | None) -> Signature:
    """Java parameters are positional; a varargs one (`T... xs`) takes any number."""
    out: list[Param] = []
    for p in params.named_children if params is not None else ():
        if p.type == "formal_parameter":
            n, typ = p.child_by_field_name("name"), p.child_by_field_name("type")
            out.append(Param(_text(n) or "_", POSITIONAL_OR_KEYWORD, False, _short(typ)))
        elif p.type == "spread_parameter":
            d = next((c for c in p.named_children if c.type == "variable_declarator"), None)
            n = d.child_by_field_name("name") if d is not None else None
            typ = next((c for c in p.named_children if c.type not in ("modifiers", "variable_declarator")), None)
            out.append(Param(_text(n) or "_", VAR_POSITIONAL, False, (_short(typ) or "") + "..."))
    return Signature(out, _short(returns))


def fill_unit(unit: Unit, root: ts.Node, caps: Captures) -> None:
    """Fill `unit` from the top-level declarations the map query found in it; a header unit
    holds its class without members, a member unit one member of its top-level class."""
    walker = _Walker(unit)
    if unit.kind == "class_body":
        decl = next((c for c in root.children if c.start_byte < unit.start_byte < c.end_byte), None)
        body = decl.child_by_field_name("body") if decl is not None else None
        if body is not None:
            walker.members(body, unit.context, (unit.start_byte, unit.end_byte))
        return
    if unit.kind == "class_header":
        decl = next((n for nodes in caps.values() for n in nodes if n.parent is not None
                     and n.parent.type == "program"), None)
        if decl is not None:
            walker.on_type(decl, "", header=True)
        return
    decls = sorted((n for nodes in caps.values() for n in nodes if n.parent is not None
                    and n.parent.type == "program"), key=lambda n: n.start_byte)
    for decl in decls:
        walker.run(decl)
