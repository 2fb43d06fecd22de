"""`textDocument/codeAction` and `codeAction/resolve`: one aggregator for every source of actions.

Sources (`ActionSource`) register from their own feature modules (`add_source`): the map's
certain fixes (map_actions.py), the refactor commands, the model's actions. The aggregator
answers at once: each source's `offer` is cheap and calls no model; model work waits for
`codeAction/resolve`, routed by `data["source"]` to the source that offered the action (the
action's identity and the state it needs live in `data`, never in module globals).

- `context.only` and the sources' kinds decide which sources are asked at all.
- Model actions carry `CodeActionTag.LlmGenerated` where the client declares tag support.
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
from enum import Enum
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..llm.errors import LLMError
from ..map.languages import language_for_path
from ..refactor import stats
from ..refactor.model import refused
from ..refactor.proposal import Proposal, check, summary
from .deliver import count_checked, deliver, workspace_edit_of
from .locate import client_supports
from .progress import progress

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
    # the map languages (Language.name) of the documents it is asked for; None: every language.
    # Python by default: the engines (rope, jedi) and the model's edit formats are Python's.
    languages: tuple[str, ...] | None = ("python",)


@dataclass
class Actions:
    sources: list[ActionSource] = field(default_factory=list)
    options: types.CodeActionOptions = field(default_factory=lambda: types.CodeActionOptions(
        code_action_kinds=[], resolve_provider=True))

    def add(self, source: ActionSource) -> None:
        self.sources.append(source)
        for k in map(kind_text, source.kinds):
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
    return any(kind_text(k) == kind_text(o) or kind_text(k).startswith(f"{kind_text(o)}.")
               for k in kinds for o in only)


def kind_text(kind: object) -> str:
    """A CodeActionKind as it goes on the wire (`refactor.extract`): lsprotocol's kinds are
    str enums, whose str() and format() on Python 3.11 are `CodeActionKind.RefactorExtract`."""
    return kind.value if isinstance(kind, Enum) else str(kind)


def _resolves_edit(ls) -> bool:
    props = client_supports(ls, "text_document.code_action.resolve_support.properties") or []
    return "edit" in props


def resolves_later(ls) -> bool:
    """The client keeps an action's `data` and asks `codeAction/resolve` for its edit: a source
    may leave costly work (the model, the edit check) to resolve."""
    return bool(client_supports(ls, "text_document.code_action.data_support")) and _resolves_edit(ls)


def _tags_llm(ls) -> bool:
    tags = client_supports(ls, "text_document.code_action.tag_support.value_set") or []
    return types.CodeActionTag.LlmGenerated in tags


def _finish(ls, source: ActionSource, action: types.CodeAction) -> types.CodeAction:
    """Tag and route an offered action: `data` names its source (only to a client that keeps
    `data`); an action whose edit is still to be made becomes a command where the client
    cannot resolve it."""
    data = {**(action.data if isinstance(action.data, dict) else {}), "source": source.name}
    if source.model and _tags_llm(ls):
        action.tags = [types.CodeActionTag.LlmGenerated]
    keeps_data = bool(client_supports(ls, "text_document.code_action.data_support"))
    later = source.resolve is not None and action.edit is None and action.command is None
    if later and not resolves_later(ls):
        action.command = types.Command(title=action.title, command=APPLY_ACTION,
                                       arguments=[{**data, "title": action.title}])
        action.data = None
    else:
        action.data = data if keeps_data else None
    return action


def _document(ls, uri: str) -> tuple[str | None, bool]:
    """The document's map language (None: no map holds it), and whether nothing of it may be
    sent to a model (ignored, secret-looking, outside)."""
    found = ls.service_for(uri)
    if found is None:
        return None, True
    lang = language_for_path(found[1])
    return (lang.name if lang is not None else None), refused(found[0], found[1]) is not None


def register(server) -> None:
    server.code_actions = Actions()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, server.code_actions.options)
    def code_action(ls, params: types.CodeActionParams):
        if not client_supports(ls, "text_document.code_action.code_action_literal_support"):
            return None  # a client that takes only commands: these actions are edits
        only = params.context.only
        # the kinds the client declared it knows (LSP: values outside may be dropped or shown
        # as something else): none outside them is offered
        known = client_supports(
            ls, "text_document.code_action.code_action_literal_support.code_action_kind.value_set") or None
        out: list[types.CodeAction] = []
        language, private = _document(ls, params.text_document.uri)
        for source in ls.code_actions.sources:
            if source.model and private:
                continue  # nothing of this document may reach a model: no model action offered
            if source.languages is not None and language not in source.languages:
                continue
            if not source.kinds:  # kind-less actions (a command such as "Explain"): unfiltered asks only
                if only:
                    continue
            elif not wanted(source.kinds, only) or not wanted(source.kinds, known):
                continue
            try:
                offered = source.offer(ls, params)
            except Exception:
                log.exception("code action source %s failed", source.name)
                continue
            kept = [_finish(ls, source, a) for a in offered
                    if a.kind is None or (wanted([a.kind], only) and wanted([a.kind], known))]
            if source.model and kept:
                stats.count(ls, stats.OFFERED, source.name, len(kept))
            out.extend(kept)
        return out

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        source = ls.code_actions.named(data.get("source"))
        if source is None or source.resolve is None:
            return action
        try:
            done = await _resolve(ls, source, action)
        except LLMError as e:
            ls.tell(f"{action.title}: {e.message}", types.MessageType.Warning)
            return action
        if isinstance(done, types.CodeAction):
            return done
        check(done)
        try:
            action.edit = workspace_edit_of(ls, done)
        except LookupError as e:
            stats.count(ls, stats.REFUSED, source.name)
            ls.tell(f"{action.title}: {e}", types.MessageType.Warning)
            return action
        count_checked(ls, done, source.name)
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
            done = await _resolve(ls, source, action)
        except LLMError as e:
            ls.tell(f"{action.title}: {e.message}", types.MessageType.Warning)
            return {"applied": False, "error": e.message}
        if isinstance(done, Proposal):
            return await deliver(ls, done, action=source.name)
        if done.edit is not None:
            answer = await ls.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=done.edit, label=done.title))
            return {"applied": bool(getattr(answer, "applied", False))}
        return {"applied": False}


async def _resolve(ls, source: ActionSource, action: types.CodeAction):
    """The source's resolve, with work-done progress while a model source works (cancellable:
    the model's request is closed), counted as resolved when it yields something."""
    if not source.model:
        return await source.resolve(ls, action)
    async with progress(ls, f"ssc: {action.title}", message="asking the model"):
        done = await source.resolve(ls, action)
    stats.count(ls, stats.RESOLVED, source.name)
    return done
