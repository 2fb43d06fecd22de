"""`ssc.extractFunction`, `ssc.extractVariable`, `ssc.inline` (workspace/executeCommand) and
the same as code actions: `refactor.extract` on a non-empty selection, `refactor.inline` on a
variable the map knows one definition of. Offering costs nothing (the map only); jedi and the
model run in `codeAction/resolve` or the command. The work is refactor/extract.py.

Arguments (one object): `{textDocument: {uri}, range, name?, apply?}` for the extracts,
`{textDocument: {uri}, position, apply?}` for inline. The answer is `deliver`'s dict.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..llm.errors import LLMError
from ..map.positions import LineIndex
from ..map.records import CONSTANT, VARIABLE
from ..map.workspace import Located
from ..refactor import extract as E
from ..refactor.jedi_refactor import Refused
from ..refactor.proposal import Proposal
from ..suggest.assistant import assistant_of
from .code_actions import ActionSource, add_source
from .deliver import deliver
from .locate import RequestFailed, at, map_source, whole_map
from .progress import progress

EXTRACT_FUNCTION = "ssc.extractFunction"
EXTRACT_VARIABLE = "ssc.extractVariable"
INLINE = "ssc.inline"
EXTRACT_SOURCE = "extract"  # CodeAction.data["source"]: the model names what is extracted
INLINE_SOURCE = "inline"  # no model
WHAT = {EXTRACT_FUNCTION: E.FUNCTION, EXTRACT_VARIABLE: E.VARIABLE}


def register(server) -> None:
    @server.command(EXTRACT_FUNCTION)
    async def extract_function(ls, *args) -> dict:
        arg = command_arg(args, EXTRACT_FUNCTION, "range")
        return await _commanded(ls, _extract(ls, arg, E.FUNCTION), bool(arg.get("apply", True)),
                                "ssc: extracting a function")

    @server.command(EXTRACT_VARIABLE)
    async def extract_variable(ls, *args) -> dict:
        arg = command_arg(args, EXTRACT_VARIABLE, "range")
        return await _commanded(ls, _extract(ls, arg, E.VARIABLE), bool(arg.get("apply", True)),
                                "ssc: extracting a variable")

    @server.command(INLINE)
    async def inline(ls, *args) -> dict:
        arg = command_arg(args, INLINE, "position")
        return await _commanded(ls, _inline(ls, arg), bool(arg.get("apply", True)), "ssc: inlining")

    add_source(server, ActionSource(name=EXTRACT_SOURCE, kinds=[types.CodeActionKind.RefactorExtract],
                                    offer=_offer_extract, resolve=_resolve, model=True))
    add_source(server, ActionSource(name=INLINE_SOURCE, kinds=[types.CodeActionKind.RefactorInline],
                                    offer=_offer_inline, resolve=_resolve))


def command_arg(args: tuple, command: str, needs: str) -> dict:
    """The one object argument of a refactor command, with `textDocument.uri` and `needs`."""
    arg = args[0] if len(args) == 1 else None
    if isinstance(arg, list | tuple) and len(arg) == 1:
        arg = arg[0]
    doc = arg.get("textDocument") if isinstance(arg, dict) else None
    if not isinstance(doc, dict) or not isinstance(doc.get("uri"), str) or not isinstance(arg.get(needs), dict):
        raise JsonRpcInvalidParams(f"{command} takes one object {{textDocument: {{uri}}, {needs}, ...}}")
    return arg


async def _document(ls, uri: str):
    """(service, path, text) of a document: the open buffer, else the disk; read once the whole
    map is there (the name's check looks at subclasses, the edit check at every file), and
    nothing awaits between this read and the Proposal but jedi and the model."""
    found = ls.service_for(uri)
    if found is None:
        raise RequestFailed("This file is not in the map.")
    svc, rel = found
    await whole_map(svc, "checking the new name and the edit")
    if svc.ensure(rel) is None:
        raise RequestFailed(f"{rel} is not in the map.")
    data = map_source(svc)(rel)
    if data is None:
        raise RequestFailed(f"{rel} cannot be read.")
    return svc, rel, data


def _bytes_of(data: bytes, pos) -> int:
    try:
        return LineIndex(data).byte_of_lsp(int(pos["line"]), int(pos["character"]))
    except (KeyError, TypeError, ValueError):
        raise JsonRpcInvalidParams("a position is {line, character}") from None


async def _extract(ls, arg: dict, what: str) -> Proposal:
    svc, rel, data = await _document(ls, arg["textDocument"]["uri"])
    rng = arg["range"]
    start, end = _bytes_of(data, rng.get("start")), _bytes_of(data, rng.get("end"))
    name = arg.get("name")
    if name is not None and not isinstance(name, str):
        raise JsonRpcInvalidParams("`name` is a string")
    proposal = await _failing_clearly(E.extract(assistant_of(ls), svc, rel, data, what, start, end, name))
    return _unmoved(svc, rel, data, proposal)


async def _inline(ls, arg: dict) -> Proposal:
    svc, rel, data = await _document(ls, arg["textDocument"]["uri"])
    proposal = await _failing_clearly(E.inline(svc, rel, data, _bytes_of(data, arg["position"])))
    return _unmoved(svc, rel, data, proposal)


def _unmoved(svc, rel: str, data: bytes, proposal: Proposal) -> Proposal:
    """The proposal, if the text it was made from is still the text the client holds (the
    edit is a diff against that text: made from an older one, it would undo what was typed)."""
    if map_source(svc)(rel) != data:
        raise RequestFailed(f"{rel} changed while the refactoring was made; nothing was changed, try again.")
    return proposal


async def _failing_clearly(work) -> Proposal:
    """The Proposal, or RequestFailed with the reason (jedi's, the name's); a model's failure
    stays an LLMError (the aggregator tells it; `_commanded` makes it the command's error)."""
    try:
        return await work
    except (Refused, E.NoName) as e:
        raise RequestFailed(str(e)) from None


async def _commanded(ls, work, apply: bool, title: str) -> dict:
    try:
        async with progress(ls, title):
            proposal = await work
    except LLMError as e:
        raise RequestFailed(f"The model failed: {e}; nothing was changed.") from None
    return await deliver(ls, proposal, apply)


# -- code actions ------------------------------------------------------------------------------


def _offer_extract(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    rng = params.range
    if (rng.start.line, rng.start.character) == (rng.end.line, rng.end.character) or \
            ls.service_for(params.text_document.uri) is None:
        return []
    plain = {"start": {"line": rng.start.line, "character": rng.start.character},
             "end": {"line": rng.end.line, "character": rng.end.character}}
    doc = {"uri": params.text_document.uri}
    return [types.CodeAction(title=f"Extract {what}", kind=types.CodeActionKind.RefactorExtract,
                             data={"command": cmd, "textDocument": doc, "range": plain})
            for cmd, what in WHAT.items()]


def _offer_inline(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri, rng = params.text_document.uri, params.range
    if (rng.start.line, rng.start.character) != (rng.end.line, rng.end.character):
        return []
    here = at(ls, uri, rng.start)
    if here is None:
        return []
    target = here.svc.resolver.target_at(here.fm, here.row, here.col)
    if not isinstance(target, Located) or target.symbol.kind not in (VARIABLE, CONSTANT) or \
            len(target.file.by_qualname.get(target.symbol.qualname, ())) != 1:
        return []
    return [types.CodeAction(
        title=f"Inline `{target.symbol.name}`", kind=types.CodeActionKind.RefactorInline,
        data={"command": INLINE, "textDocument": {"uri": uri},
              "position": {"line": rng.start.line, "character": rng.start.character}})]


async def _resolve(ls, action: types.CodeAction) -> Proposal:
    """The checked Proposal (the aggregator shapes it, features/code_actions.py)."""
    data = action.data if isinstance(action.data, dict) else {}
    command = data.get("command")
    if command in WHAT:
        return await _extract(ls, command_arg((data,), command, "range"), WHAT[command])
    if command == INLINE:
        return await _inline(ls, command_arg((data,), command, "position"))
    raise JsonRpcInvalidParams(f"not a refactor action: {command!r}")
