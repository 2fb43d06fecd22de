"""The model edits code, the map checks: `ssc.refactor`, "Fix with ssc" for any diagnostic, and
"Implement with ssc" for a stub.

Thin: the prompts, the edit format and the repair round are refactor/briefing.py, edit_loop.py,
stubs.py and model_edit.py; delivery is features/deliver.py (what still fails after the repair round
is delivered with its problems, never as if fine). The code actions are offered at once from the
map (no model); the model is called in `codeAction/resolve` (code_actions.py routes it here by
`data["source"]`), with work-done progress while it runs where the client shows it.
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..llm.errors import LLMError
from ..llm.settings import resolve_provider_kind
from ..map.filemap import FileMap
from ..map.records import CLASS, FUNCTION, METHOD, Symbol
from ..map.workspace import Located
from ..refactor.briefing import SYSTEM, Briefing, definitions_at
from ..refactor.edit_loop import FAILED, Attempt, builder, ground_edit, map_hints
from ..refactor.model import ask
from ..refactor.proposal import Proposal
from ..refactor.stubs import is_stub, wants_body
from ..suggest.assistant import assistant_of
from .code_actions import ActionSource, add_source
from .deliver import deliver
from .locate import RequestFailed, map_source, whole_map
from .progress import progress

log = logging.getLogger(__name__)

REFACTOR = "ssc.refactor"
FIX_SOURCE, STUB_SOURCE = "modelFix", "modelStub"
FIX_TITLE_CHARS = 70  # of the diagnostic's message in "Fix with ssc: ..."


def register(server) -> None:
    add_source(server, ActionSource(FIX_SOURCE, [types.CodeActionKind.QuickFix.value],
                                    offer_fixes, resolve_fix, model=True))
    add_source(server, ActionSource(STUB_SOURCE, [types.CodeActionKind.RefactorRewrite.value],
                                    offer_stub, resolve_stub, model=True))

    @server.command(REFACTOR)
    async def refactor(ls, *args) -> dict:
        return await run_refactor(ls, _one_object(args))


# -- ssc.refactor -----------------------------------------------------------------------------------


def _one_object(args: tuple) -> dict:
    arg = args[0] if len(args) == 1 else None
    arg = arg._asdict() if hasattr(arg, "_asdict") else arg
    if not isinstance(arg, dict):
        raise JsonRpcInvalidParams(f"{REFACTOR} takes one object {{textDocument, range?|position?, instruction}}")
    return {k: (v._asdict() if hasattr(v, "_asdict") else v) for k, v in arg.items()}


def _point(obj) -> types.Position | None:
    obj = obj._asdict() if hasattr(obj, "_asdict") else obj
    if isinstance(obj, dict) and isinstance(obj.get("line"), int) and isinstance(obj.get("character"), int):
        return types.Position(obj["line"], obj["character"])
    return None


async def run_refactor(ls, arg: dict) -> dict:
    doc = arg.get("textDocument")
    uri = doc.get("uri") if isinstance(doc, dict) else None
    instruction = arg.get("instruction")
    rng = arg.get("range") if isinstance(arg.get("range"), dict) else None
    start = _point(rng.get("start")) if rng else _point(arg.get("position"))
    end = _point(rng.get("end")) if rng else start
    if not isinstance(uri, str) or not isinstance(instruction, str) or not instruction.strip() or \
            start is None or end is None:
        raise JsonRpcInvalidParams(f"{REFACTOR} takes {{textDocument: {{uri}}, range or position, instruction}}")
    found = ls.service_for(uri)
    if found is None:
        raise RequestFailed(f"ssc: {uri} is not in a mapped workspace folder")
    svc, rel = found
    await whole_map(svc, "a refactor (it must see every caller)")
    a, b = ls.where(uri, start), ls.where(uri, end)
    fm = svc.ensure(rel)
    if a is None or b is None or fm is None:
        raise RequestFailed(f"ssc: {rel} is not mapped")
    subjects = definitions_at(fm, (a.row, a.col), (b.row, b.col))
    if not subjects:
        raise RequestFailed("ssc: put the cursor or the selection in a function or class to refactor")
    title = f"Refactor {', '.join(s.qualname for s in subjects)}: {_short(instruction, 50)}"
    read = map_source(svc)
    brief = Briefing(svc, read, f"Instruction: {instruction.strip()}\n\nChange the code below as the "
                                "instruction says. The places that use it are shown after it: update "
                                "each one your change breaks (files not opened in the editor too).")
    try:
        for sym in subjects:
            if not brief.definition(rel, sym, "The definition to change,"):
                raise RequestFailed(f"ssc: `{sym.qualname}` in {rel} cannot be sent to the model "
                                    "(the file is ignored or secret-looking, or too long)")
        brief.names(fm, subjects[0])
        for sym in subjects:
            brief.callers(Located(fm, sym))
        attempt = await _attempt(ls, brief, title, "refactor.rewrite", params=arg)
    except (LLMError, PermissionError) as e:
        message = e.message if isinstance(e, LLMError) else str(e)
        ls.tell(f"{title}: {message}", types.MessageType.Warning)
        return {"title": title, "applied": False, "error": message, "outcome": FAILED}
    if attempt.proposal is None:
        ls.tell(f"{title}: {attempt.error}", types.MessageType.Warning)
        return {"title": title, "applied": False, "error": attempt.error, "outcome": FAILED}
    out = await deliver(ls, attempt.proposal, apply=arg.get("apply", True) is not False)
    out["outcome"] = attempt.outcome
    return out


def _short(text: str, n: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[:n - 1] + "…"


async def _attempt(ls, brief: Briefing, title: str, kind: str, params: object = None) -> Attempt:
    """The model's edit with one repair round, under work-done progress; counted in ssc/stats."""
    assistant = assistant_of(ls)

    async def asked(task: str) -> str:
        return await ask(assistant, task, system=SYSTEM)

    async with progress(ls, f"ssc: {title}", params=params):
        attempt = await ground_edit(brief.text(), asked, builder(brief.svc, brief.read, title, kind),
                                    map_hints(brief.svc))
    assistant.counters[f"edits{attempt.outcome.capitalize()}"] += 1
    return attempt


async def _proposal(ls, brief: Briefing, title: str, kind: str) -> Proposal:
    """For a code action's resolve: the proposal, or LLMError saying why there is none (the
    aggregator tells the user)."""
    attempt = await _attempt(ls, brief, title, kind)
    if attempt.proposal is None:
        raise LLMError("protocol", attempt.error or "the model's answer could not be used")
    return attempt.proposal


# -- code actions -----------------------------------------------------------------------------------


def _llm_on(ls) -> bool:
    """Model actions are offered where a real model answers: an endpoint (`llm.baseUrl`), or the
    embedded model chosen on purpose (`llm.provider: local`), not the embedded default of
    `auto`, which cannot write a whole definition worth checking."""
    settings = assistant_of(ls).providers.effective(ls.config.llm)
    return resolve_provider_kind(settings) == "openai" or settings.provider == "local"


def _file(ls, uri: str) -> tuple | None:
    found = ls.service_for(uri)
    if found is None:
        return None
    svc, rel = found
    fm = svc.ensure(rel)
    data = map_source(svc)(rel)
    return (svc, rel, fm, data) if fm is not None and data is not None else None


def _defs_at(ls, uri: str, pos: types.Position, fm: FileMap, kinds=(FUNCTION, METHOD, CLASS)) -> list[Symbol]:
    here = ls.where(uri, pos)
    if here is None:
        return []
    return [s for s in definitions_at(fm, (here.row, here.col)) if s.kind in kinds]


def offer_fixes(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    """"Fix with ssc: <message>" for each diagnostic of the request inside a definition."""
    if not params.context.diagnostics or not _llm_on(ls):
        return []
    uri = params.text_document.uri
    f = _file(ls, uri)
    if f is None:
        return []
    out = []
    for d in params.context.diagnostics:
        if not _defs_at(ls, uri, d.range.start, f[2]):
            continue  # top-level code has no definition to rewrite
        message = d.message.split("\n", 1)[0]
        out.append(types.CodeAction(
            title=f"Fix with ssc: {_short(message, FIX_TITLE_CHARS)}", kind=types.CodeActionKind.QuickFix,
            diagnostics=[d], data={"uri": uri, "line": d.range.start.line, "character": d.range.start.character,
                                   "endLine": d.range.end.line, "endCharacter": d.range.end.character,
                                   "message": d.message, "origin": d.source or "", "code": str(d.code or "")}))
    return out


async def resolve_fix(ls, action: types.CodeAction) -> Proposal:
    data = action.data
    uri = data["uri"]
    f = _file(ls, uri)
    if f is None:
        raise LLMError("config", f"{uri} is no longer mapped")
    svc, rel, fm, _data = f
    start = types.Position(data["line"], data["character"])
    defs = _defs_at(ls, uri, start, fm)
    if not defs:
        raise LLMError("config", "the problem is no longer inside a function or class")
    sym = defs[0]
    here = ls.where(uri, start)
    end = ls.where(uri, types.Position(data.get("endLine", data["line"]), data.get("endCharacter", data["character"])))
    origin = f" ({data['origin']}{' ' + data['code'] if data.get('code') else ''})" if data.get("origin") else ""
    brief = Briefing(svc, map_source(svc),
                     f"Fix this problem{origin} reported at {rel}:{data['line'] + 1}: {data['message']}\n\n"
                     "Change as little as needed; keep everything else of the definition as it is.")
    if not brief.definition(rel, sym, "The definition with the problem,"):
        raise LLMError("config", f"{rel} may not be sent to a model (ignored or secret-looking)")
    if here is not None and end is not None and here.row == end.row:  # the name it points at
        brief.near(fm, sym, here.index.line_bytes(here.row)[here.col:end.col].decode("utf-8", "replace"))
    brief.names(fm, sym)
    return await _proposal(ls, brief, action.title, types.CodeActionKind.QuickFix.value)


def offer_stub(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    """"Implement `f` with ssc" where the cursor is in a function whose body is still a stub."""
    if not _llm_on(ls):
        return []
    uri = params.text_document.uri
    f = _file(ls, uri)
    if f is None:
        return []
    defs = _defs_at(ls, uri, params.range.start, f[2], kinds=(FUNCTION, METHOD))
    if not defs or not is_stub(f[3], defs[0]) or not wants_body(f[0], f[2], defs[0]):
        return []
    sym = defs[0]
    return [types.CodeAction(title=f"Implement `{sym.qualname}` with ssc", kind=types.CodeActionKind.RefactorRewrite,
                             data={"uri": uri, "symbol": sym.qualname})]


async def resolve_stub(ls, action: types.CodeAction) -> Proposal:
    data = action.data
    f = _file(ls, data["uri"])
    if f is None:
        raise LLMError("config", f"{data['uri']} is no longer mapped")
    svc, rel, fm, _data = f
    sym = fm.lookup(data["symbol"])
    if sym is None or not is_stub(_data, sym):
        raise LLMError("config", f"`{data['symbol']}` is no longer a stub in {rel}")
    await whole_map(svc, "implementing a stub (it reads the callers)")
    brief = Briefing(svc, map_source(svc),
                     f"Implement `{sym.qualname}` in `{rel}`: its body is a stub. Keep its signature and "
                     "docstring; write the body from what its name, docstring, types and callers say. "
                     "Use only names that exist (listed here) or that you add.")
    if not brief.definition(rel, sym, "The stub,"):
        raise LLMError("config", f"{rel} may not be sent to a model (ignored or secret-looking)")
    brief.types_of(fm, sym)
    brief.names(fm, sym)
    brief.callers(Located(fm, sym))
    return await _proposal(ls, brief, action.title, types.CodeActionKind.RefactorRewrite.value)
