"""One model call for a code action or a refactor: a task in, the answer's text out.

Goes through the session's provider (suggest/providers.py) so the endpoint, key, bounds
(`llm.requestTimeoutMs`, answer size) and the embedded default are the completions' own. Every
failure is an `LLMError` with a message fit to show (dead, slow or garbage endpoint); asyncio
cancellation (a `$/cancelRequest`) closes the HTTP stream. Nothing secret is sent: callers ask
`refused` before putting a file in a prompt and pass its code through `redacted`.
"""

from __future__ import annotations

import contextlib
import re

from ..context.privacy import refusal
from ..context.redact import redact
from ..llm.errors import LLMError
from ..llm.request import CompletionRequest
from ..map.service import MapService

TASK_MAX_TOKENS = 2048  # an answer may be a whole function or a test module
TASK_TEMPERATURE = 0.2  # edits want the likely answer, names a little variety

_FENCE = re.compile(r"^```[^\n`]*\n(.*?)^```[ \t]*$", re.S | re.M)


def refused(svc: MapService, rel: str) -> str | None:
    """Why nothing of `rel` may go to a model (secret-looking, ignored, outside), or None."""
    return refusal(svc, rel)


def redacted(svc: MapService, rel: str, text: str) -> str:
    """`text` of `rel` as it may be sent: secrets replaced by `[redacted]`, line for line.
    Raises PermissionError when the file may not be sent at all."""
    why = refused(svc, rel)
    if why is not None:
        raise PermissionError(f"{rel}: {why}; nothing of it is sent to a model")
    return redact(text)


async def ask(assistant, task: str, *, system: str | None = None,
              max_tokens: int | None = None) -> str:
    """The model's whole answer to `task` (a chat request where the endpoint takes one)."""
    providers = assistant.providers
    provider = providers.get(assistant.config().llm)
    if provider is None:
        raise LLMError("config", providers.reason or "no model is configured (llm.provider)")
    if not providers.ready(provider):
        raise LLMError("config", "the model is still loading; try again in a moment",
                       retryable=True)
    request = CompletionRequest(prefix="", kind="task", task=task, system=system or "",
                                max_tokens=max_tokens or TASK_MAX_TOKENS,
                                temperature=TASK_TEMPERATURE)
    assistant.counters["tasks"] += 1
    parts: list[str] = []
    try:
        async with contextlib.aclosing(provider.stream_completion(request)) as stream:
            async for piece in stream:
                parts.append(piece)
    except LLMError:
        assistant.counters["taskErrors"] += 1
        raise
    return "".join(parts)


def code_of(answer: str) -> str:
    """The code in a model's answer: the first fenced block when there is one, else the whole
    answer (models fence code even when asked not to)."""
    m = _FENCE.search(answer)
    return m.group(1) if m else answer.strip("\n") + "\n"
