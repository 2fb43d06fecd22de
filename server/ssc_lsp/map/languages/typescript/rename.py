"""What a rename leaves alone or adds in JavaScript and TypeScript (map/rename.py asks through
the resolver's `rename_keeps` and `rename_also`).

A default import (`import greet from "./greet"`) or a whole-module CommonJS binding (`const
Context = require("./context")`) names the imported value with a local name the importer chose;
renaming the definition does not rename it (tsc's rename leaves it too), so the uses of that
local name stay as they are: renaming them alone would leave them naming nothing.

A CommonJS export under the definition's own name (`module.exports.loadRc = loadRc`, or the
shorthand `module.exports = { loadRc }`, also re-exporting an imported one) is renamed with it: the
importers' `require("./rc").loadRc` and `const { loadRc } = require("./rc")` are uses of the
definition that the rename changes, so the export name must follow or they would name nothing.
"""

from __future__ import annotations

from ...records import IMPORT, REF_ATTRIBUTE, REF_BASE, REF_IMPORT, REF_NAME
from ...relations import Use
from ...resolve import LOCAL, Resolver
from ...workspace import Located
from .extract import COMMONJS_EXPORTS, OWN_MODULE

Range = tuple[int, int, int, int]


def _binding(resolver: Resolver, use: Use) -> Located | None:
    """The import `use`'s name is bound by (`const X = require(m)` in a function too), or None."""
    ref = use.ref
    if ref.kind not in (REF_NAME, REF_BASE) or ref.receiver:
        return None
    found = resolver.resolve_name(use.file, ref.scope, ref.name, follow=False)
    if found is LOCAL:  # bound inside a function: look it up from the use's scope outwards
        parts = ref.scope.split(".") if ref.scope else []
        found = None
        while parts and found is None:
            sym = use.file.lookup(".".join(parts) + "." + ref.name)
            found = Located(use.file, sym) if sym is not None else None
            parts.pop()
    if isinstance(found, Located) and found.symbol.kind == IMPORT and found.symbol.target \
            and found.symbol.target[0] != OWN_MODULE:
        return found
    return None


def through_local_name(resolver: Resolver, use: Use) -> bool:
    """Whether `use` names the symbol through a default import or a `require` binding."""
    found = _binding(resolver, use)
    target = found.symbol.target if found is not None else None
    return target is not None and (len(target) == 1 or target[1] == "default")


def renamed_with(resolver: Resolver, use: Use, old: str) -> list[Range]:
    """What is renamed with `use` in its file: the key of the CommonJS export that re-exports
    the binding under its name (`exports.old = old`, `module.exports = { old }`, also of an
    imported `old`), and the binding and property of `const old = require(m).old`."""
    out: list[Range] = []
    ref = use.ref
    if ref.kind in (REF_NAME, REF_IMPORT) and not ref.receiver and not ref.scope and ref.name == old:
        sym = use.file.lookup(f"{COMMONJS_EXPORTS}.{old}")
        if sym is not None and sym.kind == IMPORT and sym.target == (OWN_MODULE, old):
            out.append(sym.name_range)
    found = _binding(resolver, use) if ref.name == old else None
    if found is not None and found.symbol.name == old and found.symbol.target[1:] == (old,):
        sym = found.symbol
        for unit in use.file.units:  # `require(m).old`: the property read in the binding's text
            for r in unit.refs:
                at = Use(use.file, r, unit)
                if r.name == old and r.kind == REF_ATTRIBUTE and (r.receiver or "").startswith("require(") \
                        and sym.range[0] <= at.row <= sym.range[2]:
                    out += [sym.name_range, at.range]
    return out
