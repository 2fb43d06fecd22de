"""The model's edit, checked, and ONE repair round: the shape of grounding/repair.py's loop for
whole edits, with `ask`, `build` and `hints` as collaborators.

An answer is read by model_edit.py and checked (proposal.check: the workspace as it would be);
what fails (the check's problems and the refused blocks) goes back once, with exactly those
problems and the map's near names; what still fails is returned with its problems
(features/deliver.py shows them, never as if fine). Why one round: see grounding/repair.py.
LSP-free.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..grounding.edit_check import NAME, EditProblem
from ..grounding.hints import names_like, render
from ..llm.errors import LLMError
from ..map.document import build_filemap
from ..map.languages.python import PYTHON
from ..map.positions import LineIndex
from ..map.service import MapService
from .briefing import IDENT, MAX_NAMES, definitions_at
from .model import refused
from .model_edit import Applied, FormatError, Read, interpret
from .proposal import Proposal, check

log = logging.getLogger(__name__)

PASSED, REPAIRED, FAILED = "passed", "repaired", "failed"


@dataclass
class Built:
    """One answer read and checked."""

    answer: str
    proposal: Proposal | None
    applied: Applied | None = None
    error: str | None = None  # why the answer gave nothing to apply

    @property
    def ok(self) -> bool:
        return self.proposal is not None and not self.proposal.problems and not self.applied.rejected  # type: ignore[union-attr]

    def problems_text(self, hints: list[str]) -> str:
        lines = []
        if self.error:
            lines.append(f"- {self.error}")
        if self.applied is not None and self.proposal is not None:
            lines += [f"- {r}" for r in self.applied.reasons]
        if self.proposal is not None:
            for p in self.proposal.problems:
                lines.append(f"- {p.path}:{p.range[0] + 1}: {p.message}")
        out = "\n".join(lines)
        if hints:
            out += "\n\nWhat does exist (from the workspace's map):\n" + "\n".join(f"- {h}" for h in hints)
        return out


@dataclass
class Attempt:
    """How an edit task came out: the proposal to deliver (None: nothing usable), the outcome
    (passed / repaired / failed), and why there is nothing when there is nothing."""

    proposal: Proposal | None
    outcome: str
    error: str | None = None
    built: list[Built] = field(default_factory=list)


Ask = Callable[[str], Awaitable[str]]
Build = Callable[[str], Built]
Hints = Callable[[Built], list[str]]


async def ground_edit(prompt: str, ask: Ask, build: Build, hints: Hints, *, repair: bool = True) -> Attempt:
    """Ask, build and check; on failure ONE repair round with exactly the problems found; what
    still fails is returned with its problems (never as if fine)."""
    first = build(await ask(prompt))
    if first.ok:
        return Attempt(first.proposal, PASSED, built=[first])
    if not repair:
        return _failed([first])
    again = repair_prompt(prompt, first, hints(first))
    try:
        second = build(await ask(again))
    except LLMError as e:
        log.info("edit repair request failed: %s", e.message)
        if first.proposal is not None:
            first.proposal.notes.append(f"the repair request failed: {e.message}")
        return _failed([first])
    if second.ok:
        return Attempt(second.proposal, REPAIRED, built=[first, second])
    return _failed([first, second])


def _failed(built: list[Built]) -> Attempt:
    usable = [b for b in built if b.proposal is not None]
    if not usable:
        return Attempt(None, FAILED, built[-1].error or "the model's answer could not be used", built)
    return Attempt(usable[-1].proposal, FAILED, built=built)


def repair_prompt(prompt: str, first: Built, hints: list[str]) -> str:
    return (f"{prompt.rstrip()}\n\nYour previous answer was:\n\n{first.answer.strip()}\n\n"
            f"It has these problems:\n{first.problems_text(hints)}\n\n"
            "Answer again, fixing exactly these problems: give the complete set of edit blocks "
            "(every block of your previous answer that is still needed, corrected), in the same "
            "format.\n")


def builder(svc: MapService, read: Read, title: str, kind: str) -> Build:
    """An answer -> its Proposal, checked (model_edit.interpret, then proposal.check)."""

    def build(answer: str) -> Built:
        try:
            applied = interpret(svc, answer, read)
        except FormatError as e:
            return Built(answer, None, None, str(e))
        if not applied.after:
            return Built(answer, None, applied,
                         "no block of the answer could be applied: " + "; ".join(applied.reasons))
        p = Proposal(title, kind, svc, dict(applied.after), model_made=True, notes=applied.reasons)
        return Built(answer, check(p), applied)

    return build


def map_hints(svc: MapService) -> Hints:
    """For each unknown name the check found: what the map says it may have meant; for each
    call that no longer fits: the callee's signature (nothing from a refused file)."""
    allowed = lambda rel: refused(svc, rel) is None  # noqa: E731

    def hints(b: Built) -> list[str]:
        out: list[str] = []
        if b.proposal is None:
            return out
        for p in b.proposal.problems:
            out += _hint(svc, b.proposal.after.get(p.path), p, allowed)
        return list(dict.fromkeys(out))[:MAX_NAMES]

    return hints


def _hint(svc: MapService, data: bytes | None, p: EditProblem, allowed) -> list[str]:
    if p.symbol:
        loc = svc.ws.get(p.symbol)
        if loc is not None and allowed(loc.file.path):
            return [f"{render(loc.symbol)} (in {loc.file.module})"]
    if p.kind != NAME or data is None:
        return []
    index = LineIndex(data)
    word = data[index.byte_of_point(p.range[0], p.range[1]):index.byte_of_point(p.range[2], p.range[3])]
    name = word.decode("utf-8", "replace")
    if not IDENT.fullmatch(name):
        return []
    fm = build_filemap(PYTHON, p.path, svc.ws.module_name(p.path), data, PYTHON.parser().parse(data))
    around = definitions_at(fm, (p.range[0], p.range[1]))
    scope = around[0].qualname if around else ""
    return names_like(svc.ws, fm, scope, name, allowed)
