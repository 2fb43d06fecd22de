"""What the map needs of a language: one `Language` per language, everything else generic.

The map's data model (records.py: symbols, references, units; filemap.py, workspace.py,
history.py, store.py) is one for every language. A language module says which files are its
own, how to parse them, how to cut a tree into units and fill them, how a file is named as a
module, how names resolve, and which optional parts it has (continuity checks, the end of a
block for completions, a semantic backend). docs/ARCHITECTURE.md ("Adding a language") is the
contract in words.

A language's rules (its resolver, its checks) sit above the map's data model (they read
workspaces and file maps), while the registry sits below it (file maps know their language): so
a `Language` names its rules as `"module:attribute"` and `load` imports them when first asked,
never at import time.

Compiled tree-sitter queries are kept for the life of the process: py-tree-sitter 0.26.1 can
crash when a compiled query is freed and another is compiled after it, so `Language.query`
compiles each query once and `_QUERIES` never lets go of it.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import tree_sitter as ts

from ..records import Unit

# A unit before extraction: (start_byte, end_byte, start_row, end_row, end_col, context, kind,
# doc). Plain tuples, because an edit walks every unit of the file but extracts only a few.
UnitSpec = tuple[int, int, int, int, int, str, str, "str | None"]
Captures = dict[str, list[ts.Node]]

# (language name, query name) -> compiled query, for the life of the process (see above)
_QUERIES: dict[tuple[str, str], ts.Query] = {}
_GRAMMARS: dict[str, ts.Language] = {}
_LOCK = threading.RLock()  # query() builds the grammar under it


@dataclass(frozen=True, slots=True)
class CallSyntax:
    """What signature help needs of a brace language beyond its grammar (map/call_help.py)."""

    # "module:attribute" of `(Located, params) -> (head, [parameter texts], tail)`: the label
    # `head + ", ".join(texts) + tail` in the language's notation
    label: str | Callable[..., tuple[str, list[str], str]]
    lifetimes: bool = False  # `'a` names a lifetime (Rust); else `'` opens a char or a string


@dataclass(frozen=True, eq=False)
class Language:
    """One language of the map. Identity is the object (one per language, in the registry).

    Required:
    - `name`: stored with every file map (SQLite `files.language`) and shown to users.
    - `suffixes`: the file name endings that are this language's (`".py"`); the crawl, the
      file watchers and the LSP handlers ask the registry, never a list of their own.
    - `grammar`: returns the tree-sitter language capsule (`tree_sitter_python.language`).
    - `package`: the Python package holding the `.scm` query files (`ssc_lsp.map.languages.python`).
    - `queries`: query name -> `.scm` file name in `package`; `"map"` is the one extraction runs.
    - `unit_specs(root)`: cut a tree into units (see UnitSpec), in byte order, not overlapping;
      a unit's records may depend only on the unit's own text and its `context`.
    - `fill_unit(unit, root, captures)`: fill one unit from the `"map"` query's captures that
      start inside it (extract.extract_units runs the query and deals the captures out).
    - `module_name(relpath, package_dirs)`: the file's module name, the key of `ws.modules`.
    - `resolver`: `"module:attribute"` of a callable `ws -> resolver` for this language's files
      (see resolve.Resolver: the workspace's resolver hands a file of another language to it).
    Optional:
    - `stub_suffixes`: declaration-only files (`.pyi`): `ws.stubs`, read first by `declared()`.
    - `package_dir(relpath)`: the folder a file makes a package (`pkg/__init__.py` -> `pkg`);
      the workspace collects them (`ws.package_dirs`) for `module_name`.
    - `is_package(relpath)`: the file is its folder's module (`__init__.py`): relative imports
      and submodules start from it.
    - `builtins`: names always in scope; a rename to one of them is refused.
    - `module_key(module)`: the key of the module in `ws.modules`; Python's names are bare,
      others are `"<name>:<module>"` (two languages may both have a module `util`).
    - `check`: `"module:attribute"` of the continuity checks of one file,
      `(ws, resolver, fm, out) -> Iterator[None]`, problems appended to `out`, yielding between
      units (see checks.check_file_steps); None: the language gets no continuity diagnostics.
    - `blocks`: how completions find the end of the block the cursor is in: `"indent"` (Python)
      or None (the suggestion is not cut at a block end); suggest/postprocess.py holds the rules.
    - `semantic`: the semantic backend that answers what the map cannot (`"jedi"`), or None.
    - `fingerprint`: files (in `package`) whose bytes decide what extraction stores: the store
      rebuilds itself when any of them changes.
    - `fresh_parse_on_error`: after an edit that leaves syntax errors, parse the file from
      scratch and re-extract it whole: tree-sitter's incremental reparse of broken code can end
      in another tree than a fresh parse (Java: an unterminated `/**`), and the map must equal
      the map built from scratch (tests/map/test_incremental_property.py).
    - `line_comment`: how a line comment starts (`#`, `//`): the context engine heads each
      file's code with `<line_comment> path` and cuts a signature at its body's `{` instead of a colon.
    - `fence`, `code_line`: how hover shows a definition: the Markdown fence's language and
      `Located -> str` (None: map/hover.code_line, Python's `def f(...)`).
    - `calls`: signature help in a brace language (`CallSyntax`: the label in the language's
      notation; map/call_help.py finds the call and counts its arguments); None: Python's rules
      (map/signature_help.py).
    """

    name: str
    suffixes: tuple[str, ...]
    grammar: Callable[[], Any]
    package: str
    queries: Mapping[str, str]
    unit_specs: Callable[[ts.Node], list[UnitSpec]]
    fill_unit: Callable[[Unit, ts.Node, Captures], None]
    module_name: Callable[[str, set[str]], str]
    resolver: str | Callable[[Any], Any]
    stub_suffixes: tuple[str, ...] = ()
    package_dir: Callable[[str], str | None] = lambda relpath: None
    is_package: Callable[[str], bool] = lambda relpath: False
    builtins: frozenset[str] = frozenset()
    module_key: Callable[[str], str] | None = None
    check: str | Callable[..., Any] | None = None
    blocks: str | None = None
    semantic: str | None = None
    fingerprint: tuple[str, ...] = field(default=())
    fence: str = "python"
    line_comment: str = "#"
    fresh_parse_on_error: bool = False
    code_line: str | Callable[[Any], str] | None = None
    calls: CallSyntax | None = None

    # -- the parser and the queries ----------------------------------------------------------
    def ts_language(self) -> ts.Language:
        lang = _GRAMMARS.get(self.name)
        if lang is None:
            with _LOCK:
                lang = _GRAMMARS.get(self.name)
                if lang is None:
                    lang = _GRAMMARS[self.name] = ts.Language(self.grammar())
        return lang

    def parser(self) -> ts.Parser:
        """A new parser (parsers are not thread-safe: one per thread or per caller)."""
        return ts.Parser(self.ts_language())

    def query(self, name: str = "map") -> ts.Query:
        """The compiled query `name`, compiled once and kept for the process."""
        key = (self.name, name)
        q = _QUERIES.get(key)
        if q is None:
            with _LOCK:
                q = _QUERIES.get(key)
                if q is None:
                    q = _QUERIES[key] = ts.Query(self.ts_language(), self.query_text(name))
        return q

    def query_text(self, name: str = "map") -> str:
        return resources.files(self.package).joinpath(self.queries[name]).read_text()

    # -- rules -------------------------------------------------------------------------------
    @staticmethod
    def load(ref: str | Callable[..., Any]) -> Callable[..., Any]:
        """A rule named `"module:attribute"`, imported now (a callable is its own rule)."""
        if not isinstance(ref, str):
            return ref
        module, _, attr = ref.partition(":")
        return getattr(importlib.import_module(module), attr)

    def make_resolver(self, ws: Any) -> Any:
        return self.load(self.resolver)(ws)

    def check_steps(self) -> Callable[..., Any] | None:
        return self.load(self.check) if self.check is not None else None

    # -- files ---------------------------------------------------------------------------------
    def owns(self, path: str) -> bool:
        return path.endswith(self.suffixes)

    def is_stub(self, path: str) -> bool:
        return bool(self.stub_suffixes) and path.endswith(self.stub_suffixes)

    def key_of(self, module: str) -> str:
        return self.module_key(module) if self.module_key is not None else f"{self.name}:{module}"

    def fingerprint_bytes(self) -> list[bytes]:
        here = resources.files(self.package)
        names = [*self.queries.values(), *self.fingerprint]
        return [here.joinpath(n).read_bytes() for n in names]

    def __repr__(self) -> str:
        return f"Language({self.name})"


class ParserCache:
    """One parser per language for a caller that parses synchronously on one thread at a time
    (post-processing, the in-place check, hover's statement look-up): parsers are not shared
    between callers, each module keeps its own cache."""

    def __init__(self) -> None:
        self._parsers: dict[str, ts.Parser] = {}

    def get(self, lang: Language) -> ts.Parser:
        p = self._parsers.get(lang.name)
        if p is None:
            p = self._parsers[lang.name] = lang.parser()
        return p
