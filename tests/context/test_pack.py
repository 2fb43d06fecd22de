"""Packing: the budget, the forms, no range twice, prefix stability, tokens."""

from __future__ import annotations

from ssc_lsp.context import weights as W
from ssc_lsp.context.tokens import Budget, estimate_tokens


def spans(res):
    return [(it.path, it.start_line, it.end_line) for it in res.items]


def test_budget_is_respected_and_counted_exactly(shop):
    for budget in (300, 1000, 4000):
        res = shop.context("shop/checkout.py", "        amount = ", budget=budget)
        assert res.used <= budget
        assert res.used == sum(it.chars for it in res.items) == len(res.text)


def test_larger_budget_only_appends(shop):
    compared = 0
    for budget in (600, 1200, 2500):
        small = shop.context("shop/checkout.py", "        order.add_item(", budget=budget)
        large = shop.context("shop/checkout.py", "        order.add_item(", budget=16000)
        # the large packing's leading items within the small budget are the small packing's
        # leading items (the small one may then fill its rest with smaller items)
        lead, used = [], 0
        for it in large.items:
            if used + it.chars > budget:
                break
            used += it.chars
            lead.append((it.path, it.start_line, it.end_line))
        assert spans(small)[: len(lead)] == lead
        compared += len(lead)
    assert compared > 3


def test_no_range_twice(shop):
    res = shop.context("shop/checkout.py", "        self.repo.", budget=16000)
    seen: dict[str, list[tuple[int, int]]] = {}
    for path, s, e in spans(res):
        for s2, e2 in seen.get(path, []):
            assert e < s2 or e2 < s, f"{path}:{s}-{e} overlaps {s2}-{e2}"
        seen.setdefault(path, []).append((s, e))


def test_top_items_whole_far_items_signatures(shop):
    res = shop.context("shop/checkout.py", "        return ", budget=16000)
    forms = [it.form for it in res.items]
    assert "whole" in forms[: W.WHOLE_TOP_RANKS]
    assert all(f != "whole" or i < W.WHOLE_TOP_RANKS or it.kind in ("doc", "imports", "external")
               for i, (f, it) in enumerate(zip(forms, res.items, strict=True)))
    sig = next(it for it in res.items if it.form == "signature" and it.kind in ("function", "method"))
    assert "def " in sig.text and sig.end_line - sig.start_line <= W.SIGNATURE_MAX_LINES + 1


def test_items_are_labelled_with_path_and_lines(shop):
    res = shop.context("shop/checkout.py", "        amount = ", budget=4000)
    lines = (shop.root / "shop/pricing.py").read_text().split("\n")
    for it in res.items:
        assert it.path and 0 <= it.start_line <= it.end_line
        if it.path == "shop/pricing.py" and it.kind == "function":
            # the first line shown is the definition's first line in the file
            first_shown = [ln for ln in it.text.split("\n") if not ln.startswith("# ")][0]
            assert first_shown == lines[it.start_line]


def test_token_budget(shop):
    res = shop.context("shop/checkout.py", "        amount = ", budget=200, unit="tokens")
    assert res.unit == "tokens"
    assert res.used <= 200
    assert res.used == sum(estimate_tokens(it.text) for it in res.items)


def test_pluggable_token_counter():
    words = Budget(10, "tokens", lambda s: len(s.split()))
    assert words.cost("a b c") == 3
    assert Budget.parse("1500t").unit == "tokens"
    assert Budget.parse("4000").unit == "chars"
