"""Go: `.go` sources, tree-sitter-go; no semantic backend (no gopls in the server).

A Go package is a directory: every file of it is named by the directory's path below the
workspace root (`net/http`, `.` for the root), so the module table holds one file per package
and the resolver finds the others by directory. Import paths are mapped to directories through
`go.mod` (resolve.py beside this module). Extraction is extract.py with map.scm; the continuity
checks (call arity: Go has no defaults) are checks.py.
"""

from __future__ import annotations

import tree_sitter_go

from ..base import CallSyntax, Language
from .extract import fill_unit, unit_specs

# the predeclared identifiers of the universe block (the Go spec, "Predeclared identifiers")
BUILTINS = frozenset("""
any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64
rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil
append cap clear close complex copy delete imag len make max min new panic print println real
recover
""".split())


def module_name(relpath: str, package_dirs: set[str]) -> str:
    """The package of a Go file: its directory below the root (`.` at the root)."""
    folder = relpath.rpartition("/")[0]
    return folder or "."


GO = Language(
    name="go",
    suffixes=(".go",),
    grammar=tree_sitter_go.language,
    package=__name__,
    queries={"map": "map.scm"},
    fingerprint=("extract.py",),
    unit_specs=unit_specs,
    fill_unit=fill_unit,
    module_name=module_name,
    builtins=BUILTINS,
    resolver="ssc_lsp.map.languages.go.resolve:GoResolver",
    check="ssc_lsp.map.languages.go.checks:go_steps",
    fence="go",
    line_comment="//",
    code_line="ssc_lsp.map.languages.go.hover:code_line",
    calls=CallSyntax("ssc_lsp.map.languages.go.hover:call_label"),
    blocks=None,
    semantic=None,
)
