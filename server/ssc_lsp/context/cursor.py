"""Where the cursor is: its scopes, what it is completing, and what the code just used.

Everything is read from the map of the current document plus the text of the cursor's line, so it
works on a file cut at the cursor (the evaluation protocol) and on a half-typed line, where the
parse of the last statement is an ERROR node: the scopes come from the map's definitions and
indentation, and the receiver (`x.` before the cursor) from the line's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..map.filemap import FileMap
from ..map.records import (
    CLASS,
    FUNCTION,
    METHOD,
    REF_ATTRIBUTE,
    REF_BIND,
    REF_IMPORT,
    Ref,
    Symbol,
    Unit,
)

_IDENT_TAIL = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*$")  # `$` is a JavaScript identifier character
# test files by each mapped language's convention: Python's test_*.py/conftest.py, Go's *_test.go,
# JS/TS *.test.ts/*.spec.js and __tests__/, tests/ or testing/ folders (Rust, Java's src/test),
# Rust's `tests.rs` module files (`#[cfg(test)] mod tests;`) and JUnit's FooTest.java/FooTests.java
_TEST_PATH = re.compile(r"(^|/)(tests?|testing|__tests__)(/|$)|(^|/)test_[^/]*\.py$|_tests?\.py$"
                        r"|(^|/)conftest\.py$|_test\.go$|\.(test|spec)\.[cm]?[jt]sx?$"
                        r"|(^|/)tests?\.rs$|\wTests?\.java$")


@lru_cache(maxsize=65536)
def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


@dataclass(slots=True)
class Use:
    """A reference before the cursor, with its absolute row."""

    ref: Ref
    unit: Unit
    row: int


@dataclass
class Cursor:
    fm: FileMap
    rel: str
    row: int
    col: int  # byte column
    lines: list[str]
    line_prefix: str  # the cursor's line up to the cursor
    partial: str  # the identifier being typed, if any
    receiver: str | None  # the expression before `.` when completing an attribute
    indent: int
    scopes: list[Symbol] = field(default_factory=list)  # innermost first
    uses: list[Use] = field(default_factory=list)  # references before the cursor, in order
    last_use: dict[str, int] = field(default_factory=dict)  # name -> row of its last use
    use_count: dict[str, int] = field(default_factory=dict)
    is_test: bool = False

    @property
    def scope(self) -> str:
        """The innermost enclosing scope's name, as the resolver takes it ('' at module level)."""
        return scope_key(self.fm, self.scopes[0]) if self.scopes else ""

    @property
    def enclosing_class(self) -> Symbol | None:
        return next((s for s in self.scopes if s.kind == CLASS), None)

    @property
    def enclosing_function(self) -> Symbol | None:
        return next((s for s in self.scopes if s.kind in (FUNCTION, METHOD)), None)

    def query_text(self, n_lines: int) -> str:
        """The last `n_lines` lines before the cursor (the cursor's line cut at the cursor)."""
        start = max(0, self.row - n_lines + 1)
        return "\n".join(self.lines[start:self.row] + [self.line_prefix])


def scope_key(fm: FileMap, sym: Symbol) -> str:
    """The name of the scope a definition opens: its qualname, or in Java (whose overloads share
    a qualname) the qualname with its parameter types, `C.m(int,List)`, as the units holding the
    definition list it (a parameter's parent, too, when overloads share a unit)."""
    prefix = sym.qualname + "("
    r0, _, r1, _ = sym.range
    keys = {k for u in fm.units if u.start_row <= r1 and u.end_row >= r0 for k in u.scopes
            if k.startswith(prefix) and k.endswith(")") and ")" not in k[len(prefix):-1]}
    if len(keys) > 1:
        keys &= {s.parent for s in fm.symbols if s.parent in keys and r0 <= s.range[0] <= r1}
    return keys.pop() if len(keys) == 1 else sym.qualname


_PATH_TAIL = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*::)+$")


def receiver_of(text: str) -> str | None:
    """The receiver expression when `text` (a line up to the cursor) ends in `expr.`; a path
    `a::B::` whole, `::` included, as Rust's map writes a path segment's receiver."""
    if text.endswith("::"):
        m = _PATH_TAIL.search(text)
        return m.group(0) if m else None
    if not text.endswith("."):
        return None
    if text.endswith("?."):  # JavaScript's optional chaining: `a?.` completes a member of `a`
        text = text[:-2] + "."
    i = len(text) - 1
    j = i
    depth = 0
    while j > 0:
        ch = text[j - 1]
        if depth:
            if ch in ")]":
                depth += 1
            elif ch in "([":
                depth -= 1
            j -= 1
            continue
        if ch.isalnum() or ch in "_.$" or (ch == "?" and text[j] == "."):
            j -= 1
            continue
        if ch in ")]":
            depth += 1
            j -= 1
            continue
        break
    expr = text[j:i].strip().replace("?.", ".")
    if not expr or depth or expr[0].isdigit() or expr.startswith(".") or ".." in expr:
        return None
    return expr


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def enclosing_scopes(fm: FileMap, lines: list[str], row: int, indent: int) -> list[Symbol]:
    """Functions and classes around (row, indent), innermost first.

    A definition encloses the cursor when it starts above it, at a smaller indentation, and its
    body reaches the last line of code above the cursor (the cursor's own line may be an ERROR
    node in the parse, so it is not asked to be inside).
    """
    last_code = row - 1
    while last_code >= 0 and not lines[last_code].strip():
        last_code -= 1
    out: list[Symbol] = []
    for s in fm.symbols[1:]:
        if s.kind not in (CLASS, FUNCTION, METHOD):
            continue
        r = s.range
        if s.name_range[0] >= row or r[1] >= indent:
            continue
        if r[2] >= last_code or (r[2] >= row):
            out.append(s)
    out.sort(key=lambda s: (s.range[0], s.range[1]), reverse=True)
    return out


def analyze(fm: FileMap, lines: list[str], row: int, col: int, rel: str) -> Cursor:
    line = lines[row] if row < len(lines) else ""
    raw = line.encode("utf-8")[:col].decode("utf-8", errors="replace")
    m = _IDENT_TAIL.search(raw)
    partial = m.group(0) if m else ""
    before = raw[: len(raw) - len(partial)]
    receiver = receiver_of(before)
    indent = len(raw) if not raw.strip() else _indent_of(raw)
    cur = Cursor(fm=fm, rel=rel, row=row, col=col, lines=lines, line_prefix=raw, partial=partial,
                 receiver=receiver, indent=indent, is_test=is_test_path(rel))
    cur.scopes = enclosing_scopes(fm, lines, row, indent)
    for unit in fm.units:
        if unit.start_row > row:
            break
        for ref in unit.refs:
            r = ref.row + unit.start_row
            if r > row or (r == row and ref.end_col >= col):
                continue  # after the cursor, or the word being typed
            if ref.kind in (REF_IMPORT, REF_BIND):
                continue
            cur.uses.append(Use(ref, unit, r))
            names = [ref.name] if ref.kind != REF_ATTRIBUTE else []
            if ref.receiver:
                names.append(ref.receiver.split(".", 1)[0].split("(", 1)[0])
            for n in names:
                cur.last_use[n] = max(cur.last_use.get(n, -1), r)
                cur.use_count[n] = cur.use_count.get(n, 0) + 1
    return cur
