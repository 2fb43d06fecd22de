"""A file's units as bytes: nested tuples of plain values, through `marshal`.

Why not pickle: pickling slotted dataclasses goes through copyreg object by object, and a warm
start of a Django-size workspace spent most of its second there. marshal reads plain tuples
about ten times faster, and rebuilding the objects from tuples is cheap. The same bytes travel
from the index workers to the server and into SQLite without being encoded twice.

FORMAT is part of the store's schema: change it whenever a record gains or loses a field.
"""

from __future__ import annotations

import marshal

from .records import Param, Ref, Signature, Symbol, Unit

FORMAT = 4  # 2: body hashes are CRC-32 (stable across processes); 3: keyword and relative-module refs;
# 4: Symbol.subkind


def _sym(s: Symbol) -> tuple:
    sig = None
    if s.signature is not None:
        sig = (tuple((p.name, p.kind, p.has_default, p.annotation) for p in s.signature.params),
               s.signature.returns, s.signature.is_async)
    return (s.id, s.kind, s.name, s.qualname, s.parent, s.span, s.name_span, s.name_byte, sig,
            tuple(s.decorators), s.doc, tuple(s.bases), s.body_hash, s.value, s.target,
            s.annotation, s.dynamic, s.subkind)


def _ref(r: Ref) -> tuple:
    return (r.name, r.kind, r.scope, r.row, r.col, r.end_col, r.byte, r.receiver, r.nargs,
            r.kwargs, r.star, r.module)


def encode(units: list[Unit]) -> bytes:
    return marshal.dumps(tuple(
        (u.start_byte, u.end_byte, u.start_row, u.end_row, u.end_col, u.context, u.kind,
         tuple(_sym(s) for s in u.symbols), tuple(_ref(r) for r in u.refs), tuple(u.bindings),
         tuple(u.all_names) if u.all_names is not None else None, tuple(u.star_imports),
         {k: tuple(v) for k, v in u.scopes.items()}, {k: tuple(v) for k, v in u.globals.items()},
         u.doc)
        for u in units))


def _unsym(t: tuple) -> Symbol:
    sig = t[8]
    if sig is not None:
        sig = Signature([Param(*p) for p in sig[0]], sig[1], sig[2])
    return Symbol(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], sig, list(t[9]), t[10],
                  list(t[11]), t[12], t[13], t[14], t[15], t[16], t[17])


def decode(data: bytes) -> list[Unit]:
    out = []
    for t in marshal.loads(data):
        out.append(Unit(
            t[0], t[1], t[2], t[3], t[4], t[5], t[6],
            [_unsym(s) for s in t[7]], [Ref(*r) for r in t[8]], list(t[9]),
            list(t[10]) if t[10] is not None else None, list(t[11]),
            {k: list(v) for k, v in t[12].items()}, {k: list(v) for k, v in t[13].items()},
            t[14]))
    return out
