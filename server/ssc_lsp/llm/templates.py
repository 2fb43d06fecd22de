"""Prompt text and fill-in-the-middle formats, loaded from ``llm/prompts/``.

Why files: prompt wording is tuned often and reviewed as text; keeping it out
of Python means a prompt change is a one-file diff and the code never carries
half a prompt in a string literal.

Why single-pass substitution instead of ``str.format``: the values are source
code, full of ``{`` and ``}``; and a value that itself contains ``{suffix}``
must not be substituted again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class FimTemplate:
    """A fill-in-the-middle format: where prefix and suffix go, and what ends it."""

    name: str
    template: str
    stop: tuple[str, ...] = ()

    def render(self, prefix: str, suffix: str) -> str:
        """The raw prompt for a completions endpoint."""
        return fill(self.template, prefix=prefix, suffix=suffix)


def fill(template: str, **values: str) -> str:
    """Replace ``{name}`` placeholders in one pass; unknown names are left as they are."""

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        return values[key] if key in values else match.group(0)

    return _PLACEHOLDER.sub(sub, template)


@cache
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>.txt`` without its final newline."""
    text = resources.files(__package__).joinpath("prompts", f"{name}.txt").read_text("utf-8")
    return text[:-1] if text.endswith("\n") else text


@cache
def _fim_table() -> dict:
    raw = resources.files(__package__).joinpath("prompts", "fim_templates.json").read_text("utf-8")
    return json.loads(raw)


def fim_template_names() -> list[str]:
    """The built-in family names (aliases not included), plus ``custom``."""
    return sorted(_fim_table()["families"]) + ["custom"]


def fim_template(name: str, custom_template: str = "") -> FimTemplate:
    """Look up a FIM family by name or alias; ``custom`` uses ``custom_template``.

    Raises ValueError for an unknown name or a custom template without
    ``{prefix}``, so a typo in settings is reported rather than silently
    producing a prompt the model does not understand.
    """
    key = name.strip().lower()
    if key == "custom":
        if "{prefix}" not in custom_template:
            raise ValueError("custom FIM template must contain {prefix} (and usually {suffix})")
        return FimTemplate("custom", custom_template, ())
    table = _fim_table()
    key = table["aliases"].get(key, key)
    family = table["families"].get(key)
    if family is None:
        known = ", ".join(fim_template_names())
        raise ValueError(f"unknown FIM template {name!r}; known: {known}")
    return FimTemplate(key, family["template"], tuple(family["stop"]))
