"""textDocument/signatureHelp: the signature of the call open at the cursor, from the map
(map/signature_help.py), or from jedi for callables the map does not hold (installed, stdlib);
in Go, Java, TypeScript/JavaScript and Rust from the map alone (map/call_help.py: Java's
overloads that fit are several signatures).

Shaped for what the client declared: parameter labels as [start, end) offsets (UTF-16 code
units of the label, as LSP counts) only with `labelOffsetSupport`, else as the parameter's text;
a per-signature active parameter only with `activeParameterSupport`. Documentation is the
docstring's first paragraph as a plain string: a docstring is not markdown (`__init__`, `*args`
would be mangled), so no client gets markdown here.

Triggers: `(` and `,` open and move; `=` moves to a keyword's parameter. `)` is a retrigger
character: a client showing help re-asks when a nested call closes (`f(g(x)` is back in f).
"""

from __future__ import annotations

import asyncio

from lsprotocol import types

from ..map.call_help import brace_signatures
from ..map.positions import lsp_col_of_text
from ..map.signature_help import ParamLabel, SignatureInfo, signature_help
from . import jedi_seam
from .locate import at, client_supports

# Seconds a signature help request waits for jedi (installed and stdlib callables). A late
# answer is cached, so the next keystroke (`,`, a letter) shows it.
JEDI_SECONDS = 1.0
TRIGGERS = ["(", ",", "="]
RETRIGGERS = [")"]


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_SIGNATURE_HELP,
                    types.SignatureHelpOptions(trigger_characters=TRIGGERS,
                                               retrigger_characters=RETRIGGERS))
    async def signature_help_(ls, params: types.SignatureHelpParams):
        here = at(ls, params.text_document.uri, params.position)
        if here is None:
            return None
        svc = here.svc
        doc = svc.docs.get(here.fm.path)
        data = doc.data if doc is not None else _read(svc, here.fm.path)
        if data is None:
            return None
        index = doc.index if doc is not None else ls.line_index(svc, here.fm.path)
        byte = index.byte_of_point(here.row, here.col)
        if here.fm.language.calls is not None:  # a brace language: the map alone answers
            return _answer(ls, brace_signatures(svc.resolver, here.fm, data, byte,
                                                doc.tree if doc is not None else None) or [])
        found = signature_help(svc.resolver, here.fm, data, doc.tree if doc is not None else None, byte, _source(svc))
        if found is None:
            return None
        if found.signature is not None:
            return _answer(ls, [found.signature])
        sigs = await asyncio.get_running_loop().run_in_executor(
            None, jedi_seam.signatures, svc, here.fm.path, data, here.row, here.col, JEDI_SECONDS)
        return _answer(ls, [s for s in (_from_jedi(j) for j in sigs or []) if s is not None])


def _answer(ls, sigs: list[SignatureInfo]) -> dict | None:
    """The SignatureHelp as JSON: lsprotocol would send `"activeParameter": null` in every
    SignatureInformation, which LSP 3.18 reads as "no active parameter" in place of the
    top-level one, to clients that never declared either."""
    if not sigs:
        return None
    offsets = client_supports(
        ls, "text_document.signature_help.signature_information.parameter_information.label_offset_support")
    per_signature = client_supports(
        ls, "text_document.signature_help.signature_information.active_parameter_support")
    out = []
    for s in sigs:
        labels: list = []
        for p in s.params:
            if offsets:
                labels.append([lsp_col_of_text(s.label, p.start), lsp_col_of_text(s.label, p.end)])
            else:
                labels.append(s.label[p.start:p.end])
        info: dict = {"label": s.label, "parameters": [{"label": x} for x in labels]}
        if s.doc:
            info["documentation"] = s.doc
        if per_signature:
            info["activeParameter"] = _active(s)
        out.append(info)
    active = next((i for i, s in enumerate(sigs) if s.active is not None), 0)
    # No parameter fits (`f(a, b, ` past the last one): an index past the end, which clients
    # show as no parameter highlighted (0 would point at the wrong one).
    return {"signatures": out, "activeSignature": active, "activeParameter": _active(sigs[active])}


def _active(s: SignatureInfo) -> int:
    return s.active if s.active is not None else len(s.params)


def _from_jedi(sig: dict) -> SignatureInfo | None:
    """A jedi signature: each parameter's text located in the label, in order."""
    label = sig.get("label") or ""
    if not label:
        return None
    spans: list[ParamLabel] = []
    pos = label.find("(") + 1
    for text in sig.get("params") or []:
        at_ = label.find(text, pos)
        if at_ < 0:
            return None
        spans.append(ParamLabel(at_, at_ + len(text)))
        pos = at_ + len(text)
    index = sig.get("index")
    active = index if isinstance(index, int) and 0 <= index < len(spans) else None
    return SignatureInfo(label, spans, sig.get("doc") or None, active)


def _source(svc):
    def source(rel: str) -> bytes | None:
        doc = svc.docs.get(rel)
        return doc.data if doc is not None else _read(svc, rel)
    return source


def _read(svc, rel: str) -> bytes | None:
    text = svc.text_of(rel)
    return text.encode("utf-8") if text is not None else None
