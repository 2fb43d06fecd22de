"""Java: `.java` sources, tree-sitter-java; no semantic backend (no javac in the server).

A file's module name is its path without `.java` (`src/main/java/com/x/Foo`): Java's packages
are named by each file's `package` declaration, not by folders, so the resolver (resolve.py)
groups files by that declaration. Extraction is extract.py with map.scm; the continuity checks
(call arity where no overload or varargs leaves a doubt) are checks.py.
"""

from __future__ import annotations

import tree_sitter_java

from ..base import CallSyntax, Language
from .extract import fill_unit, unit_specs
from .render import call_label, code_line


def module_name(relpath: str, package_dirs: set[str]) -> str:
    """The file's path without `.java` (its package is what its declaration says)."""
    return relpath[:-5] if relpath.endswith(".java") else relpath


JAVA = Language(
    name="java",
    suffixes=(".java",),
    grammar=tree_sitter_java.language,
    package=__name__,
    queries={"map": "map.scm"},
    fingerprint=("extract.py",),
    unit_specs=unit_specs,
    fill_unit=fill_unit,
    module_name=module_name,
    resolver="ssc_lsp.map.languages.java.resolve:JavaResolver",
    check="ssc_lsp.map.languages.java.checks:java_steps",
    blocks=None,
    semantic=None,
    fresh_parse_on_error=True,
    fence="java",
    line_comment="//",
    code_line=code_line,
    calls=CallSyntax(call_label),
)
