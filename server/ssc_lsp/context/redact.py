"""Redact strings that look like keys, tokens or passwords from every context item.

Files that look like secrets never reach the map (map/crawl.py) nor the context (privacy.py), but
a secret can also sit in ordinary code: a key pasted into settings.py, a test's private-key
fixture, a curl command in a docstring. Every item's text passes through `redact` before it is
counted and packed, so what the budget measures is what the model sees.

What is recognised, from the most to the least specific:
  * PEM private key blocks (`-----BEGIN ... PRIVATE KEY-----` to its END line, or to the end of
    the text when the END line is cut off);
  * well-known token formats: AWS access key ids, GitHub, GitLab, Slack, Google, Stripe, OpenAI
    style `sk-` keys, JSON web tokens;
  * credentials in URLs (`scheme://user:password@host`);
  * `Authorization: Bearer|Basic|Token ...` values (and bare `Bearer ...`, via llm/redaction.py);
  * string literals assigned to a name that says secret (`*_KEY`, `*_TOKEN`, `*SECRET*`,
    `password`, `api_key`, ...): always for password/secret names, and for key/token names when
    the value looks random (long and high-entropy), so `CACHE_KEY = "user:%s"` survives.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ..llm.redaction import REDACTED
from ..llm.redaction import redact as redact_known

_PEM = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*\Z)",
    re.S)
_TOKENS = re.compile(
    r"\b(?:"
    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}"  # AWS access key ids
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}"  # GitHub
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
    r"|(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}"  # Stripe
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JSON web tokens
    r")")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"]+:)([^\s@/'\"]+)(@)")
_AUTH_HEADER = re.compile(r"(?i)(authorization\s*[:=]\s*[\"']?\s*(?:bearer|basic|token|digest)\s+)"
                          r"[^\s\"']+")
# NAME = "value", NAME: "value" (dicts, annotations), NAME="value" (keywords), "NAME": "value"
_ASSIGNED = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::\s*[A-Za-z_][\w\[\], .|]*?)?\s*[:=]\s*"""
    r"""[rbuRBUfF]{0,2}(?P<q>["'])(?P<val>[^"'\n]{4,})(?P=q)""")
_ALWAYS_NAMES = re.compile(r"(?i)(pass(word|wd|phrase)?$|^pwd$|_pwd$|secret|private_?key)")
_KEYISH_NAMES = re.compile(
    r"(?i)(token|api_?key|access_?key|auth_?key|_key$|^key$|credential|signature|salt$|dsn$)")
_HIGH_ENTROPY_MIN_LEN = 16
_HIGH_ENTROPY_BITS = 3.3  # bits per character; English words and format strings sit below


def entropy(value: str) -> float:
    """Shannon entropy of `value` in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def looks_random(value: str) -> bool:
    """Long, no spaces, high entropy: a generated key rather than a word or a format."""
    v = value.strip()
    return (len(v) >= _HIGH_ENTROPY_MIN_LEN and " " not in v and "%" not in v and "{" not in v
            and entropy(v) >= _HIGH_ENTROPY_BITS)


def _assigned(m: re.Match) -> str:
    name, val = m.group("name"), m.group("val")
    last = name.rsplit(".", 1)[-1]
    secret = bool(_ALWAYS_NAMES.search(last)) and val.strip() not in ("", "****") and not val.startswith("$")
    if not secret and _KEYISH_NAMES.search(last):
        secret = looks_random(val)
    if not secret:
        return m.group(0)
    start = m.start("val") - m.start(0)
    end = m.end("val") - m.start(0)
    whole = m.group(0)
    return whole[:start] + REDACTED + whole[end:]


def redact(text: str) -> str:
    """`text` with everything that looks like a secret replaced by `[redacted]`."""
    if not text:
        return text
    out = _PEM.sub(REDACTED, text)
    out = _TOKENS.sub(REDACTED, out)
    out = _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + m.group(3), out)
    out = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, out)
    out = _ASSIGNED.sub(_assigned, out)
    return redact_known(out)
