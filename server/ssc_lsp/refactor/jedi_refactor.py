"""jedi's refactoring engine (pinned >=0.20,<0.21): extract function, extract variable, inline.

jedi does the mechanics (inputs and outputs of the selection, the call, the parenthesised
inline); it runs in the workspace's jedi process (context/jedi_infer.py, the server's one jedi
environment, map/jedi_env.py), off the event loop and on a deadline, on the open buffer's text.
Its result is not trusted: the caller checks it like the model's (refactor/proposal.check).

Two defects of jedi 0.20's extract function are worked around, both found on the development
corpus (bench/extract_inline_bench.py): it writes `x = a + 1return x` when a statement selection
ends at the end of its line rather than at the start of the next, so a selection of whole lines
is widened to whole lines (`statement_span`) before jedi sees it; and statements that bind
nothing the rest uses come out as `return ` in the new function and ` = name(...)` at the call
(`without_empty_output` makes them a function returning nothing, called as a statement). Any
other defect is left for the check to report.
"""

from __future__ import annotations

import ast
import re

from ..context.jedi_infer import jedi_helper_for
from ..map.positions import LineIndex
from ..map.service import MapService

# Seconds a refactoring waits for jedi (a cold start of the jedi process included).
JEDI_SECONDS = 20.0
DOC_CHARS = 120  # a generated one-line docstring is cut here

EXTRACT_FUNCTION = "extract_function"
EXTRACT_VARIABLE = "extract_variable"
INLINE = "inline"


class Refused(Exception):
    """jedi cannot do it here (its reason), did not answer in time, or reached outside."""


def statement_span(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The selection [start, end) without surrounding blanks; when it covers whole lines (only
    indentation before it, only blanks or a comment after it on its last line), from the first
    line's code to the start of the line after the last (the comment goes with the code)."""
    index = LineIndex(data)
    start, end = stripped(data, start, end)
    row, col = index.point_of_byte(start)
    last, last_col = index.point_of_byte(end)
    head = index.line_bytes(row)[:col]
    tail = index.line_bytes(last)[last_col:]
    rest = tail.strip()
    if end > start and not head.strip() and (not rest or rest.startswith(b"#")) and last + 1 < index.line_count:
        end = index.starts[last + 1]
    return start, end


def stripped(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The selection [start, end) without the blanks around it (an expression selection)."""
    while start < end and data[start:start + 1].isspace():
        start += 1
    while end > start and data[end - 1:end].isspace():
        end -= 1
    return start, end


async def run(svc: MapService, rel: str, data: bytes, kind: str, start: int, end: int | None = None,
              new_name: str | None = None) -> dict[str, bytes]:
    """jedi's `kind` on file `rel` with text `data` at byte offsets [start, end): the whole new
    text of every file it changes (workspace-relative paths), or Refused saying why."""
    helper = jedi_helper_for(svc)
    index = LineIndex(data)
    at = index.jedi_of_byte(start)
    until = index.jedi_of_byte(end) if end is not None else None
    reply = await helper.refactor(svc.abspath(rel), data.decode("utf-8", errors="replace"), kind, at,
                                  until, new_name, JEDI_SECONDS)
    if reply is None:
        raise Refused(f"jedi did not answer within {JEDI_SECONDS:.0f} s; nothing was changed.")
    if "refused" in reply:
        raise Refused(f"jedi cannot do this here: {reply['refused'].rstrip('.')}.")
    if "changed" not in reply:
        raise Refused(f"jedi failed: {reply.get('error', 'no answer')}.")
    out: dict[str, bytes] = {}
    for path, code in reply["changed"].items():
        there = svc.relpath(path)
        if there is None:
            raise Refused(f"jedi's edit reaches {path}, outside the workspace; nothing was changed.")
        out[there] = code.encode("utf-8")
    if not out:
        raise Refused("jedi changed nothing.")
    return out


def without_empty_output(code: bytes, name: str) -> bytes:
    """jedi's extraction of statements with no output, repaired: the ` = name(...)` call line
    becomes `name(...)` and the bare `return ` ending the function `name` goes. Unchanged unless
    both are there exactly as jedi writes them."""
    text = code.decode("utf-8")
    call = re.compile(rf"^([ \t]*) = ((?:self\.|cls\.)?{re.escape(name)}\(.*)$", re.M)
    found = call.search(text)
    if found is None:
        return code
    lines = text.splitlines(keepends=True)
    head = next((i for i, line in enumerate(lines)
                 if re.match(rf"[ \t]*def {re.escape(name)}\(", line)), None)
    if head is None:
        return code
    indent = len(lines[head]) - len(lines[head].lstrip(" \t"))
    for i in range(head + 1, len(lines)):
        line = lines[i]
        if line.strip() and len(line) - len(line.lstrip(" \t")) <= indent:
            break  # past the function
        if line.strip() == "return" and line.rstrip("\r\n").endswith("return "):
            del lines[i]
            return call.sub(r"\1\2", "".join(lines), count=1).encode("utf-8")
    return code


def one_line_doc(text: str | None) -> str | None:
    """A model's docstring as one safe line (no quotes that could close it, no escapes)."""
    if not text:
        return None
    line = " ".join(text.replace('"""', "").replace("\\", "").split()).strip(" \"'")
    if not line:
        return None
    line = line[:DOC_CHARS].rstrip()
    return line if line.endswith((".", "!", "?")) else line + "."


def with_docstring(code: bytes, name: str, doc: str) -> bytes | None:
    """`code` with `doc` as the docstring of the one function named `name` that has none and a
    body on lines of its own; None when there is no such single function (or `code` does not
    parse: the check will say so)."""
    text = code.decode("utf-8")
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    found = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
             and n.name == name]
    if len(found) != 1 or not found[0].body or ast.get_docstring(found[0]) is not None:
        return None
    first = found[0].body[0]
    if first.lineno <= found[0].lineno:
        return None  # `def f(): return x` on one line
    lines = text.splitlines(keepends=True)
    body_line = lines[first.lineno - 1]
    indent = body_line[:len(body_line) - len(body_line.lstrip(" \t"))]
    lines.insert(first.lineno - 1, f'{indent}"""{doc}"""\n')
    return "".join(lines).encode("utf-8")
