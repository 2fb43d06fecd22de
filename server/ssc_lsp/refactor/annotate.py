"""Add type annotations to a function's header from what the map and jedi know; the model
picks among the candidates and fills the rest.

Candidates, per parameter: the literal type of its default (a module constant's value through
the map), jedi's inference (call sites across the workspace: jedi searches them), the literal
arguments of the call sites the map knows; for the return: the literal and inferred types of the
returned values. The model answers the new header; only annotations may differ from the old one
(names, kinds, order, defaults, existing annotations kept: anything else is refused), and they are
written into the original header text (its formatting and comments kept). Every name an
annotation uses must resolve: `typing` names and types whose module is known get an import, the
rest is left to the edit check, which reports it.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import textwrap
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter as ts

from ..context.jedi_infer import jedi_helper_for
from ..map.navigation import uses
from ..map.positions import LineIndex
from ..map.workspace import Located
from .model import redacted, refused
from .target import ActionError, Def

JEDI_DEADLINE_S = 4.0  # per position; inference past that is left to the model
CALL_SITES_SHOWN = 4  # call-site lines given to the model as evidence
CANDIDATES_MAX = 4  # types listed per parameter
SELF_NAMES = ("self", "cls")


@dataclass
class Slot:
    """A parameter (or the return, name "return") without an annotation, and what is known."""

    name: str
    candidates: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    def add(self, t: str | None, why: str) -> None:
        """`t`: a type as written, or dotted (`pkg.mod.Order`): shown by its short name with
        its module (the import is the server's to add)."""
        if t and t not in self.candidates and len(self.candidates) < CANDIDATES_MAX:
            self.candidates.append(t)
            module, _, short = t.rpartition(".")
            self.evidence.append(f"{short} ({why}, from {module})" if module else f"{t} ({why})")


@dataclass
class Header:
    """The header of `d` as text, its parsed form, and the tree-sitter pieces to edit."""

    start: int  # byte of `def` / `async def`
    end: int  # byte after the `:` that ends the header
    tree: ast.FunctionDef | ast.AsyncFunctionDef
    params: ts.Node
    colon: ts.Node


def header_of(d: Def) -> Header:
    if d.node.type != "function_definition":
        raise ActionError(f"{d.sym.name} is not a function")
    params = d.node.child_by_field_name("parameters")
    body = d.node.child_by_field_name("body")
    colon = next((c for c in d.node.children if c.type == ":"), None) if body is not None else None
    if params is None or colon is None:
        raise ActionError(f"the header of {d.sym.name} cannot be read (a syntax error?)")
    text = d.data[d.node.start_byte:colon.end_byte].decode("utf-8")
    tree = parse_header(text)
    if tree is None:
        raise ActionError(f"the header of {d.sym.name} cannot be read (a syntax error?)")
    return Header(d.node.start_byte, colon.end_byte, tree, params, colon)


def parse_header(text: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    try:
        mod = ast.parse(textwrap.dedent(text).strip() + "\n    pass\n")
    except SyntaxError:
        return None
    node = mod.body[0] if len(mod.body) == 1 else None
    return node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None


def all_args(f: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, ast.arg]]:
    a = f.args
    out = [("posonly", x) for x in a.posonlyargs] + [("arg", x) for x in a.args]
    if a.vararg:
        out.append(("vararg", a.vararg))
    out += [("kwonly", x) for x in a.kwonlyargs]
    if a.kwarg:
        out.append(("kwarg", a.kwarg))
    return out


def missing(d: Def, h: Header) -> list[str]:
    """Parameters without annotations (not `self`/`cls` of a method), then "return" if the
    return has none."""
    out = []
    for i, (_, a) in enumerate(all_args(h.tree)):
        if a.annotation is None and not (i == 0 and d.sym.kind == "method" and a.arg in SELF_NAMES):
            out.append(a.arg)
    if h.tree.returns is None:
        out.append("return")
    return out


def literal_type(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant):
        return "None" if node.value is None else type(node.value).__name__
    kinds = {ast.List: "list", ast.Dict: "dict", ast.Tuple: "tuple", ast.Set: "set",
             ast.ListComp: "list", ast.DictComp: "dict", ast.SetComp: "set", ast.JoinedStr: "str"}
    for k, name in kinds.items():
        if isinstance(node, k):
            return name
    return None


def _default_type(d: Def, text: str) -> str | None:
    """The literal type of a default that names a module constant (`rate=TAX_RATE`)."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if t := literal_type(node):
        return t
    if isinstance(node, ast.Name):
        sym = d.fm.lookup(node.id)
        if sym is not None and sym.value:
            return _value_type_text(sym.value)
    return None


def _value_type_text(text: str) -> str | None:
    try:
        return literal_type(ast.parse(text, mode="eval").body)
    except SyntaxError:
        return None


def own_nodes(f: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of the function's own body (nested functions, classes and lambdas left out)."""
    todo: list[ast.AST] = list(f.body)
    while todo:
        n = todo.pop()
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield n
        todo.extend(ast.iter_child_nodes(n))


def returns_of(f: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return]:
    """The function's own return statements."""
    return [n for n in own_nodes(f) if isinstance(n, ast.Return)]


def _jedi_type(name: dict) -> str | None:
    """A jedi name as an annotation: builtins by name, others by their dotted full name."""
    if name.get("type") not in ("instance",):
        return None
    full = name.get("full_name") or ""
    if full.startswith("builtins."):
        return full.split(".", 1)[1]
    return full or None


async def slots(d: Def, h: Header) -> list[Slot]:
    """What is known of each parameter and the return that lacks an annotation. jedi is asked
    about every place at once: the wait is one deadline, not one per place."""
    wanted = missing(d, h)
    out = {n: Slot(n) for n in wanted}
    args = dict((a.arg, (kind, a)) for kind, a in all_args(h.tree))
    defaults = _defaults(h.tree)
    base_line = d.data.count(b"\n", 0, h.start)  # ast rows are relative to the header
    indent = _indent_bytes(d, h)
    asks: list[tuple[Slot, str, int, int]] = []  # (slot, why, row, byte column) for jedi
    for name, slot in out.items():
        if name == "return":
            continue
        kind, a = args[name]
        if kind == "vararg" or kind == "kwarg":
            continue
        default = defaults.get(name)
        if default is not None:
            seg = ast.get_source_segment(textwrap.dedent(_text(d, h)).strip() + "\n    pass\n", default)
            slot.add(literal_type(default) or (_default_type(d, seg) if seg else None), "its default")
        asks.append((slot, "jedi, from the call sites", base_line + a.lineno - 1,
                     a.col_offset + (indent if a.lineno == 1 else 0)))
    if "return" in out:
        slot = out["return"]
        whole = h_full(d)
        rets = returns_of(whole)
        if d.sym.name == "__init__":
            slot.add("None", "__init__ returns None")
        elif _generator(whole):
            slot.add("Iterator", "a generator: Iterator[the yielded type]")
        elif not rets:
            slot.add("None", "no return statement")
        for r in rets:
            if r.value is None:
                slot.add("None", "a bare return")
                continue
            slot.add(literal_type(r.value), "a returned literal")
            asks.append((slot, "jedi, from a returned value", base_line + r.value.end_lineno - 1,
                         r.value.end_col_offset + indent))  # h_full's text is dedented
    helper = jedi_helper_for(d.svc)
    index = LineIndex(d.data)
    code = d.data.decode("utf-8", errors="replace")
    path = d.svc.abspath(d.rel)
    found = await asyncio.gather(*(_infer(helper, path, code, index, row, col) for _, _, row, col in asks))
    for (slot, why, _, _), types_ in zip(asks, found, strict=True):
        for t in types_:
            slot.add(t, why)
    return [out[n] for n in wanted]


def _generator(f: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own_nodes(f))


def _text(d: Def, h: Header) -> str:
    return d.data[h.start:h.end].decode("utf-8")


def _indent_bytes(d: Def, h: Header) -> int:
    return h.start - d.line_start(h.start)


def h_full(d: Def) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """The whole function parsed (for its return statements); rows relative to its `def`."""
    start = d.node.start_byte
    text = d.data[d.line_start(start):d.node.end_byte].decode("utf-8", errors="replace")
    try:
        node = ast.parse(textwrap.dedent(text)).body[0]
    except (SyntaxError, IndexError):
        raise ActionError(f"{d.sym.name} cannot be parsed") from None
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return node


def _defaults(f: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    a = f.args
    pos = a.posonlyargs + a.args
    out = {x.arg: v for x, v in zip(pos[len(pos) - len(a.defaults):], a.defaults, strict=True)}
    out.update({x.arg: v for x, v in zip(a.kwonlyargs, a.kw_defaults, strict=True) if v is not None})
    return out


async def _infer(helper, path: str, code: str, index: LineIndex, row: int, byte_col: int) -> list[str]:
    line, col = index.jedi_of_byte(index.byte_of_point(row, byte_col))
    names = await helper.infer_names(path, code, line, col, JEDI_DEADLINE_S)
    return [t for t in (_jedi_type(n) for n in names or []) if t]


def call_sites(d: Def) -> list[str]:
    """Up to CALL_SITES_SHOWN lines that call `d`, as `path:line: code` (the map's uses; none
    of a file that may not reach a model, secrets redacted)."""
    out = []
    for u in uses(d.svc.ws, d.svc.resolver, Located(d.fm, d.sym), include_binds=False):
        if u.ref.nargs < 0 or refused(d.svc, u.file.path):
            continue
        text = d.svc.text_of(u.file.path) or ""
        lines = text.split("\n")
        if u.row < len(lines):
            out.append(f"{u.file.path}:{u.row + 1}: {redacted(d.svc, u.file.path, lines[u.row].strip())}")
        if len(out) >= CALL_SITES_SHOWN:
            break
    return out


def task(d: Def, code: str, found: list[Slot], sites: list[str]) -> str:
    lines = [f"Add type annotations to the header of `{d.sym.qualname}` (file {d.rel}).", "",
             "The code:", "```python", code.rstrip(), "```", "",
             "What the workspace map and jedi know of what lacks an annotation:"]
    for s in found:
        what = "the return" if s.name == "return" else f"parameter `{s.name}`"
        lines.append(f"- {what}: " + ("; ".join(s.evidence) if s.evidence else "nothing known"))
    if sites:
        lines += ["", "Call sites:"] + [f"- {x}" for x in sites]
    lines += ["", "Answer with the new header only: the `def` line(s) ending with `:`, in one "
              "```python block. Keep every parameter, default and existing annotation exactly as "
              "it is; only add annotations. Use builtin types, `typing` names, or the types "
              "named above by their short name (their imports are added for you); do not invent "
              "types."]
    return "\n".join(lines)


def new_header(answer_code: str, old: ast.FunctionDef | ast.AsyncFunctionDef
               ) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """The model's header, checked to change nothing but missing annotations."""
    lines = answer_code.strip("\n").split("\n")
    got = None
    for i in range(1, len(lines) + 1):
        got = parse_header("\n".join(lines[:i]))
        if got is not None:
            break
    if got is None:
        raise ActionError("the model's answer is not a function header")
    if type(got) is not type(old) or got.name != old.name:
        raise ActionError(f"the model's header is not that of {old.name}")
    mine, theirs = all_args(old), all_args(got)
    if [(k, a.arg) for k, a in mine] != [(k, a.arg) for k, a in theirs]:
        raise ActionError("the model changed the parameters, not only their annotations")
    if [ast.dump(x) for x in _defaults(old).values()] != [ast.dump(x) for x in _defaults(got).values()]:
        raise ActionError("the model changed a default value")
    for (_, a), (_, b) in zip(mine, theirs, strict=True):
        if a.annotation is not None and (b.annotation is None or ast.dump(a.annotation) != ast.dump(b.annotation)):
            raise ActionError(f"the model changed the annotation of {a.arg}")
    if old.returns is not None and (got.returns is None or ast.dump(old.returns) != ast.dump(got.returns)):
        raise ActionError("the model changed the return annotation")
    return got


def annotated(d: Def, h: Header, got: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bytes, set[str]]:
    """The file with the new annotations written into the old header, and the names they use."""
    new_ann = {a.arg: b.annotation for (_, a), (_, b) in zip(all_args(h.tree), all_args(got), strict=True)
               if a.annotation is None and b.annotation is not None}
    inserts: list[tuple[int, int, bytes]] = []
    used: set[str] = set()
    for p in h.params.named_children:
        name_node, default = _param_parts(p)
        if name_node is None:
            continue
        name = name_node.text.decode()
        ann = new_ann.get(name)
        if ann is None:
            continue
        text = ast.unparse(ann)
        used |= names_in(ann)
        if default is None:
            inserts.append((name_node.end_byte, name_node.end_byte, f": {text}".encode()))
        else:
            inserts.append((name_node.end_byte, default.start_byte, f": {text} = ".encode()))
    if h.tree.returns is None and got.returns is not None:
        used |= names_in(got.returns)
        inserts.append((h.params.end_byte, h.colon.start_byte, f" -> {ast.unparse(got.returns)}".encode()))
    data = d.data
    for start, end, text in sorted(inserts, reverse=True):
        data = data[:start] + text + data[end:]
    return data, used


def _param_parts(p: ts.Node) -> tuple[ts.Node | None, ts.Node | None]:
    """(the name node, the default value node) of an unannotated parameter node."""
    if p.type == "identifier":
        return p, None
    if p.type == "default_parameter":
        return p.child_by_field_name("name"), p.child_by_field_name("value")
    if p.type in ("list_splat_pattern", "dictionary_splat_pattern"):
        return next((c for c in p.named_children if c.type == "identifier"), None), None
    return None, None


def names_in(node: ast.expr) -> set[str]:
    """The first names of an annotation (`Optional` of `Optional[x.Y]`, `x` of `x.Y`)."""
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            try:
                out |= names_in(ast.parse(n.value, mode="eval").body)
            except SyntaxError:
                pass
    return out


def imports_for(d: Def, used: set[str], found: list[Slot]) -> list[str]:
    """Import lines for the annotation names the module does not bind: `typing` names, and
    types whose dotted name is known (jedi's candidates, a class the map has once). Others are
    left for the check to report."""
    known_dotted = {c.rsplit(".", 1)[1]: c.rsplit(".", 1)[0] for s in found for c in s.candidates if "." in c}
    out = []
    for name in sorted(used):
        if d.svc.resolver.resolve_name(d.fm, "", name) is not None or hasattr(builtins, name):
            continue
        if name in typing.__all__:
            out.append(f"from typing import {name}")
        elif name in known_dotted:
            out.append(f"from {known_dotted[name]} import {name}")
        else:
            classes = [loc for loc in d.svc.ws.symbols_named(name)
                       if loc.symbol.kind == "class" and "::" in loc.symbol.id
                       and loc.symbol.parent in ("", loc.file.path)]
            if len(classes) == 1 and classes[0].file.path != d.rel:
                out.append(f"from {classes[0].file.module} import {name}")
    return out
