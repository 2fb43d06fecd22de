"""Java's name resolution on the map (JLS 6.4-6.5, 7.5, 15.12), where it is certain.

- Packages are named by each file's `package` declaration (not its folder). A type name is
  looked up in the enclosing types (their members, inherited ones included, and type
  parameters), the file's top-level types, its single-type imports, its package's types (every
  file declaring the package), then its on-demand imports (`p.*`, `p.T.*`); `java.lang` is
  implicit: what is not found in the workspace is not reported (External or None).
- Java has three namespaces: a reference says which (extract.py: `TYPE`, `METHOD_CTX`, or a
  variable / ambiguous name: variable, then type, then package).
- A variable is a local (above its use), a field of an enclosing type (inherited included),
  then a static import. A method is looked up in the innermost enclosing type that has a method
  of that name, then static imports; of its overloads the one call arity fits is taken, none
  when several fit (only a type checker could choose).
- Where a supertype is not a workspace type (a library class), an inherited member may come
  from it: a name not found in the workspace part of the hierarchy answers None, not the next
  enclosing scope. A receiver is followed only when its type is certain: a type, a package,
  `this`/`super`, a local / parameter / field declared with a workspace type, `var x = new T()`.
"""

from __future__ import annotations

import re
import weakref

from ...filemap import FileMap
from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    IMPORT,
    METHOD,
    MODULE_REF,
    PARAMETER,
    REF_IMPORT,
    VAR_POSITIONAL,
    Ref,
    Symbol,
    Unit,
)
from ...rename import FileMove, RenameRefused, all_subtypes
from ...resolve import LOCAL, MAX_DEPTH, External, Instance, Resolver, Target, Value
from ...workspace import Located, Workspace
from . import JAVA
from .extract import (
    ABSTRACT_SCOPE,
    METHOD_CTX,
    ON_DEMAND,
    PACKAGE_SCOPE,
    PRIVATE_SCOPE,
    STATIC,
    STATIC_ON_DEMAND,
    SUPER_SCOPE,
    TYPE,
)

# workspace -> (generation, package name -> paths): see `JavaResolver.packages`
_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")
_NEW = re.compile(r"^new\s+([\w$.]+)\s*(?:<[^()]*>)?\s*\(.*\)$", re.S)
_TYPE_TEXT = re.compile(r"^(?:@\w+\s+)*([\w$]+(?:\s*\.\s*[\w$]+)*)\s*(?:<.*>)?$", re.S)
_VARIABLE_KINDS = (ATTRIBUTE, CONSTANT)
_FIELD_KINDS = (CLASS, ATTRIBUTE, CONSTANT)  # what `x.name` without a call names
# implicit supertypes: their members are library members (not in the workspace)
_IMPLICIT = frozenset({"<enum>", "<record>", "<annotation>"})
# JDK supertypes outside the workspace whose members are known: the marker interfaces declare
# none; the others declare methods only (no nested type, no field). A class that implements one
# has a complete hierarchy for what they cannot declare (java.util's classes are Cloneable and
# Serializable: without this no type or field name inside them resolved through their hierarchy).
_MARKERS = frozenset({"Cloneable", "Serializable", "RandomAccess", "EventListener"})
_METHODS_ONLY = _MARKERS | frozenset({"Comparable", "Iterable", "Runnable", "AutoCloseable", "Closeable",
                                      "Flushable", "CharSequence", "Appendable", "Readable"})
_JDK_PACKAGES = ("java.lang.", "java.io.", "java.util.")
# java.lang.Object's methods: every class has them, whatever its workspace hierarchy shows
OBJECT_METHODS = frozenset({"equals", "hashCode", "toString", "getClass", "notify", "notifyAll",
                            "wait", "clone", "finalize"})
# the instance methods an implicit supertype (java.lang.Object, Enum, Record, Annotation) declares,
# name -> arities: a workspace method of that name and arity overrides (or clashes with) one
_IMPLICIT_METHODS: dict[str, dict[str, frozenset[int]]] = {
    "<object>": {"equals": frozenset({1}), "hashCode": frozenset({0}), "toString": frozenset({0}),
                 "getClass": frozenset({0}), "notify": frozenset({0}), "notifyAll": frozenset({0}),
                 "wait": frozenset({0, 1, 2}), "clone": frozenset({0}), "finalize": frozenset({0})},
    "<enum>": {"name": frozenset({0}), "ordinal": frozenset({0}), "compareTo": frozenset({1}),
               "getDeclaringClass": frozenset({0}), "describeConstable": frozenset({0})},
    "<record>": {},
    "<annotation>": {"annotationType": frozenset({0})},
}
# the instance methods of the JDK interfaces in _METHODS_ONLY (and the markers: none), by the
# same rule: a method named otherwise is not theirs
_JDK_METHODS: dict[str, dict[str, frozenset[int]]] = {
    "Comparable": {"compareTo": frozenset({1})},
    "Iterable": {"iterator": frozenset({0}), "forEach": frozenset({1}), "spliterator": frozenset({0})},
    "Runnable": {"run": frozenset({0})},
    "AutoCloseable": {"close": frozenset({0})},
    "Closeable": {"close": frozenset({0})},
    "Flushable": {"flush": frozenset({0})},
    "CharSequence": {"length": frozenset({0}), "charAt": frozenset({1}), "subSequence": frozenset({2}),
                     "isEmpty": frozenset({0}), "chars": frozenset({0}), "codePoints": frozenset({0})},
    "Appendable": {"append": frozenset({1, 3})},
    "Readable": {"read": frozenset({1})},
} | {m: {} for m in _MARKERS}


def package_of(fm: FileMap) -> str:
    names = fm.local_names(PACKAGE_SCOPE)
    return next(iter(names)) if names else ""


def _bare(base: str) -> str:
    """`java.lang.Comparable<T>` -> `Comparable`: a JDK supertype's simple name."""
    name = base.split("<", 1)[0].strip()
    for p in _JDK_PACKAGES:
        name = name.removeprefix(p)
    return name


def _declares_none(base: str, kinds) -> bool:
    """A library supertype (not in the workspace) that declares no member of `kinds` (_MARKERS)."""
    name = _bare(base)
    known = _MARKERS if METHOD in kinds else _METHODS_ONLY
    return name in known


def strip_type(text: str) -> str | None:
    """`java.util.List<Foo>` -> `java.util.List`; `Foo[]`, `int` -> None (no class members)."""
    text = text.strip()
    if text.endswith("]") or text.endswith("..."):
        return None
    m = _TYPE_TEXT.match(text)
    return re.sub(r"\s+", "", m.group(1)) if m else None


def arity_fits(sig, nargs: int) -> bool:
    fixed = [p for p in sig.params if p.kind != VAR_POSITIONAL]
    variadic = len(fixed) != len(sig.params)
    return nargs == len(fixed) or (variadic and nargs >= len(fixed))


class JavaResolver(Resolver):
    language = JAVA

    def __init__(self, ws: Workspace):
        super().__init__(ws)
        self._gen = -1
        self._packages: dict[str, list[str]] = {}  # package name -> paths of files declaring it
        # methods inherited twice at one depth with one signature (two abstract declarations):
        # which one javac names is its choice, so a call of them says nothing
        self._tied: set[str] = set()

    # -- packages ----------------------------------------------------------------------------
    def packages(self) -> dict[str, list[str]]:
        """Package name -> paths of the files declaring it; rebuilt when the workspace's
        generation moves, shared by the resolvers of one workspace and generation (the
        completions' check makes a resolver per suggestion)."""
        gen = self.ws.generation
        if self._gen != gen:
            shared = _SHARED.get(self.ws)
            if shared is not None and shared[0] == gen:
                out = shared[1]
            else:
                out = {}
                for path, fm in list(self.ws.files.items()):
                    if fm.language is JAVA:
                        out.setdefault(package_of(fm), []).append(path)
                for paths in out.values():
                    paths.sort()
                _SHARED[self.ws] = (gen, out)
            self._packages, self._gen = out, gen
            self._tied.clear()
        return self._packages

    def is_package(self, name: str) -> bool:
        pk = self.packages()
        return name in pk or any(p.startswith(name + ".") for p in pk)

    def package_type(self, package: str, name: str) -> Located | None:
        """The top-level type `name` of a workspace package."""
        for path in self.packages().get(package, ()):
            f = self.ws.files.get(path)
            sym = f.lookup(name) if f is not None else None
            if sym is not None and sym.kind == CLASS and sym.parent == "":
                return Located(f, sym)
        return None

    def qualified_type(self, dotted: str) -> Located | None:
        """A type by its canonical name (`com.x.Outer.Inner`): the longest package prefix."""
        parts = dotted.split(".")
        for i in range(len(parts) - 1, -1, -1):
            pkg = ".".join(parts[:i])
            if pkg and pkg not in self.packages() or (not pkg and "" not in self.packages()):
                continue
            t = self.package_type(pkg, parts[i])
            if t is None:
                continue
            for p in parts[i + 1:]:
                t = self.nested_type(t, p)
                if t is None:
                    return None
            return t
        return None

    # -- types -------------------------------------------------------------------------------
    def nested_type(self, cls: Located, name: str) -> Located | None:
        found = self.hierarchy_members(cls, name, (CLASS,))
        return found[0][0] if found[0] else None

    def find_type(self, fm: FileMap, scope: str, name: str) -> Target | None:
        for cls, s in self._enclosing(fm, scope):
            if cls is None:
                if name in (fm.local_names(s) or ()):
                    return LOCAL  # a type parameter or a local class
                continue
            if name in (fm.local_names(s) or ()):
                return LOCAL
            found, complete = self.hierarchy_members(cls, name, (CLASS,))
            if found:
                return found[0]
            if not complete:
                return None
        sym = fm.lookup(name)
        if sym is not None and sym.kind == CLASS and sym.parent == "":
            return Located(fm, sym)
        for imp in fm.symbols:
            if imp.kind == IMPORT and imp.value is None and imp.name == name and imp.target:
                return self.follow_import(Located(fm, imp))
        t = self.package_type(package_of(fm), name)
        if t is not None:
            return t
        hits: list[Target] = []
        for imp in fm.symbols:
            if imp.kind == IMPORT and imp.value == ON_DEMAND and imp.target:
                t = self.member_of_dotted(imp.target[0], name, (CLASS,))
                if isinstance(t, Located):
                    hits.append(t)
        if len(hits) == 1:
            return hits[0]
        return None

    # -- scopes ------------------------------------------------------------------------------
    def _enclosing(self, fm: FileMap, scope: str):
        """(enclosing type or None, scope) from the innermost scope out."""
        s = scope
        while s:
            sym = fm.lookup(s)
            if sym is not None and sym.kind == CLASS:
                yield Located(fm, sym), s
            else:
                yield None, s
            s = s.rpartition(".")[0]

    def _anon_members(self, fm: FileMap, s: str, name: str, kinds) -> tuple[list[Located], bool]:
        """Members `name` an anonymous class scope `s` inherits, and whether the search may go
        on outward (False: it may inherit one the map cannot see)."""
        sup = fm.local_names(f"{s}.{SUPER_SCOPE}")
        if sup is None:
            return [], True
        text = next(iter(sup), "")
        t = self.type_named(fm, s.rpartition(".")[0], text) if text else None
        if t is None:
            return [], False
        found, complete = self.hierarchy_members(t, name, kinds)
        return found, complete and name not in OBJECT_METHODS

    def find_variable(self, fm: FileMap, scope: str, name: str, row: int | None) -> Target | None:
        for cls, s in self._enclosing(fm, scope):
            if cls is None:
                names = fm.local_names(s)
                if names is not None and name in names:
                    decls = fm.by_qualname.get(f"{s}.{name}")
                    if not decls:
                        return LOCAL
                    sym = _nearest_above(decls, row)
                    if sym is not None:
                        return Located(fm, sym)
                found, go_on = self._anon_members(fm, s, name, _VARIABLE_KINDS)
                if found or not go_on:
                    return found[0] if found else None
                continue
            found, complete = self.hierarchy_members(cls, name, _VARIABLE_KINDS)
            if found:
                return found[0]
            if not complete:
                return None
        return self._static_import(fm, name, _VARIABLE_KINDS)

    def find_methods(self, fm: FileMap, scope: str, name: str) -> tuple[list[Located], bool] | None:
        """The candidate methods of an unqualified call and whether they are all of them (None:
        not certain where the name is looked up)."""
        for cls, s in self._enclosing(fm, scope):
            if cls is None:
                if fm.local_names(f"{s}.{SUPER_SCOPE}") is not None and name in (fm.local_names(s) or ()):
                    return None  # the anonymous class's own method
                found, go_on = self._anon_members(fm, s, name, (METHOD,))
                if found or not go_on:
                    return (found, go_on) if found else None
                continue
            found, complete = self.hierarchy_members(cls, name, (METHOD,))
            if found:
                return (found, complete) if complete or name not in OBJECT_METHODS else None
            if not complete or name in OBJECT_METHODS:
                return None
        t = self._static_import(fm, name, (METHOD,), every=True)
        return (t, False) if isinstance(t, list) and t else None

    def _static_import(self, fm: FileMap, name: str, kinds, every: bool = False):
        for imp in fm.symbols:
            if imp.kind == IMPORT and imp.value == STATIC and imp.name == name and imp.target:
                t = self.qualified_type(imp.target[0])
                if t is None:
                    return None
                found = self.hierarchy_members(t, name, kinds)[0]
                return found if every else (found[0] if found else None)
        for imp in fm.symbols:
            if imp.kind == IMPORT and imp.value == STATIC_ON_DEMAND and imp.target:
                t = self.qualified_type(imp.target[0])
                if t is None:
                    return None  # a library type may declare it
                found = self.hierarchy_members(t, name, kinds)[0]
                if found:
                    return found if every else found[0]
        return None

    # -- members -----------------------------------------------------------------------------
    def own_members(self, cls: Located, name: str, kinds) -> list[Located]:
        f = cls.file
        return [Located(f, s) for s in f.by_qualname.get(f"{cls.symbol.qualname}.{name}", ())
                if s.kind in kinds and s.parent == cls.symbol.qualname and s.value != "constructor"]

    def hierarchy_members(self, cls: Located, name: str, kinds) -> tuple[list[Located], bool]:
        """Members `name` of `kinds` in `cls` and its supertypes, most derived first (a method
        overridden below is left out), and whether the whole hierarchy is in the workspace."""
        out: list[Located] = []
        seen_sigs: dict[tuple, Located] = {}
        complete = True
        level = [cls]
        ifaces: list[Located] = []  # the superclass chain first: its methods win over interfaces'
        seen: set[str] = set()
        for _ in range(MAX_DEPTH * 2):
            supers: list[Located] = []
            level_sigs: dict[tuple, Located] = {}
            for t in level:
                if t.symbol.id in seen:
                    continue
                seen.add(t.symbol.id)
                private = t.file.local_names(PRIVATE_SCOPE) if t is not cls else None
                for m in self.own_members(t, name, kinds):
                    if private and m.symbol.qualname in private:
                        continue  # private members are not inherited
                    key = _sig_key(m.symbol)
                    if key is not None and key in level_sigs and level_sigs[key].symbol.parent != m.symbol.parent:
                        self._tied.add(level_sigs[key].symbol.id)
                    elif key is not None and key in seen_sigs and t.symbol.value == "interface" \
                            and _abstract(seen_sigs[key]) and not _in_interface(seen_sigs[key]):
                        # an abstract class method and an interface's: javac names either
                        self._tied.add(seen_sigs[key].symbol.id)
                    if key is None or key not in seen_sigs:
                        out.append(m)
                        if key is not None:
                            seen_sigs[key] = m
                            level_sigs[key] = m
                for text in t.symbol.bases:
                    if text in _IMPLICIT:
                        complete = False
                        continue
                    if text == "<interface>":
                        continue
                    b = self.type_named(t.file, t.symbol.parent or "", text)  # in the scope around t
                    if b is None:
                        complete = complete and _declares_none(text, kinds)
                    elif text == t.symbol.annotation:  # the superclass
                        supers.append(b)
                    else:
                        ifaces.append(b)
            if out and CLASS not in kinds and METHOD not in kinds:
                return out[:1], complete  # a field hides the ones above it
            if supers:
                level = supers
            elif ifaces:
                level, ifaces = ifaces, []
            else:
                break
        return out, complete

    def type_named(self, fm: FileMap, scope: str, text: str, depth: int = 0) -> Located | None:
        """The workspace type a type expression names (`T`, `p.T`, `Outer.Inner`, `T<X>`)."""
        dotted = strip_type(text)
        if dotted is None:
            return None
        parts = dotted.split(".")
        t = self.find_type(fm, scope, parts[0])
        if isinstance(t, Located):
            for p in parts[1:]:
                t = self.nested_type(t, p)
                if t is None:
                    return None
            return t
        if t is None and len(parts) > 1:
            return self.qualified_type(dotted)
        return None

    def member_of_dotted(self, dotted: str, name: str, kinds) -> Target | None:
        """`name` in a package or type named canonically (an on-demand import's target)."""
        if dotted in self.packages():
            t = self.package_type(dotted, name)
            return t if t is not None else None
        t = self.qualified_type(dotted)
        if t is not None:
            found = self.hierarchy_members(t, name, kinds)[0]
            return found[0] if found else None
        return None

    def pick_overload(self, found: tuple[list[Located], bool] | None, nargs: int) -> Located | None:
        """The one method a call (or method reference: nargs -1) of these candidates means."""
        if not found:
            return None
        cands, complete = found
        if nargs < 0:
            pick = cands[0] if len(cands) == 1 and complete else None
        else:
            fits = [c for c in cands if c.symbol.signature is not None and arity_fits(c.symbol.signature, nargs)]
            if len(cands) == 1 and complete:  # the only method of the name, fitting or not (the check)
                fits = cands
            pick = fits[0] if len(fits) == 1 else None
        return pick if pick is not None and pick.symbol.id not in self._tied else None

    def renamed_file(self, loc: Located, new_name: str, source) -> FileMove | None:
        """A top-level type named like its file (`Point` in `Point.java`) moves the file with it
        (`source`: path -> the text the rename reads). Java requires it of a public type; the
        others keep the convention."""
        sym, path = loc.symbol, loc.file.path
        folder, _, base = path.rpartition("/")
        if sym.kind != CLASS or sym.parent != "" or base != f"{sym.name}.java":
            return None
        new = f"{folder}/{new_name}.java" if folder else f"{new_name}.java"
        data = source(path) or b""
        r, n = sym.range, sym.name_range
        lines = data.split(b"\n")[r[0]:n[0] + 1]
        if lines:
            lines[-1] = lines[-1][:n[1]]
            lines[0] = lines[0][r[1]:] if len(lines) > 1 else lines[0][r[1]:n[1]]
        public = re.search(rb"\bpublic\b", b"\n".join(lines)) is not None
        return FileMove(path, new, public)

    def rename_family(self, loc: Located) -> list[Located]:
        """A method's override family in the workspace: the methods of the same signature it
        overrides in its supertypes and that override it in their subtypes, transitively (a
        rename of one alone would break the overriding). RenameRefused when one of the family's
        classes has a supertype outside the workspace that declares, or may declare, the method
        (`toString`, `run` of Runnable, `compareTo` of Comparable): that one cannot be renamed."""
        sym = loc.symbol
        key = _sig_key(sym)
        owner = loc.file.lookup(sym.parent or "")
        if key is None or owner is None or owner.kind != CLASS or sym.value == "constructor" \
                or sym.qualname in (loc.file.local_names(PRIVATE_SCOPE) or ()):
            return []
        members: dict[str, Located] = {sym.id: loc}
        done: set[str] = set()
        covered: set[str] = set()  # the classes of the family and every class below them
        todo = [Located(loc.file, owner)]
        while todo:
            cls = todo.pop()
            if cls.symbol.id in done:
                continue
            done.add(cls.symbol.id)
            above = self._declaring_supertypes(cls, key)
            below = all_subtypes(self.ws, self, cls)
            covered.update(c.symbol.id for c in [cls, *below])
            for c in above + below:
                for m in self.own_members(c, sym.name, (METHOD,)):
                    if _sig_key(m.symbol) == key and m.symbol.id not in members \
                            and m.symbol.qualname not in (m.file.local_names(PRIVATE_SCOPE) or ()):
                        members[m.symbol.id] = m
                        todo.append(c)
        self._refuse_anonymous_overrides(sym.name, covered)
        return [m for i, m in members.items() if i != sym.id]

    def _refuse_anonymous_overrides(self, name: str, covered: set[str]) -> None:
        """An anonymous class (`new A() { int m(...) {...} }`) of a class in `covered` that
        declares a method `name`: its members have no symbols, so the rename cannot reach it,
        and leaving it would silently stop the overriding. Refuse."""
        for fm in list(self.ws.files.values()):
            if fm.language is not JAVA:
                continue
            for unit in fm.units:
                for scope, sup in unit.scopes.items():
                    if not scope.endswith(f".{SUPER_SCOPE}") or not sup or not sup[0]:
                        continue
                    anon = scope.removesuffix(f".{SUPER_SCOPE}")
                    if name not in unit.scopes.get(anon, ()):
                        continue
                    t = self.type_named(fm, anon.rpartition(".")[0], sup[0])
                    if t is not None and t.symbol.id in covered:
                        raise RenameRefused(
                            f"an anonymous `{sup[0]}` in {fm.path} (from line {unit.start_row + 1}) declares "
                            f"`{name}`, which may override it; the map cannot rename it there, "
                            "nothing was renamed.")

    def _declaring_supertypes(self, cls: Located, key: tuple) -> list[Located]:
        """Every workspace supertype of `cls`, transitively; RenameRefused when a supertype
        outside the workspace declares or may declare the method `key` (name, parameter types)."""
        name, nparams = key[0], len(key[1])
        out: list[Located] = []
        seen: set[str] = set()
        level = [cls]
        for _ in range(MAX_DEPTH * 2):
            nxt: list[Located] = []
            for t in level:
                if t.symbol.id in seen:
                    continue
                seen.add(t.symbol.id)
                implicit = ["<object>"] + [b for b in t.symbol.bases if b in _IMPLICIT]
                for which in implicit:
                    if nparams in _IMPLICIT_METHODS[which].get(name, ()):
                        raise RenameRefused(f"`{t.symbol.name}.{name}` overrides a method of the Java "
                                            "library, which cannot be renamed; nothing was renamed.")
                for text in t.symbol.bases:
                    if text.startswith("<"):
                        continue
                    b = self.type_named(t.file, t.symbol.parent or "", text)
                    if b is None:
                        jdk = _JDK_METHODS.get(_bare(text))
                        if jdk is None or nparams in jdk.get(name, ()):
                            may = "declares" if jdk is not None else "may declare"
                            raise RenameRefused(
                                f"`{t.symbol.name}` extends or implements `{text}`, outside the workspace, "
                                f"which {may} `{name}`; renaming it there is not possible, "
                                "nothing was renamed.")
                    elif b.symbol.kind == CLASS:
                        out.append(b)
                        nxt.append(b)
            level = nxt
            if not level:
                break
        return out

    def call_candidates(self, fm: FileMap, ref: Ref, unit: Unit) -> list[Located] | None:
        """Every method (or constructor, for `new T(`) a call may mean before its arguments
        are all written (signature help shows those that fit), or None."""
        if ref.kind == REF_IMPORT:
            return None
        if ref.module in (METHOD_CTX, None):  # None: `x.m(` before the text parses as a call
            if ref.receiver is None:
                found = self.find_methods(fm, ref.scope, ref.name)
            else:
                value = self.value_of_expr(fm, ref.scope, ref.receiver)
                found = self.methods_of(value, ref.name) if value is not None else None
            # not all of them (a library supertype may add one): those the map sees, as
            # definition picks among them (pick_overload)
            return [c for c in found[0] if c.symbol.id not in self._tied] if found else None
        if ref.module == TYPE and ref.nargs >= 0:
            cls = self.find_type(fm, ref.scope, ref.name) if ref.receiver is None else \
                self.type_named(fm, ref.scope, f"{ref.receiver}.{ref.name}")
            if not isinstance(cls, Located) or cls.symbol.kind != CLASS or cls.symbol.value != "class":
                return None  # a record's canonical constructor, an interface's anonymous class
            q = cls.symbol.qualname
            ctors = [Located(cls.file, s) for s in cls.file.symbols
                     if s.kind == METHOD and s.parent == q and s.value == "constructor"]
            return ctors or [cls]  # none declared: the default constructor, `T()`
        return None

    # -- values ------------------------------------------------------------------------------
    def value_of_expr(self, fm: FileMap, scope: str, text: str, depth: int = 0) -> Value | None:
        if depth > MAX_DEPTH or not text:
            return None
        text = text.strip()
        m = _NEW.match(text)
        if m:
            t = self.type_named(fm, scope, m.group(1))
            return Instance(t) if t is not None else None
        parts = [p.strip() for p in text.split(".")]
        if not all(_IDENT.match(p) or p in ("this", "super") for p in parts):
            return None
        head = parts[0]
        value: Value | None
        if head in ("this", "super"):
            cls = self.enclosing_class(fm, scope)
            if cls is None:
                return None
            if head == "super":
                found = [self.type_named(cls.file, cls.symbol.parent or "", b) for b in cls.symbol.bases
                         if not b.startswith("<")]
                if len(found) != 1 or found[0] is None or cls.symbol.value != "class":
                    return None
                cls = found[0]
            value = Instance(cls)
        else:
            value = self.find_variable(fm, scope, head, None)
            if value is None:
                value = self.find_type(fm, scope, head)
                if value is None and self.is_package(head):
                    value = External(head)
            elif isinstance(value, Located):
                value = self.value_of_symbol(value, depth + 1)
        for part in parts[1:]:
            if value is None or value is LOCAL:
                return None
            value = self.member_of(value, part, _FIELD_KINDS)
            if isinstance(value, Located) and value.symbol.kind != CLASS:
                value = self.value_of_symbol(value, depth + 1)
        return value

    def value_of_symbol(self, loc: Located, depth: int = 0) -> Value | None:
        sym = loc.symbol
        if sym.kind in (CLASS, METHOD):
            return loc
        if sym.kind == IMPORT:
            return self.follow_import(loc)
        if depth > MAX_DEPTH or sym.dynamic:
            return None
        scope = sym.parent or ""
        if sym.annotation:
            t = self.type_named(loc.file, scope, sym.annotation, depth)
            return Instance(t) if t is not None else None
        if sym.value and _NEW.match(sym.value) and sym.kind == "variable":
            v = self.value_of_expr(loc.file, scope, sym.value, depth + 1)
            return v if isinstance(v, Instance) else None
        return None

    def member_of(self, value: Value, name: str, kinds: tuple[str, ...] | None = None) -> Target | None:
        """A member of a value: a package's type or subpackage, a type's nested type or static
        field, an instance's field (`kinds`; methods: `methods_of`). Asked without `kinds` (the
        generic callers: the edit check, hover), any member, and a member the map cannot see
        (a library supertype's) is External, never "missing"."""
        if kinds is None:
            found = self.member_of(value, name, (CLASS, ATTRIBUTE, CONSTANT, METHOD))
            if found is None and isinstance(value, Instance | Located) and not isinstance(value, External):
                cls = value.cls if isinstance(value, Instance) else value
                if isinstance(cls, Located) and cls.symbol.kind == CLASS and (
                        name in OBJECT_METHODS or not self.hierarchy_members(cls, name, (METHOD,))[1]):
                    return External(cls.symbol.qualname, name)
            return found
        if isinstance(value, External):
            if value is LOCAL or value.name:
                return None
            if CLASS not in kinds:
                return None
            t = self.package_type(value.module, name)
            if t is not None:
                return t
            sub = f"{value.module}.{name}"
            if self.is_package(sub) or value.module not in self.packages():
                return External(sub)
            return None
        if isinstance(value, Instance):
            found, _ = self.hierarchy_members(value.cls, name, tuple(k for k in kinds if k != CLASS))
            return found[0] if found else None
        if isinstance(value, Located) and value.symbol.kind == CLASS:
            found, _ = self.hierarchy_members(value, name, kinds)
            return found[0] if found else None
        return None

    def methods_of(self, value: Value, name: str) -> tuple[list[Located], bool] | None:
        """The methods `name` of a type or instance, and whether they are all of them."""
        cls = value.cls if isinstance(value, Instance) else value
        if not isinstance(cls, Located) or cls.symbol.kind != CLASS:
            return None
        found, complete = self.hierarchy_members(cls, name, (METHOD,))
        return (found, complete and name not in OBJECT_METHODS) if found else None

    def enclosing_class(self, fm: FileMap, scope: str) -> Located | None:
        for cls, s in self._enclosing(fm, scope):
            if cls is not None:
                return cls
            if fm.local_names(f"{s}.{SUPER_SCOPE}") is not None:
                return None  # `this` is the anonymous class
        return None

    def bases(self, cls: Located) -> list[Target]:
        out: list[Target] = []
        for text in cls.symbol.bases:
            if not text.startswith("<"):
                t = self.type_named(cls.file, cls.symbol.parent or "", text)
                if t is not None:
                    out.append(t)
        return out

    def class_member(self, cls: Located, name: str, _seen: set | None = None) -> Target | None:
        return self.member_of(cls, name, (CLASS, ATTRIBUTE, CONSTANT, METHOD))

    # -- modules and imports -----------------------------------------------------------------
    def absolute_module(self, fm: FileMap, module: str) -> str:
        return module

    def module_target(self, fm: FileMap, module: str) -> Target:
        t = self.qualified_type(module)
        if t is not None:
            return t
        paths = self.packages().get(module)
        if paths:
            f = self.ws.files.get(paths[0])
            if f is not None and f.module_symbol is not None:
                return Located(f, f.module_symbol)
        return External(module)

    def import_target(self, dotted: str) -> Target | None:
        """What an import names: a type, a static member (one, not overloads) or a package."""
        t = self.qualified_type(dotted)
        if t is not None:
            return t
        owner, _, name = dotted.rpartition(".")
        cls = self.qualified_type(owner) if owner else None
        if cls is not None:
            found = self.hierarchy_members(cls, name, (CLASS, ATTRIBUTE, CONSTANT, METHOD))[0]
            return found[0] if len(found) == 1 else None
        return self.module_target(None, dotted)

    def source_of(self, loc: Located) -> Located | None:
        return None

    def module_member(self, fm: FileMap, name: str, follow: bool = True, _seen: set | None = None) -> Target | None:
        return self.package_type(package_of(fm), name)

    def follow_import(self, loc: Located, depth: int = 0) -> Target | None:
        sym = loc.symbol
        if sym.kind != IMPORT or not sym.target:
            return loc
        if len(sym.target) == 1:
            return self.module_target(loc.file, sym.target[0])
        owner, name = sym.target
        if sym.value == STATIC:
            t = self.qualified_type(owner)
            if t is None:
                return External(owner, name)
            found = self.hierarchy_members(t, name, (CLASS, ATTRIBUTE, CONSTANT, METHOD))[0]
            return found[0] if len(found) == 1 else None
        t = self.qualified_type(f"{owner}.{name}")
        return t if t is not None else External(owner, name)

    def keyword_target(self, fm: FileMap, ref: Ref) -> Target | None:
        return None

    # -- names and references ----------------------------------------------------------------
    def resolve_name(self, fm: FileMap, scope: str, name: str, follow: bool = True,
                     row: int | None = None) -> Target | None:
        """The generic entry (the edit check, keyword look-ups): a variable, a type, else a
        method of an enclosing type; a name the map cannot find is External (`java.lang`, a
        library supertype's member, an on-demand import of a library): never "not defined"."""
        found = self.find_variable(fm, scope, name, row)
        if found is None:
            found = self.find_type(fm, scope, name)
        if found is None:
            methods = self.find_methods(fm, scope, name)
            found = methods[0][0] if methods and len(methods[0]) == 1 else None
        return found if found is not None else External("java.lang", name)

    def _resolve_ref(self, fm: FileMap, ref: Ref, unit: Unit, follow: bool) -> Target | None:
        if ref.kind == REF_IMPORT:
            if ref.receiver != MODULE_REF:  # a name inside an import's path: a type or nothing
                return self.qualified_type(ref.module or "")
            return self.import_target(ref.module or ref.name)
        row = ref.row + unit.start_row
        if ref.receiver is None:
            if ref.module == TYPE:
                return self.find_type(fm, ref.scope, ref.name)
            if ref.module == METHOD_CTX:
                return self.pick_overload(self.find_methods(fm, ref.scope, ref.name), ref.nargs)
            found = self.find_variable(fm, ref.scope, ref.name, row)
            if found is None and not self._shadowed_unknown(fm, ref.scope, ref.name):
                found = self.find_type(fm, ref.scope, ref.name)
            return found
        if ref.module == TYPE:
            t = self.type_named(fm, ref.scope, f"{ref.receiver}.{ref.name}")
            return t
        value = self.value_of_expr(fm, ref.scope, ref.receiver)
        if value is None:
            return None
        if ref.module == METHOD_CTX:
            return self.pick_overload(self.methods_of(value, ref.name), ref.nargs)
        return self.member_of(value, ref.name, _FIELD_KINDS)

    def _shadowed_unknown(self, fm: FileMap, scope: str, name: str) -> bool:
        """Whether a variable `name` may exist where the map cannot see it (an inherited field of
        a library supertype): then the name is not looked up as a type."""
        for cls, _s in self._enclosing(fm, scope):
            if cls is not None and not self.hierarchy_members(cls, name, _VARIABLE_KINDS)[1]:
                return bool(name[:1].islower())
        return False

    def symbol_at(self, fm: FileMap, row: int, col: int) -> Symbol | None:
        """The symbol whose name is under the position (an on-demand import names nothing)."""
        for s in fm.symbols[1:]:
            r = s.name_range
            if r[0] == row and r[1] <= col <= r[3] and not (s.kind == IMPORT and s.name == "*"):
                return s
        return None


def _abstract(loc: Located) -> bool:
    return loc.symbol.qualname in (loc.file.local_names(ABSTRACT_SCOPE) or ())


def _in_interface(loc: Located) -> bool:
    owner = loc.file.lookup(loc.symbol.parent or "")
    return owner is not None and owner.value == "interface"


def _nearest_above(decls: list[Symbol], row: int | None) -> Symbol | None:
    """Of a local's declarations (sibling blocks), the last one above `row` (a parameter is seen
    everywhere in its method; row None: the first)."""
    if row is None or decls[0].kind == PARAMETER:
        return decls[0]
    above = [d for d in decls if d.name_range[0] <= row]
    return above[-1] if above else None


def _sig_key(sym: Symbol) -> tuple | None:
    """Methods with the same parameter types override one another (None for non-methods)."""
    if sym.kind != METHOD or sym.signature is None:
        return None
    return (sym.name, tuple((p.annotation or "").split("<")[0].rpartition(".")[2] for p in sym.signature.params))
