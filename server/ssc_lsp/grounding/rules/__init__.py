"""Each language's answers to the completions' check (grounding/check.py): `rules_for(lang)`.

Grounding-side on purpose: the map never imports grounding, so the table is here, by the
`Language`'s name. A language without an entry gets `CheckRules`, which decides nothing.
"""

from __future__ import annotations

from ...map.languages.base import Language
from .base import CheckRules
from .go import GoRules
from .java import JavaRules
from .python import PythonRules
from .rust import RustRules
from .typescript import JavaScriptRules, TypeScriptRules

_RULES: dict[str, CheckRules] = {
    "python": PythonRules(),
    "javascript": JavaScriptRules(),
    "typescript": TypeScriptRules(),
    "tsx": TypeScriptRules(),
    "rust": RustRules(),
    "java": JavaRules(),
    "go": GoRules(),
}
_NONE = CheckRules()


def rules_for(lang: Language) -> CheckRules:
    """The check's rules for `lang`'s files (the deciding-nothing defaults when it has none)."""
    return _RULES.get(lang.name, _NONE)


__all__ = ["CheckRules", "rules_for"]
