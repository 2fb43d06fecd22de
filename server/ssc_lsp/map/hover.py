"""What a hover says about a symbol, from the map alone: signature, docstring, where it is
defined, how many callers, and its latest change from the history.

The map keeps only a docstring's first line; the whole docstring is read from the file's text
at hover time (one parse of one file), since a hover is rare and a keystroke is not.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable

import tree_sitter as ts

from .changes import phrase
from .languages import Language, ParserCache
from .navigation import uses
from .records import (
    ATTRIBUTE,
    CLASS,
    FUNCTION,
    IMPORT,
    METHOD,
    MODULE,
    PARAMETER,
    REF_BIND,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    Symbol,
)
from .relations import Use
from .resolve import LOCAL, External, Resolver, Target
from .workspace import Located, Workspace

MAX_DOC_LINES = 30
Source = Callable[[str], bytes | None]  # workspace-relative path -> the text the map has


_PARSERS = ParserCache()


def hover_markdown(ws: Workspace, resolver: Resolver, target: Target, source: Source,
                   now: float, counts: bool = True) -> str | None:
    """The hover for a target. `counts=False` leaves out the number of callers or references
    (while the workspace is still being indexed it would be too low)."""
    if isinstance(target, External):
        if target is LOCAL:
            return None
        where = "builtin" if target.module == "builtins" else "outside the workspace"
        return f"```python\n{target.dotted}\n```\n\n*{where}*"
    loc = target
    sym = loc.symbol
    lang = loc.file.language
    line = lang.load(lang.code_line) if lang.code_line is not None else code_line
    text = f"```{lang.name}\n{line(shown_signature(ws, resolver, loc))}\n```"
    doc = full_docstring(source(loc.file.path), sym, loc.file.language) or sym.doc
    if doc:
        lines = doc.splitlines()
        if len(lines) > MAX_DOC_LINES:
            lines = lines[:MAX_DOC_LINES] + ["..."]
        text += "\n\n" + "\n".join(lines)
    facts = [f"defined in `{loc.file.path}:{sym.name_range[0] + 1}`" if sym.kind != MODULE
             else f"module `{loc.file.path}`"]
    if counts:
        facts.append(usage_count(ws, resolver, loc))
    ev = ws.history.latest(sym.id)
    if ev is not None:
        facts.append(phrase(ev, now))
    return text + "\n\n---\n\n" + " · ".join(facts)


def shown_signature(ws: Workspace, resolver: Resolver, loc: Located) -> Located:
    """Whose signature to show for a definition with a source and a stub: the source's (what
    runs), unless it takes `*args`/`**kwargs` and the stub's names its parameters."""
    if loc.file.is_stub:
        source, stub = resolver.source_of(loc), loc
    else:
        source, stub = loc, ws.stub_declaration(loc)
    if source is None or stub is None or source.symbol.kind != stub.symbol.kind:
        return loc
    return stub if _variadic(source.symbol) and not _variadic(stub.symbol) else source


def _variadic(sym: Symbol) -> bool:
    sig = sym.signature
    return sig is None or any(p.kind in (VAR_POSITIONAL, VAR_KEYWORD) for p in sig.params)


def code_line(loc: Located) -> str:
    s = loc.symbol
    owner = loc.file.lookup(s.parent) if s.parent else None
    if s.kind in (FUNCTION, METHOD) and s.signature is not None:
        text = s.signature.render(s.name)
        if s.decorators:
            text = "\n".join(f"@{d}" for d in s.decorators) + "\n" + text
        return f"# {loc.file.module}.{owner.qualname}\n{text}" if owner is not None and owner.kind == CLASS else text
    if s.kind == CLASS:
        bases = f"({', '.join(s.bases)})" if s.bases else ""
        return f"class {s.name}{bases}"
    if s.kind == MODULE:
        return f"module {s.qualname}"
    if s.kind == PARAMETER:
        ann = f": {s.annotation}" if s.annotation else ""
        return f"(parameter of {s.parent}) {s.name}{ann}"
    if s.kind == IMPORT:
        return f"import {'.'.join(s.target or ())}"
    ann = f": {s.annotation}" if s.annotation else ""
    value = f" = {s.value}" if s.value else ""
    prefix = "self." if s.kind == ATTRIBUTE else ""
    return f"{prefix}{s.name}{ann}{value}"


def usage_count(ws: Workspace, resolver: Resolver, loc: Located) -> str:
    """"3 callers" for what can be called, "5 references" otherwise."""
    found: list[Use] = list(uses(ws, resolver, loc, include_binds=False))
    if loc.symbol.kind in (FUNCTION, METHOD, CLASS):
        callers = {(u.file.path, u.holder()) for u in found if u.ref.nargs >= 0}
        n = len(callers)
        return f"{n} caller{'s' if n != 1 else ''}"
    n = len([u for u in found if u.ref.kind != REF_BIND])
    return f"{n} reference{'s' if n != 1 else ''}"


def full_docstring(data: bytes | None, sym: Symbol, lang: Language) -> str | None:
    """The whole docstring of a module, class or function, read from the file's text (`lang`:
    the file's language)."""
    if data is None:
        return None
    tree = _PARSERS.get(lang).parse(data)
    if sym.kind == MODULE:
        body: ts.Node | None = tree.root_node
    elif sym.kind in (CLASS, FUNCTION, METHOD):
        at = sym.byte0 + sym.name_byte
        node = tree.root_node.descendant_for_byte_range(at, at + len(sym.name.encode()))
        while node is not None and node.type not in ("function_definition", "class_definition"):
            node = node.parent
        body = node.child_by_field_name("body") if node is not None else None
    else:
        return None
    if body is None:
        return None
    first = next((c for c in body.named_children if c.type != "comment"), None)
    if first is None or first.type != "expression_statement" or not first.named_child_count:
        return None
    string = first.named_children[0]
    if string.type != "string":
        return None
    raw = string.text.decode("utf-8", errors="replace")
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        value = "".join(c.text.decode("utf-8", errors="replace") for c in string.children
                        if c.type == "string_content")
    return inspect.cleandoc(value) if isinstance(value, str) and value.strip() else None
