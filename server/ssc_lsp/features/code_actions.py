"""`textDocument/codeAction` and `codeAction/resolve`: one aggregator for every source of actions.

Sources (`ActionSource`) register from their own feature modules (`add_source`): the map's
certain fixes (map_actions.py), the refactor commands, the model's actions. The aggregator
answers at once: each source's `offer` is cheap and calls no model; model work waits for
`codeAction/resolve`, routed by `data["source"]` to the source that offered the action (the
action's identity and the state it needs live in `data`, never in module globals).

- `context.only` and the sources' kinds decide which sources are asked at all.
- Model actions carry `CodeActionTag.LLMGenerated` where the client declares tag support.
- A resolve that yields a `Proposal` is checked and shaped by features/deliver.py; what the check
  found is in the edit's change annotation, and told as a message to a client that cannot show
  annotations.
- A client without `resolveSupport` for `edit` gets such actions as a command
  (`ssc.applyAction`) that resolves and asks the client to apply, with the same check.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..llm.errors import LLMError
from ..refactor.proposal import Proposal, check, summary
from .deliver import deliver, workspace_edit_of
from .locate import client_supports

log = logging.getLogger(__name__)

APPLY_ACTION = "ssc.applyAction"
Offer = Callable[[Any, types.CodeActionParams], list[types.CodeAction]]
Resolve = Callable[[Any, types.CodeAction], Awaitable["Proposal | types.CodeAction"]]


@dataclass
class ActionSource:
    name: str  # CodeAction.data["source"]
    kinds: list[str]  # the CodeActionKinds it may offer
    offer: Offer  # fast, no model
    resolve: Resolve | None = None  # the work (the model's) for an offered action
    model: bool = False  # its actions are model-made: tagged LLMGenerated


@dataclass
class Actions:
    sources: list[ActionSource] = field(default_factory=list)
    options: types.CodeActionOptions = field(default_factory=lambda: types.CodeActionOptions(
        code_action_kinds=[], resolve_provider=True))

    def add(self, source: ActionSource) -> None:
        self.sources.append(source)
        for k in source.kinds:
            if k not in self.options.code_action_kinds:
                self.options.code_action_kinds.append(k)

    def named(self, name: object) -> ActionSource | None:
        return next((s for s in self.sources if s.name == name), None)


def add_source(server, source: ActionSource) -> None:
    """Register a source of code actions (call from a feature module's `register`)."""
    server.code_actions.add(source)


def wanted(kinds: list[str], only: list | None) -> bool:
    """Whether a source offering `kinds` may answer a request limited to `only`: a kind matches
    when it equals or lies under (`refactor.extract` under `refactor`) a requested one."""
    if not only:
        return True
    return any(_kind(k) == _kind(o) or _kind(k).startswith(f"{_kind(o)}.") for k in kinds for o in only)


def _kind(k: object) -> str:
    """A CodeActionKind's string: lsprotocol's enum members print as `CodeActionKind.Refactor`."""
    return str(getattr(k, "value", k))


def _resolves_edit(ls) -> bool:
    props = client_supports(ls, "text_document.code_action.resolve_support.properties") or []
    return "edit" in props


def _tags_llm(ls) -> bool:
    tags = client_supports(ls, "text_document.code_action.tag_support.value_set") or []
    return types.CodeActionTag.LLMGenerated in tags


def _finish(ls, source: ActionSource, action: types.CodeAction) -> types.CodeAction:
    """Tag and route an offered action: `data` names its source (only to a client that keeps
    `data`); an action whose edit is still to be made becomes a command where the client
    cannot resolve it."""
    data = {**(action.data if isinstance(action.data, dict) else {}), "source": source.name}
    if source.model and _tags_llm(ls):
        action.tags = [types.CodeActionTag.LLMGenerated]
    keeps_data = bool(client_supports(ls, "text_document.code_action.data_support"))
    later = source.resolve is not None and action.edit is None and action.command is None
    if later and not (keeps_data and _resolves_edit(ls)):
        action.command = types.Command(title=action.title, command=APPLY_ACTION,
                                       arguments=[{**data, "title": action.title}])
        action.data = None
    else:
        action.data = data if keeps_data else None
    return action


def register(server) -> None:
    server.code_actions = Actions()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, server.code_actions.options)
    def code_action(ls, params: types.CodeActionParams):
        if not client_supports(ls, "text_document.code_action.code_action_literal_support"):
            return None  # a client that takes only commands: these actions are edits
        only = params.context.only
        out: list[types.CodeAction] = []
        for source in ls.code_actions.sources:
            if not wanted(source.kinds, only):
                continue
            try:
                offered = source.offer(ls, params)
            except Exception:
                log.exception("code action source %s failed", source.name)
                continue
            out.extend(_finish(ls, source, a) for a in offered
                       if a.kind is None or wanted([_kind(a.kind)], only))
        return out

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        source = ls.code_actions.named(data.get("source"))
        if source is None or source.resolve is None:
            return action
        try:
            done = await source.resolve(ls, action)
        except LLMError as e:
            ls.tell(f"{action.title}: {e.message}", types.MessageType.Warning)
            return action
        if isinstance(done, types.CodeAction):
            return done
        check(done)
        try:
            action.edit = workspace_edit_of(ls, done)
        except LookupError as e:
            ls.tell(f"{action.title}: {e}", types.MessageType.Warning)
            return action
        if done.problems and action.edit.change_annotations is None:
            ls.tell(f"{action.title} — {summary(done)}", types.MessageType.Warning)
        return action

    @server.command(APPLY_ACTION)
    async def apply_action(ls, *args) -> dict:
        data = args[0] if len(args) == 1 and isinstance(args[0], dict) else None
        source = ls.code_actions.named(data.get("source")) if data else None
        if source is None or source.resolve is None:
            raise JsonRpcInvalidParams(f"{APPLY_ACTION} takes the data of an offered code action")
        action = types.CodeAction(title=str(data.get("title", source.name)), data=data)
        try:
            done = await source.resolve(ls, action)
        except LLMError as e:
            ls.tell(f"{action.title}: {e.message}", types.MessageType.Warning)
            return {"applied": False, "error": e.message}
        if isinstance(done, Proposal):
            return await deliver(ls, done)
        if done.edit is not None:
            answer = await ls.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=done.edit, label=done.title))
            return {"applied": bool(getattr(answer, "applied", False))}
        return {"applied": False}
