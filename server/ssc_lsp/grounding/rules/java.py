"""Java's answers to the check's questions (see base.py).

Names (JLS 6.4-6.5, the Java resolver's three namespaces): a type, a method (unqualified
call), a variable. One the resolver cannot find is missing only where the map sees every
place it could come from: each enclosing type's hierarchy is in the workspace (a library
supertype may declare it: inherited members from outside are unknown; an anonymous class's
supertype too), no static import from outside could bring it, it is not a `java.lang` type
(implicit), and for a type name no on-demand import from outside (`import org.x.*`) could. A
lower-case name used as a qualifier may be a package (`java.util.List`): unknown.

Members: of a workspace type only when its whole hierarchy is in the workspace (no library
supertype; enums, records and annotations extend library types); `Object`'s methods always
exist. Calls: of the overloads of a method (or the constructors of a class), a problem only
when none fits the argument count (a varargs one takes any number past the others). Imports:
a type missing from a workspace package; a static member missing from a workspace type whose
hierarchy is complete. Syntax whose names are no references: labels, `case` constants of an
enum switch (the switch's type's, not in scope), annotation element names.
"""

from __future__ import annotations

from typing import Any

import tree_sitter as ts

from ...map.checks import CALL_ARGUMENTS, Problem
from ...map.filemap import FileMap
from ...map.languages.arity import arity_problem
from ...map.languages.java import checks as java_checks
from ...map.languages.java.extract import (
    METHOD_CTX,
    ON_DEMAND,
    STATIC,
    STATIC_ON_DEMAND,
    SUPER_SCOPE,
    TYPE,
)
from ...map.languages.java.resolve import OBJECT_METHODS, arity_fits, package_of, strip_type
from ...map.records import ATTRIBUTE, CLASS, CONSTANT, IMPORT, METHOD, MODULE_REF, Ref, Unit
from ...map.resolve import LOCAL, External, Instance, Resolver, Value
from ...map.workspace import Located, Workspace
from .base import UNKNOWN, CheckRules, closers, each_type, finished

# java.base's java/lang (JDK 25; package-private types included: a superset only leaves more
# names unknown): imported implicitly into every compilation unit
JAVA_LANG = frozenset("""
AbstractMethodError AbstractStringBuilder Appendable ArithmeticException
ArrayIndexOutOfBoundsException ArrayStoreException AssertionError AutoCloseable Boolean
BootstrapMethodError Byte CharSequence Character Class ClassCastException ClassCircularityError
ClassFormatError ClassLoader ClassNotFoundException ClassValue CloneNotSupportedException
Cloneable Comparable Compiler Deprecated Double Enum EnumConstantNotPresentException Error
Exception ExceptionInInitializerError Float FunctionalInterface IllegalAccessError
IllegalAccessException IllegalArgumentException IllegalCallerException
IllegalMonitorStateException IllegalStateException IllegalThreadStateException
IncompatibleClassChangeError IndexOutOfBoundsException InheritableThreadLocal
InstantiationError InstantiationException Integer InternalError InterruptedException Iterable
LayerInstantiationException LinkageError Long MatchException Math Module ModuleLayer
NegativeArraySizeException NoClassDefFoundError NoSuchFieldError NoSuchFieldException
NoSuchMethodError NoSuchMethodException NullPointerException Number NumberFormatException Object
OutOfMemoryError Override Package Process ProcessBuilder ProcessHandle Readable Record
ReflectiveOperationException Runnable Runtime RuntimeException RuntimePermission SafeVarargs
ScopedValue SecurityException SecurityManager Short StackOverflowError StackTraceElement
StackWalker StrictMath String StringBuffer StringBuilder StringIndexOutOfBoundsException
SuppressWarnings System Thread ThreadDeath ThreadGroup ThreadLocal Throwable
TypeNotPresentException UnknownError UnsatisfiedLinkError UnsupportedClassVersionError
UnsupportedOperationException VerifyError VirtualMachineError Void WrongThreadException
""".split())
_VARIABLES = (ATTRIBUTE, CONSTANT)
_SCOPES = frozenset({"program", "block", "class_body"})
_NOT_REFERENCES = frozenset({"labeled_statement", "break_statement", "continue_statement",
                             "switch_label", "element_value_pair"})
_QUALIFIERS = frozenset({"field_access", "scoped_identifier", "scoped_type_identifier",
                         "method_invocation"})
_FINISHERS = ("", " {}", ";", " null", " null;")
# What a supertype outside the workspace may give a type: fields (a superclass's), constants
# (an interface's fields are constants, named in capitals by the Java conventions), methods,
# member types
FIELDS, CONSTANTS, METHODS, TYPES = "fields", "constants", "methods", "types"
EVERYTHING = frozenset({FIELDS, CONSTANTS, METHODS, TYPES})
# implicit supertypes (java.lang.Enum, Record, Annotation): methods only (their fields are private)
_IMPLICIT_SUPERS = {"<enum>": frozenset({METHODS}), "<record>": frozenset({METHODS}),
                    "<annotation>": frozenset({METHODS})}
# supertypes outside any workspace that declare no members at all (marker interfaces)
MEMBERLESS = frozenset({"Serializable", "java.io.Serializable", "Cloneable", "java.lang.Cloneable",
                        "RandomAccess", "java.util.RandomAccess", "EventListener",
                        "java.util.EventListener", "Object", "java.lang.Object"})


class JavaRules(CheckRules):
    scope_types = _SCOPES
    star_imports_bind_names = False

    def decides_names(self, fm: FileMap) -> bool:
        return True

    def implicit(self, name: str, fm: FileMap) -> bool:
        return name in JAVA_LANG

    def lookup_name(self, run: Any, unit: Unit, ref: Ref):
        fm, r = run.fm, _java(run)
        row = ref.row + unit.start_row
        if ref.module == TYPE:
            found = r.find_type(fm, ref.scope, ref.name)
        elif ref.module == METHOD_CTX:
            methods = r.find_methods(fm, ref.scope, ref.name)
            found = methods[0][0] if methods and methods[0] else None
        else:
            found = r.find_variable(fm, ref.scope, ref.name, row) or r.find_type(fm, ref.scope, ref.name)
            if found is None:
                methods = r.find_methods(fm, ref.scope, ref.name)  # a method reference `this::m`
                found = methods[0][0] if methods and methods[0] else None
        if found is None and not _could_inherit(ref, _outside_of_scopes(r, fm, ref.scope)):
            found = _past_library_supertypes(r, fm, ref, row)
        if found is not None:
            return found
        return None if self._certainly_missing(run, ref) else UNKNOWN

    def _certainly_missing(self, run: Any, ref: Ref) -> bool:
        fm, r, name = run.fm, _java(run), ref.name
        if name in OBJECT_METHODS or _could_inherit(ref, _outside_of_scopes(r, fm, ref.scope)):
            return False
        for imp in fm.symbols:
            if imp.kind != IMPORT or not imp.target:
                continue
            if imp.value == STATIC_ON_DEMAND and r.qualified_type(imp.target[0]) is None:
                return False  # `import static org.x.Y.*` may bring it
            if imp.value == STATIC and imp.name == name:
                return False  # a static import of the name the map could not follow
            if imp.value == ON_DEMAND and ref.module != METHOD_CTX and name[:1].isupper() and \
                    not isinstance(r.module_target(fm, imp.target[0]), Located):
                return False  # `import org.x.*` may bring the type
        if ref.module != METHOD_CTX and name[:1].isupper() and not r.is_package(package_of(fm)):
            return False  # the file's package is not (all) in the workspace
        return True

    def lookup_member(self, run: Any, unit: Unit, ref: Ref, value: Value):
        r = _java(run)
        if ref.module == METHOD_CTX:
            got = r.methods_of(value, ref.name)
            if got and got[0]:
                return got[0][0]
            cls = value.cls if isinstance(value, Instance) else value
            if ref.name in OBJECT_METHODS or not isinstance(cls, Located) or \
                    _could_inherit(ref, _outside(r, cls)):
                return UNKNOWN
            return None
        found = r.member_of(value, ref.name, (CLASS, ATTRIBUTE, CONSTANT, METHOD))
        if found is None:
            cls = value.cls if isinstance(value, Instance) else value
            if not isinstance(cls, Located) or _could_inherit(ref, _outside(r, cls)):
                return UNKNOWN
        return found

    def unbound_syntax(self, node: ts.Node) -> bool:
        """Labels, `case` constants (an enum switch's constants are its type's, not in
        scope), annotation element names, and a lower-case qualifier (maybe a package)."""
        p = node.parent
        if p is None:
            return False
        if p.type in _NOT_REFERENCES:
            return p.type != "element_value_pair" or p.child_by_field_name("key") == node
        if p.type in _QUALIFIERS and node.text.decode("utf-8", "replace").islower():
            first = p.child_by_field_name("object") or p.child_by_field_name("scope") or p.named_children[0]
            return first == node  # `java.util.List`, `pkg.Type.m()`: perhaps a package
        return False

    def closed(self, run: Any, value: Value) -> bool:
        """A workspace type: what its supertypes from outside may give is weighed by
        `lookup_member` (which answers UNKNOWN then)."""
        cls = value.cls if isinstance(value, Instance) else value
        return isinstance(cls, Located) and cls.symbol.kind == CLASS

    def check_call(self, ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                   target: Any) -> Problem | None:
        if ref.star:
            return None
        found = java_checks.candidates(resolver, fm, unit, ref)
        if not found or not found[1]:
            return None  # overloads the map cannot all see
        candidates = found[0]
        if not candidates or any(c.symbol.signature is None or arity_fits(c.symbol.signature, ref.nargs)
                                 for c in candidates):
            return None
        first = candidates[0]
        if len(candidates) == 1:
            msg = arity_problem(first, ref.nargs)
            if msg is None:
                return None
        else:
            msg = f"no overload of `{first.symbol.name}()` takes {ref.nargs} arguments"
        missing = all(ref.nargs < len(c.symbol.signature.params) for c in candidates
                      if c.symbol.signature is not None)
        row = ref.row + unit.start_row
        return Problem((row, ref.col, row, ref.end_col), CALL_ARGUMENTS, msg, first.symbol.id,
                       missing=missing)

    def check_import(self, run: Any, unit: Unit, ref: Ref) -> None:
        dotted = ref.module or ref.name
        if ref.receiver != MODULE_REF:
            run.v.unknown.append(dotted)
            return
        r = _java(run)
        if r.import_target(dotted) is not None and not isinstance(r.import_target(dotted), External):
            run.v.checked += 1
            return
        owner, _, name = dotted.rpartition(".")
        cls = r.qualified_type(owner) if owner else None
        if cls is not None:  # a static member, or a nested type
            if r.hierarchy_members(cls, name, (CLASS, ATTRIBUTE, CONSTANT, METHOD))[1]:
                run.v.checked += 1
                run.issue("import", unit, ref, dotted, f"`{cls.symbol.name}` has no `{name}`")
                return
        elif owner and r.is_package(owner) and name[:1].isupper():
            run.v.checked += 1
            run.issue("import", unit, ref, dotted, f"package `{owner}` has no type `{name}`")
            return
        run.v.unknown.append(dotted)

    def finishings(self, text: str, data: bytes, offset: int) -> list[tuple[str, bool]]:
        return finished(text, closers(text, "//", "\"'", escapes=True), _FINISHERS)


def _java(run: Any):
    return run.r.for_language(run.fm.language)


def _past_library_supertypes(r: Any, fm: FileMap, ref: Ref, row: int):
    """`ref` looked up through every enclosing scope, on past types with library supertypes
    (the resolver stops at the first: such a supertype may declare the name, and would shadow
    the outer one) once `_could_inherit` said none of them can give it."""
    kinds = (METHOD,) if ref.module == METHOD_CTX else (CLASS,) if ref.module == TYPE else \
        (ATTRIBUTE, CONSTANT, CLASS)
    for cls, s in r._enclosing(fm, ref.scope):
        if cls is None:
            if ref.module != METHOD_CTX and ref.name in (fm.local_names(s) or ()):
                return LOCAL
            continue
        found = r.hierarchy_members(cls, ref.name, kinds)[0]
        if found:
            return found[0]
    if ref.module == METHOD_CTX:
        got = r.find_methods(fm, "", ref.name)
        return got[0][0] if got and got[0] else None
    return r.find_variable(fm, "", ref.name, row) or r.find_type(fm, "", ref.name)


def _could_inherit(ref: Ref, outside: frozenset[str]) -> bool:
    """Whether a supertype outside the workspace that gives `outside` could declare `ref`."""
    if ref.module == METHOD_CTX:
        return METHODS in outside
    if ref.module == TYPE:
        return TYPES in outside
    if FIELDS in outside or (TYPES in outside and ref.name[:1].isupper()):
        return True
    return CONSTANTS in outside and not any(c.islower() for c in ref.name)


def _outside(r: Any, cls: Located) -> frozenset[str]:
    """What `cls`'s supertypes outside the workspace may give it (see the kinds above)."""
    out: set[str] = set()

    def supertypes(t: Located) -> list[Located]:
        inside = []
        for text in t.symbol.bases:
            if text in _IMPLICIT_SUPERS:
                out.update(_IMPLICIT_SUPERS[text])
                continue
            if text.startswith("<"):
                continue
            b = r.type_named(t.file, t.symbol.parent or "", text)
            if b is not None:
                inside.append(b)
            elif (strip_type(text) or text) in MEMBERLESS:
                continue
            elif text == t.symbol.annotation:  # the superclass
                out.update(EVERYTHING)
            else:  # an interface: constants, abstract and default methods, member types
                out.update((CONSTANTS, METHODS, TYPES))
        return inside

    for _ in each_type(cls, supertypes):
        if out >= EVERYTHING:
            break
    return frozenset(out)


def _outside_of_scopes(r: Any, fm: FileMap, scope: str) -> frozenset[str]:
    """What supertypes outside the workspace may give the types enclosing `scope` (an
    anonymous class's supertype included): a name no scope binds may be inherited from them."""
    out: set[str] = set()
    for cls, s in r._enclosing(fm, scope):
        if cls is not None:
            out |= _outside(r, cls)
            continue
        sup = fm.local_names(f"{s}.{SUPER_SCOPE}")
        if sup is not None:
            text = next(iter(sup), "")
            t = r.type_named(fm, s.rpartition(".")[0], text) if text else None
            if t is None:
                return EVERYTHING
            out |= _outside(r, t)
    return frozenset(out)
