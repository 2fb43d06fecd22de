"""From what a model wrote to what the editor shows: trimmed, de-duplicated, indented.

Models write too much (the next function, the rest of the file), repeat what is already there
(the line being typed, the closing bracket after the cursor) and, behind a chat API, indent
relative to their own first line. Each step below fixes one of these, in order:

1. `clean`: code fences, carriage returns, an echoed cursor marker;
2. `strip_echo`: the cursor's line repeated at the start;
3. `reindent`: chat output indented from column 0 (only for chat models; FIM and plain
   completion models write absolute indentation, which must be left alone);
4. `cut_block`: stop at the end of the logical block the cursor is in. tree-sitter says which
   lines start a statement, so a closing bracket or a docstring line at a lower indentation does
   not end the block; a statement that dedents below the cursor's block does;
5. `remove_overlap`: drop the tail that repeats the text after the cursor (`)` already there,
   the next line already written), with a bracket count so `f(g())` + `)` is not cut wrongly.

Each function is pure and works on strings; `Around` carries what they need of the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..map.languages import Language, ParserCache

MAX_LINES = 40
WINDOW_LINES = 30  # lines of prefix parsed with the suggestion to find statement starts
_FENCE = re.compile(r"```[\w+.#-]*[ \t]*\n(.*?)(?:\n?```|\Z)", re.S)
_CLAUSES = frozenset({"else_clause", "elif_clause", "except_clause", "except_group_clause",
                      "finally_clause", "case_clause", "decorator"})
_OPENERS, _CLOSERS = "([{", ")]}"


@dataclass(frozen=True)
class Around:
    """What the post-processing needs of the document around the cursor."""

    line_prefix: str  # the cursor's line up to the cursor
    line_suffix: str  # the rest of the cursor's line
    before: list[str] = field(default_factory=list)  # up to WINDOW_LINES full lines above
    after: list[str] = field(default_factory=list)  # a few full lines below
    indent_unit: str = "    "
    language: Language | None = None  # the document's: its block rules (`Language.blocks`)

    @staticmethod
    def of(prefix: str, suffix: str, language: Language) -> Around:
        head, _, line_prefix = prefix.rpartition("\n")
        line_suffix, _, tail = suffix.partition("\n")
        before = head.split("\n")[-WINDOW_LINES:] if head or "\n" in prefix else []
        after = tail.split("\n")[:12] if tail else []
        return Around(line_prefix, line_suffix, before, after, _indent_unit(before), language)

    @property
    def mid_line(self) -> bool:
        """Text after the cursor on its line: only the rest of that line is suggested."""
        return bool(self.line_suffix.strip())


def postprocess(text: str, around: Around, *, chat: bool = False, single_line: bool = False) -> str:
    """The suggestion as the editor should insert it at the cursor ('' when nothing is left)."""
    text = clean(text)
    text = strip_echo(text, around.line_prefix)
    if chat:
        text = reindent(text, around)
    text = fix_tabs(text, around.indent_unit)
    text, _ = cut_block(text, around, single_line=single_line or around.mid_line)
    text = remove_overlap(text, around)
    return text if text.strip() else ""


def block_ended(text: str, around: Around, *, single_line: bool = False) -> bool:
    """While streaming: whether what arrived so far already runs past the block's end."""
    return cut_block(text, around, single_line=single_line or around.mid_line)[1]


# -- 1. clean ------------------------------------------------------------------------------------


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("<CURSOR>", "")
    if "```" in text:
        m = _FENCE.search(text)
        if m is not None:
            text = m.group(1)
        text = text.replace("```", "")
    return text.rstrip()


# -- 2. echo -------------------------------------------------------------------------------------


def strip_echo(text: str, line_prefix: str) -> str:
    """`total = com` + `total = compute()` -> `pute()`: the model repeated the line."""
    typed = line_prefix.lstrip(" \t")
    if len(typed.strip()) < 2:
        return text
    body = text.lstrip(" \t")
    if body.startswith(typed) and body != typed:
        return body[len(typed):]
    return text


# -- 3. indentation ------------------------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _indent_unit(lines: list[str]) -> str:
    for line in lines:
        if line.startswith("\t"):
            return "\t"
    widths = sorted({_indent(x) for x in lines if x.strip() and _indent(x)})
    return " " * (widths[0] if widths and widths[0] <= 8 else 4)


def _opens_block(line: str) -> bool:
    code = line.split("#", 1)[0].rstrip() if "#" in line and "'" not in line and '"' not in line \
        else line.rstrip()
    return code.endswith(":")


def reindent(text: str, around: Around) -> str:
    """Chat output indented relative to its own first line, moved to the cursor's block."""
    lines = text.split("\n")
    blank_line = not around.line_prefix.strip()
    first_raw = _indent(lines[0]) if lines[0].strip() else 0
    if blank_line and lines[0].strip():
        lines[0] = lines[0].lstrip(" \t")  # the cursor already stands at the indentation
    if len(lines) == 1:
        return lines[0]
    base = len(around.line_prefix) if blank_line else _indent(around.line_prefix)
    rest = [x for x in lines[1:] if x.strip()]
    if not rest:
        return "\n".join(lines)
    c1 = _indent(rest[0])
    opener = _opens_block(around.line_prefix + lines[0])
    # an opener's body deeper than the cursor's block, or siblings at the model's own first
    # indentation, say which frame the model wrote in
    relative = (opener and c1 <= base) or (not opener and c1 == first_raw and first_raw < base)
    if not relative:
        return "\n".join(lines)
    shift = base - first_raw
    out = [lines[0]]
    for x in lines[1:]:
        out.append(" " * shift + x if x.strip() and shift > 0 else x)
    return "\n".join(out)


def fix_tabs(text: str, unit: str) -> str:
    """Indent continuation lines with the file's unit (tabs or spaces)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    out = [lines[0]]
    for x in lines[1:]:
        lead = x[:_indent(x)]
        if unit == "\t" and " " in lead:
            lead = lead.replace("    ", "\t")
        elif unit != "\t" and "\t" in lead:
            lead = lead.replace("\t", unit)
        out.append(lead + x.lstrip(" \t"))
    return "\n".join(out)


# -- 4. the end of the block ---------------------------------------------------------------------

_PARSERS = ParserCache()  # parsing here is synchronous; one parser per language is enough


def cut_block(text: str, around: Around, *, single_line: bool = False) -> tuple[str, bool]:
    """Cut `text` where it leaves the cursor's block. Returns (text, whether it was cut there)."""
    if single_line:
        head, nl, _ = text.partition("\n")
        if not nl:
            return text, False
        return (head if head.strip() else ""), True
    lines = text.split("\n")
    lang = around.language
    if len(lines) == 1 or lang is None or lang.blocks != "indent":  # no block rules: not cut
        return text, False
    first_full = around.line_prefix + lines[0]
    if first_full.strip():
        base, opener = _indent(first_full), _opens_block(first_full)
    else:  # the cursor's line is empty: the first line with text decides
        k = next((i for i, x in enumerate(lines) if x.strip()), None)
        if k is None:
            return "", False
        base = _indent(lines[k]) + (len(around.line_prefix) if k == 0 else 0)
        opener = False
    starts = _statement_starts(around, text)
    for i in range(1, min(len(lines), MAX_LINES + 1)):
        line = lines[i]
        if not line.strip():
            continue
        ind = _indent(line)
        if (ind < base or (opener and ind <= base)) and i in starts:
            return "\n".join(lines[:i]).rstrip(), True
    if len(lines) > MAX_LINES:
        return "\n".join(lines[:MAX_LINES]).rstrip(), True
    return text, False


def _statement_starts(around: Around, text: str) -> set[int]:
    """Indexes of the suggestion's lines (from 1) that begin a statement or a clause.

    Lines inside brackets or multi-line strings are not statement starts. In code that does not
    parse (an ERROR node around the line) every line counts as one, so indentation decides.
    """
    window = around.before + [around.line_prefix + text.split("\n", 1)[0]]
    head = "\n".join(window)
    rest = text.split("\n")[1:]
    source = (head + "\n" + "\n".join(rest)).encode("utf-8")
    root = _PARSERS.get(around.language).parse(source).root_node
    offset = len(window) - 1  # row of the suggestion's first line
    out: set[int] = set()
    for i, line in enumerate(rest, start=1):
        if not line.strip():
            continue
        row = offset + i
        col = len(line[:_indent(line)].encode("utf-8"))
        node = root.descendant_for_point_range((row, col), (row, col))
        while node is not None:
            if node.type == "ERROR":
                out.add(i)
                break
            if node.start_point != (row, col):
                break
            parent = node.parent
            if node.type in _CLAUSES or (parent is not None and parent.type in ("block", "module")):
                out.add(i)
                break
            node = parent
    return out


# -- 5. overlap with the text after the cursor ---------------------------------------------------


def _net(text: str) -> int:
    """Opening minus closing brackets, outside string literals (roughly: quotes toggle)."""
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
    return depth


def remove_overlap(text: str, around: Around) -> str:
    rest = around.line_suffix.strip()
    t = text.rstrip()
    if rest and "\n" not in t.strip("\n"):
        for k in range(len(rest), 0, -1):
            tail = rest[:k]
            if not t.endswith(tail):
                continue
            new = t[:-k].rstrip() if k == len(rest) else t[:-k]
            if any(c in _CLOSERS for c in tail):
                if _net(t) < 0 and _net(new) <= 0:
                    return new
            elif k == len(rest):
                return new
        return t
    if rest:
        return t
    lines = t.split("\n")
    following = [x.strip() for x in around.after if x.strip()]
    mine = [x.strip() for x in lines]
    for n in range(min(len(lines), len(following)), 0, -1):
        if mine[-n:] == following[:n]:
            return "\n".join(lines[:-n]).rstrip()
    return t
