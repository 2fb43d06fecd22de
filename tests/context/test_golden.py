"""Packed contexts for a few positions, compared with golden files.

A change to ranking or packing shows up here as a readable diff of what the model would see.
Regenerate after an intended change with `SSC_UPDATE_GOLDEN=1 pytest tests/context/test_golden.py`
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"

POSITIONS = {
    "receiver_self_attribute": ("shop/checkout.py", "        self.repo.", 1500),
    "name_after_import_use": ("shop/checkout.py", "        return ", 1200),
    "method_body_in_subclass": ("shop/models.py", "        self.status = ", 1500),
}


def render(res) -> str:
    head = [f"# budget {res.budget} {res.unit}, used {res.used}, scope {res.scope or '<module>'}, "
            f"receiver {res.receiver}"]
    for it in res.items:
        head.append(f"# item {it.path}:{it.start_line}-{it.end_line} {it.kind} {it.name} {it.form} {it.chars}")
    return "\n".join(head) + "\n" + "-" * 40 + "\n" + res.text


@pytest.mark.parametrize("name", sorted(POSITIONS))
def test_golden(shop, name):
    rel, marker, budget = POSITIONS[name]
    got = render(shop.context(rel, marker, budget=budget))
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("SSC_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(got)
    assert got == path.read_text()
