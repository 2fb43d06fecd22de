"""Signature help from the map: the call open around a position, its callee's signature, and
which parameter the argument being written goes to.

Finding the call: while a call is being written (`f(a, `) tree-sitter's tree has ERROR nodes
where the call should be, so the tree only gives a safe place to start reading (the start of the
statement around the position, never inside a string); from there the text is scanned forward to
the position, with strings and comments skipped, keeping a stack of open brackets. The innermost
open `(` preceded by a callee expression is the call; a `[` or `{` inside it (`f([1, `) is an
argument being written, not a call of its own.

The callee is resolved with the map's Resolver: a workspace function; a method through a receiver
the map types (bound: `self`/`cls` left out); a class (its `__init__`, `self` left out). What the
map cannot resolve (installed or stdlib callables) is for jedi, which the caller asks.

Everything here is in code points of the decoded text (labels, offsets); the LSP layer converts
label offsets to UTF-16 with map/positions.py.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import tree_sitter as ts

from .filemap import FileMap
from .hover import full_docstring
from .languages import ParserCache
from .records import (
    CLASS,
    FUNCTION,
    KEYWORD_ONLY,
    METHOD,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    Param,
)
from .resolve import Instance, Resolver
from .workspace import Located

Source = Callable[[str], bytes | None]  # workspace-relative path -> the text the map has

# A statement longer than this before the position is not scanned (a call open that long ago is
# not what the user is writing).
MAX_SCAN_CHARS = 20_000

_KEYWORD_ARG = re.compile(r"^\s*([A-Za-z_]\w*)\s*=(?!=)")


@dataclass(slots=True)
class Arg:
    """One argument written so far: `keyword` for `name=`, `star` 1 for `*x`, 2 for `**x`."""

    keyword: str | None = None
    star: int = 0


@dataclass(slots=True)
class OpenCall:
    """The call open at the position: the callee's text, where its `(` is (a code point offset
    in the scanned text), the arguments before the current one, and the current one."""

    callee: str
    paren: int
    before: list[Arg] = field(default_factory=list)
    current: Arg = field(default_factory=Arg)


@dataclass(frozen=True, slots=True)
class ParamLabel:
    start: int  # code points into the signature's label
    end: int


@dataclass(slots=True)
class SignatureInfo:
    label: str
    params: list[ParamLabel]
    doc: str | None = None
    active: int | None = None  # the active parameter, None when the argument fits none


# -- the open call ---------------------------------------------------------------------------------


def statement_start(tree: ts.Tree, byte: int) -> int:
    """The first byte of the statement around `byte` (a node boundary: never inside a string)."""
    node = tree.root_node.descendant_for_byte_range(max(0, byte - 1), max(0, byte - 1))
    start = 0
    while node is not None and node.parent is not None:
        if node.parent.type in ("module", "block"):
            start = node.start_byte
            break
        node = node.parent
    return start


def open_call(text: str) -> OpenCall | None:
    """The innermost call left open at the end of `text` (a statement's text up to the
    position), or None. Strings and comments are skipped; an unfinished string at the end means
    the position is inside it, where there is no help."""
    stack: list[tuple[str, int, list[Arg], int]] = []  # (bracket, offset, args before, arg start)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            j = text.find("\n", i)
            if j < 0:
                return None
            i = j + 1
            continue
        if ch in "\"'":
            triple = text[i:i + 3] in ('"""', "'''")
            quote = text[i:i + 3] if triple else ch
            j = i + len(quote)
            while True:
                k = text.find(quote, j)
                if k < 0:
                    return None  # inside an unfinished string
                if _escaped(text, k):
                    j = k + 1
                    continue
                break
            if not triple and "\n" in text[i:k]:
                i = text.find("\n", i) + 1  # an unclosed one-line string: skip the line
                continue
            i = k + len(quote)
            continue
        if ch in "([{":
            stack.append((ch, i, [], i + 1))
        elif ch in ")]}":
            if stack:
                stack.pop()
        elif ch == "," and stack and stack[-1][0] == "(":
            b, at, args, start = stack[-1]
            args.append(_arg(text[start:i]))
            stack[-1] = (b, at, args, i + 1)
        i += 1
    for b, at, args, start in reversed(stack):
        if b != "(":
            continue
        callee = _callee(text[:at])
        if callee is None:
            continue  # a parenthesized expression or a tuple: look further out
        return OpenCall(callee, at, args, _arg(text[start:]))
    return None


def _escaped(text: str, k: int) -> bool:
    slashes = 0
    while k - 1 - slashes >= 0 and text[k - 1 - slashes] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _arg(text: str) -> Arg:
    s = text.lstrip()
    if s.startswith("**"):
        return Arg(star=2)
    if s.startswith("*"):
        return Arg(star=1)
    m = _KEYWORD_ARG.match(text)
    return Arg(keyword=m.group(1)) if m else Arg()


def _callee(before: str) -> str | None:
    """The callee expression just before a `(`: names, dots and whole bracket groups
    (`Cart().first`), or None (an operator, a keyword, a definition: not a call)."""
    end = len(before.rstrip())
    j, depth = end, 0
    while j > 0:
        ch = before[j - 1]
        if depth:
            depth += 1 if ch in ")]" else -1 if ch in "([" else 0
        elif ch in ")]":
            depth = 1
        elif not (ch.isalnum() or ch in "_."):
            break
        j -= 1
    callee = before[j:end]
    if depth or not callee or not (callee[0].isalpha() or callee[0] == "_") or callee.endswith(".") \
            or ".." in callee or keyword.iskeyword(callee):
        return None  # `if (`, `(a)(`, `x.(`: not a call the map can name
    words = before[:j].split()
    if words and words[-1] in ("def", "class"):
        return None  # a definition's parameter list, not a call
    return callee


# -- the callee ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Callee:
    """A workspace callable and how it is called: `drop` leading parameters (self/cls)."""

    loc: Located
    name: str
    params: list[Param]
    returns: str | None
    drop: int
    doc_from: Located  # whose docstring: the callable, or the class when `__init__` has none


def scope_at(fm: FileMap, row: int) -> str:
    """The qualname of the innermost function or class whose text holds `row` ('' at module)."""
    best = ""
    best_start = -1
    for s in fm.symbols[1:]:
        if s.kind not in (CLASS, FUNCTION, METHOD):
            continue
        r = s.range
        if r[0] < row <= r[2] and r[0] > best_start:
            best, best_start = s.qualname, r[0]
    return best


def resolve_callee(resolver: Resolver, fm: FileMap, scope: str, text: str) -> Callee | None:
    obj, dot, attr = text.rpartition(".")
    receiver = resolver.value_of_expr(fm, scope, obj) if dot else None
    if dot:
        if receiver is None:
            return None
        found = resolver.member_of(receiver, attr)
    else:
        found = resolver.resolve_name(fm, scope, text)
    if isinstance(found, Located) and found.symbol.kind not in (CLASS, FUNCTION, METHOD):
        value = resolver.value_of_symbol(found)  # `from m import f` re-exports, aliases
        found = value if isinstance(value, Located) else None
    if not isinstance(found, Located):
        return None
    sym = found.symbol
    if sym.kind == CLASS:
        init = resolver.class_member(found, "__init__")
        if not isinstance(init, Located) or init.symbol.signature is None:
            if sym.bases or sym.decorators or init is not None:
                return None  # an outside base's or a decorator's `__init__`: for jedi
            return Callee(found, sym.name, [], None, 0, found)  # a plain class: ()
        params = init.symbol.signature.params
        doc_from = init if init.symbol.doc else found
        return Callee(init, sym.name, params, None, 1 if params else 0, doc_from)
    sig = sym.signature
    if sig is None:
        return None
    drop = 0
    if sym.kind == METHOD and "staticmethod" not in sym.decorators and sig.params:
        bound = isinstance(receiver, Instance) or "classmethod" in sym.decorators or (
            receiver is not None and not isinstance(receiver, Located))
        drop = 1 if bound else 0
    return Callee(found, sym.name, sig.params, sig.returns, drop, found)


# -- the signature and the active parameter ------------------------------------------------------------


def label_of(name: str, params: list[Param], returns: str | None) -> tuple[str, list[ParamLabel]]:
    """`name(a, b=..., *, c) -> R` and each parameter's offsets in it."""
    label = name + "("
    spans: list[ParamLabel] = []
    for i, p in enumerate(params):
        parts = []
        if p.kind == KEYWORD_ONLY and (i == 0 or params[i - 1].kind not in (KEYWORD_ONLY, VAR_POSITIONAL)):
            parts.append("*")
        if i:
            label += ", "
        if parts:
            label += "*, "
        text = p.render()
        spans.append(ParamLabel(len(label), len(label) + len(text)))
        label += text
        if p.kind == POSITIONAL_ONLY and (i + 1 == len(params) or params[i + 1].kind != POSITIONAL_ONLY):
            label += ", /"
    label += ")"
    if returns:
        label += f" -> {returns}"
    return label, spans


def label_from_parts(head: str, texts: list[str], tail: str) -> tuple[str, list[ParamLabel]]:
    """`head` + the parameter texts joined by `, ` + `tail`, and each parameter's offsets: a
    brace language's label from its own notation (Language.calls)."""
    label, spans = head, []
    for i, text in enumerate(texts):
        if i:
            label += ", "
        spans.append(ParamLabel(len(label), len(label) + len(text)))
        label += text
    return label + tail, spans


def active_parameter(params: list[Param], call: OpenCall) -> int | None:
    """Which parameter the argument being written goes to, as Python would bind it."""
    cur = call.current
    var_pos = next((i for i, p in enumerate(params) if p.kind == VAR_POSITIONAL), None)
    var_kw = next((i for i, p in enumerate(params) if p.kind == VAR_KEYWORD), None)
    if cur.star == 2:
        return var_kw
    if cur.star == 1:
        return var_pos
    if cur.keyword is not None:
        for i, p in enumerate(params):
            if p.name == cur.keyword and p.kind in (POSITIONAL_OR_KEYWORD, KEYWORD_ONLY):
                return i
        return var_kw
    if any(a.keyword is not None or a.star == 2 for a in call.before):
        return None  # a positional argument after a keyword one is an error: no guess
    if any(a.star == 1 for a in call.before):
        return var_pos  # `f(*xs, ` : where it lands depends on len(xs)
    index = len(call.before)
    positional = [i for i, p in enumerate(params) if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
    if index < len(positional):
        return positional[index]
    return var_pos


def first_paragraph(doc: str | None) -> str | None:
    if not doc:
        return None
    para = doc.strip().split("\n\n", 1)[0].strip()
    return " ".join(para.split()) or None


def workspace_signature(resolver: Resolver, fm: FileMap, row: int, call: OpenCall,
                        source: Source) -> SignatureInfo | None:
    """The signature of a call the map resolves, with the active parameter; None otherwise."""
    callee = resolve_callee(resolver, fm, scope_at(fm, row), call.callee)
    if callee is None:
        return None
    params = callee.params[callee.drop:]
    label, spans = label_of(callee.name, params, callee.returns)
    return SignatureInfo(label, spans, _doc(callee.doc_from, source), active_parameter(params, call))


_DOCS: dict[tuple[str, str, str], str | None] = {}  # (path, content hash, symbol id) -> paragraph
_DOCS_MAX = 512


def _doc(loc: Located, source: Source) -> str | None:
    """The docstring's first paragraph, read from the file's text once per version of the file
    (each `,` asks again, and a parse of a large file costs tens of ms)."""
    key = (loc.file.path, loc.file.hash, loc.symbol.id)
    if key not in _DOCS:
        if len(_DOCS) >= _DOCS_MAX:
            _DOCS.clear()
        _DOCS[key] = first_paragraph(full_docstring(source(loc.file.path), loc.symbol, loc.file.language) or loc.symbol.doc)
    return _DOCS[key]


def call_at(tree: ts.Tree, data: bytes, byte: int) -> OpenCall | None:
    """The call open at `byte` of `data`."""
    start = statement_start(tree, byte)
    if byte - start > MAX_SCAN_CHARS * 4:
        return None
    text = data[start:byte].decode("utf-8", errors="replace")
    if len(text) > MAX_SCAN_CHARS:
        return None
    return open_call(text)


@dataclass(slots=True)
class Help:
    """The call open at a position and, when the map resolves its callee, its signature (None:
    installed, stdlib or untyped callables, for jedi)."""

    call: OpenCall
    signature: SignatureInfo | None


_PARSERS = ParserCache()


def signature_help(resolver: Resolver, fm: FileMap, data: bytes, tree: ts.Tree | None,
                   byte: int, source: Source) -> Help | None:
    """Signature help at byte offset `byte` of `data` (the text of `fm`; `tree` its parse, or
    None to parse here). None outside a call."""
    call = call_at(tree if tree is not None else _PARSERS.get(fm.language).parse(data), data, byte)
    if call is None:
        return None
    row = data.count(b"\n", 0, byte)
    return Help(call, workspace_signature(resolver, fm, row, call, source))
