"""grounding/diff.py from two texts: the byte edits that turn one into the other, and the unified
diff a client shows (both checked by applying them back)."""

from __future__ import annotations

import random

import pytest

from ssc_lsp.grounding.diff import apply, byte_edits, parse, unified

PIECES = [b"a", b"b\n", b"c\n", b"\n", b"dd", b"\xc3\xa9\n", b"\r\n"]


def _text(rng: random.Random) -> bytes:
    return b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))


@pytest.mark.parametrize("seed", range(5))
def test_byte_edits_rebuild_the_new_text(seed):
    rng = random.Random(seed)
    for _ in range(400):
        old, new = _text(rng), _text(rng)
        out = old
        edits = byte_edits(old, new)
        assert all(a[1] <= b[0] for a, b in zip(edits, edits[1:], strict=False))  # in order, disjoint
        for start, end, text in reversed(edits):
            out = out[:start] + text + out[end:]
        assert out == new


def test_byte_edits_touch_only_the_changed_lines():
    old = b"one\ntwo\nthree\nfour\n"
    new = b"one\n2\nthree\nfour\nfive\n"
    assert byte_edits(old, new) == [(4, 8, b"2\n"), (19, 19, b"five\n")]
    assert byte_edits(old, old) == []


def test_unified_applies_back_with_the_parser():
    old, new = b"a\nb\nc\n", b"a\nB\nc\nd"
    text = unified("pkg/m.py", old, new)
    assert text.startswith("--- a/pkg/m.py\n+++ b/pkg/m.py\n")
    got = apply(parse(text.encode()), lambda path: old)
    assert got == {"pkg/m.py": new}
    created = apply(parse(unified("new.py", None, b"x = 1\n").encode()), lambda path: None)
    assert created == {"new.py": b"x = 1\n"}
