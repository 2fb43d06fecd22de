"""A proposed edit over the workspace, and what the edit check found in it.

Why whole texts: an engine (rope, jedi) and the model both produce new file contents; the check
judges the workspace as it would be after them (grounding/edit_check.py), and features/deliver.py
diffs them into TextEdits. One shape for every source of edits keeps "never shown without what
the check found" a property of the type: `summary` is what the user is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..grounding.edit_check import EditProblem, EditResult, check_texts, describe
from ..map.service import MapService

SHOWN_PROBLEMS = 3  # problems named in a one-line summary; the rest are counted


@dataclass
class Proposal:
    """The whole new content of each file an edit changes (None: the file is deleted)."""

    title: str
    kind: str  # a CodeActionKind string: "refactor.rewrite", "refactor.move", "quickfix", ...
    svc: MapService
    after: dict[str, bytes | None]
    model_made: bool = False
    notes: list[str] = field(default_factory=list)  # uncertain sites etc., always shown
    result: EditResult | None = None

    @property
    def problems(self) -> list[EditProblem]:
        return list(self.result.problems) if self.result is not None else []


def check(p: Proposal) -> Proposal:
    """Judge the proposal on an overlay of the map (the live map is untouched); idempotent."""
    if p.result is None:
        p.result = check_texts(p.svc, dict(p.after))
    return p


def summary(p: Proposal) -> str:
    """What the check found, in one line: "checked: no problems" / "2 problems: ...", plus the
    count of notes (sites the engine or the map could not decide)."""
    if p.result is None:
        head = "not checked"
    elif not p.result.problems:
        head = "checked: no problems"
    else:
        n = len(p.result.problems)
        head = f"{n} problem{'s' if n != 1 else ''}: {describe(p.result.problems, SHOWN_PROBLEMS)}"
    if p.notes:
        head += f" ({len(p.notes)} note{'s' if len(p.notes) != 1 else ''} to read)"
    return head
