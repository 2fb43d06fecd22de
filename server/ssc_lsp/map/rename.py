"""Rename from the map: one set of edits for every file, or a refusal that says why.

What is renamed: the definition and its companions (overload stubs, property setters), every
use the map resolves to it (imports, and for a parameter the keyword arguments at the call sites
of its function or class), `import f as f` re-exports, and `__all__` entries of the files that
export it under its name. An alias with another name keeps it (`import f as g`: `g` stays).
A language may take other declarations along (`rename_family` of its resolver): Go's copies of
a package-level name declared per platform, Java's override family; each with its uses.

A language's resolver may leave uses alone or rewrite more with them (`rename_keeps`,
`rename_also`; JavaScript/TypeScript: the local name of a default import or `require` binding
stays, CommonJS export keys follow the definition).

What is refused, before any edit is produced (never a partial edit): a new name that is not an
identifier or is a keyword; a symbol outside the workspace, a module (that is a file rename), a
dunder, a symbol defined more than once; a new name that is already bound where the symbol lives
or in a scope a use sits in (the use would change meaning), or in a file that imports it by name;
a builtin that a use site still needs.

Strings in `__all__` have no place in the map, so their positions are read from the text of the
files that have one.

What the map cannot decide is never dropped in silence: a member's name used through a receiver
the map cannot type (`def use(session): session.get_adapter()`; for a method's parameter,
`session.get_adapter(url=...)`) is an *uncertain* use (`uncertain_uses`). Only receivers the map
knows nothing of count: one it types as another class, a module or an installed object is not a
use of this symbol, so a common name (`get`, `run`) is not flooded with the uses of every other
`get`. The caller asks jedi about each (`sort_uncertain`): confirmed uses are renamed, the others
are offered for confirmation or listed.
"""

from __future__ import annotations

import keyword
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import tree_sitter as ts

from .filemap import FileMap
from .hierarchy import subtypes
from .languages import ParserCache
from .languages.python import PYTHON
from .navigation import companions, ref_index, same_name_alias, uses
from .records import (
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    PARAMETER,
    REF_ATTRIBUTE,
    REF_BASE,
    REF_BIND,
    REF_IMPORT,
    REF_KEYWORD,
    REF_NAME,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    VARIABLE,
)
from .relations import Use
from .resolve import LOCAL, External, Resolver, Target
from .workspace import Located, Workspace

Range = tuple[int, int, int, int]
Edits = dict[str, list[tuple[Range, str]]]
Source = Callable[[str], bytes | None]


class RenameRefused(Exception):
    """A rename that cannot be done safely; the message is for the user."""


class BadName(RenameRefused):
    """The new name itself is wrong (not an identifier, a keyword)."""


_PARSERS = ParserCache()


# -- what can be renamed ------------------------------------------------------------------------------


def renamable(target: Target | None, name: str | None = None) -> Located:
    """The symbol to rename, or RenameRefused saying why not. `name`: the word at the cursor."""
    if target is None or target is LOCAL:
        raise RenameRefused("There is no symbol here that the map can rename.")
    if isinstance(target, External):
        where = "a builtin" if target.module == "builtins" else f"defined outside the workspace (`{target.dotted}`)"
        raise RenameRefused(f"`{name or target.dotted}` is {where}; only workspace symbols can be renamed.")
    sym = target.symbol
    if sym.kind == MODULE:
        raise RenameRefused(f"`{sym.qualname}` is a module: renaming it means renaming its file.")
    if sym.kind == IMPORT:
        raise RenameRefused(f"`{sym.name}` is imported from a module the map cannot follow.")
    if name is not None and name != sym.name:
        raise RenameRefused(f"`{name}` is an import alias of `{sym.name}`: rename `{sym.name}` "
                            "where it is defined, or edit the alias.")
    if sym.name.startswith("__") and sym.name.endswith("__"):
        raise RenameRefused(f"`{sym.name}` is a special name that Python itself looks up.")
    if len(target.file.by_qualname.get(sym.qualname, ())) > 1:
        raise RenameRefused(f"`{sym.qualname}` is defined more than once in {target.file.path}; "
                            "renaming one definition would leave the others.")
    return target


def check_name(new_name: str) -> None:
    if not new_name.isidentifier():
        raise BadName(f"`{new_name}` is not a Python identifier.")
    if keyword.iskeyword(new_name):
        raise BadName(f"`{new_name}` is a Python keyword.")


# -- the plan --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileMove:
    """A rename that must also rename a file (Java: a top-level class its file is named after):
    `required` when the code would not compile without (a public class)."""

    old: str  # workspace-relative paths
    new: str
    required: bool


def file_move(resolver: Resolver, loc: Located, new_name: str, source: Source) -> FileMove | None:
    """The file renaming `loc` to `new_name` moves, by its language's rule (`renamed_file` of
    its resolver), or None."""
    rule = getattr(resolver.for_language(loc.file.language), "renamed_file", None)
    return rule(loc, new_name, source) if rule is not None else None


def plan_rename(ws: Workspace, resolver: Resolver, loc: Located, new_name: str, source: Source) -> Edits:
    check_name(new_name)
    old = loc.symbol.name
    if new_name == old:
        return {}
    if loc.file.language is not resolver.language:  # a language's own refusals (Rust's traits)
        refusal = getattr(resolver.for_language(loc.file.language), "rename_refusal", None)
        why = refusal(loc) if refusal is not None else None
        if why:
            raise RenameRefused(why)
    members = rename_family(resolver, loc)
    found: list[Use] = []
    for member in members:
        theirs = _renamed_uses(ws, resolver, member)
        _check_collisions(ws, resolver, member, new_name, theirs)
        found += theirs
    edits: Edits = {}

    rewrites: dict[tuple[str, Range], str] = {}  # a range's text other than the new name

    def add(path: str, r: Range) -> None:
        edits.setdefault(path, []).append((r, new_name))

    for member in members:
        add(member.file.path, member.symbol.name_range)
        for other in companions(member):  # overload stubs, property setters and deleters
            add(member.file.path, other.name_range)
    for use in found:
        add(use.file.path, use.range)
        alias = same_name_alias(use)  # `import f as f` re-exports under the name: rename both
        if alias is not None:
            add(use.file.path, alias.name_range)
        also = getattr(resolver.for_language(use.file.language), "rename_also", None)
        for r, text in also(use, old, new_name) if also is not None else ():  # JS: `exports.f = f`
            rewrites[(use.file.path, r)] = text
    exporters = {loc.file.path} | {u.file.path for u in found if u.ref.kind == REF_IMPORT}
    for path in sorted(exporters):
        fm = ws.files.get(path)
        if fm is None or old not in (fm.all_names() or ()):
            continue
        data = _read(source, path)
        for r in all_entries(data, old):
            add(path, r)
    for (path, r), text in rewrites.items():
        edits[path] = [e for e in edits.get(path, []) if e[0] != r] + [(r, text)]
    return {p: sorted(set(e)) for p, e in edits.items()}


def _renamed_uses(ws: Workspace, resolver: Resolver, loc: Located) -> list[Use]:
    """The uses the rename changes: all, less those their language's rule leaves alone (JS: the
    uses of a default import's or `require` binding's local name, `rename_keeps`)."""
    found = list(uses(ws, resolver, loc, through_aliases=False))
    kept: list[Use] = []
    for lang in {u.file.language for u in found}:
        rule = getattr(resolver.for_language(lang), "rename_keeps", None)
        if rule is not None:
            kept += rule([u for u in found if u.file.language is lang], loc.symbol.name)
    ids = {id(u) for u in kept}
    return [u for u in found if id(u) not in ids]


def rename_family(resolver: Resolver, loc: Located) -> list[Located]:
    """`loc` and the declarations renamed with it, by its language's rule (`rename_family` of
    its resolver: Go's per-platform copies, Java's overrides); the rule raises RenameRefused
    when part of the family lies outside the workspace."""
    own = resolver if loc.file.language is resolver.language else resolver.for_language(loc.file.language)
    rule = getattr(own, "rename_family", None)
    out = [loc]
    for other in (rule(loc) if rule is not None else ()):
        if all(other.symbol.id != m.symbol.id for m in out):
            out.append(other)
    return out


def _read(source: Source, path: str) -> bytes:
    data = source(path)
    if data is None:
        raise RenameRefused(f"{path} cannot be read; nothing was renamed.")
    return data


# -- collisions ------------------------------------------------------------------------------------------


def _check_collisions(ws: Workspace, resolver: Resolver, loc: Located, new: str, found: list[Use]) -> None:
    sym, fm = loc.symbol, loc.file
    owner = fm.lookup(sym.parent) if sym.parent else None
    if sym.kind == PARAMETER or (owner is not None and owner.kind in (FUNCTION, METHOD)):
        scope = sym.parent or ""
        if new in (fm.local_names(scope) or ()) or fm.lookup(f"{scope}.{new}") is not None:
            raise RenameRefused(f"`{new}` is already bound in `{scope}`.")
    elif owner is not None and owner.kind == CLASS:
        cls = Located(fm, owner)
        clash = resolver.class_member(cls, new)
        if isinstance(clash, Located):
            raise RenameRefused(f"`{owner.name}` already has a member `{new}` "
                                f"({clash.file.path}:{clash.symbol.name_range[0] + 1}).")
        for sub in all_subtypes(ws, resolver, cls):
            if sub.file.lookup(f"{sub.symbol.qualname}.{new}") is not None:
                raise RenameRefused(f"subclass `{sub.symbol.name}` already has a member `{new}`; "
                                    "the renamed member would be hidden there.")
    else:
        _check_module_namespace(fm, new, "")
    for use in found:
        ufm, ref = use.file, use.ref
        if ref.kind == REF_IMPORT:
            if ref.receiver is None and not _aliased(use):
                _check_module_namespace(ufm, new, " (it imports the symbol by name)")
            continue
        if (ref.kind in (REF_NAME, REF_BASE) and ref.receiver is None) or ref.kind == REF_BIND:
            there = resolver.resolve_name(ufm, ref.scope, new, follow=False)
            if isinstance(there, Located) and there.symbol.id != sym.id:
                raise RenameRefused(f"`{new}` already means `{there.symbol.qualname}` at "
                                    f"{ufm.path}:{use.row + 1}; the use there would change meaning.")
            if there is LOCAL:
                raise RenameRefused(f"`{new}` is bound in a comprehension or lambda at "
                                    f"{ufm.path}:{use.row + 1}.")
    _check_builtin(ws, resolver, loc, new, found)


def _check_module_namespace(fm: FileMap, new: str, why: str) -> None:
    if new in fm.module_bindings() or fm.lookup(new) is not None:
        raise RenameRefused(f"`{new}` is already defined in {fm.path}{why}.")


def _aliased(use: Use) -> bool:
    for s in use.unit.symbols:
        if s.kind == IMPORT and s.target == (use.ref.module or "", use.ref.name):
            return s.name != use.ref.name
    return False


def _check_builtin(ws: Workspace, resolver: Resolver, loc: Located, new: str, found: list[Use]) -> None:
    """Renaming to `len` shadows the builtin in every file the new name enters."""
    if new not in loc.file.language.builtins:
        return
    files = {loc.file.path} | {u.file.path for u in found if u.ref.kind == REF_IMPORT}
    for path in sorted(files):
        fm = ws.files.get(path)
        if fm is None or new not in fm.ref_names:
            continue
        for unit in fm.units:
            for ref in unit.refs:
                if ref.name == new and ref.kind == REF_NAME:
                    t = resolver.resolve_ref(fm, ref, unit)
                    if isinstance(t, External) and t.module == "builtins":
                        raise RenameRefused(f"{path} uses the builtin `{new}`, which the new name "
                                            "would hide.")


def all_subtypes(ws: Workspace, resolver: Resolver, cls: Located) -> list[Located]:
    """Every class below `cls` in the workspace, transitively."""
    out: list[Located] = []
    todo = [cls]
    seen = {cls.symbol.id}
    while todo:
        for sub in subtypes(ws, resolver, todo.pop()):
            if sub.symbol.id not in seen:
                seen.add(sub.symbol.id)
                out.append(sub)
                todo.append(sub)
    return out


# -- uses the map cannot decide --------------------------------------------------------------------------


def uncertain_uses(ws: Workspace, resolver: Resolver, loc: Located) -> list[Use]:
    """Uses of `loc`'s name through a receiver the map cannot type: `x.name` for a member of a
    class, `x.method(name=...)` for a parameter of a method. Receivers the map types (as another
    class, a module, an installed object) are left out: what they reach is not `loc`."""
    sym, fm = loc.symbol, loc.file
    owner = fm.lookup(sym.parent) if sym.parent else None
    if owner is None:
        return []
    if sym.kind == PARAMETER:
        cls = fm.lookup(owner.parent) if owner.kind == METHOD and owner.parent else None
        if cls is None or cls.kind != CLASS:
            return []
        kind, method = REF_KEYWORD, owner.name
    elif owner.kind == CLASS:
        kind, method = REF_ATTRIBUTE, None
    else:
        return []
    index = ref_index(ws)
    out: list[Use] = []
    for other in list(ws.files.values()):
        if sym.name not in other.ref_names:
            continue
        for ref, unit in index.named(other, sym.name):
            if ref.kind != kind or not ref.receiver:
                continue
            receiver = ref.receiver
            if method is not None:  # the callee `x.method`: its receiver is x
                receiver, dot, attr = receiver.rpartition(".")
                if not dot or attr != method:
                    continue
            if resolver.value_of_expr(other, ref.scope, receiver) is None \
                    and not _builtin_value(resolver, other, ref.scope, receiver):
                out.append(Use(other, ref, unit))
    return out


# A value written as one of these is a builtin object (`d = {}`, `xs = list(...)`), whose members
# no workspace class defines.
_LITERAL_STARTS = ("{", "[", "(", '"', "'", "b'", 'b"', "f'", 'f"')
_BUILTIN_CALLS = ("dict(", "list(", "set(", "tuple(", "frozenset(", "str(", "bytes(", "bytearray(")


def _builtin_value(resolver: Resolver, fm: FileMap, scope: str, receiver: str) -> bool:
    """Whether the map can tell that `receiver` is a builtin object though it cannot type it:
    `**kwargs` / `*args`, a name bound once to a literal or a builtin constructor, `x.__dict__`."""
    if receiver == "__dict__" or receiver.endswith(".__dict__"):
        return True
    if not receiver.isidentifier():
        return False
    found = resolver.resolve_name(fm, scope, receiver)
    if not isinstance(found, Located):
        return False
    sym = found.symbol
    if sym.kind == PARAMETER:
        owner = found.file.lookup(sym.parent or "")
        sig = owner.signature if owner is not None else None
        kind = next((p.kind for p in sig.params if p.name == sym.name), None) if sig else None
        return kind in (VAR_POSITIONAL, VAR_KEYWORD)
    value = (sym.value or "").lstrip()
    return sym.kind in (VARIABLE, CONSTANT) and not sym.annotation and len(
        found.file.by_qualname.get(sym.qualname, ())) == 1 and (
        value.startswith(_LITERAL_STARTS) or value[:1].isdigit() or value.startswith(_BUILTIN_CALLS))


@dataclass(slots=True)
class Uncertain:
    """Uncertain uses sorted by jedi's answers: its `goto` landed on the symbol (`confirmed`),
    only on other definitions (`elsewhere`), or it had no answer (`unconfirmed`). `shared`: who
    else defines the name (other workspace classes, builtin types), when someone does: then an
    unconfirmed use is more likely theirs, and is listed rather than offered as an edit."""

    confirmed: list[Use] = field(default_factory=list)
    unconfirmed: list[Use] = field(default_factory=list)
    elsewhere: list[Use] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)


# Types whose members an untyped receiver very often is (`d.get`, `gen.send`, `xs.append`).
_COMMON_TYPES = (dict, list, set, str, bytes, tuple, int, float, types.GeneratorType,
                 types.CoroutineType)


def other_definers(ws: Workspace, loc: Located) -> list[str]:
    """Who else defines a member named like `loc` (for a parameter: like its method): `Class
    (path)` for workspace classes, `dict` and the like for common builtin types."""
    if loc.symbol.kind == PARAMETER and loc.symbol.parent:
        owner = loc.file.lookup(loc.symbol.parent)
        if owner is not None:
            loc = Located(loc.file, owner)
    name = loc.symbol.name
    out: list[str] = []
    for other in ws.symbols_named(name):
        sym = other.symbol
        if sym.id == loc.symbol.id or sym.kind == PARAMETER or not sym.parent:
            continue
        owner = other.file.lookup(sym.parent)
        if owner is not None and owner.kind == CLASS:
            out.append(f"{owner.qualname} ({other.file.path})")
    out.sort()
    out += [t.__name__ for t in _COMMON_TYPES if hasattr(t, name)]
    return out


Landing = tuple[str | None, int, str]  # (workspace-relative path or None, 0-based row, name)


def sort_uncertain(ws: Workspace, loc: Located, found: Sequence[Use],
                   answers: Sequence[Sequence[Landing] | None]) -> Uncertain:
    """`answers[i]`: where jedi's goto at `found[i]` landed (None: no answer in time)."""
    here = (loc.file.path, loc.symbol.name_range[0], loc.symbol.name)
    out = Uncertain(shared=other_definers(ws, loc) if found else [])
    for use, landed in zip(found, answers, strict=True):
        if not landed:
            out.unconfirmed.append(use)
        elif any((p, r, n) == here for p, r, n in landed):
            out.confirmed.append(use)
        else:
            out.elsewhere.append(use)
    return out


def edits_of(uses: Sequence[Use], new_name: str) -> Edits:
    edits: Edits = {}
    for use in uses:
        edits.setdefault(use.file.path, []).append((use.range, new_name))
    return edits


# -- text the map does not keep ---------------------------------------------------------------------------


def all_entries(data: bytes, name: str) -> list[Range]:
    """Ranges of the string contents equal to `name` in `__all__` assignments and extensions."""
    tree = _PARSERS.get(PYTHON).parse(data)  # `__all__` is Python's
    out: list[Range] = []
    for stmt in tree.root_node.named_children:
        if stmt.type != "expression_statement" or not stmt.named_child_count:
            continue
        expr = stmt.named_children[0]
        value: ts.Node | None = None
        if expr.type in ("assignment", "augmented_assignment"):
            left = expr.child_by_field_name("left")
            if left is not None and left.text == b"__all__":
                value = expr.child_by_field_name("right")
        elif expr.type == "call":
            fn = expr.child_by_field_name("function")
            if fn is not None and fn.type == "attribute" and (fn.child_by_field_name("object") or fn).text == b"__all__":
                value = expr.child_by_field_name("arguments")
        if value is not None:
            out.extend(_strings_equal(value, name))
    return out


def _strings_equal(node: ts.Node, name: str) -> list[Range]:
    out: list[Range] = []
    stack = [node]
    want = name.encode()
    while stack:
        n = stack.pop()
        if n.type == "string":
            parts = [c for c in n.children if c.type == "string_content"]
            if len(parts) == 1 and parts[0].text == want:
                s, e = parts[0].start_point, parts[0].end_point
                out.append((s[0], s[1], e[0], e[1]))
            continue
        stack.extend(n.named_children)
    return out
