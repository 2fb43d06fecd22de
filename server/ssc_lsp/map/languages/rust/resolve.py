"""Rust's name resolution on the map: modules are files and inline `mod`s, found from the
crate roots Cargo.toml names (cargo.py) through `mod` items.

The rules (the Rust Reference's "Paths", "Use declarations", "Modules"):
- a name is looked up in its function (inner blocks merged by extraction; a local is seen only
  below its first binding), then among the items of its module (every item of the module, in
  any order, `use` bindings included), then the module's glob imports, then the prelude
  (`BUILTINS`: External), then the package's own library name (from a binary, a test, an
  example) or a workspace crate it depends on by path (cargo.py); anything else is an outside
  crate: None;
- both sides of a `#[cfg]` are mapped (`#[cfg(test)] mod tests` is a module like any): two
  items of one name and namespace in one module, which only exclusive `#[cfg]`s allow, answer
  nothing (which is built is the build's to say);
- a path's first segment is `crate` (the crate root), `self` (this module), `super` (the parent
  module), `Self` (the type of the enclosing `impl`) or a name as above; each next segment is a
  member: of a module (its items, its `mod x;` files, `use` re-exports, glob imports), of a
  type (fields, variants, trait items, and the inherent `impl` items of the type, in any file of
  the workspace), never a trait `impl`'s item (which trait's method is meant needs a type
  checker);
- `x.f` follows `x` only where its type is certain: `self` in an inherent `impl`, a parameter,
  field or local declared with a named workspace type (through `&`/`&mut`), a local set from a
  struct literal. A call (`x.f()`) is an inherent method, anything else a field; a name not
  found there is a trait's method or a deref's: None.
"""

from __future__ import annotations

import os
import re

from ...filemap import FileMap
from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    REF_ATTRIBUTE,
    REF_BASE,
    Ref,
    Symbol,
    Unit,
)
from ...resolve import LOCAL, MAX_DEPTH, External, Instance, Resolver, Target, Value
from ...workspace import Located, Workspace
from . import RUST
from .cargo import CargoWorkspace, Package, child_files, load_toml, package_of_doc, parse_workspace
from .extract import STAR_SEP, UNTIL, strip_generics

_IDENT = re.compile(r"^[A-Za-z_]\w*$")
_STRUCT_LIT = re.compile(r"^([A-Za-z_][\w:]*)\s*(?:::<.*>)?\s*\{")
_TYPE_PREFIX = re.compile(r"^(?:&\s*(?:'\w+\s+)?(?:mut\s+)?)+")
_ITEM_KINDS = (MODULE, CLASS, FUNCTION, CONSTANT, "variable", IMPORT)
PATH_SEP = "::"

Module = tuple[FileMap, str]  # a file and the inline module prefix inside it ("" or "a.b.")


def _visible(syms: list[Symbol], row: int | None, col: int | None) -> Symbol | None:
    """The binding a use at (row, col) sees: an item of the block, or the last parameter or
    `let` whose declaration ends before the use (a `let` is not seen in its own initializer) and
    whose block (`Symbol.target`, see extract.visible_until) has not ended; unknown position:
    the first; row -1: items only (a path's head)."""
    if row is None:
        return syms[0]
    if row < 0:
        seen = [s for s in syms if s.kind in (FUNCTION, CLASS)]
        return seen[0] if seen else None
    at = (row, col if col is not None else 1 << 30)
    seen = [s for s in syms if s.kind in (FUNCTION, CLASS) or ((s.range[2], s.range[3]) <= at and _before_end(s, at))]
    return max(seen, key=lambda s: (s.range[2], s.range[3])) if seen else None


_NAMESPACE = {MODULE: "type", CLASS: "type", FUNCTION: "value", CONSTANT: "value", "variable": "value"}


def _cfg_alternatives(items: list[Symbol]) -> bool:
    """Whether some two items share a namespace (two `use`s of one name counted as sharing
    one): only `#[cfg]` lets them both be written."""
    spaces = [_NAMESPACE.get(s.kind, "use") for s in items]
    return len(set(spaces)) < len(spaces)


def _before_end(sym: Symbol, at: tuple[int, int]) -> bool:
    t = sym.target
    if not t or t[0] != UNTIL:
        return True
    return at <= (int(t[1]) + sym.row0, int(t[2]))


class RustResolver(Resolver):
    language = RUST

    def __init__(self, ws: Workspace):
        super().__init__(ws)
        self._manifests: dict[str, Package | None] = {}  # folder -> nearest package above it
        self._docs: dict[str, dict | None] = {}  # folder -> its Cargo.toml, parsed
        self._gen = -1
        self._inherent: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (type, member) -> (path, id)
        self._active: set[tuple[str, str, str]] = set()  # globs and uses being followed (cycles)

    # -- crates ------------------------------------------------------------------------------
    def manifest(self, folder: str) -> dict | None:
        """The parsed Cargo.toml directly in `folder` (read from disk once), or None."""
        if folder in self._docs:
            return self._docs[folder]
        doc = None
        root = self.ws.roots[0] if self.ws.roots else None
        if root is not None:
            try:
                with open(os.path.join(root, folder, "Cargo.toml"), "rb") as f:
                    doc = load_toml(f.read(1 << 20))
            except OSError:
                doc = None
        self._docs[folder] = doc
        return doc

    def package_of(self, folder: str) -> Package | None:
        """The package whose Cargo.toml is nearest above `folder` (cached)."""
        if folder in self._manifests:
            return self._manifests[folder]
        doc = self.manifest(folder)
        found = package_of_doc(folder, doc) if doc is not None else None
        if found is None and folder:
            found = self.package_of(folder.rpartition("/")[0])
        self._manifests[folder] = found
        return found

    def cargo_workspace(self, pkg: Package) -> CargoWorkspace | None:
        """The workspace a package belongs to: the nearest manifest at or above its folder with
        a `[workspace]` that takes it as a member."""
        folder: str | None = pkg.folder
        while folder is not None:
            doc = self.manifest(folder)
            ws = parse_workspace(folder, doc) if doc is not None else None
            if ws is not None:
                return ws if ws.has_member(pkg.folder) else None
            folder = folder.rpartition("/")[0] if folder else None
        return None

    def dependency_crate(self, pkg: Package, name: str) -> Package | None:
        """The workspace package a crate name written in `pkg`'s code stands for, through its
        path dependencies (directly or from `[workspace.dependencies]`), or None."""
        for dep in pkg.deps:
            renamed = dep.renamed
            if dep.inherited:
                ws = self.cargo_workspace(pkg)
                entry = ws.deps.get(dep.key) if ws is not None else None
                if entry is None:
                    continue
                dep, renamed = entry, renamed or entry.renamed
            if dep.path is None or (renamed and dep.code_name != name):
                continue
            doc = self.manifest(dep.path)
            target = package_of_doc(dep.path, doc) if doc is not None else None
            if target is not None and (renamed or target.name == name):
                return target
        return None

    def _file(self, relpath: str) -> FileMap | None:
        fm = self.ws.files.get(relpath)
        if fm is None and self.ws.loader is not None:
            fm = self.ws.file_of_module(RUST.key_of(RUST.module_name(relpath, set())))
            if fm is not None and fm.path != relpath:
                return None
        return fm if fm is not None and fm.language is RUST else None

    def is_root(self, fm: FileMap) -> bool:
        pkg = self.package_of(fm.path.rpartition("/")[0])
        return pkg is not None and pkg.is_root(fm.path)

    def crate_root(self, fm: FileMap) -> FileMap | None:
        """The crate root a file belongs to: itself for a root; for a file below the library's
        folder, the library, unless only the binary (`src/main.rs`) declares its top module."""
        pkg = self.package_of(fm.path.rpartition("/")[0])
        if pkg is None:
            return None
        if pkg.is_root(fm.path):
            return fm
        lib, main = self._file(pkg.lib), self._file(pkg.main)
        src = pkg.lib.rpartition("/")[0]
        if not fm.path.startswith(src + "/" if src else ""):
            return None
        top = fm.path[len(src) + 1 if src else 0:].split("/")[0].removesuffix(".rs")
        for root in (lib, main):
            if root is not None and self._mod_item(root, "", top) is not None:
                return root
        return lib or main

    def _mod_item(self, fm: FileMap, prefix: str, name: str) -> Symbol | None:
        for sym in fm.by_qualname.get(prefix + name, ()):
            if sym.kind == MODULE and sym.parent == "":
                return sym
        return None

    def child_module(self, fm: FileMap, sym: Symbol) -> Located | None:
        """The module a `mod` item declares: itself when inline, else its file."""
        if sym.value is None:
            return Located(fm, sym)
        inline = sym.qualname.split(".")[:-1]
        path_attr = sym.value[5:] if sym.value.startswith("path:") else None
        for rel in child_files(fm.path, self.is_root(fm), inline, sym.name, path_attr):
            target = self._file(rel)
            if target is not None and target.module_symbol is not None:
                return Located(target, target.module_symbol)
        return None

    def parent_module(self, fm: FileMap, prefix: str) -> Located | None:
        """`super` of the module (fm, prefix)."""
        if prefix:
            up = prefix[:-1].rpartition(".")[0]
            return self._module_value(fm, up + "." if up else "")
        if self.is_root(fm):
            return None
        root = self.crate_root(fm)
        folder = fm.path.rpartition("/")[0]
        if fm.path.endswith("/mod.rs"):
            folder = folder.rpartition("/")[0]
        if root is not None and folder == root.path.rpartition("/")[0]:
            return Located(root, root.module_symbol)
        for rel in (f"{folder}.rs", f"{folder}/mod.rs"):
            target = self._file(rel)
            if target is not None:
                return Located(target, target.module_symbol)
        return None

    def _module_value(self, fm: FileMap, prefix: str) -> Located | None:
        if not prefix:
            return Located(fm, fm.module_symbol) if fm.module_symbol is not None else None
        sym = self._mod_item(fm, "", prefix[:-1])
        return Located(fm, sym) if sym is not None else None

    def module_prefix(self, fm: FileMap, scope: str) -> str:
        """The inline module a scope is in (`m.f` -> `m.`)."""
        prefix = ""
        for part in scope.split(".") if scope else ():
            sym = self._mod_item(fm, "", prefix + part)
            if sym is None or sym.value is not None:
                break
            prefix += part + "."
        return prefix

    @staticmethod
    def _as_module(loc: Located) -> Module:
        sym = loc.symbol
        return loc.file, ("" if sym is loc.file.module_symbol else sym.qualname + ".")

    # -- modules (the generic entry points) ----------------------------------------------------
    def absolute_module(self, fm: FileMap, module: str) -> str:
        return module

    def module_target(self, fm: FileMap, module: str) -> Target:
        """What a path names as a module; also a glob import as `star_imports` stores it
        (`"<inline module prefix>|<path>"`: the path is read in that inline module)."""
        scope, star, path = module.partition(STAR_SEP)
        if star:
            found = self.resolve_path(fm, scope, path)
            return found if isinstance(found, Located) else External(path)
        found = self.resolve_path(fm, "", module)
        return found if isinstance(found, Located) else External(module)

    def source_of(self, loc: Located) -> Located | None:
        return None

    def module_member(self, fm: FileMap, name: str, follow: bool = True, _seen: set | None = None) -> Target | None:
        return self.item_of(fm, "", name, follow, _seen)

    def item_of(self, fm: FileMap, prefix: str, name: str, follow: bool = True,
                _seen: set | None = None) -> Target | None:
        """An item of the module (fm, prefix), its glob imports' next. Two items of one name
        and namespace in one module are items of exclusive `#[cfg]`s (rustc refuses them
        otherwise): which one is compiled depends on the build, so neither is the answer."""
        items = [s for s in fm.by_qualname.get(prefix + name, ()) if s.parent == "" and s.kind in _ITEM_KINDS]
        if len(items) > 1 and _cfg_alternatives(items):
            return None
        for sym in items:
            if sym.kind == MODULE:
                return self.child_module(fm, sym)
            loc = Located(fm, sym)
            if sym.kind == IMPORT and follow:
                return self.follow_import(loc, len(_seen or ()))
            return loc
        scope = prefix[:-1]
        globs = [e.partition(STAR_SEP)[2] for e in fm.star_imports() if e.partition(STAR_SEP)[0] == scope]
        key = (fm.path, prefix, name)
        if not globs or key in self._active or len(self._active) > MAX_DEPTH:
            return None  # a cycle of glob imports names nothing it has not named already
        self._active.add(key)
        try:
            for path in globs:
                src = self.resolve_path(fm, scope, path, depth=len(self._active))
                found = self.member_of(src, name) if src is not None else None
                if found is not None:
                    return found
        finally:
            self._active.discard(key)
        return None

    def follow_import(self, loc: Located, depth: int = 0) -> Target | None:
        sym = loc.symbol
        if sym.kind != IMPORT or not sym.target:
            return loc
        if depth > MAX_DEPTH:
            return None
        if sym.value == "crate":
            return self._extern_crate(loc.file, sym.target[0])
        key = (loc.file.path, sym.id, "")
        if key in self._active:
            return None  # `use` cycles resolve to nothing
        self._active.add(key)
        try:
            scope = sym.qualname.rpartition(".")[0]
            return self.resolve_path(loc.file, scope, sym.target[0], exclude=sym, depth=depth + 1)
        finally:
            self._active.discard(key)

    def _extern_crate(self, fm: FileMap, name: str) -> Target | None:
        """The root module of the crate `name` names in `fm`: the package's own library (from
        a binary, a test...), or a workspace crate it depends on by path."""
        pkg = self.package_of(fm.path.rpartition("/")[0])
        if pkg is None:
            return None
        crate = pkg if name == pkg.name else self.dependency_crate(pkg, name)
        if crate is not None:
            lib = self._file(crate.lib)
            if lib is not None and lib is not fm and lib.module_symbol is not None:
                return Located(lib, lib.module_symbol)
        return None

    # -- paths and names ---------------------------------------------------------------------
    def resolve_path(self, fm: FileMap, scope: str, path: str, exclude: Symbol | None = None,
                     depth: int = 0, row: int | None = None) -> Value | None:
        """What a path (`crate::a::B`, `super::f`, `Self::new`, `x`) written in `scope` names."""
        if depth > MAX_DEPTH:
            return None
        parts = [p for p in strip_generics(path).split(PATH_SEP) if p]
        if not parts:
            return None
        head, rest = parts[0], parts[1:]
        prefix = self.module_prefix(fm, scope)
        value: Value | None
        if head == "crate":
            root = self.crate_root(fm)
            value = Located(root, root.module_symbol) if root is not None and root.module_symbol else None
        elif head == "self":
            value = self._module_value(fm, prefix)
        elif head == "super":
            value = self.parent_module(fm, prefix)
        else:
            value = self._name(fm, scope, head, exclude, depth, row)
        for part in rest:
            if value is None:
                return None
            if part == "super" and isinstance(value, Located) and value.symbol.kind == MODULE:
                value = self.parent_module(*self._as_module(value))
                continue
            value = self.member_of(value, part)
            if isinstance(value, Located) and value.symbol.kind == IMPORT:
                value = self.follow_import(value, depth + 1)
        return value

    def _name(self, fm: FileMap, scope: str, name: str, exclude: Symbol | None, depth: int,
              row: int | None) -> Target | None:
        if name == "Self":
            return self.enclosing_class(fm, scope)
        if exclude is not None:  # a use path's head: never the use itself
            prefix = self.module_prefix(fm, scope)
            for sym in fm.by_qualname.get(prefix + name, ()):
                if sym is exclude:
                    return self._extern_crate(fm, name)
        return self.resolve_name(fm, scope, name, True, -1, -1)  # a path names no local value

    def resolve_name(self, fm: FileMap, scope: str, name: str, follow: bool = True,
                     row: int | None = None, col: int | None = None) -> Target | None:
        if name == "Self":
            return self.enclosing_class(fm, scope)
        s = scope
        while s:
            locals_ = fm.local_names(s)
            if locals_ is not None and name in locals_:
                syms = fm.by_qualname.get(f"{s}.{name}")
                if not syms:
                    return LOCAL
                sym = _visible(syms, row, col)
                if sym is not None:
                    return Located(fm, sym)
            s = s.rpartition(".")[0]
        prefix = self.module_prefix(fm, scope)
        found = self.item_of(fm, prefix, name, follow)
        if found is not None:
            return found
        if name in RUST.builtins:
            return External("std", name)
        return self._extern_crate(fm, name)

    # -- values and members ------------------------------------------------------------------
    def value_of_expr(self, fm: FileMap, scope: str, text: str, depth: int = 0,
                      at: tuple[int, int] | None = None) -> Value | None:
        """A receiver's value: a path (`a::B::`), a struct literal's type (`S{}`), `self`, or
        a chain of fields (`self.a.b`)."""
        if depth > MAX_DEPTH or not text:
            return None
        text = text.strip()
        if text.endswith("{}"):
            t = self.type_named(fm, scope, text[:-2], depth)
            return Instance(t) if t is not None else None
        if text.endswith(PATH_SEP):
            v = self.resolve_path(fm, scope, text[:-2], depth=depth)
            return v
        parts = text.split(".")
        if not all(_IDENT.match(p) for p in parts):
            return None
        if parts[0] == "self":
            cls = self._self_type(fm, scope)
            value: Value | None = Instance(cls) if cls is not None else None
        else:
            row, col = at if at is not None else (None, None)  # where the use is: which `let`
            value = self.resolve_name(fm, scope, parts[0], row=row, col=col)
            if isinstance(value, Located):
                value = self.value_of_symbol(value, depth + 1)
        for part in parts[1:]:
            if not isinstance(value, Instance):
                return None
            field = self.instance_member(value.cls, part, call=False)
            value = self.value_of_symbol(field, depth + 1) if field is not None else None
        return value

    def _self_type(self, fm: FileMap, scope: str) -> Located | None:
        """The type `self` is in a method of an inherent or trait impl."""
        return self.enclosing_class(fm, scope)

    def type_named(self, fm: FileMap, scope: str, text: str, depth: int = 0) -> Located | None:
        """The workspace type a type expression names (`S`, `&mut a::S<T>`), or None; an alias
        is followed to what it names."""
        text = _TYPE_PREFIX.sub("", text.strip())
        if not text or text.startswith(("dyn ", "impl ", "(", "[", "*", "fn")):
            return None
        text = strip_generics(text)
        if not all(_IDENT.match(p) for p in text.split(PATH_SEP)):
            return None
        v = self.resolve_path(fm, scope, text, depth=depth + 1)
        if isinstance(v, Located) and v.symbol.kind == CLASS:
            if v.symbol.value and depth < MAX_DEPTH:
                return self.type_named(v.file, "", v.symbol.value, depth + 1)
            return v
        return None

    def value_of_symbol(self, loc: Located, depth: int = 0) -> Value | None:
        sym = loc.symbol
        if sym.kind in (MODULE, CLASS, FUNCTION, METHOD):
            return loc
        if sym.kind == IMPORT:
            return self.follow_import(loc)
        if depth > MAX_DEPTH or sym.dynamic:
            return None
        scope = "" if sym.kind in (ATTRIBUTE, CONSTANT) else sym.parent or ""
        if sym.kind == ATTRIBUTE:
            scope = sym.qualname.rpartition(".")[0].rpartition(".")[0]
        if sym.annotation:
            t = self.type_named(loc.file, scope, sym.annotation, depth)
            return Instance(t) if t is not None else None
        if sym.value:
            m = _STRUCT_LIT.match(sym.value)
            if m and sym.value.endswith("}"):
                t = self.type_named(loc.file, scope, m.group(1), depth)
                return Instance(t) if t is not None else None
        return None

    def member_of(self, value: Value, name: str, _seen: set | None = None) -> Target | None:
        if isinstance(value, Instance):
            return self.instance_member(value.cls, name, call=None)
        if not isinstance(value, Located):
            return None
        sym = value.symbol
        if sym.kind == MODULE:
            fm, prefix = self._as_module(value)
            return self.item_of(fm, prefix, name, True, _seen)
        if sym.kind == CLASS:
            return self.class_member(value, name)
        if sym.kind == IMPORT:
            t = self.follow_import(value)
            return self.member_of(t, name, _seen) if t is not None and t != value else None
        return None

    def class_member(self, cls: Located, name: str, _seen: set | None = None) -> Target | None:
        """`Type::name`: a variant, a trait's item, an associated item of an inherent impl."""
        if cls.symbol.value:  # an alias
            t = self.type_named(cls.file, "", cls.symbol.value)
            return self.class_member(t, name) if t is not None and t != cls else None
        for own in cls.file.by_qualname.get(f"{cls.symbol.qualname}.{name}", ()):
            if own.parent == cls.symbol.qualname and own.kind != ATTRIBUTE:
                return Located(cls.file, own)
        found = self.inherent(cls, name)
        return found[0] if len(found) == 1 else None

    def instance_member(self, cls: Located, name: str, call: bool | None) -> Located | None:
        """`x.name` for an `x` of type `cls`: a field (not a call), an inherent method (a call)."""
        if call is not True:
            for sym in cls.file.by_qualname.get(f"{cls.symbol.qualname}.{name}", ()):
                if sym.kind == ATTRIBUTE and sym.parent == cls.symbol.qualname:
                    return Located(cls.file, sym)
            if call is False:
                return None
        found = [x for x in self.inherent(cls, name) if x.symbol.kind == METHOD]
        return found[0] if len(found) == 1 else None

    def inherent(self, cls: Located, name: str) -> list[Located]:
        """The items named `name` of the inherent impls of `cls`, in any file. The index keeps
        (path, symbol id), read in the files of now: an edit inside a body replaces a file's map
        without changing its interface (no new generation), and a kept `Located` would hold
        the old one."""
        if self._gen != self.ws.generation:
            index: dict[tuple[str, str], list[tuple[str, str]]] = {}
            for f in list(self.ws.files.values()):
                if f.language is not RUST:
                    continue
                for sym in f.symbols[1:]:
                    if sym.parent == "" and sym.kind in (METHOD, CONSTANT) and "." in sym.qualname \
                            and not sym.bases:
                        tq = sym.qualname.rpartition(".")[0]
                        index.setdefault((tq.rpartition(".")[2], sym.name), []).append((f.path, sym.id))
            self._inherent, self._gen = index, self.ws.generation
        out = []
        for path, sid in self._inherent.get((cls.symbol.name, name), ()):
            f = self.ws.files.get(path)
            sym = f.by_id.get(sid) if f is not None else None
            if sym is None:
                continue
            loc = Located(f, sym)
            tq = sym.qualname.rpartition(".")[0]
            if path == cls.file.path and tq == cls.symbol.qualname:
                out.append(loc)
                continue
            scope, _, tname = tq.rpartition(".")
            t = self.resolve_name(f, scope, tname)
            if isinstance(t, Located) and t.file.path == cls.file.path and t.symbol.id == cls.symbol.id:
                out.append(loc)
        return out

    def bases(self, cls: Located) -> list[Target]:
        return []

    # -- type hierarchy ---------------------------------------------------------------------------
    def trait_impls(self) -> list[tuple[Located, Located]]:
        """(type, trait) of every `impl Trait for Type` with an item, both resolved to workspace
        types (an impl without items, or of a generic or foreign type, is not seen)."""
        out: dict[tuple[str, str], tuple[Located, Located]] = {}
        seen: set[tuple[str, str, str]] = set()
        for f in list(self.ws.files.values()):
            if f.language is not RUST:
                continue
            for sym in f.symbols[1:]:
                if sym.parent != "" or not sym.bases or sym.kind not in (METHOD, CONSTANT) or "." not in sym.qualname:
                    continue
                tq = sym.qualname.rpartition(".")[0]
                key = (f.path, tq, sym.bases[0])
                if key in seen:
                    continue
                seen.add(key)
                scope, _, tname = tq.rpartition(".")
                typ, trait = self.type_named(f, scope, tname), self.type_named(f, scope, sym.bases[0])
                if typ is not None and trait is not None and trait.symbol.subkind == "trait":
                    out.setdefault((typ.symbol.id, trait.symbol.id), (typ, trait))
        return list(out.values())

    def supertraits(self, trait: Located) -> list[Located]:
        """`trait A: B + C`: B and C where the workspace declares them."""
        if trait.symbol.subkind != "trait":
            return []
        scope = trait.symbol.qualname.rpartition(".")[0]
        found = (self.type_named(trait.file, scope, b) for b in trait.symbol.bases)
        return [t for t in found if t is not None and t.symbol.subkind == "trait"]

    def supertypes_of(self, cls: Located) -> list[Located]:
        """Type hierarchy: the traits a type implements, a trait's supertraits."""
        sid = cls.symbol.id
        return self.supertraits(cls) + [tr for t, tr in self.trait_impls() if t.symbol.id == sid]

    def subtypes_of(self, cls: Located) -> list[Located]:
        """Type hierarchy: the types implementing a trait, the traits it is a supertrait of."""
        sid = cls.symbol.id
        subs = [t for t, tr in self.trait_impls() if tr.symbol.id == sid]
        for f in list(self.ws.files.values()):
            if f.language is RUST:
                subs += [Located(f, s) for s in f.symbols[1:] if s.subkind == "trait" and s.bases
                         and any(x.symbol.id == sid for x in self.supertraits(Located(f, s)))]
        return subs

    def enclosing_class(self, fm: FileMap, scope: str) -> Located | None:
        """The type of the `impl` (or trait) the scope is in: `Self`."""
        parts = scope.split(".<", 1)[0].split(".") if scope else []
        for i in range(len(parts), 1, -1):
            q = ".".join(parts[:i])
            sym = next((x for x in fm.by_qualname.get(q, ()) if x.kind == METHOD), None)
            if sym is None:
                continue
            tq = q.rpartition(".")[0]
            if sym.parent == tq:  # a trait's own method: Self is the implementing type
                return None
            owner, _, tname = tq.rpartition(".")
            t = self.type_named(fm, owner, tname)
            return t
        return None

    def keyword_target(self, fm: FileMap, ref: Ref) -> Target | None:
        return None

    # -- references --------------------------------------------------------------------------
    def _resolve_ref(self, fm: FileMap, ref: Ref, unit: Unit, follow: bool) -> Target | None:
        if ref.kind in (REF_ATTRIBUTE, REF_BASE) and ref.receiver is not None:
            if ref.receiver.endswith(PATH_SEP):
                value = self.resolve_path(fm, ref.scope, ref.receiver[:-2])
                found = self.member_of(value, ref.name) if value is not None else None
            else:
                value = self.value_of_expr(fm, ref.scope, ref.receiver, at=(ref.row + unit.start_row, ref.col))
                if not isinstance(value, Instance):
                    return None
                found = self.instance_member(value.cls, ref.name, call=ref.nargs >= 0
                                             if not ref.receiver.endswith("{}") else False)
            if follow and isinstance(found, Located) and found.symbol.kind == IMPORT:
                return self.follow_import(found)
            return found
        if ref.module == PATH_SEP:  # the head of a path (`fmt::Result`): never a local value
            return self.resolve_name(fm, ref.scope, ref.name, follow, row=-1, col=-1)
        found = self.resolve_name(fm, ref.scope, ref.name, follow, row=ref.row + unit.start_row, col=ref.col)
        if isinstance(found, Located) and found.symbol.kind == MODULE:  # `drop(x)` beside `mod drop;`
            return External("std", ref.name) if ref.name in RUST.builtins else None  # modules are no values
        return found

    # -- rename ------------------------------------------------------------------------------
    def rename_refusal(self, loc: Located) -> str | None:
        """Why renaming `loc` could not reach every use, or None. A trait's method and its
        implementations are called through values of any implementing type; an inherent method
        through values whose type only inference knows; a field is also written in shorthand
        (`S { f }`, `let S { f } = s`); a name may be captured in a format string (`"{x}"`)."""
        sym = loc.symbol
        if sym.kind == METHOD and (sym.bases or sym.parent):
            return (f"`{sym.name}` belongs to a trait: its implementations and its calls through "
                    "values of any type are for a type checker to find; nothing was renamed.")
        if sym.kind == ATTRIBUTE:
            return (f"`{sym.name}` is a field: struct literals and patterns may name it in shorthand "
                    "(`S { f }`), which the map does not rewrite; nothing was renamed.")
        if sym.kind == METHOD:
            untyped = self._untyped_calls(sym.name)
            if untyped:
                return (f"`{sym.name}` is called through values whose type the map cannot know "
                        f"({', '.join(untyped[:3])}); nothing was renamed.")
        captured = self._format_captures(loc)
        if captured:
            return (f"`{sym.name}` may be captured in a format string in {', '.join(captured[:3])}; "
                    "nothing was renamed.")
        return None

    def _untyped_calls(self, name: str) -> list[str]:
        """`x.name(...)` calls whose receiver the map cannot type, as `path:line`."""
        out = []
        for fm in list(self.ws.files.values()):
            if fm.language is not RUST or name not in fm.ref_names:
                continue
            for ref, unit in fm.iter_refs():
                if ref.name == name and ref.kind == REF_ATTRIBUTE and ref.receiver \
                        and not ref.receiver.endswith((PATH_SEP, "{}")) \
                        and not isinstance(self.value_of_expr(fm, ref.scope, ref.receiver), Instance):
                    out.append(f"{fm.path}:{ref.row + unit.start_row + 1}")
        return out

    def _format_captures(self, loc: Located) -> list[str]:
        """Files (the definition's and those using the name) whose text holds `{name}` or
        `{name:...}` (an inline format argument, which is no reference in the tree)."""
        name = loc.symbol.name
        pattern = re.compile(r"\{" + re.escape(name) + r"(?:[:}])")
        root = self.ws.roots[0] if self.ws.roots else None
        out = []
        for fm in list(self.ws.files.values()):
            if fm.language is not RUST or root is None or (fm is not loc.file and name not in fm.ref_names):
                continue
            try:
                with open(os.path.join(root, fm.path), "rb") as f:
                    text = f.read().decode("utf-8", errors="replace")
            except OSError:
                continue
            if pattern.search(text):
                out.append(fm.path)
        return sorted(out)

