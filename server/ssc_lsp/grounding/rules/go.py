"""Go's answers to the check's questions (see base.py).

Names: the Go resolver's scopes at the use's position (a local is seen below its declaration,
in its block; then the package block over every file of the directory, the file's imports by
their package clause's name, dot imports, the predeclared identifiers). A name no scope binds
is missing, except where the map cannot be sure: a dot import from outside the workspace, an
import from outside whose package name is only guessed from its path (`gopkg.in/yaml.v3` binds
`yaml`), a key of a composite literal whose type is not written (`[]T{{Name: 1}}`: a field, or
a map key). `fmt.Println` with no import of fmt is missing: Go does not compile it.

Members: a workspace package's names are all known; a workspace struct or interface type's
members are its fields and methods (any file of its package) and those promoted from embedded
types, all known only when every embedded type is a workspace struct or interface too. A type
defined from another type (`type T U`) or from outside is not decided. A standard package's
names are read from the installed toolchain's sources (grounding/go_std.py: `fmt.Printn` is
missing), unless go.mod asks for a newer Go; so are the members of a variable, parameter or
field declared with a standard type (`var wg sync.WaitGroup`: `wg.Wai()` is missing).

Calls: Go's arity rule (map/languages/go/checks.py, arity.py). Imports: a path inside the
workspace's own module that names no directory is missing. An unfinished line is finished Go's
way (brackets, a block `{}` for `if x > y`, an operand).
"""

from __future__ import annotations

import os
import re
from typing import Any

import tree_sitter as ts

from ...map.checks import Problem
from ...map.filemap import FileMap
from ...map.languages.arity import arity_call
from ...map.languages.go import checks as go_checks
from ...map.languages.go.resolve import dir_of_import, receiver_col
from ...map.records import (
    ATTRIBUTE,
    CLASS,
    IMPORT,
    MODULE,
    MODULE_REF,
    PARAMETER,
    VARIABLE,
    Ref,
    Unit,
)
from ...map.resolve import External, Instance, Resolver, Value
from ...map.workspace import Located, Workspace
from .. import go_std
from .base import UNKNOWN, CheckRules, closers, each_type, finished, source_text

_SCOPES = frozenset({"source_file", "block"})
_FINISHERS = ("", " {}", " nil", " nil {}")
_WORDS = re.compile(r"[a-z0-9]+")
_VERSION = re.compile(r"^v\d+$")
_IDENT_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_STD_TYPE = re.compile(r"^\*?([A-Za-z_]\w*)\.([A-Z]\w*)$")  # `sync.WaitGroup`, `*testing.T`
_STD_COMPOSITE = re.compile(r"^&?([A-Za-z_]\w*)\.([A-Z]\w*)\{")  # `strings.Builder{}`
_FUNCTIONS = frozenset({"function_declaration", "method_declaration", "func_literal"})


class GoRules(CheckRules):
    scope_types = _SCOPES

    def decides_names(self, fm: FileMap) -> bool:
        return True

    def lookup_name(self, run: Any, unit: Unit, ref: Ref):
        found = run.r.resolve_ref(run.fm, ref, unit, follow=False)
        if found is None and _maybe_imported(run, ref.name):
            return UNKNOWN
        return found

    def lookup_member(self, run: Any, unit: Unit, ref: Ref, value: Value):
        """A field or method; else an embedded field, named by its type (`s.Listener`, and
        `T{Listener: l}`), which has no symbol of its own."""
        found = run.r.member_of(value, ref.name)
        cls = value.cls if isinstance(value, Instance) else value
        if found is None and isinstance(cls, Located) and cls.symbol.kind == CLASS:
            r = run.r.for_language(cls.file.language)
            if any(t.rsplit(".", 1)[-1] == ref.name for t in _embedded_texts(r, cls)):
                return cls  # the embedded field exists (its type may be outside: not followed)
            node = run.p.node_at(unit, ref)
            if node is not None and self.bound_in_syntax(node, cls.symbol.name):
                return UNKNOWN  # a type of the function shadows the package's (not mapped)
        return found

    def bound_in_syntax(self, node: ts.Node, name: str) -> bool:
        """A type declared inside the function (`type ret struct{...}`): the extractor binds
        no local types."""
        fn, p = None, node.parent
        while p is not None:  # the outermost function: its types are seen in function literals
            if p.type in _FUNCTIONS:
                fn = p
            p = p.parent
        todo = [fn] if fn is not None else []
        while todo:
            n = todo.pop()
            if n.type in ("type_spec", "type_alias"):
                got = n.child_by_field_name("name")
                if got is not None and got.text.decode("utf-8", "replace") == name:
                    return True
            todo.extend(n.named_children)
        return False

    def unbound_syntax(self, node: ts.Node) -> bool:
        """The key of a composite literal whose type is not written (`{Name: 1}` inside
        `[]T{...}`): a field name or a map key, which the extractor cannot tell."""
        p = node.parent
        if p is not None and p.type == "literal_element":
            keyed = p.parent
            return keyed is not None and keyed.type == "keyed_element" and \
                keyed.child_by_field_name("key") == p
        return False

    def closed(self, run: Any, value: Value) -> bool:
        if isinstance(value, Located) and value.symbol.kind == MODULE:
            return True  # a workspace package: every file of its directory is mapped
        cls = value.cls if isinstance(value, Instance) else value
        if not isinstance(cls, Located) or cls.symbol.kind != CLASS:
            return False
        r = run.r.for_language(cls.file.language)
        for c in each_type(cls, lambda t: [b for b in r.bases(t) if isinstance(b, Located)]):
            if c.symbol.value is not None or not _struct_or_interface(run, c):
                return False  # an alias, or a type defined from another type
            if r.definitions(c) != 1:
                return False  # declared per platform (build constraints): members differ
            if len(r.bases(c)) != len(c.symbol.bases):
                return False  # an embedded type from outside
        return True

    def external_members(self, run: Any, value: External) -> frozenset[str] | None:
        """A standard package's names, from the toolchain's sources (go_std.py): not for a path
        inside the workspace's module (not mapped, or mapped from elsewhere), nor when go.mod
        asks for a newer Go than the toolchain's."""
        if value.name or not go_std.is_std_path(value.module):
            return None
        r = run.r.for_language(run.fm.language)
        mod = r._gomod_of(run.fm.module)
        if mod is not None and dir_of_import(value.module, [mod]) is not None:
            return None
        root = run.ws.roots[0] if run.ws.roots else None
        gomod = os.path.normpath(os.path.join(root, mod[1], "go.mod")) if mod is not None and root is not None else None
        if not go_std.version_fits(gomod):
            return None
        return go_std.package_members(value.module)

    def outside_type_members(self, run: Any, unit: Unit, ref: Ref) -> tuple[frozenset[str], str] | None:
        """`wg.Wai()` where `wg` (a variable, parameter or field declared once) is written with a
        standard library type: `var wg sync.WaitGroup`, `t *testing.T`, `x := strings.Builder{}`;
        its members from the toolchain's sources (go_std.type_members)."""
        receiver = ref.receiver or ""
        if not _IDENT_PATH.match(receiver):
            return None
        head, _, last = receiver.rpartition(".")
        r = run.r.for_language(run.fm.language)
        row, col = ref.row + unit.start_row, receiver_col(ref)  # which declaration is seen there
        if head:
            owner = r.value_of_expr(run.fm, ref.scope, head, row=row, col=col)
            found = r.member_of(owner, last) if isinstance(owner, Instance) else None
        else:
            found = r.resolve_name(run.fm, ref.scope, last, follow=False, row=row, col=col)
        if not isinstance(found, Located) or found.symbol.kind not in (VARIABLE, PARAMETER, ATTRIBUTE):
            return None
        sym = found.symbol
        m = _STD_TYPE.match(sym.annotation or "") or _STD_COMPOSITE.match(sym.value or "") \
            if not sym.dynamic else None
        if m is None:
            return None
        scope = "" if sym.kind == ATTRIBUTE else (sym.parent or "")
        imp = run.r.resolve_name(found.file, scope, m.group(1), follow=False)
        if not isinstance(imp, Located) or imp.symbol.kind != IMPORT or not imp.symbol.target:
            return None
        pkg = run.r.follow_import(imp)
        if not isinstance(pkg, External) or self.external_members(run, pkg) is None:
            return None  # not a standard package, or not one to decide (go.mod's version)
        members = go_std.type_members(pkg.module, m.group(2))
        return (members, f"{pkg.module}.{m.group(2)}") if members is not None else None

    def check_call(self, ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                   target: Any) -> Problem | None:
        return arity_call(go_checks.callee, resolver, fm, unit, ref)

    def check_import(self, run: Any, unit: Unit, ref: Ref) -> None:
        path = ref.module or ref.name
        if ref.receiver != MODULE_REF:
            run.v.unknown.append(path)
            return
        target = run.r.module_target(run.fm, path)
        if isinstance(target, Located):
            run.v.checked += 1
            return
        r = run.r.for_language(run.fm.language)
        mod = r._gomod_of(run.fm.module)
        folder = dir_of_import(path, [mod]) if mod is not None else None
        root = run.ws.roots[0] if run.ws.roots else None
        if folder is None or root is None or os.path.isdir(os.path.join(root, folder)):
            run.v.unknown.append(path)  # outside the module (or on disk but not mapped)
            return
        run.v.checked += 1
        run.issue("module", unit, ref, path, f"no package `{path}` in module `{mod[0]}`")

    def finishings(self, text: str, data: bytes, offset: int) -> list[tuple[str, bool]]:
        closing = closers(text, "//", "\"'`", escapes=True)
        return finished(text, closing, _FINISHERS)


def _struct_or_interface(run: Any, cls: Located) -> bool:
    """Whether the type's declaration is `T struct {` or `T interface {` (the map records no
    kind: `type T U` gets U's fields but not its methods, which the map would not see)."""
    text = source_text(run, cls)
    if text is None:
        return False
    lines = text.split("\n")
    row = cls.symbol.name_range[0]
    if row >= len(lines):
        return False
    name = re.escape(cls.symbol.name)
    return re.search(rf"\b{name}\s*(?:\[[^\]]*\])?\s+(?:struct|interface)\s*\{{", lines[row]) is not None


def _embedded_texts(r: Any, cls: Located) -> list[str]:
    """The embedded types of `cls` and of the workspace types it embeds, as written."""
    return [re.sub(r"\[.*\]$", "", t)
            for c in each_type(cls, lambda t: [b for b in r.bases(t) if isinstance(b, Located)])
            for t in c.symbol.bases]


def _maybe_imported(run: Any, name: str) -> bool:
    """Whether an import of the file from outside the workspace and the standard library
    could bind `name`: its package name is only guessed from the path's last element, and
    outside the standard library the two often differ (`go-yaml`, `yaml.v3`, `client-go`):
    any word of the last element (a version element `v2` skipped), or all of them joined."""
    lowered = name.lower()
    r = run.r.for_language(run.fm.language)
    for sym in run.fm.symbols:
        if sym.kind != IMPORT or sym.parent != "" or not sym.target or sym.value == "alias":
            continue
        path = sym.target[0]
        if "." not in path.split("/", 1)[0] or r.package_of_import(run.fm, path) is not None:
            continue  # the standard library binds its last element; a workspace package its clause
        elements = [e for e in path.rstrip("/").split("/") if not _VERSION.match(e)]
        words = _WORDS.findall(elements[-1].lower()) if elements else []
        if lowered in words or lowered == "".join(words):
            return True
    return False
