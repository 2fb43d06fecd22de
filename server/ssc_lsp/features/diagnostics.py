"""Continuity diagnostics (source `ssc`): push or pull, debounced, versioned.

The checks themselves are map/checks.py. Here: when to run them and how to deliver them.

- A change hook marks the changed file, and the files that mention a name whose interface
  changed (read from the history's new events: signature changes, renames, removals,
  additions), for a second look; after `diagnostics.debounceMs` they are checked, open files
  first, yielding to the event loop between files so requests are answered meanwhile.
- Once the index is ready the whole workspace is checked once, so call sites in files that are
  not open are reported too.
- Pull (`textDocument/diagnostic`, `workspace/diagnostic`) is always answered. Push
  (`publishDiagnostics`) is used only when the client declares it and does not pull: a client
  doing both would show every problem twice. A pulling client that supports refresh is told to
  pull again when a change touched other files.
- Results are cached per file on the identity of its map, the workspace generation and the
  history's length, and a result id is a hash of the items, so an unchanged pull costs nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, field

from lsprotocol import types

from ..map.checks import Problem, check_file, check_file_steps, dependents_of
from ..map.history import BODY_CHANGED, RENAMED, Event
from ..map.records import CLASS
from ..map.service import MapService
from .locate import client_supports

log = logging.getLogger(__name__)

SOURCE = "ssc"
IDENTIFIER = "ssc"
STEP_S = 0.004  # work between two turns of the event loop while checking in the background
RETRIES = 3  # re-checks of a file whose map changed under the background check


@dataclass
class Checked:
    key: tuple
    problems: list[Problem]
    result_id: str


@dataclass
class State:
    cache: dict[tuple[str, str], Checked] = field(default_factory=dict)
    published: dict[tuple[str, str], str] = field(default_factory=dict)  # result id pushed
    pending: dict[tuple[str, str], MapService] = field(default_factory=dict)
    cursors: dict[str, Event | None] = field(default_factory=dict)  # last history event seen
    timer: asyncio.TimerHandle | None = None
    task: asyncio.Task | None = None
    indexed: bool = False


# -- computing ------------------------------------------------------------------------------------


def _key(svc: MapService, rel: str) -> tuple:
    """What a file's result depends on: its map, the workspace's interfaces, the history."""
    log_ = svc.history.log
    return (id(svc.ws.files.get(rel)), svc.ws.generation, len(log_), id(log_[-1]) if log_ else 0)


def _store(state: State, svc: MapService, rel: str, key: tuple, problems: list[Problem]) -> Checked:
    digest = hashlib.blake2b(repr([p.key() for p in problems]).encode(), digest_size=8).hexdigest()
    checked = Checked(key, problems, digest)
    state.cache[(svc.root, rel)] = checked
    return checked


def problems_for(state: State, svc: MapService, rel: str) -> Checked:
    key = _key(svc, rel)
    cached = state.cache.get((svc.root, rel))
    if cached is not None and cached.key == key:
        return cached
    fm = svc.ws.files.get(rel)
    return _store(state, svc, rel, key, check_file(svc.ws, svc.resolver, fm) if fm is not None else [])


async def problems_in_steps(ls, state: State, svc: MapService, rel: str) -> None:
    """Fill the cache as `problems_for` would, giving way to requests every STEP_S of work:
    a large module's check holds the loop for tens of milliseconds (~70 on Django's largest),
    and a request arriving meanwhile would wait for all of it. When the map changes between
    steps the file is checked again (at most RETRIES times; then `problems_for` finishes it)."""
    for _ in range(RETRIES):
        key = _key(svc, rel)
        cached = state.cache.get((svc.root, rel))
        fm = svc.ws.files.get(rel)
        if fm is None or (cached is not None and cached.key == key):
            return
        out: list[Problem] = []
        t = time.perf_counter()
        for _step in check_file_steps(svc.ws, svc.resolver, fm, out):
            if time.perf_counter() - t > STEP_S:
                await ls.yield_to_foreground()
                if _key(svc, rel) != key:
                    break
                t = time.perf_counter()
        else:
            _store(state, svc, rel, key, out)
            return


def to_diagnostics(ls, svc: MapService, rel: str, problems: list[Problem]) -> list[types.Diagnostic]:
    index = ls.line_index(svc, rel) if problems else None
    if index is None:
        return []
    return [types.Diagnostic(range=ls.to_range(index, p.range), message=p.message,
                             severity=types.DiagnosticSeverity.Warning, code=p.code, source=SOURCE)
            for p in problems]


def changed_names(state: State, svc: MapService) -> set[str]:
    """Names whose interface changed since the last look, from the history's new events."""
    events = list(svc.history.log)
    last = state.cursors.get(svc.root)
    fresh: list[Event] = []
    for ev in reversed(events):
        if ev is last:
            break
        fresh.append(ev)
    state.cursors[svc.root] = events[-1] if events else None
    names: set[str] = set()
    for ev in fresh:
        if ev.kind == BODY_CHANGED:
            loc = svc.ws.get(ev.symbol)
            if loc is None or loc.symbol.kind != CLASS:  # a class body holds its bases
                continue
        names.add(ev.name)
        names.update(former_names(svc, ev.symbol))
    return names


def former_names(svc: MapService, symbol_id: str, limit: int = 8) -> set[str]:
    """The names a symbol had before its renames (uses of those may be reported now)."""
    out: set[str] = set()
    todo = [symbol_id]
    while todo and len(out) < limit:
        for e in svc.history.for_symbol(todo.pop()):
            if e.kind == RENAMED and e.detail.get("old_name") and e.detail["old_name"] not in out:
                out.add(e.detail["old_name"])
                if e.detail.get("old_id"):
                    todo.append(e.detail["old_id"])
    return out


# -- delivering -----------------------------------------------------------------------------------


def pulls(ls) -> bool:
    return client_supports(ls, "text_document.diagnostic") is not None


def pushes(ls) -> bool:
    return client_supports(ls, "text_document.publish_diagnostics") is not None and not pulls(ls)


def publish(ls, state: State, svc: MapService, rel: str) -> bool:
    """Push one file's diagnostics if they changed; True when something was sent."""
    checked = problems_for(state, svc, rel)
    key = (svc.root, rel)
    before = state.published.get(key)
    if before == checked.result_id or (before is None and not checked.problems):
        return False
    doc = svc.docs.get(rel)
    version = doc.version if doc is not None and client_supports(
        ls, "text_document.publish_diagnostics.version_support") else None
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=ls.uri_of(svc, rel), diagnostics=to_diagnostics(ls, svc, rel, checked.problems),
        version=version))
    if checked.problems:
        state.published[key] = checked.result_id
    else:
        state.published.pop(key, None)
    return True


async def flush(ls, state: State) -> None:
    """Check what is pending, open files first, giving way to requests as it goes."""
    while state.pending:
        batch = state.pending
        state.pending = {}
        order = sorted(batch.items(), key=lambda kv: (kv[0][1] not in kv[1].docs, kv[0]))
        changed = False
        for (_, rel), svc in order:
            try:
                before = state.cache.get((svc.root, rel))
                await problems_in_steps(ls, state, svc, rel)
                if pushes(ls):
                    publish(ls, state, svc, rel)
                else:
                    after = problems_for(state, svc, rel)
                    changed |= before is None or before.result_id != after.result_id
            except Exception:
                log.exception("checking %s failed", rel)
            await ls.yield_to_foreground()
        if changed and pulls(ls) and client_supports(ls, "workspace.diagnostics.refresh_support"):
            try:
                ls.workspace_diagnostic_refresh(None)
            except Exception as e:
                log.info("diagnostic refresh failed: %s", e)


def schedule(ls, state: State, delay: float) -> None:
    loop = asyncio.get_running_loop()
    if state.timer is not None:
        state.timer.cancel()

    def fire() -> None:
        state.timer = None
        if state.task is not None and not state.task.done():
            schedule(ls, state, delay)  # a pass is running; look again after it
            return
        state.task = asyncio.ensure_future(flush(ls, state))

    state.timer = loop.call_later(delay, fire)


# -- registration ---------------------------------------------------------------------------------


def register(server) -> None:
    state = State()
    server.diagnostics_state = state

    def enabled() -> bool:
        return bool(server.config.diagnostics.enabled)

    def on_change(svc: MapService, rel: str) -> None:
        if not enabled():
            return
        state.pending[(svc.root, rel)] = svc
        if state.indexed:
            for dep in dependents_of(svc.ws, changed_names(state, svc), exclude=rel):
                state.pending[(svc.root, dep)] = svc
        try:
            schedule(server, state, server.config.diagnostics.debounce_ms / 1000)
        except RuntimeError:  # no running loop (tests driving the server object directly)
            pass

    server.events.changed.subscribe(on_change)

    def on_drop(svc: MapService) -> None:
        """A map was dropped (projects.py): nothing more is checked in it, and what was pushed
        for it is taken back unless a map of the same root took over (its results replace it)."""
        for key, pending in list(state.pending.items()):
            if pending is svc:
                del state.pending[key]
        for key in [k for k in state.cache if k[0] == svc.root]:
            del state.cache[key]
        state.cursors.pop(svc.root, None)
        if any(other.root == svc.root for other in server.maps):
            return
        for key in [k for k in state.published if k[0] == svc.root]:
            del state.published[key]
            if pushes(server):
                server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                    uri=server.uri_of(svc, key[1]), diagnostics=[]))

    server.events.dropped.subscribe(on_drop)

    @server.events.indexed.subscribe
    def on_indexed(services) -> None:
        state.indexed = True
        if enabled():
            full_pass(services)  # only the maps this pass indexed (a loose project's index
            # does not re-check the workspace folders)

    def full_pass(services=None) -> None:
        """Check every file of these maps (all of them when None) once."""
        for svc in server.maps if services is None else services:
            changed_names(state, svc)  # start reading the history from here
            for rel in list(svc.ws.files):
                state.pending[(svc.root, rel)] = svc
        try:
            schedule(server, state, 0)
        except RuntimeError:
            pass

    def withdraw() -> None:
        """Diagnostics were switched off: take back what was pushed, or ask pullers to pull."""
        state.pending.clear()
        roots = {svc.root: svc for svc in server.maps}
        for (root, rel) in list(state.published):
            svc = roots.get(root)
            if svc is not None and pushes(server):
                server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                    uri=server.uri_of(svc, rel), diagnostics=[]))
        state.published.clear()
        if pulls(server) and client_supports(server, "workspace.diagnostics.refresh_support"):
            server.workspace_diagnostic_refresh(None)

    @server.events.settings.subscribe
    def on_settings(old, new) -> None:
        if old.diagnostics.enabled and not new.diagnostics.enabled:
            withdraw()
        elif new.diagnostics.enabled and not old.diagnostics.enabled and state.indexed:
            full_pass()

    options = types.DiagnosticOptions(identifier=IDENTIFIER, inter_file_dependencies=True,
                                      workspace_diagnostics=True)

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, options)
    def document_diagnostic(ls, params: types.DocumentDiagnosticParams):
        found = ls.service_for(params.text_document.uri)
        if found is None or not enabled():
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        svc, rel = found
        checked = problems_for(state, svc, rel)
        if params.previous_result_id == checked.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=checked.result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=to_diagnostics(ls, svc, rel, checked.problems), result_id=checked.result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls, params: types.WorkspaceDiagnosticParams):
        previous = {p.uri: p.value for p in params.previous_result_ids or ()}
        items: list = []
        if not enabled():
            return types.WorkspaceDiagnosticReport(items=items)
        for svc in list(ls.maps):
            for n, rel in enumerate(sorted(svc.ws.files)):
                uri = ls.uri_of(svc, rel)
                checked = problems_for(state, svc, rel)
                doc = svc.docs.get(rel)
                version = doc.version if doc is not None else None
                if previous.get(uri) == checked.result_id:
                    items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(
                        uri=uri, result_id=checked.result_id, version=version))
                elif checked.problems or uri in previous:
                    items.append(types.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri, items=to_diagnostics(ls, svc, rel, checked.problems),
                        result_id=checked.result_id, version=version))
                if n % 16 == 15:
                    await ls.yield_to_foreground()
        return types.WorkspaceDiagnosticReport(items=items)
