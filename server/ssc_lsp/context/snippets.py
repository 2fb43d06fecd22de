"""The text shown for a symbol: whole, or as a signature (header and first docstring line).

A signature is what a repo map shows: decorators, the `def`/`class` header up to its colon, and the
docstring's first line, with the line range those lines come from. In a language whose comments
start with `//` (TypeScript, Go, Rust, Java) the header ends at its body's `{` (or a `;`), and no
doc line is added (the doc comment sits above the definition, outside the header). Variables and attributes show
their assignment's first line. Everything here works on the file's lines and the map's rows; no
parsing beyond finding where a header ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..map.records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    METHOD,
    VARIABLE,
    Symbol,
)
from . import weights as W

DEFINITIONS = (CLASS, FUNCTION, METHOD)
VALUES = (VARIABLE, CONSTANT, ATTRIBUTE)


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str  # ends with a newline
    start: int  # 0-based rows, inclusive
    end: int


def header_end(lines: list[str], row: int, limit: int = 60, comment: str = "#") -> int:
    """The row where a `def`/`class` header that starts on `row` ends (its colon at depth 0;
    with `//` comments, the body's `{` or a `;` at depth 0)."""
    braces = comment != "#"
    depth = 0
    quote: str | None = None
    for r in range(row, min(len(lines), row + limit)):
        line = lines[r]
        i = 0
        n = len(line)
        while i < n:
            ch = line[i]
            if quote:
                if ch == "\\":
                    i += 2
                    continue
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = None
                    continue
            elif line.startswith(comment, i):
                break
            elif braces and ch == "{" and depth <= 0 or braces and ch == ";" and depth <= 0:
                return r
            elif ch in "\"'" or braces and ch == "`":
                quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else ch
                i += len(quote)
                continue
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == ":" and depth <= 0 and not braces:
                return r
            i += 1
    return row


def _doc_row(lines: list[str], after: int) -> int | None:
    """The row of a docstring's first line just after a header, if there is one."""
    for r in range(after + 1, min(len(lines), after + 4)):
        s = lines[r].strip()
        if not s:
            continue
        low = s.lower()
        for p in ('"""', "'''", 'r"""', "r'''", '"', "'"):
            if low.startswith(p):
                return r
        return None
    return None


def _one_line(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def signature(sym: Symbol, lines: list[str], comment: str = "#") -> Snippet | None:
    """Decorators, header and first docstring line of a definition; a value's first line.
    `comment` is the file's line comment (`#` is Python's layout: docstrings after the header)."""
    r0, c0, r1, _ = sym.range
    if r0 >= len(lines):
        return None
    if sym.kind in VALUES:
        row = sym.name_range[0]
        if row >= len(lines):
            return None
        line = lines[row].rstrip()
        more = row < r1 or line.endswith(("(", "[", "{", "\\", ","))
        text = _one_line(line, W.VALUE_MAX_CHARS) + (" ..." if more and len(line) < W.VALUE_MAX_CHARS else "")
        return Snippet(text + "\n", row, row)
    if sym.kind not in DEFINITIONS:
        return None
    name_row = sym.name_range[0]
    end = header_end(lines, name_row, comment=comment)
    indent = " " * c0
    decorators = [_one_line(d.rstrip(), W.DECORATOR_MAX_CHARS) for d in lines[r0:name_row]
                  if d.lstrip().startswith("@")][: W.DECORATORS_MAX]
    header = lines[name_row:end + 1]
    if len(header) > W.SIGNATURE_MAX_LINES or sum(map(len, header)) > W.SIGNATURE_MAX_CHARS:
        header = ([compact_header(sym, indent, lines[name_row])] if comment == "#"
                  else [_one_line(lines[name_row].rstrip(), W.SIGNATURE_MAX_CHARS)])
    if comment != "#":  # no doc line: above the header it cost recall (bench/RESULTS.md, issue 12 context)
        return Snippet("\n".join(h.rstrip() for h in decorators + header) + "\n", r0, end)
    head = decorators + header
    text = "\n".join(h.rstrip() for h in head) + "\n"
    last = end
    if sym.doc:
        drow = _doc_row(lines, end)
        if drow is not None and drow <= r1:
            doc_indent = lines[drow][: len(lines[drow]) - len(lines[drow].lstrip())]
            first = _one_line(sym.doc.strip(), W.DOC_LINE_MAX_CHARS)
            text += f'{doc_indent}"""{first}"""\n'
            last = drow
    return Snippet(text, r0, last)


def compact_header(sym: Symbol, indent: str, fallback: str) -> str:
    """A long header on one line from the map's parsed signature, parameters cut to fit:
    `def f(a, b: int = ..., ...) -> str:` (defaults are `...`, as in a stub)."""
    limit = W.SIGNATURE_MAX_CHARS
    if sym.kind == CLASS:
        bases = ", ".join(sym.bases)
        if len(bases) > limit // 2:
            bases = bases[: limit // 2].rsplit(",", 1)[0] + ", ..."
        return f"{indent}class {sym.name}" + (f"({bases})" if bases else "") + ":"
    sig = sym.signature
    if sig is None:
        return _one_line(fallback.rstrip(), limit)
    start = f"{indent}{'async ' if sig.is_async else ''}def {sym.name}("
    end = ")" + (f" -> {_one_line(sig.returns, 40)}" if sig.returns else "") + ":"
    parts: list[str] = []
    for i, p in enumerate(sig.params):
        text = p.render()
        if p.kind == "keyword_only" and (i == 0 or sig.params[i - 1].kind not in ("keyword_only", "var_positional")):
            text = "*, " + text
        if len(start) + len(", ".join(parts + [text])) + len(end) > limit:
            parts.append("...")
            break
        parts.append(text)
    return start + ", ".join(parts) + end


def whole(sym: Symbol, lines: list[str], upto: int | None = None) -> Snippet | None:
    """The definition's full text (up to row `upto` for the enclosing scope of a cut file)."""
    r0, _, r1, _ = sym.range
    if upto is not None:
        r1 = min(r1, upto)
    if r0 >= len(lines):
        return None
    r1 = min(r1, len(lines) - 1)
    body = lines[r0:r1 + 1]
    while len(body) > 1 and not body[-1].strip():
        body.pop()
        r1 -= 1
    return Snippet("\n".join(b.rstrip() for b in body) + "\n", r0, r1)


def block_row(lines: list[str], row: int, col: int) -> int | None:
    """In a brace language, the row of the header of the block a member starting at (row, col)
    sits in: the nearest code line above it indented less (a Rust `impl Store {` or
    `impl Display for Store {`, a Java or TS class line), None at the top level (a Go method)."""
    for r in range(min(row, len(lines)) - 1, -1, -1):
        text = lines[r]
        code = text.lstrip()
        if not code or code.startswith(("//", "/*", "*", "@", "#[")):
            continue
        if len(text) - len(code) < col:
            return r
    return None


def header_line(sym: Symbol, lines: list[str], comment: str = "#") -> str | None:
    """One line naming a class, shown above its members when they are packed without it (in a
    brace language the class's line as written: Python's `class C(bases):` would be another
    language there)."""
    row = sym.name_range[0]
    if row >= len(lines):
        return None
    line = lines[row].rstrip()
    if sym.kind == CLASS and not line.endswith(":") and comment == "#":
        bases = f"({', '.join(sym.bases)})" if sym.bases else ""
        line = f"{' ' * sym.range[1]}class {sym.name}{bases}:"
    return _one_line(line, W.SIGNATURE_MAX_CHARS)


def member_header(owner: Symbol, member: Symbol, lines: list[str], comment: str = "#") -> str | None:
    """The line shown above a member packed without its class: the class's header, or in a
    brace language the header of the block the member is in (a Rust method's `impl` line)."""
    if comment != "#":
        row = block_row(lines, member.range[0], member.range[1])
        if row is not None:
            return _one_line(lines[row].rstrip(), W.SIGNATURE_MAX_CHARS)
    return header_line(owner, lines, comment)
