"""Go's name resolution on the map: packages are directories, imports are mapped by go.mod.

The rules (the Go spec's "Declarations and scope", "Import declarations", "Selectors"):
- a name is looked up in its function (inner blocks are merged into it by extraction; a local
  is seen only below its first binding), then the package block (every file of the directory),
  then the file's imports (an unaliased import binds the imported package's clause name, not
  the path's last element), dot imports, then the universe (`BUILTINS`);
- an import path names a directory through the `module` line of the nearest go.mod (`std`, the
  standard library's, maps paths as they are); a path no workspace directory holds is outside;
- `x.f` follows `x` only where its type is certain: a package, a type (method expressions), a
  parameter, field or variable declared with a named type, a variable set from a composite
  literal (`T{}`, `&T{}`); members are the type's fields and its methods (in any file of its
  package), then those promoted from embedded types, shallowest first, none when two at one
  depth collide. Anything else (results of calls, interface dynamic types) answers None.
"""

from __future__ import annotations

import os
import re
import weakref

from ...filemap import FileMap
from ...records import (
    ATTRIBUTE,
    CLASS,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    MODULE_REF,
    PARAMETER,
    REF_ATTRIBUTE,
    REF_BASE,
    REF_IMPORT,
    Ref,
    Symbol,
    Unit,
)
from ...resolve import LOCAL, MAX_DEPTH, External, Instance, Resolver, Target, Value
from ...workspace import Located, Workspace
from . import GO
from .build import file_builds
from .extract import BUILD_SCOPE, PACKAGE_SCOPE, default_import_name

_IDENT = re.compile(r"^[A-Za-z_]\w*$")
_TYPE_NAME = re.compile(r"^\*?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)(?:\[.*\])?$")
_COMPOSITE = re.compile(r"^&?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)(?:\[[^{]*\])?\s*\{")
_MODULE_LINE = re.compile(rb"^\s*module\s+\"?([^\s\"/]+(?:/[^\s\"]+)*)\"?", re.M)
_PACKAGE_KINDS = (CLASS, FUNCTION, "variable", "constant")
BUILTIN_PACKAGE = "builtin"  # where the universe block's names are documented
# workspace -> (generation, package directory -> paths, package tables): see `_packages`
_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def module_path_of(gomod: bytes) -> str | None:
    """The module path a go.mod declares (`module example.com/app`), or None."""
    m = _MODULE_LINE.search(gomod)
    return m.group(1).decode("utf-8", errors="replace") if m else None


def dir_of_import(path: str, modules: list[tuple[str, str]]) -> str | None:
    """The workspace directory an import path names, from (module path, its directory) pairs,
    longest module path first; `std` (the standard library's go.mod) maps paths as they are."""
    for modpath, moddir in modules:
        if modpath == "std":
            if "." not in path.partition("/")[0]:
                return _join(moddir, path)
            continue
        if path == modpath:
            return moddir or "."
        if path.startswith(modpath + "/"):
            return _join(moddir, path[len(modpath) + 1:])
    return None


def _join(base: str, rest: str) -> str:
    return f"{base}/{rest}" if base and base != "." else rest


def package_clause(fm: FileMap) -> str | None:
    names = fm.local_names(PACKAGE_SCOPE)
    return next(iter(names)) if names else None


def build_expr(fm: FileMap) -> str | None:
    names = fm.local_names(BUILD_SCOPE)
    return next(iter(names)) if names else None


def receiver_col(ref: Ref) -> int:
    """Where a selector's receiver starts, as far as the ref tells (`recv.name` on one line)."""
    return max(0, ref.col - 1 - len(ref.receiver or ""))


class GoResolver(Resolver):
    language = GO

    def __init__(self, ws: Workspace):
        super().__init__(ws)
        self._pkg_gen = -1
        self._pkg_files: dict[str, list[str]] = {}  # package directory -> paths of its files
        self._gomods: dict[str, tuple[str, str] | None] = {}  # directory -> nearest go.mod's module
        self._members: dict[tuple, tuple[list[str], dict[str, list[str]]]] = {}
        self._import_names: dict[str, tuple[FileMap, dict[str, Symbol]]] = {}

    # -- packages ----------------------------------------------------------------------------
    def _packages(self) -> dict[str, list[str]]:
        """Package directory -> paths of its Go files; with the package tables below, rebuilt
        when the workspace's generation moves (a file added, removed, or its interface
        changed), and shared by the resolvers of one workspace and generation (the completions'
        check makes a resolver per suggestion: a large package's table cost it milliseconds)."""
        gen = self.ws.generation
        if self._pkg_gen != gen:
            shared = _SHARED.get(self.ws)
            if shared is not None and shared[0] == gen:
                self._pkg_files, self._members = shared[1], shared[2]
            else:
                out: dict[str, list[str]] = {}
                for path, fm in list(self.ws.files.items()):
                    if fm.language is GO:
                        out.setdefault(fm.module, []).append(path)
                for paths in out.values():
                    paths.sort()
                self._pkg_files, self._members = out, {}
                _SHARED[self.ws] = (gen, out, self._members)
            self._pkg_gen = gen
            self._import_names.clear()
        return self._pkg_files

    def _package(self, fm: FileMap) -> tuple[list[str], dict[str, list[str]]]:
        """The paths of `fm`'s package (its directory and package clause), the files that build
        on the target (build.py) first, and its package-level qualnames -> the paths defining
        them, in the same order."""
        dirs = self._packages()
        key = (fm.module, package_clause(fm))
        got = self._members.get(key)
        if got is None:
            builds: list[str] = []
            others: list[str] = []
            for p in dirs.get(fm.module, ()):
                f = self.ws.files.get(p)
                if f is None or f.language is not GO:
                    continue
                c = package_clause(f)
                if key[1] is not None and c is not None and c != key[1]:
                    continue  # `package x_test` beside `package x`
                (builds if file_builds(p, build_expr(f)) else others).append(p)
            names: dict[str, list[str]] = {}
            for p in builds + others:
                for sym in self.ws.files[p].symbols[1:]:
                    if sym.parent == "" and sym.kind != IMPORT:
                        lst = names.setdefault(sym.qualname, [])
                        if not lst or lst[-1] != p:
                            lst.append(p)
            got = self._members[key] = (builds + others, names)
        return got

    def package_files(self, fm: FileMap) -> list[FileMap]:
        """Every file of `fm`'s package: `fm` first, then those that build, then the others."""
        out = [fm]
        for p in self._package(fm)[0]:
            f = self.ws.files.get(p)
            if f is not None and p != fm.path:
                out.append(f)
        return out

    def _defined(self, fm: FileMap, qualname: str, kinds: tuple[str, ...]) -> Located | None:
        """A package-level qualname of `fm`'s package: `fm`'s own first (what its build sees)."""
        paths = self._package(fm)[1].get(qualname, ())
        for p in sorted(paths, key=lambda p: p != fm.path):
            f = fm if p == fm.path else self.ws.files.get(p)
            for sym in (f.by_qualname.get(qualname, ()) if f is not None else ()):
                if sym.parent == "" and sym.kind in kinds:
                    return Located(f, sym)
        return None

    def package_name(self, fm: FileMap) -> str | None:
        for f in self.package_files(fm):
            name = package_clause(f)
            if name is not None:
                return name
        return None

    def definitions(self, loc: Located) -> int:
        """How many files of its package define `loc` (several: build constraints)."""
        if loc.symbol.parent != "":
            return 1
        return len(self._package(loc.file)[1].get(loc.symbol.qualname, ()))

    def rename_family(self, loc: Located) -> list[Located]:
        """The declarations a rename of `loc` takes along: the same package-level name (a
        function, method, type, or a field of such a type) in every file of its package, for
        every platform (build constraints), since each build sees one of them."""
        sym = loc.symbol
        names = self._package(loc.file)[1]
        if sym.parent != "":
            owner = loc.file.lookup(sym.parent)
            if owner is None or owner.parent != "" or owner.kind != CLASS or sym.kind == PARAMETER:
                return []
            top = owner.qualname
        else:
            top = sym.qualname
        out: list[Located] = []
        for p in names.get(top, ()):
            f = self.ws.files.get(p)
            for other in (f.by_qualname.get(sym.qualname, ()) if f is not None else ()):
                if other.kind == sym.kind and other.parent == sym.parent and other.id != sym.id:
                    out.append(Located(f, other))
        return out

    def _gomod_of(self, folder: str) -> tuple[str, str] | None:
        """(module path, module directory) of the go.mod nearest above `folder`."""
        if folder in self._gomods:
            return self._gomods[folder]
        found = None
        root = self.ws.roots[0] if self.ws.roots else None
        if root is not None:
            gomod = os.path.join(root, "" if folder == "." else folder, "go.mod")
            try:
                with open(gomod, "rb") as f:
                    mp = module_path_of(f.read(65536))
                found = (mp, folder) if mp else None
            except OSError:
                found = None
            if found is None and folder not in (".", ""):
                found = self._gomod_of(folder.rpartition("/")[0] or ".")
        self._gomods[folder] = found
        return found

    def package_of_import(self, fm: FileMap, path: str) -> FileMap | None:
        """The workspace package an import path names (one of its files), or None."""
        mod = self._gomod_of(fm.module)
        folder = dir_of_import(path, [mod]) if mod is not None else None
        if folder is None:
            folder = path  # no go.mod: a path below the root (GOPATH-like)
        key = GO.key_of(folder)
        target = self.ws.file_of_module(key)
        if target is None and self.ws.loader is not None:
            target = self.ws.loader(key)
        if target is None or target.language is not GO:
            return None
        # the package itself, not its external tests (`package x_test`): a file that builds,
        # the one with the package's doc comment first
        best = None
        for path in self._packages().get(target.module, ()):
            f = self.ws.files.get(path)
            if f is None or path.endswith("_test.go") or (package_clause(f) or "").endswith("_test"):
                continue
            rank = (not file_builds(path, build_expr(f)), f.module_symbol is None or not f.module_symbol.doc)
            if best is None or rank < best[0]:
                best = (rank, f)
        return best[1] if best is not None else target

    # -- modules -----------------------------------------------------------------------------
    def absolute_module(self, fm: FileMap, module: str) -> str:
        target = self.package_of_import(fm, module)
        return target.module if target is not None else module

    def module_target(self, fm: FileMap, module: str) -> Target:
        target = self.package_of_import(fm, module)
        if target is not None and target.module_symbol is not None:
            return Located(target, target.module_symbol)
        return External(module)

    def source_of(self, loc: Located) -> Located | None:
        return None

    def module_member(self, fm: FileMap, name: str, follow: bool = True, _seen: set | None = None) -> Target | None:
        """A package-level name of `fm`'s package (any of its files; imports are per file)."""
        return self._defined(fm, name, _PACKAGE_KINDS)

    def follow_import(self, loc: Located, depth: int = 0) -> Target | None:
        sym = loc.symbol
        if sym.kind != IMPORT or not sym.target:
            return loc
        return self.module_target(loc.file, sym.target[0])

    def imported_as(self, fm: FileMap, name: str) -> Located | None:
        """The import of `fm` that binds `name` (its alias, or the package clause's name)."""
        sym = self._imports(fm).get(name)
        return Located(fm, sym) if sym is not None else None

    def _imports(self, fm: FileMap) -> dict[str, Symbol]:
        """The names `fm`'s imports bind, made once per file map and generation (a name that is
        no import is asked hundreds of thousands of times in a check pass: builtins, fields)."""
        self._packages()  # drops the tables of an older generation
        held = self._import_names.get(fm.path)
        if held is not None and held[0] is fm:  # the map itself is held: its id is not reused
            return held[1]
        got: dict[str, Symbol] = {}
        for sym in fm.symbols:
            if sym.kind != IMPORT or sym.parent != "" or not sym.target:
                continue
            if sym.value == "alias":
                got.setdefault(sym.name, sym)
                continue
            target = self.package_of_import(fm, sym.target[0])
            bound = self.package_name(target) if target is not None else default_import_name(sym.target[0])
            if bound is not None:
                got.setdefault(bound, sym)
        self._import_names[fm.path] = (fm, got)
        return got

    # -- names -------------------------------------------------------------------------------
    def resolve_name(self, fm: FileMap, scope: str, name: str, follow: bool = True,
                     row: int | None = None, col: int | None = None) -> Target | None:
        """What `name` used in `scope` at (`row`, `col`) names (the position picks which of a
        local's declarations is in scope; without it, a local declared once)."""
        s = scope
        while s:
            locals_ = fm.local_names(s)
            if locals_ is not None and name in locals_:
                found = self._local(fm, s, name, row, col)
                if found is not None:
                    return found
            s = s.rpartition(".")[0]
        found = self.module_member(fm, name)
        if found is not None:
            return found
        imp = self.imported_as(fm, name)
        if imp is not None:
            return self.follow_import(imp) if follow else imp
        for path in fm.star_imports():
            pkg = self.package_of_import(fm, path)
            if pkg is not None:
                found = self.module_member(pkg, name)
                if found is not None:
                    return found
            else:
                return None  # a dot import from outside may bind it: say nothing
        return External(BUILTIN_PACKAGE, name) if name in GO.builtins else None

    def _local(self, fm: FileMap, scope: str, name: str, row: int | None, col: int | None) -> Target | None:
        """The local `name` of `scope` seen at `row`: of its declarations (one per block), the
        innermost whose span (its scope) holds the row; None when none does (the use is above
        them, or outside their blocks: an outer name), or when `row` is unknown and there are
        several."""
        cands = fm.by_qualname.get(f"{scope}.{name}")
        if not cands:
            return LOCAL  # a function literal's names have no symbols
        if row is None:
            return Located(fm, cands[0]) if len(cands) == 1 else None
        best = None
        at = (row, col if col is not None else 1 << 30)
        for sym in cands:
            r = sym.range
            if (r[0], r[1]) <= at and row <= r[2] and (best is None or r[:2] > best.range[:2]):
                best = sym
        return Located(fm, best) if best is not None else None

    # -- values and members ------------------------------------------------------------------
    def value_of_expr(self, fm: FileMap, scope: str, text: str, depth: int = 0,
                      row: int | None = None, col: int | None = None) -> Value | None:
        """The value of a receiver's text; `row`, the use's row (which of a local's
        declarations is meant), when known."""
        if depth > MAX_DEPTH or not text:
            return None
        text = text.strip()
        m = _COMPOSITE.match(text)
        if m and text.endswith("}"):
            t = self.type_named(fm, scope, m.group(1), depth)
            return Instance(t) if t is not None else None
        parts = text.split(".")
        if not all(_IDENT.match(p) for p in parts):
            return None
        value: Value | None = self.resolve_name(fm, scope, parts[0], row=row, col=col)
        if isinstance(value, Located):
            value = self.value_of_symbol(value, depth + 1)
        for part in parts[1:]:
            if value is None:
                return None
            owner = value
            value = self.member_of(value, part)
            if isinstance(value, Located):
                value = self.value_of_symbol(value, depth + 1)
            elif value is None and isinstance(owner, Instance):  # `x.Embedded.f`
                t = self.embedded_member(owner.cls, part)
                value = Instance(t) if t is not None else None
        return value

    def embedded_member(self, cls: Located, name: str) -> Located | None:
        """An embedded field of `cls` or of the types it embeds (shallowest first)."""
        return self._shallowest(cls, lambda t: self.embedded(t, name))

    def type_named(self, fm: FileMap, scope: str, text: str, depth: int = 0) -> Located | None:
        """The workspace type a type expression names (`T`, `*T`, `pkg.T`, `T[int]`), or None."""
        m = _TYPE_NAME.match(text.strip())
        if not m:
            return None
        parts = m.group(1).split(".")
        v = self.resolve_name(fm, scope, parts[0])
        if len(parts) == 2:
            v = self.member_of(v, parts[1]) if isinstance(v, Located) and v.symbol.kind == MODULE else None
        return v if isinstance(v, Located) and v.symbol.kind == CLASS else None

    def value_of_symbol(self, loc: Located, depth: int = 0) -> Value | None:
        sym = loc.symbol
        if sym.kind in (MODULE, CLASS, FUNCTION, METHOD):
            return loc
        if sym.kind == IMPORT:
            return self.follow_import(loc)
        if depth > MAX_DEPTH or sym.dynamic:
            return None
        scope = sym.parent or ""
        if sym.kind == ATTRIBUTE:
            scope = ""
        if sym.annotation:
            t = self.type_named(loc.file, scope, sym.annotation, depth)
            return Instance(t) if t is not None else None
        if sym.value and _COMPOSITE.match(sym.value):
            v = self.value_of_expr(loc.file, scope, sym.value, depth + 1)
            return v if isinstance(v, Instance) else None
        return None

    def member_of(self, value: Value, name: str) -> Target | None:
        if isinstance(value, External):
            if value is LOCAL or value.name:
                return None
            return External(value.module, name)
        if isinstance(value, Instance):
            return self.class_member(value.cls, name)
        if not isinstance(value, Located):
            return None
        sym = value.symbol
        if sym.kind == MODULE:
            return self.module_member(value.file, name)
        if sym.kind == CLASS:
            return self.class_member(value, name)
        if sym.kind == IMPORT:
            t = self.follow_import(value)
            return self.member_of(t, name) if t is not None and t != value else None
        return None

    def own_member(self, cls: Located, name: str) -> Located | None:
        """A field or interface method declared in the type, or a method declared on it."""
        q = f"{cls.symbol.qualname}.{name}"
        sym = cls.file.lookup(q)
        if sym is not None and sym.kind in (ATTRIBUTE, METHOD):
            return Located(cls.file, sym)
        method = self._defined(cls.file, q, (METHOD,))
        if method is not None:
            return method
        return None

    def embedded(self, cls: Located, name: str) -> Located | None:
        """The type of the embedded field `name` of `cls` (a field named by its type). Not a
        member answer: the field's declaration is not the type's, and has no symbol."""
        for text in cls.symbol.bases:
            if re.sub(r"\[.*\]$", "", text).rpartition(".")[2] == name:
                return self.type_named(cls.file, "", text)
        return None

    def class_member(self, cls: Located, name: str, _seen: set | None = None) -> Target | None:
        """Go's selector rule: the shallowest depth with exactly one such member."""
        return self._shallowest(cls, lambda t: self.own_member(t, name))

    def _shallowest(self, cls: Located, probe) -> Located | None:
        """`probe` over `cls` and its embedded types, depth by depth: the one answer of the
        shallowest depth that has any; None when that depth has two (ambiguous) or none has."""
        level = [cls]
        seen: set[str] = set()
        for _ in range(MAX_DEPTH):
            found: list[Located] = []
            nxt: list[Located] = []
            for t in level:
                if t.symbol.id in seen:
                    continue
                seen.add(t.symbol.id)
                got = probe(t)
                if got is not None:
                    found.append(got)
                nxt.extend(b for b in self.bases(t) if isinstance(b, Located))
            if len(found) == 1:
                return found[0]
            if len(found) > 1 or not nxt:
                return None
            level = nxt
        return None

    def bases(self, cls: Located) -> list[Target]:
        """The embedded types (struct fields without a name, embedded interfaces); an alias's
        target counts as its only base."""
        texts = list(cls.symbol.bases)
        if cls.symbol.value and not texts and cls.symbol.kind == CLASS:
            texts = [cls.symbol.value]
        out: list[Target] = []
        for text in texts:
            t = self.type_named(cls.file, "", text)
            if t is not None:
                out.append(t)
        return out

    def enclosing_class(self, fm: FileMap, scope: str) -> Located | None:
        """The receiver type of the method `scope` is in."""
        head = scope.split(".<", 1)[0]
        parts = head.split(".")
        if len(parts) >= 2:
            method = fm.lookup(".".join(parts[:2]))
            if method is not None and method.kind == METHOD and method.parent == "":
                t = self.module_member(fm, parts[0])
                return t if isinstance(t, Located) and t.symbol.kind == CLASS else None
        return None

    def keyword_target(self, fm: FileMap, ref: Ref) -> Target | None:
        return None

    # -- references --------------------------------------------------------------------------
    def _resolve_ref(self, fm: FileMap, ref: Ref, unit: Unit, follow: bool) -> Target | None:
        if ref.kind == REF_IMPORT:
            return self.module_target(fm, ref.module or ref.name) if ref.receiver == MODULE_REF else None
        if ref.kind in (REF_ATTRIBUTE, REF_BASE) and ref.receiver is not None:
            value = self.value_of_expr(fm, ref.scope, ref.receiver, row=ref.row + unit.start_row,
                                       col=receiver_col(ref))
            return self.member_of(value, ref.name) if value is not None else None
        target = self.resolve_name(fm, ref.scope, ref.name, follow, row=ref.row + unit.start_row, col=ref.col)
        return target

    def symbol_at(self, fm: FileMap, row: int, col: int) -> Symbol | None:
        """The symbol whose name is under the position (an unaliased import's name is its path,
        not a name: the path is an import reference)."""
        for s in fm.symbols[1:]:
            r = s.name_range
            if r[0] == row and r[1] <= col <= r[3] and not (s.kind == IMPORT and s.value != "alias"):
                return s
        return None
