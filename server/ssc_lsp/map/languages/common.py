"""Tree-sitter helpers every grammar's extraction shares: node text, shortened record text,
the unit of a run of bare tokens (broken code), comments directly above a declaration, and the
first line of a doc comment. One place for each, so the languages cut and show text alike.
"""

from __future__ import annotations

from collections.abc import Callable

import tree_sitter as ts

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


def first_line(text: str, skip_tags: bool = False) -> str | None:
    """The first non-empty line of a comment's text (stripped of its `*` margin), cut to
    MAX_DOC; `skip_tags` passes over Javadoc block tags (`@param ...`)."""
    for line in text.splitlines():
        line = line.strip().lstrip("*").strip()
        if line and not (skip_tags and line.startswith("@")):
            return line[:MAX_DOC]
    return None
