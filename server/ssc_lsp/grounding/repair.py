"""One repair round: a failing suggestion goes back to the model with exactly what does not
exist and what does; if the answer still fails, the suggestion is dropped.

Why one round: each round costs a model call while the user waits; a model that invents a name
twice after being shown the real ones is not going to get it right on the third try, and showing
nothing is better than showing a call to a function that does not exist.

The loop knows nothing of providers or documents: it is given `check` (text -> verdict) and
`ask` (request -> post-processed text), so the server, the CLI and the benchmarks share it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..llm import CompletionRequest, LLMError
from .check import Verdict
from .inplace import Placed
from .stats import DROPPED, PASSED, REPAIRED

log = logging.getLogger(__name__)

Check = Callable[[str], Awaitable[tuple[Verdict, Placed | None]]]
Ask = Callable[[CompletionRequest], Awaitable[str]]
Hints = Callable[[Placed, Verdict], tuple[tuple[str, ...], tuple[str, ...]]]


@dataclass
class Grounded:
    """How a suggestion came through the check."""

    text: str  # what may be shown ("" when dropped)
    outcome: str  # passed, repaired or dropped
    first: Verdict
    last: Verdict
    rejected: list[tuple[str, Verdict]] = field(default_factory=list)  # texts that failed
    repair: CompletionRequest | None = None  # the repair request, when one was made
    why: str | None = None  # for drops without a verdict: "repair-empty", "repair-error"


async def ground(text: str, request: CompletionRequest, check: Check, ask: Ask, hints: Hints,
                 *, repair: bool = True) -> Grounded:
    first, placed = await check(text)
    if first.ok:
        return Grounded(text, PASSED, first, first)
    rejected = [(text, first)]
    if not repair or placed is None:
        return Grounded("", DROPPED, first, first, rejected, why="not-repaired")
    missing, available = hints(placed, first)
    fix = dataclasses.replace(request, kind="repair", previous=text, missing=missing,
                              available=available)
    try:
        again = await ask(fix)
    except LLMError as e:
        log.info("repair request failed: %s", e.message)
        return Grounded("", DROPPED, first, first, rejected, fix, why="repair-error")
    if not again.strip():
        return Grounded("", DROPPED, first, first, rejected, fix, why="repair-empty")
    last, _ = await check(again)
    if last.ok:
        return Grounded(again, REPAIRED, first, last, rejected, fix)
    rejected.append((again, last))
    return Grounded("", DROPPED, first, last, rejected, fix)
