"""What a hover shows of a Rust declaration: Rust's own syntax (`fn new(name: &str) -> Self`,
`impl Store`, `struct Item`)."""

from __future__ import annotations

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    PARAMETER,
    Param,
    Symbol,
)
from ...workspace import Located


def param_text(p: Param) -> str:
    if p.name == "self" and p.annotation:
        return p.annotation
    return f"{p.name}: {p.annotation}" if p.annotation else p.name


def params_text(sym: Symbol) -> str:
    sig = sym.signature
    if sig is None:
        return "(..)"
    result = f" -> {sig.returns}" if sig.returns else ""
    return f"({', '.join(param_text(p) for p in sig.params)}){result}"


def call_label(loc: Located, params: list[Param]) -> tuple[str, list[str], str]:
    """Signature help's label: `fn new(` + parameters + `) -> Self`."""
    s = loc.symbol
    returns = s.signature.returns if s.signature is not None else None
    return f"fn {s.name}(", [param_text(p) for p in params], ")" + (f" -> {returns}" if returns else "")


def code_line(loc: Located) -> str:
    s = loc.symbol
    if s.kind == FUNCTION:
        return f"macro_rules! {s.name[:-1] if s.name.endswith('!') else s.name}" if s.signature is None \
            else f"fn {s.name}{params_text(s)}"
    if s.kind == METHOD:
        owner = s.qualname.rpartition(".")[0].rpartition(".")[2]
        head = f"impl {s.bases[0]} for {owner}" if s.bases else \
            (f"trait {owner}" if s.parent else f"impl {owner}")
        return f"{head}\nfn {s.name}{params_text(s)}"
    if s.kind == CLASS:
        word = {"struct": "struct", "enum": "enum", "trait": "trait"}.get(s.subkind or "", "type")
        return f"type {s.name} = {s.value}" if s.value else f"{word} {s.name}"
    if s.kind == MODULE:
        return f"mod {s.name}"
    if s.kind == IMPORT:
        return f"use {s.target[0] if s.target else s.name}"
    typ = f": {s.annotation}" if s.annotation else ""
    if s.kind == PARAMETER:
        return f"// parameter of {s.parent}\n{s.name}{typ}"
    if s.kind == ATTRIBUTE:
        return f"// field of {s.parent}\n{s.name}{typ}"
    if s.subkind == "enum_member":
        return f"{s.parent}::{s.name}"
    value = f" = {s.value}" if s.value else ""
    word = "const" if s.kind == CONSTANT else ("static" if s.parent == "" else "let")
    return f"{word} {s.name}{typ}{value}"
