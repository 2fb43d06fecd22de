"""Name resolution for TypeScript and JavaScript files: the workspace resolver's rules where JS
shares them (scopes, class members through `extends`, imports followed to their definitions),
its own where JS differs: module specifiers (modules.py: relative paths with probing, tsconfig
`paths`/`baseUrl`, workspace packages), `this`/`super`, `new C()`, re-exports and `default`.

Precision first: a receiver whose type only a type checker knows (a parameter without an
annotation, a `let` reassigned, a call of an unannotated function) resolves to None.
"""

from __future__ import annotations

import posixpath
import re
import threading
from bisect import bisect_left, bisect_right

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    MODULE_REF,
    PARAMETER,
    REF_IMPORT,
    REF_NAME,
    VARIABLE,
)
from ...relations import Use
from ...resolve import LOCAL, MAX_DEPTH, External, Instance, Resolver, SuperOf, Target, Value
from ...workspace import Located, Workspace
from . import JAVASCRIPT, TSX, TYPESCRIPT, module_key
from .extract import COMMONJS_EXPORTS, COMMONJS_VALUE, NAMESPACE_IMPORT, OWN_MODULE
from .modules import ProjectConfig, load_config, resolve_specifier
from .rename import Range, kept_uses, renamed_with

_CONFIGS: dict[int, tuple[tuple[int, int], ProjectConfig]] = {}  # id(ws) -> (key, config)
_CONFIG_LOCK = threading.Lock()


def project_config(ws: Workspace) -> ProjectConfig:
    """The workspace's tsconfigs and packages, read again when its set of files changes size
    or its first root changes (cheap to key; a tsconfig edited mid-session is read at the next
    file added or removed)."""
    key = (len(ws.files), hash(tuple(ws.roots)))
    got = _CONFIGS.get(id(ws))
    if got is not None and got[0] == key:
        return got[1]
    with _CONFIG_LOCK:
        if not ws.roots:
            cfg = ProjectConfig()
        else:
            folders = {posixpath.dirname(p) for p in list(ws.files)}
            cfg = load_config(ws.roots[0], folders)
        _CONFIGS[id(ws)] = (key, cfg)
        return cfg


class JavaScriptResolver(Resolver):
    language = JAVASCRIPT

    def __init__(self, ws: Workspace):
        super().__init__(ws)
        self._specs: dict[tuple[str, str, int], str | None] = {}
        self._cjs: dict[str, tuple[dict, bool, frozenset]] = {}  # path -> _commonjs_table
        self._at = threading.local()  # .unit: (file, unit) of the reference being resolved

    # -- rename (map/rename.py asks; the rules are in rename.py here) -------------------------
    def rename_keeps(self, found: list[Use], old: str) -> list[Use]:
        """The uses a rename leaves alone: through a default import's or `require` binding's name."""
        return kept_uses(self, found, old)

    def rename_also(self, use: Use, old: str, new: str) -> list[tuple[Range, str]]:
        """Rewritten with `use`: the CommonJS export re-exporting it by name, `require(m).old`."""
        return renamed_with(self, use, old, new)

    # -- modules -------------------------------------------------------------------------------
    def _exists(self, module: str) -> bool:
        key = module_key(module)
        return key in self.ws.modules or key in self.ws.stubs

    def resolved_module(self, fm, spec: str) -> str | None:
        """The module (path without extension) a specifier in `fm` names, or None."""
        if spec == OWN_MODULE:
            return fm.module
        ck = (fm.path, spec, self.ws.generation)
        if ck in self._specs:
            return self._specs[ck]
        found = resolve_specifier(spec, fm.path, self._exists, project_config(self.ws))
        if len(self._specs) > 50_000:
            self._specs.clear()
        self._specs[ck] = found
        return found

    def absolute_module(self, fm, module: str) -> str:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).absolute_module(fm, module)
        found = self.resolved_module(fm, module)
        return found if found is not None else module

    def module_target(self, fm, module: str) -> Target:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).module_target(fm, module)
        name = self.resolved_module(fm, module)
        target = self._module_file(fm, name) if name is not None else None
        if target is not None and target.module_symbol is not None:
            return Located(target, target.module_symbol)
        return External(module)

    def _module_file(self, fm, name: str):
        key = module_key(name)
        if fm.is_stub:
            stub = self.ws.stub_of_module(key)
            if stub is not None:
                return stub
        return self.ws.file_of_module(key)

    def module_member(self, fm, name: str, follow: bool = True, _seen: set | None = None) -> Target | None:
        """A module's member `name` as an importer sees it: a CommonJS module's are its exports
        (`exports.P = v`, `module.exports = {...}`; a class assigned to `module.exports` has
        its static members), and nothing else (its top-level names are its own); an ES
        module's are its top-level names and what `export *` re-exports."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).module_member(fm, name, follow, _seen)
        if not self._commonjs(fm):
            return self.scope_member(fm, name, follow, _seen)
        sym = fm.lookup(f"{COMMONJS_EXPORTS}.{name}")
        if sym is not None:
            return self._maybe_follow(fm, sym, follow)
        value = fm.lookup(COMMONJS_VALUE)
        if value is not None and value.kind == IMPORT:
            cls = self.follow_import(Located(fm, value))
            if isinstance(cls, Located) and cls.symbol.kind == CLASS:
                return self.class_member(cls, name)
        return None

    def _commonjs(self, fm) -> bool:
        """Whether a JS module exports by CommonJS assignments (remembered per extraction)."""
        return self._commonjs_table(fm)[1]

    def _commonjs_table(self, fm) -> tuple[dict, bool, frozenset]:
        """(the table it was read from, CommonJS?, the (row, column) of each shorthand key of
        `module.exports = { f }`), remembered per extraction."""
        got = self._cjs.get(fm.path)
        if got is not None and got[0] is fm.by_qualname:
            return got
        flag = fm.language is JAVASCRIPT and any(_commonjs_symbol(q) for q in fm.by_qualname)
        keys = frozenset(s.name_range[:2] for s in fm.symbols if flag and s.qualname.startswith(COMMONJS_EXPORTS + ".")
                         and (s.value == s.name or s.target == (OWN_MODULE, s.name)))
        got = self._cjs[fm.path] = (fm.by_qualname, flag, keys)
        return got

    def scope_member(self, fm, name: str, follow: bool = True, _seen: set | None = None) -> Target | None:
        """A module's own binding of `name`, else what its `export * from` re-exports (never a
        `default`: `export *` does not carry it)."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).scope_member(fm, name, follow)
        if name in fm.module_bindings():
            sym = fm.lookup(name)
            if sym is not None:
                return self._maybe_follow(fm, sym, follow)
        seen = _seen or set()
        if fm.path in seen or name == "default":
            return None
        seen.add(fm.path)
        for mod in fm.star_imports():
            t = self.module_target(fm, mod)
            if isinstance(t, Located):
                found = self.module_member(t.file, name, follow, seen)
                if found is not None:
                    return found
        return None

    def follow_import(self, loc: Located, depth: int = 0) -> Target | None:
        """An import, and CommonJS's two aliases: `exports.a = b` names this module's own `b`
        (a name path `b.c`: nothing said), and `require("./m")` of a module that assigns
        `module.exports = v` is v."""
        if loc.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(loc.file.language).follow_import(loc, depth)
        sym = loc.symbol
        if sym.kind == IMPORT and sym.target and sym.target[0] == OWN_MODULE and _commonjs_symbol(sym.qualname):
            name = sym.target[-1]
            return self.scope_member(loc.file, name) if len(sym.target) == 2 and "." not in name else None
        found = super().follow_import(loc, depth)
        if sym.kind == IMPORT and len(sym.target or ()) == 1 and isinstance(found, Located) and \
                found.symbol.kind == MODULE and found.file.language is JAVASCRIPT:
            value = found.file.lookup(COMMONJS_VALUE)
            if value is not None and depth <= MAX_DEPTH:
                return self.follow_import(Located(found.file, value), depth + 1) if value.kind == IMPORT \
                    else Located(found.file, value)
        return found

    def _resolve_ref(self, fm, ref, unit, follow: bool) -> Target | None:
        prev = getattr(self._at, "unit", None)
        self._at.unit = (fm, unit)  # the unit of the use: which callback's locals it sees
        try:
            return self._resolve_ref_in(fm, ref, unit, follow)
        finally:
            self._at.unit = prev

    def _resolve_ref_in(self, fm, ref, unit, follow: bool) -> Target | None:
        if ref.kind == REF_IMPORT and ref.receiver != MODULE_REF:
            module = self.module_target(fm, ref.module or "")
            if isinstance(module, Located) and self._commonjs(module.file):
                # the name in `const { P } = require("./m")`: tsc names m's export P itself
                return self.module_member(module.file, ref.name, follow=False)
        if ref.kind == REF_NAME and follow and (ref.row + unit.start_row, ref.col) in self._commonjs_table(fm)[2]:
            # `module.exports = { f }`: tsc names the f this module sees (an import: the import)
            return super()._resolve_ref(fm, ref, unit, False)
        found = super()._resolve_ref(fm, ref, unit, follow)
        if follow and ref.kind == REF_NAME and isinstance(found, Located) and found.symbol.kind == MODULE:
            alias = super()._resolve_ref(fm, ref, unit, False)
            if isinstance(alias, Located) and alias.symbol.kind == IMPORT and alias.symbol.value == NAMESPACE_IMPORT:
                return alias  # `import * as u`: a use of `u` is the import's (as tsc answers)
        if ref.nargs >= 0 and isinstance(found, Located) and found.file.language is JAVASCRIPT and \
                found.symbol.kind in (CONSTANT, VARIABLE) and _DOTTED_TS.match(found.symbol.value or "") and \
                "." in (found.symbol.value or ""):
            return None  # `const f = C.create; f()`: tsc names the function C.create holds, not f
        return found

    def resolve_name(self, fm, scope: str, name: str, follow: bool = True, row: int | None = None) -> Target | None:
        """A name; in a JS file, `exports` is the module itself, as tsc answers (`module` is
        the module or its `module.exports` assignment, by rules of tsc's: nothing said)."""
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).resolve_name(fm, scope, name, follow, row)
        found = super().resolve_name(fm, scope, name, False, row)
        if name == "exports" and fm.language is JAVASCRIPT and isinstance(found, External) \
                and found.module == "builtins" and fm.module_symbol is not None:
            return Located(fm, fm.module_symbol)
        if isinstance(found, Located) and found.file is fm and found.symbol.parent and \
                found.symbol.kind in _LOCAL_KINDS:
            sym = self._declaration_seen(fm, found.symbol, row)
            if sym is _ELSEWHERE:  # bound in a sibling callback only: look further out
                outer = (found.symbol.parent or "").rpartition(".")[0]
                return self.resolve_name(fm, outer, name, follow, row)
            if sym is None:
                return LOCAL
            found = Located(fm, sym)
        if follow and isinstance(found, Located) and found.symbol.kind == IMPORT:
            return self._maybe_follow(found.file, found.symbol, True)
        return found

    def _declaration_seen(self, fm, sym, row: int | None):
        """Of a local's declarations (JS binds `let`/`const` per block, the map per function;
        a callback's scope is named by its place in its unit, so sibling units' callbacks share
        a name), the one a use at `row` sees: the nearest above it in the same scope instance;
        None when that is not certain (no row and more than one candidate, the use's unit not
        known); _ELSEWHERE when every declaration is another instance's."""
        decls = [d for d in fm.by_qualname.get(sym.qualname, (sym,)) if "overload" not in (d.decorators or ())]
        at = getattr(self._at, "unit", None)
        use = _unit_index(fm, at[1]) if at is not None and at[0] is fm else None
        mine = [d for d in decls if _same_instance(fm, d, use)]
        if decls and not mine and use is not None:
            return _ELSEWHERE
        decls = mine
        if row is None:
            return decls[0] if len(decls) == 1 else None
        if decls and decls[0].kind == PARAMETER:
            decls = decls[:1]  # a parameter is seen everywhere in its function
        seen = [d for d in decls if d.name_range[0] <= row or d.kind in (FUNCTION, CLASS)]
        above = [d for d in seen if d.name_range[0] <= row]
        return (above or seen)[-1] if seen else None

    def class_member(self, cls: Located, name: str, _seen: set | None = None) -> Target | None:
        """A member; in JS a method beside a `this.x = v` of its name is the member (tsc)."""
        if cls.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(cls.file.language).class_member(cls, name, _seen)
        decls = cls.file.by_qualname.get(f"{cls.symbol.qualname}.{name}", ())
        if len(decls) > 1 and decls[0].kind == ATTRIBUTE and cls.file.language is JAVASCRIPT:
            methods = [d for d in decls if d.kind == METHOD]
            if methods:
                return Located(cls.file, methods[0])
        return super().class_member(cls, name, _seen)

    def external_member(self, module: str, name: str) -> Target:
        return External(module, name)

    def _own_submodule(self, loc: Located) -> Located | None:
        return None  # JS has no package whose members are its submodules

    # -- values --------------------------------------------------------------------------------
    def value_of_expr(self, fm, scope: str, text: str, depth: int = 0) -> Value | None:
        if fm.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(fm.language).value_of_expr(fm, scope, text, depth)
        if depth > MAX_DEPTH or not text:
            return None
        text = text.strip()
        head, dot, rest = text.partition(".")
        if head in ("this", "super"):
            cls = self._this_class(fm, scope)
            if cls is None:
                return None
            value: Value | None = Instance(cls) if head == "this" else SuperOf(cls)
            for part in rest.split(".") if dot else ():
                if value is None or not part.removeprefix("#").isidentifier():  # `#x`: a private field
                    return None
                value = self.member_of(value, part)
                if isinstance(value, Located):
                    value = self.value_of_symbol(value, depth + 1)
            return value
        if text.startswith("new "):
            callee = text[4:].split("(", 1)[0].strip()
            if not text.endswith(")") or text.count("(") != 1:
                return None
            v = super().value_of_expr(fm, scope, callee, depth + 1)
            return Instance(v) if isinstance(v, Located) and v.symbol.kind == CLASS else None
        return super().value_of_expr(fm, scope, text, depth)

    def _this_class(self, fm, scope: str) -> Located | None:
        """The class `this` is in: the scope's class, unless a `function` (which binds its own
        `this`) lies between; arrow functions keep the method's `this`."""
        parts = scope.split(".")
        while parts:
            sym = fm.lookup(".".join(parts))
            if sym is not None and sym.kind == CLASS:
                return Located(fm, sym)
            last = parts[-1]
            if last.startswith("<fn") or (sym is not None and sym.kind == FUNCTION):
                return None
            parts.pop()
        return None

    def value_of_symbol(self, loc: Located, depth: int = 0) -> Value | None:
        if loc.file.language is not self.language:  # another language's rules (see for_language)
            return self.for_language(loc.file.language).value_of_symbol(loc, depth)
        sym = loc.symbol
        if sym.kind in (MODULE, CLASS, FUNCTION, METHOD):
            return loc
        if sym.qualname == COMMONJS_VALUE and loc.file.module_symbol is not None:
            return Located(loc.file, loc.file.module_symbol)  # `module.exports = {...}`: the module
        if sym.kind == IMPORT:
            return loc
        if sym.annotation and sym.kind in (PARAMETER, VARIABLE, CONSTANT, ATTRIBUTE):
            return self._instance_of_annotation(loc.file, sym.parent or "", sym.annotation, depth)
        if sym.kind == CONSTANT and sym.value and depth < MAX_DEPTH:
            v = self.value_of_expr(loc.file, sym.parent or "", sym.value, depth + 1)
            if isinstance(v, Instance) or (isinstance(v, Located) and v.symbol.kind in (MODULE, CLASS)):
                return v
        return None


    def _instance_of_annotation(self, fm, scope: str, ann: str, depth: int) -> Value | None:
        """An instance of the class a type annotation names: `Query<T, E>` is a `Query`, and
        `Query | undefined` too; a union of two types, a function or object type is nobody's."""
        ann = ann.strip()
        parts = [p.strip() for p in _split_union(ann)]
        named = [p for p in parts if p not in ("undefined", "null", "void")]
        if len(named) != 1:
            return None
        name = named[0].split("<", 1)[0].strip() if named[0].endswith(">") else named[0]
        if not _DOTTED_TS.match(name):
            return None
        v = self.value_of_expr(fm, scope, name, depth + 1)
        if isinstance(v, Located) and v.symbol.kind == CLASS and v.symbol.value is None:
            return Instance(v)  # (a type alias, `value` set, is no class)
        return None


def _split_union(ann: str) -> list[str]:
    """`A<B | C> | undefined` -> [`A<B | C>`, `undefined`]: `|` outside brackets only."""
    out, depth, cur = [], 0, []
    for ch in ann:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        if ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [p for p in out if p.strip()]


_ELSEWHERE = object()  # _declaration_seen: the name is bound in another instance of the scope only
_LOCAL_KINDS = frozenset({VARIABLE, CONSTANT, PARAMETER, FUNCTION, CLASS, IMPORT})
MAX_UNITS_BETWEEN = 2000  # a use this many units from a declaration in a callback: nothing said


def _unit_index(fm, unit) -> int | None:
    units = fm.units
    k = bisect_left(units, unit.start_byte, key=lambda u: u.start_byte)
    return k if k < len(units) and units[k] is unit else None


def _same_instance(fm, decl, use: int | None) -> bool:
    """Whether a declaration in an anonymous scope and a use in the unit `use` (its index; None:
    not known) are in one instance of it: one unit, or units all cut from that callback (a
    unit between them of another context is the end of one callback and the head of its
    sibling: their scopes share a name, each named by its place in its unit)."""
    scope = decl.parent or ""
    if "<" not in scope:
        return True
    if use is None:
        return False
    units = fm.units
    i = bisect_right(units, decl.byte0, key=lambda u: u.start_byte) - 1
    if i == use:
        return True
    if abs(i - use) > MAX_UNITS_BETWEEN:
        return False
    # the declaration's own unit may be the callback's head (its parameters): not counted
    between = units[i + 1: use + 1] if i < use else units[use: i]
    return all(u.context == scope or u.context.startswith(scope + ".") for u in between)


def _commonjs_symbol(qualname: str) -> bool:
    return qualname == COMMONJS_VALUE or qualname.startswith(COMMONJS_EXPORTS + ".")


_DOTTED_TS = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")


class TypeScriptResolver(JavaScriptResolver):
    language = TYPESCRIPT


class TsxResolver(JavaScriptResolver):
    language = TSX
