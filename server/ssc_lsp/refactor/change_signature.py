"""`ssc.changeSignature`: rope changes the signature, the map checks and completes the call sites.

1. rope (refactor/rope_run.py, over a copy of the workspace with the open buffers' text): its
   `ChangeSignature` for additions (`ArgumentAdder`, with the default and/or the value every call
   passes), removals and reorders, its `Rename` on the parameter for renames; the operations in
   the order given, each on the result of the one before.
2. The map: every use of the function it knows (imports and aliases followed, methods through
   receivers it types: `self`, annotations, names bound to a class call) is a call, a
   `functools.partial(f, ...)`, or a reference passed as a value. For each call and partial the map
   binds the arguments to the old parameters and renders them after the change
   (refactor/signature_ops.py). Where rope left that call as it was although it must change (rope
   misses annotated receivers and partials), the map's rendering is applied: a *completion*.
   Where rope changed the call, rope's text stands (the edit check judges it).
3. What neither can be sure of is listed in the notes, never skipped in silence: calls with
   `*`/`**` unpacking, partials whose callers would have to change, references passed as values
   (for a change a caller could notice), `x.name(...)` through receivers the map cannot type.

Refused before anything is computed (the message says why): a cursor not on a function or method
of the workspace, a change that does not fit the signature, a signature rope misreads (keyword-only
or positional-only parameters: rope 1.x writes them back wrong).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

from ..grounding.edit_check import apply_map_edits
from ..map.checks import call_params
from ..map.document import build_filemap
from ..map.languages.python import PYTHON
from ..map.navigation import uses
from ..map.records import (
    FUNCTION,
    KEYWORD_ONLY,
    METHOD,
    POSITIONAL_ONLY,
    REF_IMPORT,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    Param,
)
from ..map.relations import Use, uses_within
from ..map.rename import RenameRefused, plan_rename
from ..map.service import MapService
from ..map.workspace import Located
from .proposal import Proposal
from .rope_run import (
    RefactorFailed,
    Snapshot,
    Stats,
    definition_at,
    offset_of,
    run_bounded,
    snapshot,
)
from .signature_ops import (
    Arg,
    BadChange,
    Op,
    apply_ops,
    compatible,
    first_is_receiver,
    rewrite_args,
)
from .sites import Rewrite, apply_rewrites, node_at, node_range, parse, parse_tree, text

log = logging.getLogger(__name__)

KIND = "refactor.rewrite"
PARTIALS = ("partial", "functools.partial")


@dataclass
class Plan:
    """What the map found around the function before rope runs."""

    loc: Located
    params: list[Param]
    new_params: list[Param]
    rewrites: list[Rewrite] = field(default_factory=list)
    unsure: list[tuple[str, int, str]] = field(default_factory=list)  # (path, 1-based line, why)
    needed: int = 0  # call sites that must change


def function_at(svc: MapService, rel: str, row: int, col: int) -> Located:
    """The workspace function or method the cursor names (its definition or a use)."""
    return definition_at(svc, rel, row, col, lambda t: t.symbol.kind in (FUNCTION, METHOD),
                         "function or method of the workspace")


# Why a site is listed and not changed: one note per reason, with the places.
UNBOUND = "calls whose arguments the map cannot bind to the parameters (a decorator, a receiver it cannot type)"
UNREWRITTEN = "calls the map cannot rewrite (`*`/`**` unpacking, an argument it cannot bind)"
PARTIAL = "`functools.partial`s whose own callers would have to change"
VALUE = "places passing the function as a value: the calls through them were not checked"
UNTYPED = "calls through receivers the map cannot type (they may call another `{name}`)"
UNREADABLE = "calls the map cannot read (comments among the arguments, a generator argument)"
LISTED = 8  # places named per note; the rest are counted


def plan(svc: MapService, loc: Located, ops: list[Op], texts: dict[str, bytes]) -> Plan:
    """The change checked against the signature, and the map's rendering of every call site."""
    sym = loc.symbol
    params = list(sym.signature.params) if sym.signature else []
    if any(p.kind in (KEYWORD_ONLY, POSITIONAL_ONLY) for p in params) and not all(o.op == "rename" for o in ops):
        raise RefactorFailed(f"`{sym.name}` has keyword-only or positional-only parameters, which rope "
                             "cannot change (it writes them back wrong); only renames are possible.")
    static = "staticmethod" in sym.decorators
    receiver = first_is_receiver(params, sym.kind == METHOD, static)
    try:
        new_params = apply_ops(params, ops, receiver)
    except BadChange as e:
        raise RefactorFailed(str(e)) from None
    out = Plan(loc, params, new_params)
    roots: dict[str, object] = {}
    for use in uses(svc.ws, svc.resolver, loc, include_binds=False):
        if use.ref.kind == REF_IMPORT or use.file.path not in texts:
            continue
        data = texts[use.file.path]
        root = roots.setdefault(use.file.path, parse(data))
        _site(svc, loc, ops, out, use, root)
    if sym.kind == METHOD:
        _untyped_calls(svc, loc, ops, out)
    removed = [o.name for o in ops if o.op == "remove"]
    for use in uses_within(loc.file, loc):
        if use.ref.name in removed and use.ref.kind == "name":
            t = svc.resolver.resolve_ref(loc.file, use.ref, use.unit)
            if isinstance(t, Located) and t.symbol.kind == "parameter" and t.symbol.parent == sym.qualname:
                _unsure(out, use, f"the body of `{sym.name}` still uses the removed parameter `{use.ref.name}`")
                break
    return out


def affects(ops: list[Op], ref) -> bool:
    """Whether a call could notice the change, from what the map recorded of it: parameters
    added with a default never; renames only where a keyword (or `**`) names the parameter."""
    if compatible(ops):
        return False
    if all(o.op == "rename" for o in ops):
        return ref.star or any(o.name in ref.kwargs for o in ops)
    return True


def _untyped_calls(svc: MapService, loc: Located, ops: list[Op], out: Plan) -> None:
    """`x.method(...)` calls whose receiver the map cannot type: listed, never changed."""
    name = loc.symbol.name
    seen = {(p, ln) for p, ln, _ in out.unsure}
    for fm in list(svc.ws.files.values()):
        if name not in fm.ref_names:
            continue
        for unit in fm.units:
            for ref in unit.refs:
                if ref.name != name or ref.kind != "attribute" or ref.nargs < 0 or not ref.receiver:
                    continue
                if not affects(ops, ref) or svc.resolver.value_of_expr(fm, ref.scope, ref.receiver) is not None:
                    continue
                line = ref.row + unit.start_row + 1
                if (fm.path, line) not in seen:
                    seen.add((fm.path, line))
                    out.unsure.append((fm.path, line, UNTYPED.format(name=name)))


def _unsure(out: Plan, use: Use, why: str) -> None:
    out.unsure.append((use.file.path, use.row + 1, why))


def notes_of(unsure: list[tuple[str, int, str]]) -> list[str]:
    """One note per reason: the reason, how many places, and the first `LISTED` of them."""
    by_why: dict[str, list[str]] = {}
    for path, line, why in sorted(set(unsure)):
        by_why.setdefault(why, []).append(f"{path}:{line}")
    out = []
    for why, places in by_why.items():
        more = f" and {len(places) - LISTED} more" if len(places) > LISTED else ""
        out.append(f"{why} ({len(places)}): {', '.join(places[:LISTED])}{more}")
    return out


def _site(svc: MapService, loc: Located, ops: list[Op], out: Plan, use: Use, root) -> None:
    ident = node_at(root, use.range)
    if ident is None:
        return
    expr = ident
    if ident.parent is not None and ident.parent.type == "attribute" \
            and ident.parent.child_by_field_name("attribute") == ident:
        expr = ident.parent
    parent = expr.parent
    if parent is None:
        return
    if parent.type == "call" and parent.child_by_field_name("function") == expr:
        args_node = parent.child_by_field_name("arguments")
        partial = False
    elif parent.type == "argument_list" and parent.named_children and parent.named_children[0] == expr \
            and parent.parent is not None and parent.parent.type == "call" \
            and text(parent.parent.child_by_field_name("function")) in PARTIALS:
        args_node = parent
        partial = True
    elif parent.type in ("decorator",) or (parent.type == "expression_statement"):
        return
    else:
        if not compatible(ops):
            _unsure(out, use, VALUE)
        return
    if not partial and not affects(ops, use.ref):
        return
    if args_node is None or args_node.type != "argument_list":
        _unsure(out, use, UNREADABLE)
        return
    params = call_params(svc.resolver, use.file, use.ref, loc)
    if params is None:
        if not compatible(ops):
            _unsure(out, use, UNBOUND)
        return
    skip = len(out.params) - len(params)
    args, comments = _args(args_node, skip_first=partial)
    if comments:
        if not compatible(ops):
            _unsure(out, use, UNREADABLE)
        return
    new = rewrite_args(out.params, skip, args, ops, partial=partial)
    if new is None:
        _unsure(out, use, PARTIAL if partial else UNREWRITTEN)
        return
    if new == [_arg_text(a) for a in args]:
        return
    out.needed += 1
    first = text(args_node.named_children[0]) if partial else None
    out.rewrites.append(Rewrite(use.file.path, node_range(args_node), _render(args_node, new, first),
                                use.row + 1))


def _arg_text(a: Arg) -> str:
    return f"{a.keyword}={a.text}" if a.keyword else a.text


def _args(node, skip_first: bool) -> tuple[list[Arg], bool]:
    out: list[Arg] = []
    comments = False
    children = list(node.named_children)
    if skip_first:
        children = children[1:]
    for c in children:
        if c.type == "comment":
            comments = True
        elif c.type == "keyword_argument":
            out.append(Arg(text(c.child_by_field_name("value")), keyword=text(c.child_by_field_name("name"))))
        elif c.type in ("list_splat", "dictionary_splat"):
            out.append(Arg(text(c), star=True))
        else:
            out.append(Arg(text(c)))
    return out, comments


def _render(node, new: list[str], first: str | None) -> str:
    """The argument list `(...)` with `new` arguments, keeping the layout where it can: the
    separator between the first two arguments, the space inside the brackets, a trailing comma."""
    kids = list(node.named_children)
    items = ([first] if first is not None else []) + new
    if not kids:
        return "(" + ", ".join(items) + ")"
    base = node.start_byte
    data = node.text or b""
    lead = data[1:kids[0].start_byte - base].decode()
    tail_raw = data[kids[-1].end_byte - base:-1].decode()
    trailing = tail_raw.strip().startswith(",")
    tail = tail_raw.split(",", 1)[1] if trailing else tail_raw
    sep = ", "
    if len(kids) > 1:
        between = data[kids[0].end_byte - base:kids[1].start_byte - base].decode()
        if "\n" in between:
            sep = between
    if not items:
        return "()"
    return "(" + lead + sep.join(items) + ("," if trailing else "") + tail + ")"


# -- rope ------------------------------------------------------------------------------------------


def _rope_job(loc: Located, ops: list[Op], params: list[Param], receiver: bool):
    """The rope steps: consecutive add/remove/reorder as one ChangeSignature, each rename alone."""
    from rope.base import libutils
    from rope.refactor.change_signature import (
        ArgumentAdder,
        ArgumentRemover,
        ArgumentReorderer,
        ChangeSignature,
    )
    from rope.refactor.rename import Rename

    rel = loc.file.path
    qual = loc.symbol.qualname

    def job(project, handle, folder: str) -> None:
        cur = list(params)
        batch: list = []
        full = os.path.join(folder, *rel.split("/"))

        def flush() -> None:
            if not batch:
                return
            res = libutils.path_to_resource(project, full)
            data = res.read().encode("utf-8")
            off = _def_offset(data, qual)
            sig = ChangeSignature(project, res, off)
            if [a[0] for a in sig.get_args()] != [_rope_name(p) for p in cur_before[0]]:
                raise RefactorFailed(f"rope reads `{loc.symbol.name}`'s parameters differently from the map "
                                     f"({sig.get_args()}); nothing was changed")
            project.do(sig.get_changes(list(batch), task_handle=handle), task_handle=handle)
            batch.clear()

        cur_before = [list(cur)]
        for op in ops:
            if op.op == "rename":
                flush()
                res = libutils.path_to_resource(project, full)
                data = res.read().encode("utf-8")
                off = _param_offset(data, qual, op.name)
                project.do(Rename(project, res, off).get_changes(op.new_name, task_handle=handle),
                           task_handle=handle)
                cur = apply_ops(cur, [op], receiver)
                cur_before[0] = list(cur)
                continue
            names = [p.name for p in cur]
            if op.op == "add":
                nxt = apply_ops(cur, [op], receiver)
                index = [p.name for p in nxt].index(op.name)
                batch.append(ArgumentAdder(index, op.name, default=op.default, value=op.value))
            elif op.op == "remove":
                nxt = apply_ops(cur, [op], receiver)
                batch.append(ArgumentRemover(names.index(op.name)))
            else:
                nxt = apply_ops(cur, [op], receiver)
                new_names = [p.name for p in nxt]
                batch.append(ArgumentReorderer([new_names.index(n) for n in names]))
            cur = nxt
        flush()

    return job


def _rope_name(p: Param) -> str:
    return {VAR_POSITIONAL: "*", VAR_KEYWORD: "**"}.get(p.kind, "") + p.name


def _def_node(data: bytes, qual: str):
    node = parse(data)
    for part in qual.split("."):
        found = None
        body = node if node.type == "module" else node.child_by_field_name("body")
        for child in (body.named_children if body is not None else ()):
            d = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
            if d is not None and d.type in ("function_definition", "class_definition") \
                    and text(d.child_by_field_name("name")) == part:
                found = d
        if found is None:
            raise RefactorFailed(f"`{qual}` is no longer where the map found it; try again")
        node = found
    return node


def _def_offset(data: bytes, qual: str) -> int:
    name = _def_node(data, qual).child_by_field_name("name")
    return offset_of(data, *name.start_point)


def _param_offset(data: bytes, qual: str, param: str) -> int:
    params = _def_node(data, qual).child_by_field_name("parameters")
    for p in params.named_children:
        ident = p if p.type == "identifier" else next(
            (c for c in p.named_children if c.type == "identifier"), None)
        if ident is not None and text(ident) == param:
            return offset_of(data, *ident.start_point)
    raise RefactorFailed(f"no parameter `{param}` in `{qual}`")


# -- the command -----------------------------------------------------------------------------------


async def change_signature(svc: MapService, rel: str, row: int, col: int, ops: list[Op],
                           stats: Stats | None = None, snap: Snapshot | None = None) -> Proposal:
    """The Proposal: rope's result with the map's completions, and the notes. Call on the event
    loop (the map is read there); rope runs in a worker thread."""
    t0 = time.perf_counter()
    loc = function_at(svc, rel, row, col)
    snap = snap or await snapshot(svc)
    if loc.file.path not in snap.texts:
        raise RefactorFailed(f"{loc.file.path} cannot be read")
    found = plan(svc, loc, ops, snap.texts)
    sym = loc.symbol
    receiver = first_is_receiver(found.params, sym.kind == METHOD, "staticmethod" in sym.decorators)
    t1 = time.perf_counter()
    fallback = None
    try:
        after = await run_bounded(snap, _rope_job(loc, ops, found.params, receiver))
    except RefactorFailed as e:
        if len(ops) != 1 or ops[0].op != "rename" or not str(e).startswith("rope refused"):
            raise
        after, fallback = _map_rename(svc, loc, ops[0], snap), str(e)
    rope_ms = (time.perf_counter() - t1) * 1000
    _check_definition(loc, after.get(loc.file.path), found.new_params)
    if stats is not None:
        stats.rope_after = dict(after)
    after, done, skipped = apply_rewrites(snap.texts, after, found.rewrites)
    notes = notes_of(found.unsure)
    if fallback:
        notes.append(f"{fallback}; the map renamed the parameter and its keyword arguments instead")
    if done:
        notes.append("the map updated " + _count(len(done), "call site") + " rope left unchanged: "
                     + ", ".join(f"{rw.path}:{rw.line}" for rw in done))
    changes = ", ".join(_describe(o) for o in ops)
    if stats is not None:
        stats.sites += found.needed
        stats.completed += len(done)
        stats.by_rope += len(skipped)
        stats.unsure += len(found.unsure)
        stats.rope_ms += rope_ms
        stats.total_ms += (time.perf_counter() - t0) * 1000
    return Proposal(title=f"Change the signature of {sym.name}: {changes}", kind=KIND, svc=svc,
                    after=after, notes=notes)


def _map_rename(svc: MapService, loc: Located, op: Op, snap: Snapshot) -> dict[str, bytes | None]:
    """A parameter rename rope refuses (keyword-only parameters): the map's own rename
    (map/rename.py: the definition, the body's uses, keyword arguments at every call site)."""
    param = loc.file.lookup(f"{loc.symbol.qualname}.{op.name}")
    if param is None:
        raise RefactorFailed(f"there is no parameter `{op.name}`")
    try:
        edits = plan_rename(svc.ws, svc.resolver, Located(loc.file, param), op.new_name, snap.texts.get)
    except RenameRefused as e:
        raise RefactorFailed(str(e)) from None
    return {p: apply_map_edits(snap.texts[p], e) for p, e in edits.items() if p in snap.texts}


def _check_definition(loc: Located, data: bytes | None, expected: list[Param]) -> None:
    """rope's definition must have the parameters the change asks for, or nothing is proposed."""
    if data is None:
        raise RefactorFailed(f"rope deleted {loc.file.path}")
    fm = build_filemap(PYTHON, loc.file.path, loc.file.module, data, parse_tree(data))
    sym = fm.lookup(loc.symbol.qualname)
    got = [p.name for p in sym.signature.params] if sym is not None and sym.signature else None
    want = [p.name for p in expected]
    if got != want:
        raise RefactorFailed(f"rope wrote `{loc.symbol.name}({', '.join(got or [])})`, not "
                             f"`{loc.symbol.name}({', '.join(want)})`; nothing was changed")


def _describe(op: Op) -> str:
    if op.op == "add":
        return f"add {op.name}" + (f"={op.default}" if op.default is not None else "")
    if op.op == "remove":
        return f"remove {op.name}"
    if op.op == "rename":
        return f"rename {op.name} to {op.new_name}"
    return "reorder to (" + ", ".join(op.order) + ")"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"
