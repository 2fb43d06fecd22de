"""Tree-sitter helpers every grammar's extraction shares: node text, shortened record text,
the unit of a run of bare tokens (broken code), comments directly above a declaration, the
first line of a doc comment, and the records of a unit (`Walker`: spans relative to the unit,
symbols with their body hash, references). One place for each, so the languages cut and show text alike.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

import tree_sitter as ts

from ..records import Ref, Symbol, Unit
from .base import UnitSpec

MAX_TEXT = 120  # longest receiver / value / annotation / type text kept on a record
MAX_RUN_TOKENS = 64  # bare top-level tokens (broken code) grouped into one unit, at most
MAX_DOC = 200  # longest doc line kept on a record


def node_text(node: ts.Node | None) -> str:
    """A node's source text ("" for no node)."""
    return node.text.decode("utf-8", errors="replace") if node is not None and node.text is not None else ""


def short(node: ts.Node | None, limit: int = MAX_TEXT) -> str | None:
    """A node's text on one line, cut to `limit` characters (with "..." when cut)."""
    if node is None:
        return None
    text = " ".join(node_text(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def add_run(add: Callable[[UnitSpec], None], run: list[ts.Node]) -> None:
    """One unit for a run of bare top-level tokens (`x = ((((`, under an ERROR root), emptied.

    One unit per token made an edit of a 3 KB file of brackets walk, match and finalize
    thousands of units; a run is cut every MAX_RUN_TOKENS so an edit re-extracts a bounded part.
    """
    first, last = run[0], run[-1]
    add((first.start_byte, last.end_byte, first.start_point[0], last.end_point[0], last.end_point[1],
         "", "stmt", None))
    run.clear()


def gather_comment(comments: list[ts.Node], comment: ts.Node) -> list[ts.Node]:
    """`comments` with `comment` added: a blank line between them starts a new group."""
    if comments and comments[-1].end_point[0] + 1 < comment.start_point[0]:
        comments = []
    comments.append(comment)
    return comments


def lead(comments: list[ts.Node], node: ts.Node) -> ts.Node:
    """Where `node`'s unit starts: the first of the comments directly above it, or itself."""
    return comments[0] if comments and comments[-1].end_point[0] + 1 >= node.start_point[0] else node


def comment_body(text: str) -> str:
    """A C-style comment without its markers (`// x` -> ` x`, `/** x */` -> ` x `)."""
    return text[2:] if text.startswith("//") else text.strip("/*")


def first_line(texts: Iterable[str], skip_tags: bool = False) -> str | None:
    """The first non-empty line of comment texts (stripped of their `*` margin), cut to
    MAX_DOC; `skip_tags` passes over Javadoc block tags (`@param ...`)."""
    for text in texts:
        for line in text.splitlines():
            line = line.strip().lstrip("*").strip()
            if line and not (skip_tags and line.startswith("@")):
                return line[:MAX_DOC]
    return None


class Walker:
    """Fills one unit: positions relative to the unit's start (so a unit moved by an edit above
    it keeps equal records), symbols and references appended to it."""

    def __init__(self, unit: Unit):
        self.u = unit
        self.b0 = unit.start_byte
        self.r0 = unit.start_row

    def span(self, node: ts.Node) -> tuple[int, int, int, int]:
        s, e = node.start_point, node.end_point
        return s[0] - self.r0, s[1], e[0] - self.r0, e[1]

    def symbol(self, kind: str, name_node: ts.Node, node: ts.Node, parent: str, qual: str | None = None,
               end: ts.Node | None = None, **extra) -> Symbol:
        """A symbol named by `name_node`, declared by `node` (up to `end`, when given): its body
        hash covers the text after the name, so a change of the body is seen, not a move."""
        name = node_text(name_node)
        if qual is None:
            qual = f"{parent}.{name}" if parent else name
        end_byte = end.end_byte if end is not None else node.end_byte
        after = node.text[name_node.end_byte - node.start_byte:end_byte - node.start_byte] \
            if end_byte >= name_node.end_byte else b""
        span = self.span(node)
        if end is not None:
            span = (span[0], span[1], end.end_point[0] - self.r0, end.end_point[1])
        sym = Symbol(id=qual, kind=kind, name=name, qualname=qual, parent=parent,
                     span=span, name_span=self.span(name_node),
                     name_byte=name_node.start_byte - self.b0, body_hash=zlib.crc32(after), **extra)
        self.u.symbols.append(sym)
        return sym

    def ref(self, node: ts.Node, kind: str, scope: str, name: str | None = None, **extra) -> Ref:
        """A reference at `node` (named by its text unless `name` is given)."""
        r = Ref(name=name if name is not None else node_text(node), kind=kind, scope=scope,
                row=node.start_point[0] - self.r0, col=node.start_point[1], end_col=node.end_point[1],
                byte=node.start_byte - self.b0, **extra)
        self.u.refs.append(r)
        return r
