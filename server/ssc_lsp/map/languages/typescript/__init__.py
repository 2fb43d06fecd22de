"""TypeScript and JavaScript: three grammars (JavaScript with JSX, TypeScript, TSX), one module
table.

The three `Language`s share their module keys (`js:<path without extension>`), so a `.ts` file
imports a `.js` one and back, as tsc and Node let them. TypeScript's query is JavaScript's with
the TypeScript additions after it (tree-sitter-typescript's own queries are written the same
way). Extraction is extract.py, the module specifiers' rules modules.py, the resolver
resolve.py (named, imported when first asked; see base.Language).
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter_javascript
import tree_sitter_typescript

from ..base import CallSyntax, Language
from .extract import fill_unit, fill_unit_js, unit_specs
from .modules import DECLARATION_SUFFIXES, module_name
from .render import call_label, code_line

# globals every script sees (ECMAScript's and the host's most common): a rename to one is refused
BUILTINS = frozenset({
    "Array", "ArrayBuffer", "BigInt", "Boolean", "DataView", "Date", "Error", "EvalError", "Function",
    "Infinity", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy", "RangeError",
    "ReferenceError", "Reflect", "RegExp", "Set", "String", "Symbol", "SyntaxError", "TypeError",
    "URIError", "WeakMap", "WeakSet", "globalThis", "undefined", "console", "require", "module",
    "exports", "process", "window", "document", "setTimeout", "clearTimeout", "setInterval",
    "clearInterval", "queueMicrotask", "structuredClone", "fetch", "arguments", "eval", "isNaN",
    "isFinite", "parseInt", "parseFloat", "encodeURIComponent", "decodeURIComponent",
})
TS_BUILTINS = BUILTINS | {"Partial", "Required", "Readonly", "Record", "Pick", "Omit", "Exclude",
                          "Extract", "NonNullable", "ReturnType", "Parameters", "InstanceType",
                          "Awaited", "Uppercase", "Lowercase", "PromiseLike", "ReadonlyArray",
                          "Iterable", "Iterator", "AsyncIterable", "ArrayLike"}


def module_key(module: str) -> str:
    """One namespace for the three languages' modules (a `.ts` file imports a `.js` one)."""
    return f"js:{module}"


def is_package(relpath: str) -> bool:
    """`dir/index.ts` is the folder's module: `./dir` finds it (modules.probe)."""
    return relpath.rsplit("/", 1)[-1].split(".", 1)[0] == "index"


@dataclass(frozen=True, eq=False)
class LayeredLanguage(Language):
    """A language whose query is another's with additions after it (TypeScript over JS)."""

    base_queries: tuple[str, ...] = ()  # files read before `queries[name]`, in order

    def query_text(self, name: str = "map") -> str:
        from importlib import resources
        here = resources.files(self.package)
        return "\n".join([*(here.joinpath(f).read_text() for f in self.base_queries),
                          super().query_text(name)])

    def fingerprint_bytes(self) -> list[bytes]:
        from importlib import resources
        here = resources.files(self.package)
        return [*(here.joinpath(f).read_bytes() for f in self.base_queries), *super().fingerprint_bytes()]


_COMMON = dict(package=__name__, unit_specs=unit_specs, module_name=module_name,
               is_package=is_package, module_key=module_key, fingerprint=("extract.py",),
               code_line=code_line, calls=CallSyntax(call_label), check="ssc_lsp.map.languages.typescript.checks:steps", line_comment="//")

JAVASCRIPT = Language(
    name="javascript", fence="javascript", suffixes=(".js", ".jsx", ".mjs", ".cjs"), grammar=tree_sitter_javascript.language,
    queries={"map": "map.scm"}, builtins=BUILTINS, fill_unit=fill_unit_js,
    resolver="ssc_lsp.map.languages.typescript.resolve:JavaScriptResolver", **_COMMON)
TYPESCRIPT = LayeredLanguage(
    name="typescript", fence="typescript", suffixes=(".ts", ".mts", ".cts", *DECLARATION_SUFFIXES),
    stub_suffixes=DECLARATION_SUFFIXES, grammar=tree_sitter_typescript.language_typescript,
    queries={"map": "map_ts.scm"}, base_queries=("map.scm",), builtins=TS_BUILTINS, fill_unit=fill_unit,
    resolver="ssc_lsp.map.languages.typescript.resolve:TypeScriptResolver", **_COMMON)
TSX = LayeredLanguage(
    name="tsx", fence="tsx", suffixes=(".tsx",), grammar=tree_sitter_typescript.language_tsx,
    queries={"map": "map_ts.scm"}, base_queries=("map.scm",), builtins=TS_BUILTINS, fill_unit=fill_unit,
    resolver="ssc_lsp.map.languages.typescript.resolve:TsxResolver", **_COMMON)
LANGUAGES = (JAVASCRIPT, TYPESCRIPT, TSX)
