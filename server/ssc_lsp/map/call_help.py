"""Signature help in the brace languages (Go, Java, TypeScript/JavaScript, Rust): the call open
at a position, its callee through the language's resolver, the argument being written.

Finding the call: while a call is being written (`f(a, `) the tree has ERROR nodes where the call
should be (Go splits the statement in two), so the text is read from the start of the map's unit
around the position (a top-level declaration or a type's member: never inside a string or a
comment; the innermost declaration around it in a unit too long to read) to the position, with strings and comments skipped, keeping a stack of open brackets
and the commas each has seen. The innermost open `(` preceded by a name is the call; a `[`
between is an index or an array being written (the call goes on outward), a `{` a block or a
literal (no help: its own statements are not the call's arguments). Type arguments (`new
HashMap<K, V>(`, `collect::<Vec<_>>(`) are skipped whole, so their commas are not arguments.

The callee is the map's reference at the callee's name (a declaration's name is no reference:
`func f(`, `void f(` get no help), resolved by the language's resolver; a resolver with
`call_candidates` (Java) names every overload, and those the arguments so far fit are shown.
The active parameter is the number of commas before the position (Go, Java, TS, Rust bind
arguments by position), the variadic last one past the end; a method called through a value
(`x.m(`) does not count Rust's `self`. What the map cannot resolve gets no help.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from .filemap import FileMap
from .languages.base import CallSyntax, Language
from .positions import LineIndex
from .records import CLASS, FUNCTION, METHOD, VAR_POSITIONAL, Param
from .resolve import Resolver
from .signature_help import MAX_SCAN_CHARS, SignatureInfo, label_from_parts
from .workspace import Located

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
_TYPE_ARG_CHARS = _NAME_CHARS | frozenset(" \t\n,.<>?[]&:'*")


@dataclass(frozen=True, slots=True)
class BraceCall:
    """The call open at a position: where its callee's name starts (a byte of the text),
    whether it is called through a value (`x.m(`) or constructs (`new C(`), and the commas
    before the position."""

    name_byte: int
    bound: bool
    new: bool
    index: int


def open_brace_call(text: str, lifetimes: bool) -> tuple[int, int] | None:
    """(offset of the innermost open call's `(`, its commas so far) at the end of `text`, or
    None. `lifetimes`: `'a` is a lifetime, not a char literal (Rust)."""
    stack: list[list] = []  # [bracket, offset, commas]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            if j < 0:
                return None  # in a comment
            i = j + 1
            continue
        if ch == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return None
            i = j + 2
            continue
        if ch in "\"'`":
            if ch == "'" and lifetimes and not _char_literal(text, i):
                i += 1
                continue
            j = _string_end(text, i)
            if j is None:
                return None  # inside an unfinished string
            i = j
            continue
        if ch == "<" and i and (text[i - 1] in _NAME_CHARS or text[i - 1] == ":"):
            j = _type_args_end(text, i)
            if j is not None:
                i = j
                continue
        if ch in "([{":
            stack.append([ch, i, 0])
        elif ch in ")]}":
            if stack:
                stack.pop()
        elif ch == "," and stack:
            stack[-1][2] += 1
        i += 1
    for bracket, at, commas in reversed(stack):
        if bracket == "{":
            return None
        if bracket == "(" and callee_name(text, at) is not None:
            return at, commas
    return None


def _char_literal(text: str, i: int) -> bool:
    """A Rust `'x'`, `'\\n'`, `'\\u{..}'`: a quote closing within a few characters."""
    j = text.find("'", i + 1, i + 12)
    return j > i + 1 and (j == i + 2 or text[i + 1] == "\\")


def _string_end(text: str, i: int) -> int | None:
    """The offset after the string starting at `i`; a `"`/`'` string left open at its line's
    end ends there (broken code, not the position's string); None if the text ends inside."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n" and quote != "`":
            return j
        j += 1
    return None


def _type_args_end(text: str, i: int) -> int | None:
    """The offset after `<...>` at `i` when it is a type argument list followed by `(` or `::`
    (`HashMap<K, V>(`, `f::<T>(`), else None (a comparison)."""
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
            if depth == 0:
                rest = text[j + 1:].lstrip()
                return j + 1 if rest.startswith(("(", "::")) else None
        elif c not in _TYPE_ARG_CHARS:
            return None
        j += 1
    return None


def callee_name(text: str, paren: int) -> tuple[int, bool, bool] | None:
    """(offset of the callee's last name, called through a value, after `new`) before the `(`
    at `paren`; None for no name (`(a)(`, a macro `m!(`)."""
    j = len(text[:paren].rstrip())
    if j and text[j - 1] == ">":  # type arguments: back over them
        depth = 0
        while j > 0:
            c = text[j - 1]
            depth += 1 if c == ">" else -1 if c == "<" else 0
            j -= 1
            if depth == 0:
                break
        if depth:
            return None
        j = len(text[:j].rstrip())
        if text[:j].endswith("::"):
            j = len(text[:j - 2].rstrip())
    end = j
    while j > 0 and text[j - 1] in _NAME_CHARS:
        j -= 1
    if j == end or text[j].isdigit():
        return None
    before = text[:j].rstrip()
    return j, before.endswith("."), before.endswith("new") and (len(before) == 3 or before[-4] not in _NAME_CHARS)


def brace_call_at(data: bytes, start: int, byte: int, syntax: CallSyntax) -> BraceCall | None:
    """The call open at `byte` of `data`, read from `start` (a unit's first byte)."""
    if byte - start > MAX_SCAN_CHARS * 4:
        return None
    text = data[start:byte].decode("utf-8", errors="replace")
    if len(text) > MAX_SCAN_CHARS:
        return None
    found = open_brace_call(text, syntax.lifetimes)
    if found is None:
        return None
    paren, index = found
    name = callee_name(text, paren)
    if name is None:
        return None
    at, bound, new = name
    return BraceCall(start + len(text[:at].encode("utf-8")), bound, new, index)


# -- the signatures ------------------------------------------------------------------------------


def scan_start(fm: FileMap, byte: int, tree: ts.Tree | None) -> int:
    """Where to read the text from: the first byte of the map's unit holding `byte` (0 before
    the first); in a unit too long to read (a nested class is one member unit), the innermost
    declaration around `byte` in `tree` (a method), also a node boundary."""
    start = 0
    for unit in fm.units:
        if unit.start_byte > byte:
            break
        start = unit.start_byte
    if byte - start <= MAX_SCAN_CHARS or tree is None:
        return start
    node = tree.root_node.descendant_for_byte_range(max(0, byte - 1), max(0, byte - 1))
    while node is not None and node.start_byte > start:
        if node.type.endswith(_DECLARATIONS):
            return node.start_byte
        node = node.parent
    return start


_DECLARATIONS = ("_declaration", "_definition", "_item")  # tree-sitter's words for declarations


def candidates(resolver: Resolver, fm: FileMap, row: int, col: int, new: bool) -> list[Located]:
    """What the callee's name at (row, byte column) may mean: the resolver's one answer, or
    every overload where the language has them (`call_candidates`). A class is called by `new`
    only (a Go conversion, a Rust tuple struct have no signature): its `constructor`, or `C()`
    when it declares none and extends nothing."""
    hit = resolver.ref_at(fm, row, col)
    if hit is None:
        return []
    ref, unit = hit
    rules = resolver.for_language(fm.language)
    if hasattr(rules, "call_candidates"):
        return rules.call_candidates(fm, ref, unit) or []
    t = resolver.resolve_call(fm, ref, unit)
    if isinstance(t, Located) and t.symbol.kind == CLASS:
        if not new:
            return []
        ctor = resolver.class_member(t, "constructor")
        if isinstance(ctor, Located) and ctor.symbol.kind == METHOD:
            return [ctor]
        return [t] if ctor is None and not t.symbol.bases else []
    return [t] if isinstance(t, Located) else []


def active_index(params: list[Param], index: int) -> int | None:
    """The parameter the argument after `index` commas goes to: by position, the variadic last
    one past the end, None past the end of a fixed list."""
    if index < len(params):
        return index
    if params and params[-1].kind == VAR_POSITIONAL:
        return len(params) - 1
    return None


def brace_signatures(resolver: Resolver, fm: FileMap, data: bytes, byte: int,
                     tree: ts.Tree | None = None) -> list[SignatureInfo] | None:
    """The signatures of the call open at `byte` (the candidates that fit first), [] when the
    map cannot name its callee, None outside a call. `tree`: the parse of `data`, if at hand."""
    lang: Language = fm.language
    syntax = lang.calls
    assert syntax is not None
    call = brace_call_at(data, scan_start(fm, byte, tree), byte, syntax)
    if call is None:
        return None
    row, col = LineIndex(data).point_of_byte(call.name_byte)
    label_of = lang.load(syntax.label)
    out: list[SignatureInfo] = []
    for loc in candidates(resolver, fm, row, col, call.new):
        params = _params(loc, call.bound)
        if params is None:
            continue
        head, texts, tail = label_of(loc, params)
        label, spans = label_from_parts(head, texts, tail)
        out.append(SignatureInfo(label, spans, loc.symbol.doc, active_index(params, call.index)))
    if len(out) > 1:  # overloads: those the arguments so far fit
        fits = [s for s in out if s.active is not None or (not s.params and call.index == 0)]
        out = fits or out
    return out


def _params(loc: Located, bound: bool) -> list[Param] | None:
    """The parameters an argument list fills: a method's receiver (`self`) left out when
    called through a value; None for what is not called with a signature the map holds."""
    sym = loc.symbol
    if sym.kind == CLASS:
        return []  # a constructor the language makes up: no parameters
    if sym.kind not in (FUNCTION, METHOD) or sym.signature is None:
        return None
    params = sym.signature.params
    if bound and params and params[0].name == "self":
        return params[1:]
    return params
