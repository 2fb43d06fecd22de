"""Repairs that follow from the map and the history, with no model: the edits a code action
offers for a continuity problem (checks.py). A rename fix is known at check time; a missing
argument placeholder needs the call's argument list, which the map does not keep, so it is read
from the file's text when the action is asked for.
"""

from __future__ import annotations

from .checks import Fix, Problem
from .languages import ParserCache
from .languages.python import PYTHON
from .positions import LineIndex

_PARSERS = ParserCache()


def fixes_for(problem: Problem, source: bytes | None) -> list[Fix]:
    out = list(problem.fixes)
    if problem.placeholder and source is not None:
        fix = placeholder_fix(source, problem)
        if fix is not None:
            out.append(fix)
    return out


def placeholder_fix(source: bytes, problem: Problem) -> Fix | None:
    """`f(a)` -> `f(a, timeout=...)`: the argument the history shows was added, to fill in."""
    name = problem.placeholder
    index = LineIndex(source)
    row, col = problem.range[0], problem.range[1]
    at = index.byte_of_point(row, col)
    tree = _PARSERS.get(PYTHON).parse(source)  # the fix is written in Python's call syntax
    node = tree.root_node.descendant_for_byte_range(at, at)
    while node is not None and node.type != "call":
        node = node.parent
    args = node.child_by_field_name("arguments") if node is not None else None
    if args is None or args.type != "argument_list" or not args.children:
        return None
    close = args.children[-1]
    if close.type != ")":
        return None
    inner = [c for c in args.children[1:-1] if c.type != "comment"]
    sep = "" if not inner or inner[-1].type == "," else ", "
    point = index.point_of_byte(close.start_byte)
    r = (point[0], point[1], point[0], point[1])
    return Fix(f"Add the missing argument placeholder `{name}=...`", [(r, f"{sep}{name}=...")])
