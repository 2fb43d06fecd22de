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
    the value looks random (long and high-entropy), so `CACHE_KEY = "user:%s"` survives;
  * random-looking words (long, letters and digits, high entropy) on a line that talks about a
    key, token, secret or password ("the token is 8f3a..."), in prose as in code.
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
_TOKEN_PREFIXES = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "gh", "github_pat_",
                   "glpat-", "xox", "AIza", "_live_", "_test_", "eyJ")
# what every name- or word-based rule needs somewhere in the text (lower-cased)
_NAME_HINTS = ("pass", "pwd", "secret", "private", "token", "key", "credential", "signature",
               "salt", "dsn", "bearer", "auth")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"]+:)([^\s@/'\"]+)(@)")
_AUTH_HEADER = re.compile(r"(?i)(authorization\s*[:=]\s*[\"']?\s*(?:bearer|basic|token)\s+)"
                          r"[^\s\"']{8,}")
# NAME = "value", NAME: "value" (dicts, annotations), NAME="value" (keywords), "NAME": "value"
_ASSIGNED = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::\s*[A-Za-z_][\w\[\], .|]*?)?\s*[:=]\s*"""
    r"""[rbuRBUfF]{0,2}(?P<q>["'])(?P<val>[^"'\n]{4,})(?P=q)""")
# prose and config files (docs, .ini-like snippets): `password: hunter2`, `API_KEY=abc123...`
_UNQUOTED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[:=][ \t]*(?P<val>[^\s\"'`,;#()\[\]{}<>]{4,})")
_ALWAYS_NAMES = re.compile(r"(?i)(pass(word|wd|phrase)?$|^pwd$|_pwd$|secret|private_?key)")
_KEYISH_NAMES = re.compile(
    r"(?i)(token|api_?key|access_?key|auth_?key|_key$|^key$|credential|signature|salt$|dsn$)")
_SECRET_WORDS = re.compile(r"(?i)(token|key|secret|passw|pwd|bearer|credential|auth)")
_WORDISH = re.compile(r"[A-Za-z0-9_\-+/.]{16,}={0,2}")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.:-]+")
_SEGMENTS = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|[^A-Za-z]|$)|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PLACEHOLDER_PASSWORDS = frozenset({"pass", "password", "passwd", "pw", "pwd", "secret", "p", "x",
                                    "***", "****", "xxx", "changeme"})
_HIGH_ENTROPY_MIN_LEN = 16
_HIGH_ENTROPY_BITS = 3.3  # bits per character; English words and format strings sit below


def entropy(value: str) -> float:
    """Shannon entropy of `value` in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def wordlike(value: str) -> bool:
    """An identifier or dotted name made of words (`_password_reset_token`,
    `PBKDF2SHA1PasswordHasher`, `django.contrib.auth.tokens`), however long: code, not a key.

    Generated keys cut into camel-case and digit segments give mostly one- and two-letter
    pieces; names give words. Anything with `/`, `+` or `=` (base64) is never a name.
    """
    if not _NAME_CHARS.fullmatch(value):
        return False
    segments = _SEGMENTS.findall(value)
    letters = sum(len(x) for x in segments if x.isalpha())
    good = sum(len(x) for x in segments if x.isalpha() and len(x) >= 3)
    return letters >= 6 and good >= 0.75 * letters


def looks_random(value: str) -> bool:
    """Long, no spaces, high entropy, not made of words: a generated key."""
    v = value.strip()
    return (len(v) >= _HIGH_ENTROPY_MIN_LEN and " " not in v and "%" not in v and "{" not in v
            and entropy(v) >= _HIGH_ENTROPY_BITS and not wordlike(v))


def _url_credentials(m: re.Match) -> str:
    pw = m.group(2)
    if "{" in pw or "%s" in pw or "%(" in pw or pw.lower() in _PLACEHOLDER_PASSWORDS:
        return m.group(0)  # a format placeholder or an obvious example, not a password
    return m.group(1) + REDACTED + m.group(3)


def _random_word(m: re.Match) -> str:
    w = m.group(0)
    core = w.strip("._-=")
    digits = sum(ch.isdigit() for ch in core)
    letters = sum(ch.isalpha() for ch in core)
    if digits >= 2 and letters >= 2 and looks_random(core):
        return w.replace(core, REDACTED)
    return w


def _random_words_near_secret_words(text: str) -> str:
    if not _SECRET_WORDS.search(text):
        return text
    out = []
    for line in text.split("\n"):
        if _SECRET_WORDS.search(line):
            line = _WORDISH.sub(_random_word, line)
        out.append(line)
    return "\n".join(out)


def _assigned(m: re.Match) -> str:
    name, val = m.group("name"), m.group("val")
    last = name.rsplit(".", 1)[-1]
    placeholder = val.startswith("$") or "%(" in val or "{" in val or not val.strip("*x ")
    secret = bool(_ALWAYS_NAMES.search(last)) and not placeholder
    if not secret and _KEYISH_NAMES.search(last):
        secret = looks_random(val)
    if not secret:
        return m.group(0)
    start = m.start("val") - m.start(0)
    end = m.end("val") - m.start(0)
    whole = m.group(0)
    return whole[:start] + REDACTED + whole[end:]


def _unquoted(m: re.Match) -> str:
    name, val = m.group("name"), m.group("val")
    last = name.rsplit(".", 1)[-1]
    if _ALWAYS_NAMES.search(last) or (_KEYISH_NAMES.search(last) and looks_random(val)):
        if not val.startswith(("$", "%(")):
            return m.group(0)[: m.start("val") - m.start(0)] + REDACTED
    return m.group(0)


def redact(text: str, prose: bool = False) -> str:
    """`text` with everything that looks like a secret replaced by `[redacted]`, line for line
    (no pattern spans a newline, and a PEM block keeps its line breaks).

    `prose` is for documentation, where `password: hunter2` has no quotes; in code an unquoted
    value is a variable (`connect(password=password)`), so code is not read that way.
    """
    if not text:
        return text
    # Each pattern runs only when a substring it cannot match without is present: most code
    # has none of them, and this runs on every item packed.
    low = text.lower()
    out = text
    if "private key" in low:  # its lines are kept, so line numbers after it still hold
        out = _PEM.sub(lambda m: REDACTED + "\n" * m.group(0).count("\n"), out)
    if any(p in out for p in _TOKEN_PREFIXES):
        out = _TOKENS.sub(REDACTED, out)
    if "://" in out and "@" in out:
        out = _URL_CREDENTIALS.sub(_url_credentials, out)
    if "authorization" in low:
        out = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, out)
    if any(w in low for w in _NAME_HINTS):
        out = _ASSIGNED.sub(_assigned, out)
        if prose:
            out = _UNQUOTED.sub(_unquoted, out)
        out = _random_words_near_secret_words(out)
    if "bearer" in low or "sk-" in out:
        out = redact_known(out)
    return out


def redact_around(before: str, after: str) -> tuple[str, str]:
    """The text `before` and `after` a cursor, redacted as one text (a key the cursor sits in is
    still a key) and split again at the cursor, which stays on its line: every line of the input
    is one line of the output.

    A redaction that spans the cursor goes before it whole (`KEY = "[redacted]` | `"`).
    """
    text = before + after
    red = redact(text)
    if red == text:
        return before, after
    src, out = text.split("\n"), red.split("\n")
    if len(src) != len(out):  # cannot happen (see redact); never send the plain text anyway
        return redact(before), redact(after)
    head = before.split("\n")
    k, col = len(head) - 1, len(head[-1])
    line, rline = src[k], out[k]
    same = 0
    while same < min(len(line), len(rline)) and line[same] == rline[same]:
        same += 1
    if same >= col:  # the cursor line changed after the cursor only (or not at all)
        left, right = rline[:col], rline[col:]
    else:
        tail_same = 0
        limit = min(len(line), len(rline)) - same
        while tail_same < limit and line[-1 - tail_same] == rline[-1 - tail_same]:
            tail_same += 1
        if len(line) - tail_same <= col:  # changed before the cursor only
            right = line[col:]
            left = rline[:len(rline) - len(right)]
        else:  # the change spans the cursor
            left, right = rline[:len(rline) - tail_same], rline[len(rline) - tail_same:]
    return "\n".join(out[:k] + [left]), "\n".join([right] + out[k + 1:])
