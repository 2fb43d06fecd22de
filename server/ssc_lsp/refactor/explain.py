"""Explain a selection: the model's explanation, with the map's facts about the names it uses.

The facts (what each name is, where it is defined, its signature and the first line of its
docstring) go to the model, so the explanation is grounded, and are appended to the answer as
they are, so the reader sees what the map vouches for apart from what the model wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..map.filemap import FileMap
from ..map.positions import LineIndex
from ..map.resolve import External
from ..map.service import MapService
from ..map.workspace import Located
from .model import redacted, refused
from .target import ActionError, def_at

FACTS_MAX = 30  # names described, in order of first use
SELECTION_MAX_CHARS = 12000


@dataclass
class Fact:
    name: str
    text: str  # one markdown line


def facts(svc: MapService, fm: FileMap, start: tuple[int, int], end: tuple[int, int]) -> list[Fact]:
    """What the map knows of each name used between `start` and `end` ((row, byte column))."""
    out: dict[str, Fact] = {}
    uses = []
    for ref, unit in fm.iter_refs():
        row = unit.start_row + ref.row
        if start <= (row, ref.col) and (row, ref.end_col) <= end:
            uses.append((row, ref.col, ref, unit))
    for _, _, ref, unit in sorted(uses, key=lambda x: (x[0], x[1])):
        t = svc.resolver.resolve_ref(fm, ref, unit)
        if isinstance(t, Located):
            if t.symbol.kind == "parameter" or t.symbol.id in out or refused(svc, t.file.path):
                continue
            s = t.symbol
            what = s.signature.render(s.name) if s.signature else f"{s.kind} `{s.qualname}`"
            line = f"- `{ref.name}`: {s.kind} defined at `{t.file.path}:{s.name_range[0] + 1}` — `{what}`"
            if s.doc:
                line += f" — {s.doc}"
            out[s.id] = Fact(ref.name, line)
        elif isinstance(t, External) and t.module:
            key = f"{t.module}.{t.name}" if t.name else t.module
            if key not in out and t.module != "builtins":
                out[key] = Fact(ref.name, f"- `{ref.name}`: `{key}`, outside the workspace")
        if len(out) >= FACTS_MAX:
            break
    return list(out.values())


def prepare(svc: MapService, fm: FileMap, start: tuple[int, int], end: tuple[int, int]
            ) -> tuple[str, list[Fact]]:
    """The model's task for the code between `start` and `end` ((row, byte column)) and the
    facts it holds. Raises ActionError for an empty selection, PermissionError for a file that
    may not reach a model."""
    data = svc.text_now(fm.path) or b""
    index = LineIndex(data)
    a, b = index.byte_of_point(*start), index.byte_of_point(*end)
    if b <= a:
        raise ActionError("select the code to explain")
    code = redacted(svc, fm.path, data[a:b].decode("utf-8", errors="replace"))
    found = facts(svc, fm, start, end)
    sym = def_at(fm, start[0])
    around = None
    if sym is not None:
        around = sym.signature.render(sym.name) if sym.signature else f"class {sym.name}"
    return task(fm.path, code, around, found), found


def task(rel: str, code: str, around: str | None, found: list[Fact]) -> str:
    lines = [f"Explain what this code of {rel} does, for a developer reading it: its purpose, "
             "how it works step by step, and anything surprising (edge cases, errors it may raise).",
             "", "```python", code[:SELECTION_MAX_CHARS].rstrip(), "```"]
    if around:
        lines += ["", f"It is part of: `{around}`"]
    if found:
        lines += ["", "What the workspace map knows of the names it uses:"] + [f.text for f in found]
    lines += ["", "Answer in Markdown, briefly (at most a few short paragraphs or a list). Speak "
              "only of names shown above; do not guess at code you cannot see."]
    return "\n".join(lines)


def markdown(answer: str, found: list[Fact]) -> str:
    text = answer.strip()
    if found:
        text += "\n\n---\n**Names used** (from the workspace map):\n" + "\n".join(f.text for f in found)
    return text + "\n"
