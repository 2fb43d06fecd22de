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

from ...filemap import FileMap
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


def kept_uses(resolver: Resolver, found: list[Use], old: str) -> list[Use]:
    """The uses a rename leaves alone: through a local name (`through_local_name`), and the
    importers of a module that re-exports such a local name under `old` (`const F =
    require("./f"); module.exports = { F }`: its export keeps the name, so `{ F } =
    require("./index")` must too). One level of re-export is followed."""
    kept = [u for u in found if through_local_name(resolver, u)]
    ids = {id(u) for u in kept}
    for u in found:
        if id(u) in ids:
            continue
        spec = u.ref.module if u.ref.kind == REF_IMPORT else None
        if spec is None:
            b = _binding(resolver, u)
            spec = b.symbol.target[0] if b is not None and b.symbol.target[1:] == (old,) else None
        t = resolver.module_target(u.file, spec) if spec else None
        if isinstance(t, Located) and _reexports_local_name(t.file, old):
            kept.append(u)
    return kept


def _reexports_local_name(fm: FileMap, old: str) -> bool:
    """Whether `fm` exports under `old` its own local name for an imported value."""
    sym = fm.lookup(old)
    target = sym.target if sym is not None and sym.kind == IMPORT else None
    return bool(target) and target[0] != OWN_MODULE and (len(target) == 1 or target[1] == "default") \
        and _export_key(fm, old) is not None


def _export_key(fm: FileMap, old: str) -> tuple[Range, bool] | None:
    """The key of `fm`'s CommonJS export of its binding `old` under that name (`exports.old =
    old`, or the shorthand `{ old }` of `module.exports = {...}`) and whether the map follows
    importers through it (an alias: a shorthand-only object or `exports.old = old`); None if
    there is none."""
    sym = fm.lookup(f"{COMMONJS_EXPORTS}.{old}")
    if sym is None:
        return None
    if sym.kind == IMPORT and sym.target == (OWN_MODULE, old):
        return sym.name_range, True
    for unit in fm.units:  # a shorthand: the key is also a use of the binding
        if sym in unit.symbols and any(r.kind == REF_NAME and r.name == old and not r.receiver
                                       and Use(fm, r, unit).range == sym.name_range for r in unit.refs):
            return sym.name_range, False
    return None


def renamed_with(resolver: Resolver, use: Use, old: str, new: str) -> list[tuple[Range, str]]:
    """What is rewritten with `use` in its file, and to what: the key of the CommonJS export
    that re-exports the binding under its name (`exports.old = old`, `module.exports = { old }`,
    also of an imported `old`) is renamed where the map follows its importers (they are
    renamed too); elsewhere (a shorthand in an object with other members, whose importers the
    map does not follow) the export keeps its name: `{ old: new }`. Also the binding and
    property of `const old = require(m).old`."""
    out: list[tuple[Range, str]] = []
    ref = use.ref
    if ref.kind in (REF_NAME, REF_IMPORT) and not ref.receiver and not ref.scope and ref.name == old:
        key = _export_key(use.file, old)
        if key is not None:
            out.append((key[0], new if key[1] else f"{old}: {new}"))
    found = _binding(resolver, use) if ref.name == old else None
    if found is not None and found.symbol.name == old and found.symbol.target[1:] == (old,):
        sym = found.symbol
        for unit in use.file.units:  # `require(m).old`: the property read in the binding's text
            for r in unit.refs:
                at = Use(use.file, r, unit)
                if r.name == old and r.kind == REF_ATTRIBUTE and (r.receiver or "").startswith("require(") \
                        and sym.range[0] <= at.row <= sym.range[2]:
                    out += [(sym.name_range, new), (at.range, new)]
    return out
