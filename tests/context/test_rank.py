"""Ranking on a fixture workspace: what comes first for typical cursors, and why."""

from __future__ import annotations

from ssc_lsp.context import rank as ranking
from ssc_lsp.context import weights as W
from ssc_lsp.context.sources import SOURCES


def names(res) -> list[str]:
    return [it.name for it in res.items]


def test_receiver_members_come_first(shop):
    res = shop.context("shop/checkout.py", "        order.add_item(LineItem(sku, quantity, price))\n"
                       "        self.repo.", budget=2000)
    assert res.receiver == "self.repo"
    top = res.items[0]
    assert top.path == "shop/repository.py"
    # the class is shown whole (it is small), so its methods are in the first item
    assert top.name in ("Repository", "Repository.save", "Repository.get", "Repository.delete")
    # the members' own reasons are reported on the item that shows them
    assert any("type of `self.repo`" in w for w in top.why)


def _at_end(shop, rel: str, extra: str, budget: int = 2000):
    """Context at the end of `rel` with `extra` appended (an edit the map sees as open)."""
    from ssc_lsp.context.engine import ContextOptions
    from ssc_lsp.context.tokens import Budget

    text = (shop.root / rel).read_text() + extra
    shop.svc.open(rel, text, 1)
    try:
        lines = text.split("\n")
        return shop.engine.assemble(rel, len(lines) - 1, len(lines[-1].encode()),
                                    ContextOptions(budget=Budget(budget), use_jedi=False, wait_for_indexes=True))
    finally:
        shop.svc.close(rel)


def test_module_receiver_lists_its_members(shop):
    res = _at_end(shop, "shop/checkout.py", "\nfrom . import pricing\n\n\ndef total_for(order):\n    return pricing.")
    assert res.receiver == "pricing"
    assert [it.path for it in res.items[:2]] == ["shop/pricing.py", "shop/pricing.py"]
    assert any("of shop.pricing, the inferred type of `pricing`" in w for w in res.items[0].why)


def test_receiver_type_guessed_from_its_name(shop):
    res = _at_end(shop, "shop/checkout.py", "\n\ndef restore(repository, key):\n    return repository.")
    first = res.items[0]
    assert first.path == "shop/repository.py"
    assert any("guessed" in w for w in first.why)


def test_imported_names_used_near_the_cursor_rank_high(shop):
    res = shop.context("shop/checkout.py", "        return ", budget=4000)
    paths = [(it.path, it.name) for it in res.items]
    assert ("shop/pricing.py", "apply_discount") in paths[:2]  # used on the line above
    assert ("shop/pricing.py", "with_tax") in paths  # imported, not used yet
    why = next(it.why for it in res.items if it.name == "with_tax")
    assert "imported, not used yet" in why


def test_self_members_and_base_class_members(shop):
    res = shop.context("shop/models.py", "        self.status = \"closed\"", budget=6000)
    # inside Order.close: the class's own members and its base's
    assert "Entity.key" in names(res) or "Entity" in names(res)


def test_every_source_has_a_named_weight():
    sources = set()
    for mod in SOURCES.values():
        for attr in ("SOURCE", "GUESS", "SIBLING", "CALLER", "SAME_FILE", "SAME_PACKAGE", "GUIDELINES"):
            if hasattr(mod, attr):
                sources.add(getattr(mod, attr))
    missing = sources - set(ranking.SOURCE_WEIGHTS)
    assert not missing, f"sources without a weight: {missing}"
    for name, value in ranking.SOURCE_WEIGHTS.items():
        assert value >= 0, name
    assert W.W_RECEIVER > W.W_RECEIVER_GUESS > 0


def test_ranking_is_deterministic(shop):
    a = shop.context("shop/checkout.py", "        amount = ", budget=8000)
    b = shop.context("shop/checkout.py", "        amount = ", budget=8000)
    assert [(i.path, i.start_line, i.end_line, i.form) for i in a.items] == \
        [(i.path, i.start_line, i.end_line, i.form) for i in b.items]
    assert a.text == b.text


def test_graph_brings_in_neighbours(shop):
    res = shop.context("shop/checkout.py", "        return with_tax(amount)\n", budget=8000)
    graph_items = [it for it in res.items if any(w.startswith("graph:") for w in it.why)]
    # TAX_RATE is referenced by with_tax (a default value): nothing but the graph proposes it
    assert any(it.name == "TAX_RATE" for it in graph_items)


def test_recently_changed_symbols_are_candidates(shop):
    svc = shop.svc
    rel = "shop/pricing.py"
    text = (shop.root / rel).read_text()
    svc.open(rel, text, 1)
    from ssc_lsp.map.document import Change

    new = text.replace("def apply_discount(amount: float, percent: float)",
                       "def apply_discount(amount: float, percent: float, cap: float = 100.0)")
    svc.change(rel, [Change(new)], 2)
    svc.close(rel)
    res = shop.context("shop/checkout.py", "        order = ", budget=8000)
    hit = [it for it in res.items if it.name == "apply_discount"]
    assert hit and any("signature changed" in w for w in hit[0].why)


def test_the_word_being_typed_narrows_names(shop):
    res = shop.context("shop/checkout.py", "        amount = apply_d", budget=1500)
    assert res.items[0].name == "apply_discount"
    assert any("as typed" in w for w in res.items[0].why)
    # a name nobody imported is found by the workspace symbol search
    res = _at_end(shop, "shop/checkout.py", "\n\ndef f():\n    return Enti")
    assert any(it.name == "Entity" and any("as typed" in w for w in it.why) for it in res.items[:3])
