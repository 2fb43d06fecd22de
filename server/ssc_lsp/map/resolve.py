"""Name resolution on the map's own data: scopes, imports, members, bases.

Python's rules, as far as a static map can follow them: a name is looked up in its function
scopes (class scopes only when it is used directly in the class body), then the module, the
modules it star-imports, then builtins. Imports are followed across workspace files (relative
imports, packages, `__init__` re-exports, submodules). Attribute receivers are typed cheaply:
modules, classes, `self`/`cls`, annotated names and names assigned from a class call. Anything
beyond that is left to jedi (jedi_bridge.py), lazily and off the typing path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .filemap import FileMap
from .languages import Language
from .languages.python import PYTHON
from .records import (
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
    REF_KEYWORD,
    Ref,
    Symbol,
    Unit,
)
from .workspace import Located, Workspace

_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_CALL = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\(")
_MEMBER = re.compile(r"^\s*\.\s*([A-Za-z_]\w*)")


def _closing_paren(text: str, start: int) -> int | None:
    """The index of the `)` that closes the `(` at `start` (strings skipped), or None."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i if ch == ")" else None
        i += 1
    return None


MAX_DEPTH = 12


def unsubscripted(base: str) -> str:
    """A base class as written, without its type arguments: `Visitor[Line]` is `Visitor`."""
    head, bracket, _ = base.partition("[")
    return head.rstrip() if bracket and base.rstrip().endswith("]") and _DOTTED.match(head.rstrip()) else base


@dataclass(frozen=True, slots=True)
class External:
    """Something outside the workspace: a stdlib or third-party module member, or a builtin."""

    module: str
    name: str | None = None

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


@dataclass(frozen=True, slots=True)
class Instance:
    """The type of a value: an instance of a workspace class."""

    cls: Located


@dataclass(frozen=True, slots=True)
class SuperOf:
    """`super()` inside a class: members are looked up in its bases only."""

    cls: Located


LOCAL = External("<local>")  # bound in a comprehension or lambda: no symbol of its own

Target = Located | External
Value = Located | External | Instance | SuperOf


class Resolver:
    """Python's resolution rules, and the workspace's one entry point for every language: each
    method given a file, a `Located` or a value of another language first hands it to that
    language's resolver (`for_language`), which answers the same method with its own rules. The
    test is inline, two attribute reads: a wrapper around these methods, which call one another
    hundreds of thousands of times in a check pass, cost a third of its time."""

    language: Language = PYTHON

    def __init__(self, ws: Workspace):
        self.ws = ws
        self._others: dict[str, object] = {}  # language name -> its resolver
        self._cache: dict[tuple[str, int, str], Target | None] = {}
        self._cache_gen = -1
        self._file_ids: dict[str, int] = {}
        self._declared: Resolver | None = None

    def for_language(self, lang: Language):
        """The resolver of `lang`'s files over this workspace."""
        r = self._others.get(lang.name)
        if r is None:
            r = self._others[lang.name] = lang.make_resolver(self.ws)
        return r

    # -- caching ---------------------------------------------------------------------------
    def _check_cache(self, fm: FileMap) -> None:
        if self._cache_gen != self.ws.generation:
            self._cache.clear()
            self._file_ids.clear()
            self._cache_gen = self.ws.generation
        if self._file_ids.get(fm.path) != id(fm):
            if fm.path in self._file_ids:
                for k in [k for k in self._cache if k[0] == fm.path]:
                    del self._cache[k]
            self._file_ids[fm.path] = id(fm)

    # -- modules ---------------------------------------------------------------------------
    def absolute_module(self, fm: FileMap, module: str) -> str:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).absolute_module(fm, module)
        if not module.startswith("."):
            return module
        dots = len(module) - len(module.lstrip("."))
        rest = module[dots:]
        pkg = fm.module if fm.is_package else fm.module.rpartition(".")[0]
        for _ in range(dots - 1):
            pkg = pkg.rpartition(".")[0]
        return f"{pkg}.{rest}" if pkg and rest else (pkg or rest)

    def module_target(self, fm: FileMap, module: str) -> Target:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).module_target(fm, module)
        name = self.absolute_module(fm, module)
        target = self._module_file(fm, name)
        if target is not None and target.module_symbol is not None:
            return Located(target, target.module_symbol)
        return External(name)

    def _module_file(self, fm: FileMap, name: str) -> FileMap | None:
        """The file a module name means to `fm`: the source (what runs), except that a stub's
        imports read stubs first, as type checkers do (a stub may import names only stubs declare)."""
        if fm.is_stub:
            stub = self.ws.stub_of_module(name)
            if stub is not None:
                return stub
        return self.ws.file_of_module(name)

    # -- stubs beside sources ------------------------------------------------------------------
    def declared(self) -> Resolver:
        """The type checker's view of the workspace: modules read from their stubs where they
        have one (`attr.asdict` is what `attr/__init__.pyi` declares). Built once, on demand."""
        if self._declared is None:
            self._declared = StubFirstResolver(self.ws)
        return self._declared

    def source_of(self, loc: Located) -> Located | None:
        """A stub's definition on the source side: the same qualname in the module's `.py`,
        followed through imports (a package's stub declares what its `__init__` re-exports)."""
        if loc.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(loc.file.language).source_of(loc)
        if not loc.file.is_stub:
            return None
        src = self.ws.source_of_module(loc.file.language.key_of(loc.file.module))
        if src is None or src.module_symbol is None:
            return None
        if loc.symbol.kind == MODULE:
            return Located(src, src.module_symbol)
        first, *rest = loc.symbol.qualname.split(".")
        found = self.module_member(src, first)
        for part in rest:
            if not isinstance(found, Located) or found.symbol.kind != CLASS:
                return None
            found = self.class_member(found, part)
        return found if isinstance(found, Located) else None

    # -- names -----------------------------------------------------------------------------
    def resolve_name(self, fm: FileMap, scope: str, name: str, follow: bool = True,
                     row: int | None = None) -> Target | None:
        """What `name` used in `scope` names. `row`, the use's row when known: a class body's
        name is not seen above its binding (`@post_dump(...)` over `def post_dump` in a class
        is the module's `post_dump`: the decorator runs before the def binds the name)."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).resolve_name(fm, scope, name, follow, row)
        s = scope
        innermost = True
        while s:
            locals_ = fm.local_names(s)
            if locals_ is not None or "<" in s.rsplit(".", 1)[-1]:
                if name in fm.global_decls(s):
                    break
                if locals_ is not None and name in locals_:
                    sym = fm.lookup(f"{s}.{name}")
                    return self._maybe_follow(fm, sym, follow) if sym is not None else LOCAL
            else:
                owner = fm.lookup(s)
                if owner is not None and owner.kind == CLASS:
                    if innermost:
                        sym = fm.lookup(f"{s}.{name}")
                        if sym is not None and sym.kind != ATTRIBUTE and (row is None or sym.name_range[0] <= row):
                            return self._maybe_follow(fm, sym, follow)
                elif owner is not None and owner.kind in (FUNCTION, METHOD):
                    pass  # a function with no locals at all
            innermost = False
            s = s.rpartition(".")[0]
        return self.scope_member(fm, name, follow) or (External("builtins", name) if name in self.language.builtins else None)

    def scope_member(self, fm: FileMap, name: str, follow: bool = True) -> Target | None:
        """A name of the module's own scope, as code in it sees it: its members, where a
        language keeps the two apart (a CommonJS module's members are its exports)."""
        return self.module_member(fm, name, follow)

    def module_member(self, fm: FileMap, name: str, follow: bool = True, _seen: set | None = None) -> Target | None:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).module_member(fm, name, follow, _seen)
        if name in fm.module_bindings():
            sym = fm.lookup(name)
            if sym is not None:
                return self._maybe_follow(fm, sym, follow)
        seen = _seen or set()
        if fm.path in seen:
            return None
        seen.add(fm.path)
        for mod in fm.star_imports():
            t = self.module_target(fm, mod)
            if isinstance(t, Located):
                exported = t.file.all_names()
                if exported is not None and name not in exported:
                    continue
                if exported is None and name.startswith("_"):
                    continue
                found = self.module_member(t.file, name, follow, seen)
                if found is not None:
                    return found
        sub = self.ws.file_of_module(f"{fm.module}.{name}") if fm.is_package else None
        if sub is not None and sub.module_symbol is not None:
            return Located(sub, sub.module_symbol)
        if fm.is_package and self.ws.is_namespace(f"{fm.module}.{name}"):
            return External(f"{fm.module}.{name}")  # a namespace subpackage: a module, no file
        return None

    def external_member(self, module: str, name: str) -> Target:
        """`name` of a module with no file in the map: a submodule when `module` is a namespace
        package of the workspace (PEP 420 folder), else the outside name `module.name`."""
        if self.ws.is_namespace(module):
            sub = self.ws.file_of_module(f"{module}.{name}")
            if sub is not None and sub.module_symbol is not None:
                return Located(sub, sub.module_symbol)
        return External(module, name)

    def _maybe_follow(self, fm: FileMap, sym: Symbol, follow: bool) -> Target | None:
        loc = Located(fm, sym)
        if not follow or sym.kind != IMPORT:
            return loc
        found = self.follow_import(loc)
        if not isinstance(found, Located):
            # `try: from lib import f` / `except ImportError: def f(...)`: the workspace's own
            # definition is the one the map can show
            for alt in fm.by_qualname.get(sym.qualname, ())[1:]:
                if alt.kind != IMPORT:
                    return Located(fm, alt)
        return found

    def follow_import(self, loc: Located, depth: int = 0) -> Target | None:
        """From an import alias to what it names; the alias itself when that is unknown."""
        if loc.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(loc.file.language).follow_import(loc, depth)
        sym = loc.symbol
        if sym.kind != IMPORT or not sym.target or depth > MAX_DEPTH:
            return loc
        own = self._own_submodule(loc)
        if own is not None:
            return own
        module = self.module_target(loc.file, sym.target[0])
        if len(sym.target) == 1:
            return module
        name = sym.target[1]
        if isinstance(module, External):
            return self.external_member(module.module, name)
        found = self.module_member(module.file, name, follow=False)
        if found is None:
            return None
        if isinstance(found, Located) and found.symbol.kind == IMPORT:
            return self.follow_import(found, depth + 1)
        return found

    def _own_submodule(self, loc: Located) -> Located | None:
        """`from . import fields` in a package's `__init__`: the submodule, not the alias itself.

        Following the alias would find the alias again (the package's own binding) and loop.
        """
        sym, fm = loc.symbol, loc.file
        if not fm.is_package or sym.target is None or len(sym.target) != 2:
            return None
        if self.absolute_module(fm, sym.target[0]) != fm.module:
            return None
        sub = self.ws.file_of_module(f"{fm.module}.{sym.target[1]}")
        return Located(sub, sub.module_symbol) if sub is not None and sub.module_symbol else None

    # -- values and members --------------------------------------------------------------------
    def value_of_expr(self, fm: FileMap, scope: str, text: str, depth: int = 0) -> Value | None:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).value_of_expr(fm, scope, text, depth)
        if depth > MAX_DEPTH or not text:
            return None
        text = text.strip()
        if text in ("super()",) or text.startswith("super("):
            cls = self.enclosing_class(fm, scope)
            return SuperOf(cls) if cls is not None else None
        m = _CALL.match(text)
        if m:
            close = _closing_paren(text, m.end() - 1)
            if close is None:
                return None
            callee = self.value_of_expr(fm, scope, m.group(1), depth + 1)
            return self._trailer(self.call_result(callee, depth), text[close + 1:], depth)
        if not _DOTTED.match(text):
            return None
        parts = text.split(".")
        value: Value | None = self.resolve_name(fm, scope, parts[0])
        if isinstance(value, Located):
            value = self.value_of_symbol(value, depth)
        for part in parts[1:]:
            if value is None:
                return None
            value = self.member_of(value, part)
            if isinstance(value, Located):
                value = self.value_of_symbol(value, depth)
        return value

    def _trailer(self, value: Value | None, rest: str, depth: int) -> Value | None:
        """`value` followed by `.name` and `(...)` parts (`Order(...).items().first`)."""
        while rest and value is not None:
            m = _MEMBER.match(rest)
            if m:
                value = self.member_of(value, m.group(1))
                if isinstance(value, Located):
                    value = self.value_of_symbol(value, depth)
                rest = rest[m.end():]
            elif rest.startswith("("):
                close = _closing_paren(rest, 0)
                if close is None:
                    return None
                value = self.call_result(value, depth)
                rest = rest[close + 1:]
            else:
                return None  # subscripts, operators: not followed
        return value

    def call_result(self, callee: Value | None, depth: int) -> Value | None:
        if isinstance(callee, Located):
            if callee.symbol.kind == CLASS:
                return Instance(callee)
            sig = callee.symbol.signature
            if sig is not None and sig.returns:
                scope = callee.symbol.parent or ""
                return self._instance_of_annotation(callee.file, scope, sig.returns, depth)
        return None

    def value_of_symbol(self, loc: Located, depth: int = 0) -> Value | None:
        """What a name stands for when used as a receiver."""
        if loc.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(loc.file.language).value_of_symbol(loc, depth)
        sym = loc.symbol
        if sym.kind in (MODULE, CLASS, FUNCTION, METHOD):
            return loc
        if sym.kind == PARAMETER:
            owner = loc.file.lookup(sym.parent or "")
            if owner is not None and owner.kind == METHOD and owner.signature and owner.signature.params \
                    and owner.signature.params[0].name == sym.name and "staticmethod" not in owner.decorators:
                cls = loc.file.lookup(owner.parent or "")
                if cls is not None and cls.kind == CLASS:
                    c = Located(loc.file, cls)
                    return c if "classmethod" in owner.decorators else Instance(c)
        if sym.annotation:
            scope = sym.parent or ""
            inst = self._instance_of_annotation(loc.file, scope, sym.annotation, depth)
            if inst is not None:
                return inst
        if sym.value and depth < MAX_DEPTH:
            scope = sym.parent if sym.kind != ATTRIBUTE else (sym.qualname.rpartition(".")[0] + ".__init__")
            v = self.value_of_expr(loc.file, scope or "", sym.value, depth + 1)
            if isinstance(v, Located) and v.symbol.kind == MODULE:
                return v
            if isinstance(v, Instance) or (isinstance(v, Located) and v.symbol.kind == CLASS and not sym.value.endswith(")")):
                return v
        return loc if sym.kind == IMPORT else None

    def _instance_of_annotation(self, fm: FileMap, scope: str, ann: str, depth: int) -> Value | None:
        ann = ann.strip().strip("'\"")
        for prefix in ("Optional[", "typing.Optional["):
            if ann.startswith(prefix) and ann.endswith("]"):
                ann = ann[len(prefix):-1]
        ann = ann.split("|")[0].strip()
        if not _DOTTED.match(ann):
            return None
        v = self.value_of_expr(fm, scope, ann, depth + 1)
        return Instance(v) if isinstance(v, Located) and v.symbol.kind == CLASS else None

    def member_of(self, value: Value, name: str) -> Target | None:
        owner = value.file if isinstance(value, Located) else \
            value.cls.file if isinstance(value, Instance | SuperOf) else None
        if owner is not None and owner.language is not self.language:  # see for_language
            return self.for_language(owner.language).member_of(value, name)
        if isinstance(value, External):
            if value is LOCAL:
                return None
            return External(value.module, f"{value.name}.{name}") if value.name else self.external_member(value.module, name)
        if isinstance(value, Instance):
            return self.class_member(value.cls, name)
        if isinstance(value, SuperOf):
            for base in self.bases(value.cls):
                if isinstance(base, Located):
                    found = self.class_member(base, name)
                    if found is not None:
                        return found
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

    def class_member(self, cls: Located, name: str, _seen: set | None = None) -> Target | None:
        if cls.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(cls.file.language).class_member(cls, name, _seen)
        seen = _seen or set()
        if cls.symbol.id in seen:
            return None
        seen.add(cls.symbol.id)
        sym = cls.file.lookup(f"{cls.symbol.qualname}.{name}")
        if sym is not None:
            return self._maybe_follow(cls.file, sym, True)
        for base in self.bases(cls):
            if isinstance(base, Located):
                found = self.class_member(base, name, seen)
                if found is not None:
                    return found
        return None

    def bases(self, cls: Located) -> list[Target]:
        if cls.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(cls.file.language).bases(cls)
        scope = cls.symbol.parent or ""
        out: list[Target] = []
        for text in cls.symbol.bases:
            v = self.value_of_expr(cls.file, scope, unsubscripted(text))
            if isinstance(v, Located) and v.symbol.kind == CLASS:
                out.append(v)
            elif isinstance(v, External):
                out.append(v)
        return out

    def enclosing_class(self, fm: FileMap, scope: str) -> Located | None:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).enclosing_class(fm, scope)
        s = scope
        while s:
            sym = fm.lookup(s)
            if sym is not None and sym.kind == CLASS:
                return Located(fm, sym)
            s = s.rpartition(".")[0]
        return None

    # -- references ----------------------------------------------------------------------------
    def resolve_ref(self, fm: FileMap, ref: Ref, unit: Unit, follow: bool = True) -> Target | None:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).resolve_ref(fm, ref, unit, follow)
        key = (fm.path, unit.start_byte + ref.byte, "f" if follow else "n")
        self._check_cache(fm)
        if key in self._cache:
            return self._cache[key]
        result = self._resolve_ref(fm, ref, unit, follow)
        self._cache[key] = result
        return result

    def resolve_call(self, fm: FileMap, ref: Ref, unit: Unit) -> Target | None:
        """`ref` resolved as the callee of a call: signature help knows a call is open where
        the tree of the unfinished text may show a field access (`self.put(` then a line of
        broken code: no call in the tree, `nargs` -1)."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).resolve_call(fm, ref, unit)
        if ref.nargs >= 0:
            return self.resolve_ref(fm, ref, unit)
        return self._resolve_ref(fm, replace(ref, nargs=0), unit, True)  # not cached: not the ref's

    def _resolve_ref(self, fm: FileMap, ref: Ref, unit: Unit, follow: bool) -> Target | None:
        if ref.kind == REF_IMPORT:
            if ref.receiver == MODULE_REF:
                return self.module_target(fm, ref.module or ref.name)
            module = self.module_target(fm, ref.module or "")
            if isinstance(module, External):
                return self.external_member(module.module, ref.name)
            found = self.module_member(module.file, ref.name, follow)
            return found
        if ref.receiver is not None and ref.kind in (REF_ATTRIBUTE, REF_BASE):
            value = self.value_of_expr(fm, ref.scope, ref.receiver)
            if value is None:
                return None
            found = self.member_of(value, ref.name)
            if follow and isinstance(found, Located) and found.symbol.kind == IMPORT:
                return self.follow_import(found)
            return found
        if ref.kind == REF_KEYWORD:
            return self.keyword_target(fm, ref)
        return self.resolve_name(fm, ref.scope, ref.name, follow, row=ref.row + unit.start_row)

    def keyword_target(self, fm: FileMap, ref: Ref) -> Target | None:
        """`f(name=...)`: f's parameter `name` (for a class, its `__init__`'s), when f is known."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).keyword_target(fm, ref)
        text = ref.receiver or ""
        obj, dot, attr = text.rpartition(".")
        if dot:
            value = self.value_of_expr(fm, ref.scope, obj)
            callee = self.member_of(value, attr) if value is not None else None
        else:
            callee = self.resolve_name(fm, ref.scope, text)
        if isinstance(callee, Located) and callee.symbol.kind == CLASS:
            callee = self.class_member(callee, "__init__")
        if not isinstance(callee, Located) or callee.symbol.kind not in (FUNCTION, METHOD):
            return None
        param = callee.file.lookup(f"{callee.symbol.qualname}.{ref.name}")
        return Located(callee.file, param) if param is not None and param.kind == PARAMETER else None

    def ref_at(self, fm: FileMap, row: int, col: int) -> tuple[Ref, Unit] | None:
        """The reference under a (row, byte column) position."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).ref_at(fm, row, col)
        for unit in fm.units:
            if unit.start_row <= row <= unit.end_row:
                for ref in unit.refs:
                    if ref.row + unit.start_row == row and ref.col <= col <= ref.end_col:
                        return ref, unit
        return None

    def symbol_at(self, fm: FileMap, row: int, col: int) -> Symbol | None:
        """The symbol whose name is under a (row, byte column) position."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).symbol_at(fm, row, col)
        for s in fm.symbols[1:]:
            r = s.name_range
            if r[0] == row and r[1] <= col <= r[3]:
                return s
        return None

    def target_at(self, fm: FileMap, row: int, col: int) -> Target | None:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).target_at(fm, row, col)
        sym = self.symbol_at(fm, row, col)
        if sym is not None:
            loc = Located(fm, sym)
            return self.follow_import(loc) if sym.kind == IMPORT else loc
        hit = self.ref_at(fm, row, col)
        if hit is None:
            return None
        return self.resolve_ref(fm, hit[0], hit[1])


class StubFirstResolver(Resolver):
    """Resolution as type checkers do it: every module read from its stub where it has one."""

    def _module_file(self, fm: FileMap, name: str) -> FileMap | None:
        return self.ws.stub_of_module(name) or self.ws.file_of_module(name)
