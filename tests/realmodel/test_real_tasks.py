"""A task's answer bound past the embedded model's context (refactor/model.py asks for up to
2,048 tokens; the runtimes hold 1,024): the prompt must still reach the model. Found by
bench/action_bench.py, where every task came back as the same unrelated text (the numpy
runtime had kept only the prompt's first token). Skipped where the embedded model cannot run."""

from __future__ import annotations

import pytest

from ssc_lsp.llm import LLMSettings, local_status
from ssc_lsp.refactor.model import TASK_MAX_TOKENS

pytestmark = pytest.mark.realmodel


def test_a_task_bound_past_the_context_keeps_the_prompt():
    status = local_status()
    if not status.available or status.runtime == "test":
        pytest.skip(f"the embedded model cannot run here ({status.reason})")
    from ssc_lsp.llm.local import default_runtime_factory

    runtime = default_runtime_factory(LLMSettings(provider="local"))()
    pieces: list[str] = []
    try:
        for piece in runtime.generate("def add(a, b):\n    return", max_tokens=TASK_MAX_TOKENS,
                                      temperature=0.0, stop=[], should_stop=lambda: len(pieces) >= 4):
            pieces.append(piece)
    finally:
        runtime.close()
    assert "".join(pieces).split()[:3] == ["a", "+", "b"], pieces
