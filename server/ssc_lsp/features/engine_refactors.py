"""`ssc.changeSignature` and `ssc.moveSymbol` (rope's mechanics, the map's completions: see
refactor/change_signature.py and refactor/move_symbol.py), and the code actions that offer them.

Commands take one object argument (shared contract):
- `ssc.changeSignature` `{textDocument, position, changes: [{op: "add", name, default?, value?,
  index?}, {op: "remove", name}, {op: "rename", name, newName}, {op: "reorder", order}], apply?}`
- `ssc.moveSymbol` `{textDocument, position, target?: "pkg/dest.py", apply?}`
and answer with features/deliver.py's dict (the edit, what the check found, the notes).

Code actions (`refactor.rewrite`, `refactor.move`), offered from the map alone, at once:
- on a parameter of a workspace function or method: "Remove parameter `x`" when its body does not
  use it, "Move parameter `x` left" when that keeps the signature valid; their edit is computed
  in `codeAction/resolve` (rope runs there, never while offering);
- on the name of a top-level function or class: "Move `f` to another module…", a command
  (`ssc.moveSymbol` without `target`). The destination is the one thing an engine cannot choose,
  and LSP has no text prompt: the server asks with `window/showMessageRequest`, offering the
  modules beside the source (up to `MOVE_CHOICES`); a client with no message actions is told to
  pass `target`. Editors that can prompt (the VS Code extension, Neovim's `vim.ui.input`) pass
  `target` themselves.
"""

from __future__ import annotations

import logging
import os

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..map.records import CLASS, FUNCTION, METHOD, PARAMETER
from ..map.relations import uses_within
from ..map.workspace import Located
from ..refactor.change_signature import change_signature
from ..refactor.move_symbol import move_symbol
from ..refactor.rope_run import RefactorFailed
from ..refactor.signature_ops import BadChange, apply_ops, first_is_receiver, parse_ops
from .code_actions import ActionSource, add_source
from .deliver import deliver
from .locate import RequestFailed, client_supports, to_range, whole_map

log = logging.getLogger(__name__)

CHANGE_SIGNATURE = "ssc.changeSignature"
MOVE_SYMBOL = "ssc.moveSymbol"
SOURCE = "engine-refactors"
MOVE_CHOICES = 6  # sibling modules offered as message actions when `target` is missing


def _params(args: tuple, name: str, shape: str) -> dict:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        args = tuple(args[0])
    if len(args) != 1 or not isinstance(args[0], dict):
        raise JsonRpcInvalidParams(f"{name} takes one object: {shape}")
    params = args[0]
    doc, pos = params.get("textDocument"), params.get("position")
    if not isinstance(doc, dict) or not isinstance(doc.get("uri"), str) or not isinstance(pos, dict) \
            or not isinstance(pos.get("line"), int) or not isinstance(pos.get("character"), int):
        raise JsonRpcInvalidParams(f"{name} takes one object: {shape}")
    return params


async def _where(ls, params: dict, what: str):
    uri = params["textDocument"]["uri"]
    found = ls.service_for(uri)
    if found is None:
        raise RequestFailed("This file is not in the map.")
    await whole_map(found[0], what)  # every call site and import must be known
    where = ls.where(uri, types.Position(params["position"]["line"], params["position"]["character"]))
    if where is None:
        raise RequestFailed("This file is not in the map.")
    return where


async def run_change_signature(ls, params: dict):
    try:
        ops = parse_ops(params.get("changes"))
    except BadChange as e:
        raise JsonRpcInvalidParams(f"{CHANGE_SIGNATURE}: {e}") from None
    where = await _where(ls, params, "a signature change")
    try:
        return await change_signature(where.svc, where.rel, where.row, where.col, ops)
    except RefactorFailed as e:
        raise RequestFailed(str(e)) from None


async def run_move(ls, params: dict, target: str):
    where = await _where(ls, params, "a move")
    try:
        return await move_symbol(where.svc, where.rel, where.row, where.col, target)
    except RefactorFailed as e:
        raise RequestFailed(str(e)) from None


async def _ask_target(ls, params: dict) -> str | None:
    """The destination, chosen by the user among the modules beside the source."""
    where = ls.where(params["textDocument"]["uri"],
                     types.Position(params["position"]["line"], params["position"]["character"]))
    if where is None:
        raise RequestFailed("This file is not in the map.")
    folder = os.path.dirname(where.rel)
    choices = sorted(p for p in where.svc.ws.files
                     if os.path.dirname(p) == folder and p.endswith(".py") and p != where.rel
                     and not p.endswith("__init__.py"))[:MOVE_CHOICES]
    if not choices or not client_supports(ls, "window.show_message.message_action_item"):
        raise JsonRpcInvalidParams(f"{MOVE_SYMBOL} needs `target`: the root-relative path of the "
                                   "destination module (new or existing)")
    answer = await ls.window_show_message_request_async(types.ShowMessageRequestParams(
        type=types.MessageType.Info, message="Move to which module?",
        actions=[types.MessageActionItem(title=c) for c in choices]))
    return answer.title if answer is not None and answer.title in choices else None


def register(server) -> None:
    @server.command(CHANGE_SIGNATURE)
    async def change_signature_command(ls, *args) -> dict:
        params = _params(args, CHANGE_SIGNATURE, "{textDocument, position, changes: [...], apply?}")
        proposal = await run_change_signature(ls, params)
        return await deliver(ls, proposal, apply=params.get("apply", True) is not False)

    @server.command(MOVE_SYMBOL)
    async def move_symbol_command(ls, *args) -> dict:
        params = _params(args, MOVE_SYMBOL, "{textDocument, position, target, apply?}")
        target = params.get("target")
        if target is None:
            target = await _ask_target(ls, params)
            if target is None:
                return {"applied": False, "cancelled": True}
        proposal = await run_move(ls, params, target)
        return await deliver(ls, proposal, apply=params.get("apply", True) is not False)

    add_source(server, ActionSource(
        name=SOURCE, kinds=[types.CodeActionKind.RefactorRewrite, types.CodeActionKind.RefactorMove],
        offer=_offer, resolve=_resolve))


# -- code actions ----------------------------------------------------------------------------------


def _offer(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    where = ls.where(uri, params.range.start)
    if where is None:
        return []
    fm = where.svc.ws.files.get(where.rel)
    if fm is None or not where.rel.endswith(".py"):
        return []
    target = where.svc.resolver.target_at(fm, where.row, where.col)
    if not isinstance(target, Located) or target.file.path != where.rel:
        return []
    sym = target.symbol
    if sym.name_range[:2] != (where.row, where.col) and not (
            sym.name_range[0] == where.row and sym.name_range[1] <= where.col <= sym.name_range[3]):
        return []  # only on the definition's own name, not on a use
    pos = {"line": params.range.start.line, "character": params.range.start.character}
    here = {"textDocument": {"uri": uri}, "position": pos}
    if sym.kind == PARAMETER:
        return _parameter_actions(ls, where.svc, fm, sym, here)
    if sym.kind in (FUNCTION, CLASS) and not sym.parent:
        title = f"Move `{sym.name}` to another module…"
        return [types.CodeAction(title=title, kind=types.CodeActionKind.RefactorMove,
                                 command=types.Command(title=title, command=MOVE_SYMBOL, arguments=[here]))]
    return []


def _parameter_actions(ls, svc, fm, param, here: dict) -> list[types.CodeAction]:
    owner = fm.lookup(param.parent or "")
    if owner is None or owner.kind not in (FUNCTION, METHOD) or not owner.signature:
        return []
    params = owner.signature.params
    receiver = first_is_receiver(params, owner.kind == METHOD, "staticmethod" in owner.decorators)
    names = [p.name for p in params]
    if param.name not in names or (receiver and names[0] == param.name):
        return []
    name = to_range(ls, svc, fm.path, owner.name_range)  # the command wants the function's name
    if name is None:
        return []
    at_def = {**here, "position": {"line": name.start.line, "character": name.start.character}}
    out = []
    used = any(u.ref.name == param.name and u.ref.kind == "name"
               for u in uses_within(fm, Located(fm, owner)))
    candidates: list[tuple[str, list[dict]]] = []
    if not used:
        candidates.append((f"Remove parameter `{param.name}`", [{"op": "remove", "name": param.name}]))
    i = names.index(param.name)
    if i > (1 if receiver else 0):
        order = names[:i - 1] + [names[i], names[i - 1]] + names[i + 1:]
        candidates.append((f"Move parameter `{param.name}` left", [{"op": "reorder", "order": order}]))
    for title, changes in candidates:
        try:
            apply_ops(list(params), parse_ops(changes), receiver)
        except BadChange:
            continue
        out.append(types.CodeAction(title=title, kind=types.CodeActionKind.RefactorRewrite,
                                    data={**at_def, "changes": changes}))
    return out


async def _resolve(ls, action: types.CodeAction):
    data = action.data if isinstance(action.data, dict) else {}
    params = _params((data,), CHANGE_SIGNATURE, "{textDocument, position, changes}")
    return await run_change_signature(ls, params)
