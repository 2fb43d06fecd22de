"""Grounding: LLM output checked against the map, and the repair round.

`Checker.check` parses a suggestion in place (inplace.py) and decides every name it uses
(check.py: scopes, builtins, installed modules through jedi in externals.py, attributes of
inferred types, call signatures). `ground` (repair.py) gives a failing suggestion one repair
round with what does not exist and what does (hints.py), then drops it. `CheckStats` counts it
all (stats.py). Imports the map, and the llm package only for the repair request's type.
"""

from .check import Checker, Issue, Verdict
from .externals import Externals
from .hints import repair_hints
from .repair import Grounded, ground
from .stats import CheckStats

__all__ = ["CheckStats", "Checker", "Externals", "Grounded", "Issue", "Verdict", "ground",
           "repair_hints"]
