"""The model's code actions on the definition at the cursor: generate or update its docstring,
add type annotations, generate tests; and "Explain with ssc" (`ssc.explain`) on a selection.

Each is a source of the code-action aggregator (code_actions.py): offered at once from the map
(no model call), the model asked only in `codeAction/resolve`, the action's identity (document
and symbol id) in `data`. What the model answers becomes a `Proposal` the aggregator checks; the
findings only these actions can judge (a docstring naming what does not exist, a test asking for
a fixture nothing defines) are added to the check's. Nothing of a secret or ignored file is
sent (refactor.model.refused/redacted).
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..grounding.edit_check import EditProblem
from ..llm.errors import LLMError
from ..map.records import CLASS, FUNCTION, METHOD
from ..refactor import annotate, docstrings, explain, testgen
from ..refactor.model import ask, code_of, redacted, refused
from ..refactor.proposal import Proposal, check
from ..refactor.target import ActionError, Def, def_at, load, with_imports
from ..suggest.assistant import assistant_of
from .code_actions import ActionSource, add_source
from .locate import at
from .progress import progress

log = logging.getLogger(__name__)

EXPLAIN = "ssc.explain"
REWRITE = types.CodeActionKind.RefactorRewrite.value
GENERATE_TESTS = "refactor.generate"  # under `refactor`: the new tests are a new part of the code


def register(server) -> None:
    add_source(server, ActionSource("model.docstring", [REWRITE], offer_docstring, resolve_docstring,
                                    model=True))
    add_source(server, ActionSource("model.annotate", [REWRITE], offer_annotate, resolve_annotate,
                                    model=True))
    add_source(server, ActionSource("model.tests", [GENERATE_TESTS], offer_tests, resolve_tests,
                                    model=True))
    add_source(server, ActionSource("model.explain", [], offer_explain, None, model=True))

    @server.command(EXPLAIN)
    async def explain_command(ls, *args) -> dict:
        arg = args[0] if len(args) == 1 and isinstance(args[0], dict) else None
        if len(args) == 2 and isinstance(args[0], str):  # (uri, range), as some clients send it
            arg = {"textDocument": {"uri": args[0]}, "range": args[1]}
        try:
            uri = arg["textDocument"]["uri"]
            r = arg["range"]
            start = (int(r["start"]["line"]), int(r["start"]["character"]))
            end = (int(r["end"]["line"]), int(r["end"]["character"]))
        except (TypeError, KeyError, ValueError):
            raise JsonRpcInvalidParams(f"{EXPLAIN} takes {{textDocument: {{uri}}, range}}") from None
        try:
            return {"markdown": await _explain(ls, uri, start, end)}
        except (ActionError, LLMError, PermissionError) as e:
            message = e.message if isinstance(e, LLMError) else str(e)
            ls.tell(f"Explain: {message}", types.MessageType.Warning)
            return {"markdown": None, "error": message}


# -- offering (the map only) -----------------------------------------------------------------------


def _model_on(ls) -> bool:
    return getattr(ls.config.llm, "provider", "auto") != "none"


def _def_here(ls, params: types.CodeActionParams, kinds: tuple[str, ...]):
    if not _model_on(ls):
        return None
    here = at(ls, params.text_document.uri, params.range.start)
    if here is None or refused(here.svc, here.fm.path):
        return None
    sym = def_at(here.fm, here.row, kinds)
    return (here, sym) if sym is not None else None


def _offer(kinds: tuple[str, ...], make):
    """An `offer` for the definition at the cursor: `make(here, symbol)` says the action's
    (title, kind, symbol), or None when it does not apply there."""
    def offer(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
        found = _def_here(ls, params, kinds)
        made = make(*found) if found is not None else None
        if made is None:
            return []
        title, kind, sym = made
        return [types.CodeAction(title=title, kind=kind,
                                 data={"uri": params.text_document.uri, "symbol": sym.id})]
    offer.__doc__ = make.__doc__
    return offer


def _docstring(here, sym):
    """Any function or class: "update" when it has a docstring."""
    verb = "Update the docstring of" if sym.doc else "Generate a docstring for"
    return f"{verb} {sym.name} (ssc)", REWRITE, sym


def _annotate(here, sym):
    """A function with a parameter (not self/cls) or a return without an annotation."""
    sig = sym.signature
    if sig is None:
        return None
    params = sig.params[1:] if sym.kind == METHOD and "staticmethod" not in sym.decorators else sig.params
    if sig.returns and all(p.annotation for p in params):
        return None
    return f"Add type annotations to {sym.name} (ssc)", REWRITE, sym


def _tests(here, sym):
    """A function a test can import (a closure: its function), not in a test module."""
    if testgen.is_test_path(here.fm.path) or here.fm.path.endswith("conftest.py"):
        return None
    while sym is not None and not testgen.importable(here.fm, sym):
        sym = here.fm.by_id.get(sym.parent or "")
    if sym is None or sym.kind not in (FUNCTION, METHOD):
        return None
    return f"Generate tests for {sym.name} (ssc)", GENERATE_TESTS, sym


offer_docstring = _offer((FUNCTION, METHOD, CLASS), _docstring)
offer_annotate = _offer((FUNCTION, METHOD), _annotate)
offer_tests = _offer((FUNCTION, METHOD), _tests)


def offer_explain(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    if not _model_on(ls) or params.range.start == params.range.end:
        return []
    found = ls.service_for(params.text_document.uri)
    if found is None or refused(*found):
        return []
    arg = {"textDocument": {"uri": params.text_document.uri},
           "range": {"start": {"line": params.range.start.line, "character": params.range.start.character},
                     "end": {"line": params.range.end.line, "character": params.range.end.character}}}
    return [types.CodeAction(title="Explain with ssc",
                             command=types.Command(title="Explain with ssc", command=EXPLAIN, arguments=[arg]))]


# -- resolving (the model) -----------------------------------------------------------------------


def _target(ls, action: types.CodeAction) -> Def:
    data = action.data if isinstance(action.data, dict) else {}
    found = ls.service_for(str(data.get("uri", "")))
    if found is None or not isinstance(data.get("symbol"), str):
        raise ActionError("the document of this action is no longer open in a workspace")
    return load(found[0], found[1], data["symbol"])


def _told(fn):
    """A resolve that tells the user why it could not go on (and leaves the action as it was)."""
    async def resolve(ls, action: types.CodeAction):
        try:
            return await fn(ls, action)
        except (ActionError, PermissionError) as e:
            ls.tell(f"{action.title}: {e}", types.MessageType.Warning)
            return action
    resolve.__doc__ = fn.__doc__
    return resolve


async def _ask(ls, title: str, task: str) -> str:
    async with progress(ls, title, message="asking the model"):
        return await ask(assistant_of(ls), task)


def _code(d: Def) -> str:
    return redacted(d.svc, d.rel, d.source)


@_told
async def resolve_docstring(ls, action: types.CodeAction) -> Proposal:
    d = _target(ls, action)
    style = docstrings.detect_style(d.svc)
    r = d.sym.range
    facts = "\n".join(f.text for f in explain.facts(d.svc, d.fm, (r[0], r[1]), (r[2], r[3])))
    answer = await _ask(ls, action.title, docstrings.task(d, style, _code(d), facts))
    text = docstrings.docstring_text(answer)
    after = docstrings.placed(d, text)
    p = check(Proposal(f"Docstring of {d.sym.name} ({style.name} style)", REWRITE, d.svc,
                       {d.rel: after}, model_made=True))
    _add(p, docstrings.unknown_names(d, text, after))
    return p


@_told
async def resolve_annotate(ls, action: types.CodeAction) -> Proposal:
    d = _target(ls, action)
    h = annotate.header_of(d)
    found = await annotate.slots(d, h)
    if not found:
        raise ActionError(f"{d.sym.name} is already annotated")
    task = annotate.task(d, _code(d), found, annotate.call_sites(d))
    answer = await _ask(ls, action.title, task)
    got = annotate.new_header(code_of(answer), h.tree)
    after, used = annotate.annotated(d, h, got)
    if after == d.data:
        raise ActionError("the model added no annotation")
    after = with_imports(after, annotate.imports_for(d, used, found))
    return check(Proposal(f"Annotate {d.sym.name}", REWRITE, d.svc, {d.rel: after}, model_made=True))


@_told
async def resolve_tests(ls, action: types.CodeAction) -> Proposal:
    d = _target(ls, action)
    plan = testgen.plan(d)
    existing = testgen.existing_text(d, plan)
    answer = await _ask(ls, action.title, testgen.task(d, plan, _code(d), existing))
    after, first_new = testgen.merged(d, plan, code_of(answer))
    before = d.svc.text_now(plan.path) if plan.exists else None
    where = "to " + plan.path if plan.exists else "in a new file " + plan.path
    p = check(Proposal(f"Tests for {d.sym.name} {where}", GENERATE_TESTS, d.svc, {plan.path: after},
                       model_made=True))
    _add(p, testgen.problems(plan, before, after, first_new))
    return p


def _add(p: Proposal, found: list[EditProblem]) -> None:
    """Findings only the action can judge, beside the edit check's."""
    if found and p.result is not None:
        p.result.problems.extend(found)


async def _explain(ls, uri: str, start: tuple[int, int], end: tuple[int, int]) -> str:
    here = at(ls, uri, types.Position(*start))
    there = ls.where(uri, types.Position(*end))
    if here is None or there is None:
        raise ActionError("the document is not in a workspace the server maps")
    task, found = explain.prepare(here.svc, here.fm, (here.row, here.col), (there.row, there.col))
    answer = await _ask(ls, "Explain with ssc", task)
    if not answer.strip():
        raise ActionError("the model answered nothing")
    return explain.markdown(answer, found)

