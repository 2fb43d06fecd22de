"""How hover shows a Java definition: Java's own notation (`double clamp(double v, double lo,
double hi)`, `class Circle implements Shape`), not Python's `def`."""

from __future__ import annotations

from typing import Any

from ...records import CLASS, CONSTANT, IMPORT, METHOD, MODULE, PARAMETER, Param, Signature


def param_text(p: Param) -> str:
    return f"{p.annotation} {p.name}" if p.annotation else p.name


def params(sig: Signature) -> str:
    return ", ".join(param_text(p) for p in sig.params)


def call_label(loc: Any, params: list[Param]) -> tuple[str, list[str], str]:
    """Signature help's label: `double MathUtil.clamp(` + parameters + `)`; a constructor is
    `Circle(...)` (`loc`: a workspace.Located)."""
    s = loc.symbol
    if s.kind == CLASS:  # the default constructor of a class that declares none
        return f"{s.name}(", [], ")"
    owner = s.parent or ""
    ret = "" if s.value == "constructor" or s.signature is None or not s.signature.returns \
        else f"{s.signature.returns} "
    head = s.name if s.value == "constructor" else f"{owner + '.' if owner else ''}{s.name}"
    return f"{ret}{head}(", [param_text(p) for p in params], ")"


def code_line(loc: Any) -> str:
    """The one line hover shows for a definition (`loc`: a workspace.Located)."""
    s = loc.symbol
    owner = s.parent or ""
    if s.kind == METHOD and s.signature is not None:
        ret = "" if s.value == "constructor" or not s.signature.returns else f"{s.signature.returns} "
        head = "\n".join(f"@{d}" for d in s.decorators)
        line = f"{ret}{owner + '.' if owner else ''}{s.name}({params(s.signature)})"
        return f"{head}\n{line}" if head else line
    if s.kind == CLASS:
        word = s.value or "class"
        bases = [b for b in s.bases if not b.startswith("<")]
        rel = "extends" if word == "interface" else ("implements" if word in ("enum", "record") else None)
        text = f"{word} {s.qualname}"
        if rel is None and s.annotation:  # a class's superclass (extraction keeps it apart)
            text += f" extends {s.annotation}"
            bases = bases[1:]
        if bases:
            text += f" {rel or 'implements'} {', '.join(bases)}"
        return text
    if s.kind == MODULE:
        return f"// {loc.file.path}"
    if s.kind == IMPORT:
        target = ".".join(s.target or ())
        return f"import {'static ' if s.value and s.value.startswith('static') else ''}{target}" + \
            (".*" if s.name == "*" else "")
    ann = f"{s.annotation} " if s.annotation else ""
    value = f" = {s.value}" if s.value else ""
    if s.kind == PARAMETER:
        return f"(parameter) {ann}{s.name}"
    if s.kind == CONSTANT and s.subkind == "enum_member":
        return f"(enum constant) {owner}.{s.name}"
    where = f"{owner}." if owner and s.kind not in ("variable",) else ""
    return f"{'static final ' if s.kind == CONSTANT else ''}{ann}{where}{s.name}{value}"
