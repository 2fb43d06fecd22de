"""How hover shows a TypeScript/JavaScript definition: TypeScript's own notation (`function
f(a: number, b?): string`, `(method) Cart.add(item: Item): number`), not Python's `def`."""

from __future__ import annotations

from typing import Any

from ...records import (
    ATTRIBUTE,
    CLASS,
    CONSTANT,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    PARAMETER,
    VAR_POSITIONAL,
    Param,
    Signature,
)


def param_text(p: Param) -> str:
    text = ("..." if p.kind == VAR_POSITIONAL else "") + p.name
    if p.has_default:
        text += "?"
    if p.annotation:
        text += f": {p.annotation}"
    return text


def params(sig: Signature) -> str:
    return ", ".join(param_text(p) for p in sig.params)


def call_label(loc: Any, params: list[Param]) -> tuple[str, list[str], str]:
    """Signature help's label: `formatMoney(` + parameters + `): string`; a class's
    constructor is `new Cart(...)` (`loc`: a workspace.Located)."""
    s = loc.symbol
    if s.kind == CLASS:  # a class without a constructor of its own nor a base: `new C()`
        return f"new {s.name}(", [], ")"
    if s.name == "constructor":
        return f"new {s.parent or s.name}(", [param_text(p) for p in params], ")"
    ret = f": {s.signature.returns}" if s.signature is not None and s.signature.returns else ""
    head = s.qualname if s.kind == METHOD else s.name
    return f"{head}(", [param_text(p) for p in params], f"){ret}"


def code_line(loc: Any) -> str:
    """The one line hover shows for a definition (`loc`: a workspace.Located)."""
    s = loc.symbol
    ret = f": {s.signature.returns}" if s.signature is not None and s.signature.returns else ""
    if s.kind == FUNCTION and s.signature is not None:
        return f"{'async ' if s.signature.is_async else ''}function {s.name}({params(s.signature)}){ret}"
    if s.kind == METHOD and s.signature is not None:
        return f"(method) {s.qualname}({params(s.signature)}){ret}"
    if s.kind == CLASS:
        if s.value is not None:
            return f"type {s.name} = {s.value}"
        return f"class {s.name}" + (f" extends {', '.join(s.bases)}" if s.bases else "")
    if s.kind == MODULE:
        return f'module "{loc.file.path}"'
    if s.kind == IMPORT:
        target = s.target or ()
        what = "*" if len(target) < 2 else ("default" if target[1] == "default" else f"{{ {target[1]} }}")
        return f'import {what} from "{target[0] if target else ""}"'
    ann = f": {s.annotation}" if s.annotation else ""
    value = f" = {s.value}" if s.value else ""
    if s.kind == PARAMETER:
        return f"(parameter) {s.name}{ann}"
    if s.kind == ATTRIBUTE:
        return f"(property) {s.qualname}{ann}{value}"
    return f"{'const' if s.kind == CONSTANT else 'let'} {s.name}{ann}{value}"
