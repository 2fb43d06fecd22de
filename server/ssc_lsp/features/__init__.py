"""LSP handlers, one capability per module, registered by `setup` (the composition root)."""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

# Each module has `register(server)`. Order matters only for lifecycle (first).
FEATURES = (
    "lifecycle",
    "sync",
    "inspect",
    "symbols",
    "definition",
    "references",
    "highlight",
    "call_hierarchy",
    "type_hierarchy",
    "hover",
    "signature_help",
    "diagnostics",
    "code_actions",
    "map_actions",
    "model_actions",
    "model_edits",
    "preview",
    "engine_refactors",
    "rename",
    "extract_inline",
    "suggest_names",
    "check_edit",
    "status",
    "inline_completion",
    "completion",
    "stats",
    "context",
    "commands",
)


def setup(server) -> None:
    for name in FEATURES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(server)
