"""Java's answers to the check's questions (see base.py).

Members of a workspace type are all known only when its whole hierarchy is in the workspace
(no library supertype, no implicit one: enums, records and annotations extend library types):
the resolver's `hierarchy_members` says whether it is complete.
"""

from __future__ import annotations

from typing import Any

from ...map.records import CLASS
from ...map.resolve import Instance, Value
from ...map.workspace import Located
from .base import CheckRules


class JavaRules(CheckRules):
    scope_types = frozenset({"program", "block", "class_body"})

    def closed(self, run: Any, value: Value) -> bool:
        cls = value.cls if isinstance(value, Instance) else value
        if not isinstance(cls, Located) or cls.symbol.kind != CLASS:
            return False
        return run.r.for_language(cls.file.language).hierarchy_members(cls, "", ())[1]
