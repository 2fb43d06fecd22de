"""Keep API keys out of logs, reprs and error messages.

Why a module of its own: both the error type and the HTTP client need it,
and it is the one place to audit when asking "can the key leak?".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

REDACTED = "[redacted]"

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{4,}")
_SK = re.compile(r"\bsk-[A-Za-z0-9_-]{8,}")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Remove secrets from ``text``.

    Removes each given secret verbatim, plus anything that looks like a
    bearer token or an OpenAI-style ``sk-`` key, so even a key we were not
    told about (e.g. typed into extra_headers) is unlikely to escape.
    """
    out = text
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, REDACTED)
    out = _BEARER.sub(lambda m: m.group(1) + REDACTED, out)
    out = _SK.sub(REDACTED, out)
    return out


def display_url(url: str) -> str:
    """``url`` without user-info, query or fragment (where keys sometimes hide)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class Secret:
    """A string that does not show itself in ``repr``/``str``/f-strings.

    Why: a provider object ends up in debug logs and tracebacks (``locals``);
    holding the key in a Secret means printing the object cannot leak it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value or None

    def reveal(self) -> str | None:
        return self._value

    def __bool__(self) -> bool:
        return self._value is not None

    def __repr__(self) -> str:
        return "Secret([set])" if self._value else "Secret([none])"

    __str__ = __repr__
