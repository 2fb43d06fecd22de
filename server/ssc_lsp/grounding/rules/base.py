"""What the completions' check asks of a language (`CheckRules`), with answers that decide nothing.

The check's walk (grounding/check.py: each reference in the suggestion is a name, a member or an
import, resolved through the workspace `Resolver`, which dispatches to the language's resolver)
is the same for every language; what differs is asked here, one method per question. A language
without rules of its own gets these defaults: every bare name, every member the map does not
find, every import is *unknown*, which passes (precision first: say nothing rather than
something wrong). A member the map does find is still counted as decided.

`run` arguments are the check's `_Run` (its placed document `run.p`, map service `run.svc`,
resolver `run.r`, verdict `run.v`); typed loosely to keep this package free of a circle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import tree_sitter as ts

from ...map.checks import Problem
from ...map.filemap import FileMap
from ...map.records import CLASS, MODULE, Ref, Unit
from ...map.resolve import External, Instance, Resolver, SuperOf, Target, Value
from ...map.workspace import Located, Workspace


class Unknown:
    """The answer of a look-up that cannot tell (the name or member passes as unknown)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


class CheckRules:
    """A language's answers to the check's questions; the base answers "cannot tell"."""

    # jedi answers for installed modules and untyped receivers (grounding/externals.py)
    externals: bool = False
    # node types that end the walk up from a reference (`under`): a statement block or the root
    scope_types: frozenset[str] = frozenset()
    # whether a star import from outside the workspace (`from m import *`, Go's dot import)
    # may bind any unresolved name (Java's on-demand imports bring types only: its rules weigh
    # them in `lookup_name`)
    star_imports_bind_names: bool = True
    # receivers that name the enclosing class's instance, whose subclasses may add members
    self_receivers: tuple[str, ...] = ()

    def decides_names(self, fm: FileMap) -> bool:
        """Whether a bare name the map cannot resolve in `fm` may be called missing at all."""
        return False

    def lookup_name(self, run: Any, unit: Unit, ref: Ref) -> Target | None | Unknown:
        """What the bare name `ref` names (not followed through imports): None when nothing
        (missing, where `decides_names`), `UNKNOWN` when the map cannot tell. The default is
        the resolver's scope look-up (Python's: a name's scope does not depend on its row)."""
        return run.r.resolve_name(run.fm, ref.scope, ref.name, follow=False)

    def lookup_member(self, run: Any, unit: Unit, ref: Ref, value: Value) -> Target | None | Unknown:
        """The member `ref` of the receiver's value: None when `value` has none (missing, where
        `closed`), `UNKNOWN` when the map cannot tell."""
        return run.r.member_of(value, ref.name)

    def implicit(self, name: str, fm: FileMap) -> bool:
        """Whether the language or its environment provides `name` without a binding the map
        records (Python's `__class__`, Go's predeclared identifiers, JavaScript's globals)."""
        return False

    def unbound_syntax(self, node: ts.Node) -> bool:
        """Whether the name at `node` sits in syntax that binds or matches names the map's
        extractor does not record (patterns, labels, keys): its resolution proves nothing."""
        return False

    def bound_in_syntax(self, node: ts.Node, name: str) -> bool:
        """Whether the statement around `node` binds `name` in syntax the extractor does not
        turn into bindings (checked only for a name the map could not resolve)."""
        return False

    def environment(self, run: Any, name: str) -> bool:
        """Whether the workspace may give the file `name` without a binding the map resolves
        (JavaScript's globals from scripts and `declare global`); asked last, for a bare name
        the map could not resolve, so it may look at the whole workspace."""
        return False

    def may_have(self, run: Any, value: Value, ref: Ref) -> bool:
        """Whether `value`, closed, may still have the member `ref` names where the map does
        not look (a Rust trait's method, a JavaScript member set in another file); asked last,
        for a member the map did not find."""
        return False

    def external_members(self, run: Any, value: External) -> frozenset[str] | None:
        """Every member the module `value` (outside the workspace) has, when the language knows
        them without jedi (Go's standard library, go_std.py); None: cannot tell."""
        return None

    def outside_type_members(self, run: Any, unit: Unit, ref: Ref) -> tuple[frozenset[str], str] | None:
        """For a receiver the map cannot type: every member its type has, and the type's name,
        when the language knows both for certain without jedi (a Go variable declared with a
        standard library type, go_std.py); None: cannot tell."""
        return None

    def unknown_member(self, name: str) -> bool:
        """Whether a member of this name is never decided (Python's dunders)."""
        return False

    def is_store(self, node: ts.Node) -> bool:
        """Whether the member at `node` (its name) is written, which creates it where the
        language allows that (Python's `obj.new = 1`)."""
        return False

    def closed(self, run: Any, value: Value) -> bool:
        """Whether the map sees every member `value` can have (only then is a member the map
        does not find missing)."""
        return False

    def check_call(self, ws: Workspace, resolver: Resolver, fm: FileMap, unit: Unit, ref: Ref,
                   target: Any) -> Problem | None:
        """A problem with the call `ref` of `target` (a workspace definition), or None: the
        language's own argument rules (map/checks.py, map/languages/<lang>/checks.py)."""
        return None

    def check_import(self, run: Any, unit: Unit, ref: Ref) -> None:
        """Decide the import `ref` (a module, or a name from one): report through
        `run.issue`, count through `run.v` (`checked`, `unknown`, `pending`)."""
        run.v.unknown.append(ref.module or ref.name)

    def finishings(self, text: str, data: bytes, offset: int) -> list[tuple[str, bool]]:
        """`text` (to go at byte `offset` of `data`) finished in the ways worth a parse when the
        model left its last line unfinished, in order; each with whether brackets were left
        open (then only missing arguments of a call are forgiven)."""
        return []


def under(node: ts.Node, types: tuple[str, ...] | frozenset[str], stop: frozenset[str]) -> bool:
    """Whether `node` or an ancestor below the first of `stop` (the root when empty) is one of
    `types`."""
    p: ts.Node | None = node
    while p is not None and p.type not in stop:
        if p.type in types:
            return True
        p = p.parent
    return False


def finished(text: str, closing: str, finishers: tuple[str, ...]) -> list[tuple[str, bool]]:
    """`text` with its last line finished each way worth a parse: `closing` (the brackets it
    leaves open) and each of the language's `finishers` in both orders, also without a trailing
    `.` (a member access the model stopped before naming); with whether brackets were open."""
    body, newline = (text[:-1], "\n") if text.endswith("\n") else (text, "")
    bodies = [body]
    if body.endswith(".") and not body.endswith(".."):
        bodies.append(body[:-1])
    out: list[tuple[str, bool]] = []
    for b in bodies:
        for finisher in finishers:
            for tail in dict.fromkeys((closing + finisher, finisher + closing)):
                if tail or b is not body:
                    out.append((b + tail + newline, bool(closing)))
    return out


def each_type(start: Located, supertypes: Callable[[Located], Iterable[Located]]) -> Iterator[Located]:
    """`start` and every type `supertypes` reaches from it, each once (hierarchies may loop in
    broken code)."""
    todo, seen = [start], set()
    while todo:
        t = todo.pop()
        if t.symbol.id in seen:
            continue
        seen.add(t.symbol.id)
        yield t
        todo.extend(supertypes(t))


def closers(text: str, comment: str = "#", quotes: str = "'\"", escapes: bool = False) -> str:
    """The brackets that would close what `text` leaves open ('' when balanced or odd).
    `comment` starts a line comment (the rest is not read); `quotes` open strings; `escapes`:
    a backslash in a string escapes the next character (C-family strings)."""
    stack: list[str] = []
    pairs = {"(": ")", "[": "]", "{": "}"}
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if escapes and ch == "\\" and quote != "`":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in quotes:
            quote = ch
        elif text.startswith(comment, i):
            break
        elif ch in pairs:
            stack.append(pairs[ch])
        elif ch in ")]}":
            if not stack or stack.pop() != ch:
                return ""
        i += 1
    return "" if quote else "".join(reversed(stack))


def source_text(run: Any, loc: Located) -> str | None:
    """The text of the file `loc` is in, as its rows refer to it: for a definition of the
    checked file, the new text when it is in the suggestion's fresh units, the document as it
    was for the others; another file's text from the map service."""
    p = run.p
    if loc.file.path == run.fm.path:
        fresh = any(s is loc.symbol for u in p.fresh for s in u.symbols)
        data = p.data if fresh else p.data[:p.start] + p.data[p.end:]
        return data.decode("utf-8", errors="replace")
    return run.svc.text_of(loc.file.path)


def closed_value(value: Value, module: Callable[[Located], bool], cls: Callable[[Located], bool]) -> bool:
    """`closed` by the value's kind: a workspace module (`module`), a class, an instance of one
    or `super()` in one (`cls`); anything else is not closed."""
    if isinstance(value, Located) and value.symbol.kind == MODULE:
        return module(value)
    if isinstance(value, Instance | SuperOf):
        return cls(value.cls)
    if isinstance(value, Located) and value.symbol.kind == CLASS:
        return cls(value)
    return False


def closed_hierarchy(run: Any, cls: Located, own: Callable[[Located], bool]) -> bool:
    """Whether `cls` and every class above it pass `own` (the language's test of one class),
    every base being one the map resolves inside the workspace (a base it cannot see, or one
    outside, may add any member)."""
    seen: set[str] = set()
    todo = [cls]
    while todo:
        c = todo.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        if not own(c):
            return False
        bases = run.r.bases(c)
        if len(bases) != len(c.symbol.bases):
            return False  # a base the map cannot see
        for b in bases:
            if not isinstance(b, Located):
                return False  # a base outside the workspace
            todo.append(b)
    return True
