"""What a hover shows of a Go declaration: Go's own syntax (`func (Store) Put(it Item)`)."""

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
    return f"{p.name} {p.annotation}" if p.annotation else p.name


def params_text(sym: Symbol) -> str:
    sig = sym.signature
    if sig is None:
        return "(...)"
    result = f" {sig.returns}" if sig.returns else ""
    return f"({', '.join(param_text(p) for p in sig.params)}){result}"


def call_label(loc: Located, params: list[Param]) -> tuple[str, list[str], str]:
    """Signature help's label: `func (Store) Put(` + parameters + `) R`."""
    s = loc.symbol
    recv = f"({s.bases[0] if s.bases else '?'}) " if s.kind == METHOD and s.parent == "" else ""
    returns = s.signature.returns if s.signature is not None else None
    return f"func {recv}{s.name}(", [param_text(p) for p in params], ")" + (f" {returns}" if returns else "")


def code_line(loc: Located) -> str:
    s = loc.symbol
    if s.kind == FUNCTION:
        return f"func {s.name}{params_text(s)}"
    if s.kind == METHOD:
        if s.parent == "":  # declared on its receiver type
            return f"func ({s.bases[0] if s.bases else '?'}) {s.name}{params_text(s)}"
        return f"// interface {s.parent}\n{s.name}{params_text(s)}"
    if s.kind == CLASS:
        if s.value:
            return f"type {s.name} = {s.value}"
        return f"type {s.name}"
    if s.kind == MODULE:
        return f"package {s.qualname}"
    if s.kind == IMPORT:
        return f"import {'.'.join(s.target or ())}"
    typ = f" {s.annotation}" if s.annotation else ""
    value = f" = {s.value}" if s.value else ""
    if s.kind == PARAMETER:
        return f"// parameter of {s.parent}\n{s.name}{typ}"
    if s.kind == ATTRIBUTE:
        return f"// field of {s.parent}\n{s.name}{typ}"
    return f"{'const' if s.kind == CONSTANT else 'var'} {s.name}{typ}{value}"
