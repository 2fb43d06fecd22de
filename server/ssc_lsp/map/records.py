"""The map's records: plain dataclasses, positions in tree-sitter units.

A file is cut into *units* (a top-level statement, a class header, or one statement of a top-level
class body). Each unit owns the symbols and references extracted from it, with rows stored
relative to the unit's first row and bytes relative to its first byte. An edit elsewhere in the
file then only moves a unit's origin, and its records stay untouched: that is what makes the
update after a keystroke cost the size of the edited unit, not of the file.

Columns are byte columns; `positions.LineIndex` converts them for LSP or jedi.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Symbol kinds
MODULE = "module"
CLASS = "class"
FUNCTION = "function"
METHOD = "method"
VARIABLE = "variable"
CONSTANT = "constant"
ATTRIBUTE = "attribute"  # instance attribute set through `self.x = ...`
PARAMETER = "parameter"
IMPORT = "import"  # an import alias: the local name an import statement binds

# Reference kinds
REF_NAME = "name"
REF_ATTRIBUTE = "attribute"
REF_CALL = "call"  # a flag on name/attribute refs is not enough: calls carry argument shapes
REF_IMPORT = "import"
REF_BASE = "base"
REF_BIND = "bind"  # a later assignment to an existing binding
REF_KEYWORD = "keyword"  # `f(name=...)`: receiver is the callee's text; resolves to a parameter
MODULE_REF = "<module>"  # Ref.receiver of an import ref that names a module, not a member

# Symbol subkinds (Symbol.subkind): what a language calls a definition whose role is a kind above
SUBKINDS = frozenset({
    "struct", "interface", "trait", "enum",  # CLASS: a type with members
    "type_alias",  # CLASS or VARIABLE: a name for a type (`type X = ...`)
    "enum_member", "field", "property",  # CONSTANT / ATTRIBUTE
    "constructor",  # METHOD
    "namespace", "package",  # MODULE-like scopes inside or across files
})

# Parameter kinds, as Python's inspect names them
POSITIONAL_ONLY = "positional_only"
POSITIONAL_OR_KEYWORD = "positional_or_keyword"
VAR_POSITIONAL = "var_positional"
KEYWORD_ONLY = "keyword_only"
VAR_KEYWORD = "var_keyword"


@dataclass(slots=True)
class Param:
    name: str
    kind: str
    has_default: bool = False
    annotation: str | None = None

    def render(self) -> str:
        prefix = {VAR_POSITIONAL: "*", VAR_KEYWORD: "**"}.get(self.kind, "")
        text = prefix + self.name
        if self.annotation:
            text += f": {self.annotation}"
        if self.has_default:
            text += "=..." if not self.annotation else " = ..."
        return text


@dataclass(slots=True)
class Signature:
    params: list[Param]
    returns: str | None = None
    is_async: bool = False

    def render(self, name: str) -> str:
        parts: list[str] = []
        for i, p in enumerate(self.params):
            if p.kind == KEYWORD_ONLY and (i == 0 or self.params[i - 1].kind not in (KEYWORD_ONLY, VAR_POSITIONAL)):
                parts.append("*")
            parts.append(p.render())
            if p.kind == POSITIONAL_ONLY and (
                i + 1 == len(self.params) or self.params[i + 1].kind != POSITIONAL_ONLY
            ):
                parts.append("/")
        text = f"{'async ' if self.is_async else ''}def {name}({', '.join(parts)})"
        if self.returns:
            text += f" -> {self.returns}"
        return text

    def key(self) -> tuple:
        """What counts for 'signature changed': names, kinds and default presence."""
        return tuple((p.name, p.kind, p.has_default) for p in self.params)


@dataclass(slots=True)
class Symbol:
    """A definition. Rows are relative to the owning unit's first row (see module doc)."""

    id: str
    kind: str
    name: str
    qualname: str
    parent: str | None  # id of the containing symbol; None for the module itself
    # full range and name range: (rel_row, col, rel_row, col); bytes relative to the unit
    span: tuple[int, int, int, int]
    name_span: tuple[int, int, int, int]
    name_byte: int = 0
    signature: Signature | None = None
    decorators: list[str] = field(default_factory=list)
    doc: str | None = None
    bases: list[str] = field(default_factory=list)  # class base expressions, as written
    body_hash: int = 0  # CRC-32 of the definition's text after its name (stable across runs)
    value: str | None = None  # variables: the assigned expression's text, shortened
    target: tuple[str, ...] | None = None  # imports: (module, name) or (module,)
    annotation: str | None = None  # variables and parameters: the annotation's text
    dynamic: bool = False  # conditionally defined (inside if/try) or in an ERROR region
    # the language's own word where `kind` is a role several constructs share (one of SUBKINDS;
    # CLASS: "struct", "interface", "trait", "enum"); None where the kind says it all (Python)
    subkind: str | None = None
    # set by FileMap.finalize: where the owning unit starts, to make positions absolute
    row0: int = 0
    byte0: int = 0

    @property
    def range(self) -> tuple[int, int, int, int]:
        s = self.span
        return s[0] + self.row0, s[1], s[2] + self.row0, s[3]

    @property
    def name_range(self) -> tuple[int, int, int, int]:
        s = self.name_span
        return s[0] + self.row0, s[1], s[2] + self.row0, s[3]

    @property
    def local_qualname(self) -> str:
        """Qualified name inside its module ('' for the module itself)."""
        return self.id.split("::", 1)[1].split("@", 1)[0] if "::" in self.id else ""


@dataclass(slots=True)
class Ref:
    """A use of a name. `scope` is the id of the innermost function/class/module around it."""

    name: str
    kind: str
    scope: str
    row: int  # relative to the unit
    col: int
    end_col: int
    byte: int  # relative to the unit
    receiver: str | None = None  # attributes: the receiver expression's text
    nargs: int = -1  # calls: positional argument count, -1 when not a call
    kwargs: tuple[str, ...] = ()
    star: bool = False  # calls with *args or **kwargs: shape unknown
    module: str | None = None  # imports: the module path as written (dots included)


@dataclass(slots=True)
class Unit:
    """A slice of a file that is extracted as one piece."""

    start_byte: int
    end_byte: int
    start_row: int
    end_row: int
    end_col: int
    context: str  # qualname of the enclosing class for class-body units, else ""
    kind: str  # "stmt", "class_header", "class_body"
    symbols: list[Symbol] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    # names bound in the module or class namespace by this unit, and whether via `global`
    bindings: list[str] = field(default_factory=list)
    all_names: list[str] | None = None  # `__all__ = [...]` found in this unit
    star_imports: list[str] = field(default_factory=list)  # modules of `from m import *`
    # function and anonymous scopes inside this unit: scope qualname -> names bound there
    scopes: dict[str, list[str]] = field(default_factory=dict)
    globals: dict[str, list[str]] = field(default_factory=dict)  # scope -> `global` names
    doc: str | None = None  # a module docstring, when this unit is one
    # caches derived from the records above (never stored; a unit's records never change)
    cached_ref_names: frozenset[str] | None = None
    cached_interface: tuple | None = None

    def key(self) -> tuple[int, int, str, str]:
        return self.start_byte, self.end_byte, self.context, self.kind

    def ref_names(self) -> frozenset[str]:
        if self.cached_ref_names is None:
            self.cached_ref_names = frozenset(r.name for r in self.refs)
        return self.cached_ref_names

    def interface(self) -> tuple:
        """What other files can see of this unit: module/class-level names and signatures."""
        if self.cached_interface is None:
            owner = self.context if self.kind == "class_body" else ""
            self.cached_interface = (
                tuple((s.qualname, s.kind, s.signature.key() if s.signature else None)
                      for s in self.symbols if s.parent == owner or (owner and s.parent == ""))
                + ((tuple(self.star_imports), tuple(self.all_names or ())),))
        return self.cached_interface


def absolute(span: tuple[int, int, int, int], unit: Unit) -> tuple[int, int, int, int]:
    return span[0] + unit.start_row, span[1], span[2] + unit.start_row, span[3]
