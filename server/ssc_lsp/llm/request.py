"""What a caller asks for and what it gets back, independent of any provider.

Why semantic fields instead of a rendered prompt: the same request becomes a
chat conversation, a FIM prompt or a short plain prompt depending on the
provider and settings; the caller should not have to know which.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CompletionRequest:
    """One inline-completion (or repair) request.

    Attributes:
        prefix: document text before the cursor (already trimmed by the caller).
        suffix: document text after the cursor.
        context: a plain-text block of workspace facts (signatures, imports).
        language: language id, used in prompts and for comment syntax.
        path: a display path for the prompt (relative is best).
        kind: ``"inline"``, ``"repair"`` or ``"task"`` (an instruction for a code action or a
            refactor: ``task`` is the whole user message, ``system`` overrides the task system
            prompt; prefix/suffix are not used).
        previous: for repair, the rejected suggestion.
        missing: for repair, identifiers the suggestion used that do not exist.
        available: for repair, existing identifiers that may be what was meant.
        max_tokens / temperature / stop: per-request overrides of the settings.
    """

    prefix: str
    suffix: str = ""
    context: str = ""
    language: str = "python"
    path: str = ""
    kind: str = "inline"
    previous: str = ""
    missing: tuple[str, ...] = ()
    available: tuple[str, ...] = ()
    max_tokens: int | None = None
    temperature: float | None = None
    stop: tuple[str, ...] = ()
    task: str = ""
    system: str = ""


@dataclass
class Completion:
    """A finished completion.

    ``finish_reason`` is what the model reported (``"stop"``, ``"length"``)
    or ``None`` when it did not say; ``latency_ms`` is wall time to the end;
    ``first_token_ms`` is time to the first non-empty piece.
    """

    text: str
    finish_reason: str | None = None
    model: str = ""
    provider: str = ""
    latency_ms: float = 0.0
    first_token_ms: float | None = None
    from_cache: bool = False
    extra: dict = field(default_factory=dict)
