"""What the context engine passes around: candidates (before ranking) and items (packed).

A candidate is something that *could* go into the context, with the evidence that proposed it;
an item is what was packed: its text, where it comes from (path and 0-based inclusive lines), how
it was chosen and what it costs. The JSON form of an item is what `ssc/context`, the CLI and the
evaluation dump show, so it is kept flat and stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..map.filemap import FileMap
from ..map.languages import language_for_path
from ..map.records import Symbol

# Candidate kinds that are not map symbol kinds
DOC = "doc"  # a section of project documentation
EXTERNAL = "external"  # a third-party API from an installed package
IMPORTS = "imports"  # the import block of the current file
CHUNK = "chunk"  # a window of lines (the bm25 baseline's unit)

WHOLE, SIGNATURE = "whole", "signature"


def comment_for(path: str) -> str:
    """How a line comment starts in the file's language (`#` for a file no language maps)."""
    lang = language_for_path(path)
    return lang.line_comment if lang is not None else "#"


def path_header(path: str, note: str = "") -> str:
    """The line that heads a file's code in the context: its path, as a comment of its language."""
    return f"{comment_for(path)} {path}{note}\n"


@dataclass(slots=True)
class Candidate:
    """Something that could enter the context, with the evidence for it.

    `key` is unique per thing shown (a symbol id, or a path and line range), so that the same
    definition proposed by two sources is one candidate with two reasons, never two items.
    """

    key: str
    path: str
    kind: str
    file: FileMap | None = None
    symbol: Symbol | None = None
    # strength per source name, in [0, 1]; the ranking weighs them (weights.py)
    strengths: dict[str, float] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)
    # for candidates whose text does not come from a map file (docs, third-party, chunks)
    text: str | None = None
    start_line: int = 0
    end_line: int = 0
    label: str | None = None  # what to call it in the header (a qualname, a section title)
    score: float = 0.0
    in_file: bool = False

    def add(self, source: str, strength: float, why: str) -> None:
        """Keep the strongest evidence per source and every distinct reason."""
        if strength > self.strengths.get(source, 0.0):
            self.strengths[source] = strength
        if why and why not in self.why:
            self.why.append(why)


@dataclass(slots=True)
class Item:
    """One packed piece of context. Lines are 0-based and inclusive, as the evaluation wants."""

    path: str
    start_line: int
    end_line: int
    kind: str
    name: str
    form: str
    score: float
    why: list[str]
    text: str  # the rendered block, headers included: exactly what `chars` counts
    chars: int
    tokens: int
    external: bool = False

    def to_json(self) -> dict:
        return {"path": self.path, "start_line": self.start_line, "end_line": self.end_line,
                "kind": self.kind, "name": self.name, "form": self.form,
                "score": round(self.score, 6), "why": list(self.why), "chars": self.chars,
                "tokens": self.tokens, "external": self.external, "text": self.text}


@dataclass(slots=True)
class ContextResult:
    """The packed context for one position, with enough detail to explain every choice."""

    path: str
    line: int  # 0-based map row of the cursor
    column: int  # byte column
    budget: int
    unit: str  # "chars" or "tokens"
    items: list[Item]
    used: int  # in `unit`
    candidates: int
    ms: float
    timings: dict[str, float] = field(default_factory=dict)
    scope: str = ""
    receiver: str | None = None

    @property
    def text(self) -> str:
        return "".join(it.text for it in self.items)

    def to_json(self, with_text: bool = True) -> dict:
        items = [it.to_json() for it in self.items]
        if not with_text:
            for it in items:
                it.pop("text", None)
        out = {"path": self.path, "line": self.line, "column": self.column,
               "budget": self.budget, "unit": self.unit, "used": self.used,
               "candidates": self.candidates, "ms": round(self.ms, 3),
               "timings": {k: round(v, 3) for k, v in self.timings.items()},
               "scope": self.scope, "receiver": self.receiver, "items": items}
        if with_text:
            out["text"] = self.text
        return out
