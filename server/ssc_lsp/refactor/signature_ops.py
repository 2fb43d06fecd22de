"""A signature change as data, and what it does to a parameter list and to one call's arguments.

The operations (`ssc.changeSignature`'s `changes`): `add` (a name, a `default` the definition
gets and/or a `value` every call site passes, an optional `index` in the parameter list as
written, `self` included), `remove`, `rename` (`newName`), `reorder` (`order`: every parameter's
name; a method's `self`/`cls` may be left out and stays first). They apply in order, each to the
list the previous one left.

`rewrite_args` is the map's own model of a call site: the call's arguments bound to the old
parameters as Python binds them, the operations applied to the binding, the arguments rendered
again (positional as long as they can stay so, keywords after). It answers None when it cannot
be sure (a `*`/`**` unpacking, an argument it cannot bind, a positional-only parameter that would
have to become a keyword): such a site is listed to the user, never guessed.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field

from ..map.records import (
    KEYWORD_ONLY,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    Param,
)

FIRST = ("self", "cls")


class BadChange(ValueError):
    """The requested change cannot apply to this signature: the message says why."""


@dataclass
class Op:
    op: str  # "add", "remove", "rename", "reorder"
    name: str = ""
    new_name: str = ""
    default: str | None = None
    value: str | None = None
    index: int | None = None
    order: list[str] = field(default_factory=list)


def parse_ops(raw: object) -> list[Op]:
    """The `changes` argument, checked: BadChange says what is wrong with it."""
    if not isinstance(raw, list) or not raw:
        raise BadChange("`changes` must be a non-empty list of {op, ...} objects")
    out: list[Op] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("op") not in ("add", "remove", "rename", "reorder"):
            raise BadChange(f"each change needs `op`: add, remove, rename or reorder (got {item!r})")
        op = item["op"]
        name = item.get("name", "")
        if op != "reorder" and (not isinstance(name, str) or not _identifier(name)):
            raise BadChange(f"`{op}` needs `name`, a Python identifier (got {name!r})")
        if op == "add":
            default, value, index = item.get("default"), item.get("value"), item.get("index")
            if default is None and value is None:
                raise BadChange(f"adding `{name}` needs a `default`, a `value` for the call sites, or both")
            for what, v in (("default", default), ("value", value)):
                if v is not None and (not isinstance(v, str) or not v.strip() or "\n" in v):
                    raise BadChange(f"`{what}` of `{name}` must be a one-line Python expression")
            if index is not None and (not isinstance(index, int) or index < 0):
                raise BadChange("`index` must be a non-negative integer")
            out.append(Op("add", name, default=default, value=value, index=index))
        elif op == "remove":
            out.append(Op("remove", name))
        elif op == "rename":
            new = item.get("newName")
            if not isinstance(new, str) or not _identifier(new):
                raise BadChange(f"renaming `{name}` needs `newName`, a Python identifier (got {new!r})")
            out.append(Op("rename", name, new_name=new))
        else:
            order = item.get("order")
            if not isinstance(order, list) or not all(isinstance(n, str) for n in order) or not order:
                raise BadChange("`reorder` needs `order`: the parameters' names in their new order")
            out.append(Op("reorder", order=list(order)))
    return out


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def first_is_receiver(params: list[Param], is_method: bool, static: bool) -> bool:
    return is_method and not static and bool(params) and params[0].name in FIRST


def apply_ops(params: list[Param], ops: list[Op], receiver: bool) -> list[Param]:
    """The parameter list after `ops`; BadChange when an operation does not fit it."""
    cur = [Param(p.name, p.kind, p.has_default, p.annotation) for p in params]
    for op in ops:
        names = [p.name for p in cur]
        if op.op == "add":
            if op.name in names:
                raise BadChange(f"there is a parameter `{op.name}` already")
            index = op.index if op.index is not None else _default_index(cur, op.default is not None)
            if index > len(cur) or (receiver and index == 0):
                raise BadChange(f"index {index} is not a place in the parameter list ({', '.join(names)})")
            after = cur[index:]
            kind = KEYWORD_ONLY if any(p.kind in (VAR_POSITIONAL, KEYWORD_ONLY) for p in cur[:index]) \
                else POSITIONAL_OR_KEYWORD
            if kind == KEYWORD_ONLY and after and after[0].kind not in (KEYWORD_ONLY, VAR_KEYWORD):
                raise BadChange(f"index {index} is not a place in the parameter list ({', '.join(names)})")
            cur.insert(index, Param(op.name, kind, op.default is not None))
            del after
        elif op.op in ("remove", "rename"):
            if op.name not in names:
                raise BadChange(f"there is no parameter `{op.name}` (the parameters: {', '.join(names)})")
            if receiver and op.name == names[0]:
                raise BadChange(f"`{op.name}` is the method's receiver")
            i = names.index(op.name)
            if op.op == "remove":
                del cur[i]
            else:
                if op.new_name in names:
                    raise BadChange(f"there is a parameter `{op.new_name}` already")
                p = cur[i]
                cur[i] = Param(op.new_name, p.kind, p.has_default, p.annotation)
        else:
            order = list(op.order)
            if receiver and names and order and order[0] != names[0]:
                order = [names[0], *order]
            if sorted(order) != sorted(names):
                raise BadChange(f"`order` must name every parameter once: {', '.join(names)}")
            by_name = {p.name: p for p in cur}
            cur = [by_name[n] for n in order]
        _valid(cur)
    return cur


def _default_index(cur: list[Param], has_default: bool) -> int:
    """A new parameter's place when none is given: after the positional parameters (with a
    default), or before the first one with a default (without)."""
    for i, p in enumerate(cur):
        if p.kind in (VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD) or (not has_default and p.has_default):
            return i
    return len(cur)


def _valid(params: list[Param]) -> None:
    seen_default = False
    for p in params:
        if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD):
            if p.has_default:
                seen_default = True
            elif seen_default:
                raise BadChange(f"`{p.name}` has no default and would follow a parameter with one")
    kinds = [p.kind for p in params]
    rank = {POSITIONAL_ONLY: 0, POSITIONAL_OR_KEYWORD: 1, VAR_POSITIONAL: 2, KEYWORD_ONLY: 3, VAR_KEYWORD: 4}
    if [rank[k] for k in kinds] != sorted(rank[k] for k in kinds):
        raise BadChange("the parameters would be out of Python's order (positional, *args, keyword-only, **kwargs)")


def compatible(ops: list[Op]) -> bool:
    """A change no call could notice: only parameters added with a default (and no value)."""
    return all(op.op == "add" and op.value is None and op.default is not None for op in ops)


# -- one call site ---------------------------------------------------------------------------------


@dataclass
class Arg:
    text: str
    keyword: str | None = None  # `name=value`: the name
    star: bool = False  # `*xs` or `**kw`


def rewrite_args(params: list[Param], skip: int, args: list[Arg], ops: list[Op],
                 partial: bool = False) -> list[str] | None:
    """The arguments of a call after `ops`, or None when the map cannot be sure. `params` is the
    old parameter list, `skip` how many leading ones the call does not pass (a bound `self`).
    For `functools.partial(f, ...)` (`partial`), parameters left unbound stay unbound and the
    positional ones the partial's own callers fill must not move, or the answer is None."""
    if any(a.star for a in args):
        return None
    own = params[skip:]
    binding: dict[str, tuple[str, str]] = {}  # name -> ("pos"|"kw"|"new", text)
    extra_pos: list[str] = []
    extra_kw: list[tuple[str, str]] = []
    positional = [p for p in own if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD)]
    pos_args = [a for a in args if a.keyword is None]
    for i, a in enumerate(pos_args):
        if i < len(positional):
            binding[positional[i].name] = ("pos", a.text)
        elif any(p.kind == VAR_POSITIONAL for p in own):
            extra_pos.append(a.text)
        else:
            return None
    kw_order: list[str] = []
    for a in args:
        if a.keyword is None:
            continue
        target = next((p for p in own if p.name == a.keyword and p.kind in (POSITIONAL_OR_KEYWORD, KEYWORD_ONLY)), None)
        if target is None:
            if any(p.kind == VAR_KEYWORD for p in own):
                extra_kw.append((a.keyword, a.text))
                continue
            return None
        if target.name in binding:
            return None
        binding[target.name] = ("kw", a.text)
        kw_order.append(target.name)
    before_tail = _unbound_positional(params, skip, binding) if partial else None
    cur = list(params)
    renames: dict[str, str] = {}
    receiver = skip > 0
    for op in ops:
        if op.op == "add":
            if op.value is not None:
                binding[op.name] = ("new", op.value)
        elif op.op == "remove":
            binding.pop(op.name, None)
        elif op.op == "rename":
            if partial and op.name not in binding:
                return None  # the partial's callers may pass it by keyword
            if op.name in binding:
                binding[op.new_name] = binding.pop(op.name)
            kw_order = [op.new_name if n == op.name else n for n in kw_order]
            renames[op.name] = op.new_name
        cur = apply_ops(cur, [op], receiver)
    new_own = cur[skip:]
    if partial and before_tail != _unbound_positional(cur, skip, binding):
        return None
    out: list[str] = []
    keywords: list[tuple[str, str]] = []
    prefix = True
    for p in new_own:
        if p.kind == VAR_POSITIONAL:
            if extra_pos and not prefix:
                return None
            out.extend(extra_pos)
            prefix = False
            continue
        if p.kind == VAR_KEYWORD:
            continue
        b = binding.get(p.name)
        if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD) and prefix and b is not None and b[0] != "kw":
            out.append(b[1])
            continue
        if p.kind in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD) and b is None and not p.has_default and not partial:
            return None  # a required parameter nobody passes: rope's business, or the user's
        prefix = False
        if b is None:
            continue
        if p.kind == POSITIONAL_ONLY:
            return None
        keywords.append((p.name, b[1]))
    if extra_pos and not any(p.kind == VAR_POSITIONAL for p in new_own):
        return None
    order = {n: i for i, n in enumerate(kw_order)}
    keywords.sort(key=lambda kv: order.get(kv[0], len(order)))
    out.extend(f"{k}={v}" for k, v in keywords)
    out.extend(f"{k}={v}" for k, v in extra_kw)
    return out


def _unbound_positional(params: list[Param], skip: int, binding: dict) -> list[str]:
    """The positional parameters a partial's callers fill, in order."""
    out = []
    for p in params[skip:]:
        if p.kind not in (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD):
            break
        if p.name not in binding:
            out.append(p.name)
    return out
