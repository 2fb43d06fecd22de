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

from typing import TYPE_CHECKING

from ...records import IMPORT, REF_BASE, REF_IMPORT, REF_NAME
from ...relations import Use
from ...workspace import Located
from .extract import COMMONJS_EXPORTS, OWN_MODULE

if TYPE_CHECKING:
    from ...resolve import Resolver

Range = tuple[int, int, int, int]


def through_local_name(resolver: Resolver, use: Use) -> bool:
    """Whether `use` names the symbol through a default import or a `require` binding."""
    ref = use.ref
    if ref.kind not in (REF_NAME, REF_BASE) or ref.receiver:
        return False
    found = resolver.resolve_name(use.file, ref.scope, ref.name, follow=False)
    if not isinstance(found, Located) or found.symbol.kind != IMPORT or not found.symbol.target:
        return False
    target = found.symbol.target
    return target[0] != OWN_MODULE and (len(target) == 1 or target[1] == "default")


def export_name(use: Use, old: str) -> Range | None:
    """The export of `use`'s file that re-exports the renamed binding under its name: the key of
    `exports.old = old`, `module.exports.old = old` or `module.exports = { old }` (also where
    `old` is imported: `const { old } = require("./m")`), when `use` is at the module's top."""
    ref = use.ref
    if ref.kind not in (REF_NAME, REF_IMPORT) or ref.receiver or ref.scope or ref.name != old:
        return None
    sym = use.file.lookup(f"{COMMONJS_EXPORTS}.{old}")
    if sym is None or sym.kind != IMPORT or sym.target != (OWN_MODULE, old):
        return None
    return sym.name_range
