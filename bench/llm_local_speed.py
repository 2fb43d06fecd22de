"""Measure the embedded model's prompt and generation speed on this machine.

Usage: python bench/llm_local_speed.py [--tokens 32]
Prints load time, then per prompt: prompt tokens, time to first token,
prompt tokens/s and generated tokens/s.
"""

from __future__ import annotations

import argparse
import time

from ssc_lsp.llm.local import default_runtime_factory, local_status
from ssc_lsp.llm.settings import LLMSettings

PROMPTS = [
    "# Python\ndef add(a, b):\n    return a",
    "import numpy as np\n\nx = np.",
    "def fibonacci(n):\n",
    "".join(f"value_{i} = compute_{i}(items[{i}])\n" for i in range(12)) + "total = ",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=32)
    args = parser.parse_args()
    status = local_status()
    print("status:", status)
    if not status.available:
        return
    started = time.perf_counter()
    runtime = default_runtime_factory(LLMSettings(provider="local"))()
    print(f"load: {time.perf_counter() - started:.1f} s ({runtime.describe()})")
    for prompt in PROMPTS * 2:
        n_prompt = len(runtime.tokenize(prompt)) + 1
        started = time.perf_counter()
        first = None
        pieces = 0
        text = ""
        for piece in runtime.generate(
            prompt, max_tokens=args.tokens, temperature=0.0, stop=[], should_stop=lambda: False
        ):
            if first is None:
                first = time.perf_counter() - started
            pieces += 1
            text += piece
        total = time.perf_counter() - started
        gen = (pieces - 1) / (total - first) if pieces > 1 else float("nan")
        print(
            f"prompt {n_prompt:4d} tok | first token {first:.2f} s "
            f"({n_prompt / first:.0f} prompt tok/s) | {pieces} tok, {gen:.1f} tok/s | {text[:40]!r}"
        )


if __name__ == "__main__":
    main()
