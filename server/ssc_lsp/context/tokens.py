"""Counting a budget in characters or tokens, with a pluggable token counter.

Tokenizer files cannot be downloaded at run time, so the default is an estimate from characters
(code averages a little under four characters a token with the common BPE vocabularies). A real
tokenizer can be plugged in by passing any `str -> int` callable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

TokenCounter = Callable[[str], int]

CHARS_PER_TOKEN = 3.6
_SPEC = re.compile(r"^(\d+)\s*(c|chars?|t|tok|tokens?)?$")


def estimate_tokens(text: str) -> int:
    """Tokens for `text`, estimated from its length (never 0 for a non-empty text)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


@dataclass(frozen=True, slots=True)
class Budget:
    """A size limit: `limit` characters, or `limit` tokens as `counter` counts them."""

    limit: int
    unit: str = "chars"  # "chars" or "tokens"
    counter: TokenCounter = estimate_tokens

    def cost(self, text: str) -> int:
        return len(text) if self.unit == "chars" else self.counter(text)

    @staticmethod
    def parse(spec: str | int, counter: TokenCounter = estimate_tokens) -> Budget:
        """`4000`, `"4000"`, `"4000c"` (characters) or `"1000t"` (tokens)."""
        if isinstance(spec, int):
            return Budget(spec)
        m = _SPEC.match(spec.strip().lower())
        if m is None:
            raise ValueError(f"budget {spec!r}: expected a number, optionally with c or t")
        unit = "tokens" if m.group(2) and m.group(2).startswith("t") else "chars"
        return Budget(int(m.group(1)), unit, counter)
