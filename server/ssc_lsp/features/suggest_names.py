"""`ssc.suggestNames` `{textDocument, position}` -> `{"symbol", "names": [{name, reason}],
"refused": [{name, reason}]}` (refactor/names.py), and its code actions (`refactor.rewrite`):
"Suggest better names for `x`" runs the command; once names were suggested for the symbol,
"Rename `x` to `y` (suggested)" for each, resolved through the rename's one code path
(features/rename.rename_edit: the same checks, uncertain uses and refusals as
textDocument/rename). The suggestions are kept per server (the last `REMEMBERED` symbols),
keyed by symbol id; a name is checked again by the rename when applied.
"""

from __future__ import annotations

from collections import OrderedDict

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..llm.errors import LLMError
from ..map.rename import RenameRefused
from ..refactor.extract import NoName
from ..refactor.names import suggest
from ..suggest.assistant import assistant_of
from .code_actions import ActionSource, add_source
from .extract_inline import command_arg
from .locate import RequestFailed, map_source, whole_map
from .progress import progress
from .rename import rename_edit, rename_target

SUGGEST_NAMES = "ssc.suggestNames"
SOURCE = "names"  # CodeAction.data["source"]
REMEMBERED = 32  # symbols whose suggested names are offered as code actions


def register(server) -> None:
    @server.command(SUGGEST_NAMES)
    async def suggest_names(ls, *args) -> dict:
        arg = command_arg(args, SUGGEST_NAMES, "position")
        params = _position_params(arg["textDocument"]["uri"], arg["position"])
        found = ls.service_for(params.text_document.uri)
        if found is not None:  # the rename check must see every use
            await whole_map(found[0], "suggesting names")
        here, loc, _ = rename_target(ls, params)
        try:
            async with progress(ls, f"ssc: asking for names for `{loc.symbol.name}`"):
                out = await suggest(assistant_of(ls), here.svc, loc, map_source(here.svc))
        except (NoName, RenameRefused) as e:
            raise RequestFailed(str(e)) from None
        except LLMError as e:
            raise RequestFailed(f"The model failed: {e}") from None
        _remember(ls, loc.symbol.id, [n["name"] for n in out["names"]])
        return out

    add_source(server, ActionSource(name=SOURCE, kinds=[types.CodeActionKind.RefactorRewrite],
                                    offer=_offer, resolve=_resolve, model=True))


def _position_params(uri: str, position) -> types.TextDocumentPositionParams:
    try:
        pos = types.Position(line=int(position["line"]), character=int(position["character"]))
    except (KeyError, TypeError, ValueError):
        raise JsonRpcInvalidParams("a position is {line, character}") from None
    return types.TextDocumentPositionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)


def _remembered(ls) -> OrderedDict:
    kept = getattr(ls, "suggested_names", None)
    if kept is None:
        kept = ls.suggested_names = OrderedDict()
    return kept


def _remember(ls, symbol_id: str, names: list[str]) -> None:
    kept = _remembered(ls)
    kept[symbol_id] = names
    kept.move_to_end(symbol_id)
    while len(kept) > REMEMBERED:
        kept.popitem(last=False)


def _offer(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri, pos = params.text_document.uri, params.range.start
    try:
        _, loc, _ = rename_target(ls, _position_params(uri, {"line": pos.line, "character": pos.character}))
    except Exception:  # nothing renamable here: no action (the rename itself would say why)
        return []
    arg = {"textDocument": {"uri": uri}, "position": {"line": pos.line, "character": pos.character}}
    name = loc.symbol.name
    out = [types.CodeAction(title=f"Suggest better names for `{name}`", kind=types.CodeActionKind.RefactorRewrite,
                            command=types.Command(title=f"Suggest better names for `{name}`",
                                                  command=SUGGEST_NAMES, arguments=[arg]))]
    for new in _remembered(ls).get(loc.symbol.id, ()):
        out.append(types.CodeAction(title=f"Rename `{name}` to `{new}` (suggested)",
                                    kind=types.CodeActionKind.RefactorRewrite,
                                    data={**arg, "newName": new}))
    return out


async def _resolve(ls, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    arg = command_arg((data,), "a suggested rename", "position")
    new = data.get("newName")
    if not isinstance(new, str):
        raise JsonRpcInvalidParams("a suggested rename carries `newName`")
    at = _position_params(arg["textDocument"]["uri"], arg["position"])
    action.edit = await rename_edit(ls, types.RenameParams(text_document=at.text_document, position=at.position,
                                                           new_name=new))
    return action
