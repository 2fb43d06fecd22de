"""One typed error for everything that can go wrong while asking a model.

Why a single type: the language server must degrade gracefully (show nothing,
log one line, maybe a status message) whatever failed -- a dead endpoint, a
timeout, a 4xx, a malformed body or a local runtime that cannot load.  Callers
catch ``LLMError`` and branch on ``kind`` only when they need to; they never
have to import ``openai`` or ``httpx`` exception classes.

Why every message is redacted here: error text is the most likely place for
an API key to leak (some servers echo the key back in a 401 body).  Every
message that ends up in an ``LLMError`` goes through ``redact`` first.
"""

from __future__ import annotations

from collections.abc import Iterable

from .redaction import redact

#: The kinds an LLMError can have; stable strings so logs and tests can match.
KINDS = (
    "config",  # nothing usable is configured (no endpoint, no local model)
    "connect",  # endpoint unreachable: refused, DNS, reset before a response
    "timeout",  # no byte within timeout_ms, or the request past request_timeout_ms
    "status",  # HTTP 3xx (redirects are not followed), 4xx, 5xx after retries
    "protocol",  # the endpoint answered, but not in a form we understand
    "truncated",  # the answer stream ended without its end (no finish_reason): never shown
    "too_large",  # the answer ran past MAX_ANSWER_BYTES or max_tokens' worth of text
    "runtime",  # the local inference runtime failed
)


class LLMError(Exception):
    """A failed model request, with a message safe to show and to log.

    Attributes:
        kind: one of :data:`KINDS`.
        status: the HTTP status for ``kind == "status"``, else ``None``.
        retryable: whether trying again later could plausibly succeed.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        secrets: Iterable[str | None] = (),
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown LLMError kind {kind!r}")
        self.kind = kind
        self.status = status
        self.retryable = retryable
        self.message = redact(message, secrets)
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"LLMError(kind={self.kind!r}, status={self.status!r}, message={self.message!r})"
