"""LLM settings for the commands that ask a model (`complete`, `doctor`).

The same settings object the server takes (camelCase JSON, `--settings FILE`), a few flags for
the common keys, then the SSC_LLM_* environment overrides (applied by the provider holder), so a
command line behaves like the editor with the same configuration. The API key is never a flag.
"""

from __future__ import annotations

import json
import sys

from ..config import Config, parse_config


def add_llm_arguments(p) -> None:
    p.add_argument("--settings", metavar="FILE",
                   help="a JSON settings object as the editor sends it ({\"llm\": {...}, ...})")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (llm.baseUrl)")
    p.add_argument("--model", help="model name at the endpoint (llm.model)")
    p.add_argument("--api", choices=("chat", "completions"), help="llm.api")
    p.add_argument("--provider", choices=("auto", "openai", "local", "none"), help="llm.provider")
    p.add_argument("--timeout-ms", type=int, help="llm.timeoutMs")


def config_from(args) -> Config:
    raw: dict = {}
    if args.settings:
        with open(args.settings, encoding="utf-8") as f:
            raw = json.load(f)
    cfg, errors = parse_config(raw)
    for e in errors:
        sys.stderr.write(f"settings: {e}\n")
    llm = cfg.llm
    for flag, name in (("base_url", "base_url"), ("model", "model"), ("api", "api"),
                       ("provider", "provider"), ("timeout_ms", "timeout_ms")):
        value = getattr(args, flag, None)
        if value is not None:
            setattr(llm, name, value)
    return cfg
