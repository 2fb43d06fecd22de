"""`ssc-lsp doctor`: is the configured model reachable, and what does it support?

For an endpoint: whether it answers, the models it lists, whether chat and text completions
and streaming work (llm/client.py `probe`). For the embedded model: whether it can run here and
on which runtime, and with `--load`, how long it takes to load and to write a few tokens. The key
is reported as set or not, never shown. Exit status 0 when suggestions can work as configured.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from ..llm import CompletionRequest, LLMError, local_status, make_provider, resolve_provider_kind
from ..llm.settings import API_KEY_ENV, apply_env_overrides, resolve_api_key
from .llm_args import add_llm_arguments, config_from


def add_parser(sub) -> None:
    p = sub.add_parser("doctor", help="check that the configured model answers and what it supports")
    add_llm_arguments(p)
    p.add_argument("--load", action="store_true",
                   help="for the embedded model: load it and write a few tokens")
    p.set_defaults(run=run)


def run(args) -> int:
    settings = apply_env_overrides(config_from(args).llm, os.environ)
    return asyncio.run(_doctor(settings, args.load))


async def _doctor(settings, load: bool) -> int:
    w = sys.stdout.write
    kind = resolve_provider_kind(settings)
    w(f"provider: {settings.provider} -> {kind}\n")
    key = resolve_api_key(settings, os.environ)
    source = API_KEY_ENV if os.environ.get(API_KEY_ENV) else (settings.api_key_env or "-")
    w(f"api key: {'set (from ' + source + ')' if key else 'not set'}\n")
    provider, why = make_provider(settings)
    if provider is None:
        w(f"no model: {why}\n")
        return 1
    try:
        if provider.name == "openai":
            report = await provider.probe()
            for line in report.lines():
                w(line + "\n")
            w(f"usable: {'yes' if report.ok else 'no'}\n")
            return 0 if report.ok else 1
        status = local_status()
        w(f"embedded model: {status.reason}\n")
        if not status.available:
            return 1
        if load:
            t = time.perf_counter()
            await provider.warm_up()
            w(f"loaded in {time.perf_counter() - t:.1f} s: {provider.describe()}\n")
            done = await provider.complete(CompletionRequest(prefix="def add(a, b):\n    return ",
                                                             max_tokens=8))
            w(f"wrote {done.text!r} in {done.latency_ms:.0f} ms\n")
        w("usable: yes (a small local model: real use wants a real code model, see llm.baseUrl)\n")
        return 0
    except LLMError as e:
        w(f"problem: {e.message}\n")
        return 1
    finally:
        await provider.aclose()
