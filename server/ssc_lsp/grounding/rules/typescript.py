"""JavaScript's and TypeScript's answers to the check's questions (JS, TS and TSX files).

Bare names: the environment is the trap. A name the map cannot resolve is missing only when no
environment can provide it:
- the standard environments' globals (ECMAScript, DOM, web workers, Node, the test runners'
  `describe`/`it`/`expect`/`jest`/`vi`): `js_globals.txt`, written from their own declaration
  files by bench/make_js_globals.py;
- what the workspace adds to the global scope (`workspace_globals`): top-level declarations of
  scripts (files with no module syntax share one global scope, `.d.ts` ones included),
  `declare global { }` blocks, members written on the global object (`window.x = ...`), and
  names other files of the workspace use without a binding the map can resolve (a bundler's
  `define`, a `<script>` the map does not see: not the model's invention);
- type positions, index signatures' keys, names bound by syntax the extractor does not record
  (a function expression's own name, ...) are never called missing.

Members: only of workspace classes, interfaces and enums the map sees whole (`closed`): every
base a closed workspace class, no index signature (`[key: string]: T`), no second declaration
merging into it (an interface of the class's name, a namespace, `declare module` augmenting it).
JavaScript objects take members anywhere: a JS member is missing only when nothing in the
workspace names it (`member_elsewhere`), and `obj.x = v` creates it (`is_store`). ES modules'
namespaces (`import * as m`) are closed, CommonJS ones are not.

Calls and imports are the map's own diagnostics (map/languages/typescript/checks.py): exact
arity only without defaults, optional or rest parameters and overloads; named imports from the
workspace's ES modules.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import tree_sitter as ts

from ...map import checks
from ...map.checks import Problem
from ...map.filemap import FileMap
from ...map.languages.typescript import LANGUAGES
from ...map.languages.typescript.checks import check_call as ts_check_call
from ...map.languages.typescript.checks import commonjs
from ...map.records import CLASS, FUNCTION, METHOD, REF_ATTRIBUTE, REF_NAME, Ref, Unit
from ...map.resolve import Resolver, Value
from ...map.workspace import Located, Workspace
from .base import CheckRules, closed_hierarchy, closed_value, closers, finished, under

_SCOPES = frozenset({"program", "statement_block", "class_body"})
# Syntax whose names are types (never values the check decides) or keys
_TYPE_CONTEXTS = frozenset({
    "type_annotation", "type_arguments", "type_parameters", "type_parameter", "type_alias_declaration",
    "extends_type_clause", "implements_clause", "type_predicate", "type_predicate_annotation",
    "type_query", "index_signature", "asserts", "asserts_annotation", "mapped_type_clause", "lookup_type",
    "infer_type", "constraint", "default_type", "interface_body", "object_type", "interface_declaration",
    "opting_type_annotation", "omitting_type_annotation", "adding_type_annotation", "satisfies_expression"})
_TYPE_NAMES = frozenset({"type_identifier", "nested_type_identifier"})
# Parents of an identifier that binds it (a declaration, a parameter, a pattern, an import)
_BINDERS = frozenset({
    "function_expression", "function", "generator_function", "class", "class_declaration",
    "function_declaration", "generator_function_declaration", "variable_declarator", "catch_clause",
    "for_in_statement", "required_parameter", "optional_parameter", "formal_parameters", "arrow_function",
    "type_parameter", "import_specifier", "namespace_import", "import_clause", "labeled_statement",
    "enum_declaration", "internal_module", "module", "object_pattern", "array_pattern", "pair_pattern",
    "assignment_pattern", "rest_pattern", "object_assignment_pattern", "abstract_class_declaration",
    "function_signature", "method_definition", "ambient_declaration"})
# Syntax that writes a member (`o.x = v`, `o.x += v`): in JavaScript it creates the member
_STORES = frozenset({"assignment_expression", "augmented_assignment_expression"})
# The environment's global object: a member written on it is a global name
GLOBAL_OBJECTS = frozenset({"window", "globalThis", "global", "self"})
# JavaScript's ways of adding members the map's records do not show (text of the class's file)
_JS_DYNAMIC_MEMBERS = re.compile(rb"\.prototype\b|Object\.assign\s*\(|defineProperty|\bthis\s*\[")
# The environment's side of a module: `declare module` / `declare global` augment what they name
_AUGMENTS = re.compile(rb"\bdeclare\s+(?:module|global)\b|^\s*global\s*\{", re.M)
_MODULE_SYNTAX = re.compile(rb"^\s*(?:import|export)\b", re.M)
# What may finish a line the model left unfinished, besides closing its brackets: a block
# (`if (x)`, `} else`), an operand (`a +`, `return x ||`)
_FINISHERS = ("", " {}", " undefined", ";")
MAX_FILES_SCANNED = 2000  # files asked whether they use a name unresolved (the failure path only)


@lru_cache(maxsize=1)
def js_globals() -> frozenset[str]:
    """The standard environments' global names (see the module doc), read once."""
    text = resources.files(__package__).joinpath("js_globals.txt").read_text()
    return frozenset(line for line in text.split() if line and not line.startswith("#"))


# -- what a file adds to the global scope ---------------------------------------------------------

_DECLARATIONS = frozenset({"variable_declaration", "lexical_declaration", "function_signature",
                           "function_declaration", "generator_function_declaration", "class_declaration",
                           "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
                           "enum_declaration", "module", "internal_module"})


def _declared_names(decl: ts.Node) -> list[str]:
    if decl.type in ("variable_declaration", "lexical_declaration"):
        out = []
        for d in decl.named_children:
            name = d.child_by_field_name("name") if d.type == "variable_declarator" else None
            if name is not None and name.type == "identifier":
                out.append(name.text.decode("utf-8", "replace"))
        return out
    name = decl.child_by_field_name("name")
    if name is not None and name.type in ("identifier", "type_identifier", "nested_identifier"):
        return [name.text.decode("utf-8", "replace").split(".")[0]]
    return []


def declared_globals(root: ts.Node) -> set[str]:
    """The global names a file declares: every top-level declaration of a script (no `import` or
    `export`), and what `declare global { }` blocks (also `global { }` inside `declare module`)
    declare. bench/make_js_globals.py reads the environments' declaration files with it."""
    out: set[str] = set()

    def walk(stmts: list[ts.Node], top: bool) -> None:
        after_global = False
        for s in stmts:
            if after_global and s.type == "statement_block":
                walk(s.named_children, True)  # `global { }` inside `declare module "m" { }`
                after_global = False
                continue
            after_global = s.type in ("expression_statement", "ERROR") and s.text == b"global"
            inner = s
            if s.type == "export_statement":
                inner = s.child_by_field_name("declaration") or s
            if inner.type == "expression_statement" and inner.named_children and \
                    inner.named_children[0].type == "internal_module":
                inner = inner.named_children[0]  # `namespace NodeJS { }` in a block
            if inner.type == "ambient_declaration":
                kids = inner.named_children
                block = next((k for k in kids if k.type == "statement_block"), None)
                if block is not None:  # `declare global { }`
                    walk(block.named_children, True)
                    continue
                for k in kids:
                    if k.type == "module" and (k.child_by_field_name("name") or k).type == "string":
                        body = k.child_by_field_name("body")
                        if body is not None:  # `declare module "fs"`: only its `global { }`
                            walk(body.named_children, False)
                    elif top and k.type in _DECLARATIONS:
                        out.update(_declared_names(k))
            elif top and inner.type in _DECLARATIONS:
                out.update(_declared_names(inner))

    script = not any(c.type in ("import_statement", "export_statement") for c in root.named_children)
    walk(root.named_children, script)
    return out


@dataclass(frozen=True)
class FileFacts:
    """What a file says that the map's records do not: the global names it declares, the types
    it augments (`declare module`), the types with an index signature or a computed member name
    (`indexed`), whether it adds members dynamically (JS) and whether it is a script."""

    globals: frozenset[str] = frozenset()
    augmented: frozenset[str] = frozenset()
    indexed: frozenset[str] = frozenset()
    dynamic: bool = True  # JavaScript's ways of adding members the records do not show (or no text)
    script: bool = True  # no module syntax: its top-level names are global, merged with others'


_NO_FACTS = FileFacts()
_FACTS: dict[tuple, FileFacts] = {}  # see facts_of


def _owner_name(node: ts.Node) -> str | None:
    p = node.parent
    while p is not None:
        if p.type in ("class_declaration", "abstract_class_declaration", "interface_declaration", "class"):
            name = p.child_by_field_name("name")
            return name.text.decode("utf-8", "replace") if name is not None else None
        if p.type in ("program", "statement_block"):
            return None
        p = p.parent
    return None


def file_facts(fm: FileMap, data: bytes | None) -> FileFacts:
    """`fm`'s facts (see FileFacts), from its text `data` (None: unreadable, nothing known). A
    module that augments nothing, declares no index signature and is no script costs no parse."""
    if data is None:
        return _NO_FACTS
    dynamic = _JS_DYNAMIC_MEMBERS.search(data) is not None
    script = not _MODULE_SYNTAX.search(data) and not commonjs(fm)
    augments = _AUGMENTS.search(data) is not None
    if not (script or augments or b"[" in data):  # (both kinds of member name start with `[`)
        return FileFacts(dynamic=dynamic, script=script)
    root = fm.language.parser().parse(data).root_node
    globs = declared_globals(root) if (script or augments) else set()
    augmented: set[str] = set()
    indexed: set[str] = set()
    todo = [root]
    while todo:
        n = todo.pop()
        if n.type in ("index_signature", "computed_property_name"):
            owner = _owner_name(n)  # `[key: string]: T`, `[KEY] = 1`: names the records lack
            if owner:
                indexed.add(owner)
        elif n.type == "ambient_declaration" and augments:
            for m in n.named_children:
                if m.type == "module" or m.type == "statement_block":
                    augmented.update(_nested_declared(m))
        todo.extend(n.named_children)
    return FileFacts(frozenset(globs), frozenset(augmented), frozenset(indexed), dynamic, script)


def facts_of(run: Any, fm: FileMap) -> FileFacts:
    """`file_facts` of a workspace file, cached by its map's hash (its text read only then), or
    of the checked document as the suggestion makes it, cached by that text's checksum."""
    if fm.path == run.fm.path:
        key: tuple = (fm.path, "doc", zlib.crc32(run.p.data))
    else:
        key = (fm.path, fm.hash)
    got = _FACTS.get(key)
    if got is None:
        if fm.path == run.fm.path:
            data: bytes | None = run.p.data
        else:
            text = run.svc.text_of(fm.path)
            data = text.encode("utf-8") if text is not None else None
        got = file_facts(fm, data)
        if len(_FACTS) > 20_000:
            _FACTS.clear()
        _FACTS[key] = got
    return got


def _nested_declared(node: ts.Node) -> set[str]:
    """Names of the interfaces, classes and namespaces declared anywhere inside `node`."""
    out: set[str] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if n.type in ("interface_declaration", "class_declaration", "abstract_class_declaration",
                      "internal_module", "enum_declaration"):
            out.update(_declared_names(n))
        todo.extend(n.named_children)
    return out


def _script_files(ws: Workspace) -> list[FileMap]:
    return [f for f in list(ws.files.values()) if f.language in LANGUAGES]


class JavaScriptRules(CheckRules):
    """JavaScript's rules; TypeScript's (below) differ where types make members certain."""

    scope_types = _SCOPES
    self_receivers: tuple[str, ...] = ("this",)  # a subclass may set `this.x`
    typed = False  # whether a member the map does not see is an error (TypeScript's checker)

    def decides_names(self, fm: FileMap) -> bool:
        return True

    def implicit(self, name: str, fm: FileMap) -> bool:
        return name in js_globals() or name in fm.language.builtins

    def unbound_syntax(self, node: ts.Node) -> bool:
        return node.type in _TYPE_NAMES or under(node, _TYPE_CONTEXTS, _SCOPES)

    def bound_in_syntax(self, node: ts.Node, name: str) -> bool:
        """Whether the top-level statement around `node` has `name` in a binding position the
        extractor may not record (a function expression's own name, a nested pattern)."""
        top = node
        while top.parent is not None and top.parent.type != "program":
            top = top.parent
        want = name.encode("utf-8")
        todo = [top]
        while todo:
            n = todo.pop()
            if n.type in ("identifier", "shorthand_property_identifier_pattern"):
                if n.text == want and n.parent is not None and n.parent.type in _BINDERS and n is not node:
                    return True
                continue
            todo.extend(n.children)
        return False

    def environment(self, run: Any, name: str) -> bool:
        """Whether the workspace gives `name` to the global scope (see the module doc): a
        script's top-level declaration or a `declare global` of it, another file's use of it
        the map cannot resolve either, a write of it on the global object."""
        scanned = 0
        for fm in _script_files(run.ws):
            if fm.path == run.fm.path:
                continue
            if name in fm.module_bindings() and name in facts_of(run, fm).globals:
                return True
            if name in fm.ref_names:
                scanned += 1
                if scanned > MAX_FILES_SCANNED or _used_unbound(run.r, fm, name):
                    return True  # (past the bound: assume it is, precision first)
        return any(name in facts_of(run, fm).globals for fm in _declaration_files(run.ws))

    def is_store(self, node: ts.Node) -> bool:
        member = node.parent
        if self.typed or member is None or member.type != "member_expression":
            return False
        p = member.parent
        return p is not None and p.type in _STORES and p.child_by_field_name("left") == member

    def closed(self, run: Any, value: Value) -> bool:
        return closed_value(value, lambda m: self._closed_module(run.r, m.file, set()),
                            lambda c: closed_hierarchy(run, c, lambda k: self._closed_class(run, k)))

    def may_have(self, run: Any, value: Value, ref: Ref) -> bool:
        """JavaScript: whether anything in the workspace names the member (set where the map
        cannot see: `o.x = v` in another file, a mixin, `Object.assign`): it may well exist.
        TypeScript's checker would reject it, so there the map's answer stands."""
        if self.typed:
            return False
        return ref.name in run.ws.names or any(
            ref.name in fm.ref_names for fm in _script_files(run.ws) if fm.path != run.fm.path)

    def _closed_module(self, r: Resolver, fm: FileMap, seen: set[str]) -> bool:
        if fm.path in seen:
            return True
        seen.add(fm.path)
        if fm.language not in LANGUAGES or commonjs(fm):
            return False
        for m in fm.star_imports():
            t = r.module_target(fm, m)
            if not isinstance(t, Located) or not self._closed_module(r, t.file, seen):
                return False
        return True

    def _closed_class(self, run: Any, c: Located) -> bool:
        """One class or interface of the hierarchy: no second declaration merging into it, no
        index signature, no augmentation; JavaScript: no decorator nor dynamic members."""
        sym, fm = c.symbol, c.file
        if fm.language not in LANGUAGES or sym.kind != CLASS or sym.dynamic or sym.value is not None:
            return False  # (a type alias: `value` is what it names)
        if len(fm.by_qualname.get(sym.qualname, ())) != 1:
            return False  # declaration merging: a class and an interface or namespace of one name
        facts = facts_of(run, fm)
        if sym.name in facts.indexed:
            return False  # `[key: string]: T`, `[KEY]() {}`: names the map does not see
        if fm.language.name == "javascript" and (sym.decorators or facts.dynamic):
            return False
        if facts.script and sym.parent == "" and len(run.ws.names.get(sym.name, ())) > 1:
            return False  # a script's global declaration merges with another file's of its name
        return not self._augmented(run, sym.name)

    def _augmented(self, run: Any, name: str) -> bool:
        """Whether a `declare module` / `declare global` block of the workspace declares a type
        of this name (it merges into the class or interface)."""
        for path in run.ws.names.get(name, ()):
            fm = run.ws.files.get(path)
            if fm is not None and fm.language in LANGUAGES and name in facts_of(run, fm).augmented:
                return True
        return any(name in facts_of(run, fm).augmented for fm in _declaration_files(run.ws))

    def check_call(self, ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                   target: Any) -> Problem | None:
        """The map's own arity rule (exact only without defaults, optional or rest parameters,
        overloads, `arguments`; JavaScript forgives missing arguments); not through `this`."""
        if not isinstance(target, Located) or target.symbol.kind not in (FUNCTION, METHOD) or \
                ref.star or ref.kind not in (REF_NAME, REF_ATTRIBUTE) or ref.receiver in ("this", "super"):
            return None
        return ts_check_call(ws, ref, unit, target)

    def check_import(self, run: Any, unit: Unit, ref: Ref) -> None:
        """Named imports from the workspace's ES modules (the map's rule); anything else (a
        package, a CommonJS module, an asset) is unknown."""
        from ..check import IMPORT_MISSING

        if ref.module is None or ref.receiver is not None:
            run.v.unknown.append(ref.name)
            return
        module = run.r.module_target(run.fm, ref.module)
        if not isinstance(module, Located) or commonjs(module.file):
            run.v.unknown.append(ref.name)
            return
        run.v.checked += 1
        problem = checks.check_import(run.ws, run.r, run.fm, unit, ref)
        if problem is not None:
            run.issue(IMPORT_MISSING, unit, ref, f"{module.file.module}.{ref.name}", problem.message)

    def finishings(self, text: str, data: bytes, offset: int) -> list[tuple[str, bool]]:
        return finished(text, closers(text, "//", "'\"`", escapes=True), _FINISHERS)


class TypeScriptRules(JavaScriptRules):
    """TypeScript and TSX: the checker rejects a member its type does not declare, in a base
    class's `this` as anywhere, and writing one does not create it."""

    self_receivers = ()
    typed = True


def _declaration_files(ws: Workspace) -> list[FileMap]:
    return [f for f in list(ws.files.values()) if f.is_stub and f.language in LANGUAGES]


def _used_unbound(r: Resolver, fm: FileMap, name: str) -> bool:
    """Whether `fm` uses `name` bare where the map cannot resolve it, or writes it on the global
    object (`window.name = v`)."""
    for ref, _unit in fm.iter_refs():
        if ref.name != name:
            continue
        if ref.kind == REF_NAME and ref.receiver is None and \
                r.resolve_name(fm, ref.scope, name, follow=False) is None:
            return True
        if ref.kind == REF_ATTRIBUTE and ref.receiver in GLOBAL_OBJECTS:
            return True
    return False
