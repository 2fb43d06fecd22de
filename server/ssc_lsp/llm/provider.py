"""The one interface the server uses to ask any model.

Why a Protocol: the HTTP client and the embedded local model are very
different underneath (network vs. a CPU thread) but the server's completion
feature must not care.  Both implement these methods.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from .request import Completion, CompletionRequest


@runtime_checkable
class Provider(Protocol):
    """What every model backend offers."""

    #: Short stable name: ``"openai"`` or ``"local"``.
    name: str

    def stream_completion(self, request: CompletionRequest) -> AsyncIterator[str]:
        """Yield pieces of the completion as they arrive.

        Cancelling the task that iterates (or closing the iterator with
        ``aclose``) aborts the underlying work: the HTTP request is closed,
        local generation stops between tokens.  Raises LLMError on failure.
        """
        ...

    async def complete(self, request: CompletionRequest) -> Completion:
        """The whole completion (the stream, collected).  Raises LLMError."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` costs with this provider (exact when a tokenizer is known)."""
        ...

    def request_key(self, request: CompletionRequest) -> str:
        """A cache key for ``request``: equal keys mean the same prompt and settings."""
        ...

    def describe(self) -> str:
        """One human line (no secrets) saying what this provider talks to."""
        ...

    async def aclose(self) -> None:
        """Release connections, threads and models."""
        ...
