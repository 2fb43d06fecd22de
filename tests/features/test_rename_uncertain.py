"""Rename over stdio when the map cannot type every receiver: uses through an untyped receiver
are renamed when jedi confirms them, else offered under a change annotation that needs
confirmation (clients that declared changeAnnotationSupport) or listed in a message (others);
when another class defines the name too, they are only listed; receivers typed as another class
are neither."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import position_of, session, uri

SESSIONS = '''\
class Session:
    def get_adapter(self, url):
        return url

    def send(self, url):
        return self.get_adapter(url)


def scale(x):
    return x * 2
'''
# an unannotated parameter: neither the map nor jedi (no call site) can type `session`
API = '''\
def use(session):
    return session.get_adapter(url=1)
'''
# a return value the map does not type (no annotation) but jedi infers
CALLS = '''\
from pkg.sessions import Session, scale


def new_session():
    return Session()


def go():
    return new_session().get_adapter(3), scale(2)
'''
# a receiver typed as another class: not a use of Session.get_adapter
OTHER = '''\
class Other:
    def get_adapter(self, url):
        return url


def f(o: Other):
    return o.get_adapter(2)
'''


def capabilities(annotations: bool) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            rename=types.RenameClientCapabilities(prepare_support=True)),
        workspace=types.WorkspaceClientCapabilities(workspace_edit=types.WorkspaceEditClientCapabilities(
            document_changes=True,
            change_annotation_support=types.ChangeAnnotationsSupportOptions(groups_on_label=True)
            if annotations else None)))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    for name, text in (("__init__", ""), ("sessions", SESSIONS), ("api", API), ("calls", CALLS)):
        (root / f"pkg/{name}.py").write_text(text)
    return root


@pytest.fixture
def ws_shared(ws: Path) -> Path:
    (ws / "pkg/other.py").write_text(OTHER)
    return ws


def by_file(edit: types.WorkspaceEdit) -> dict[str, list]:
    return {dc.text_document.uri.rsplit("/ws/", 1)[1]: dc.edits for dc in edit.document_changes}


async def rename_until(client, root: Path, rel: str, needle: str, new: str, done, tries: int = 4):
    """Rename (prepare first, as editors do) until `done(edit)`: a jedi answer that comes after
    the deadline is kept, and the next rename uses it."""
    at = position_of(root, rel, needle)
    doc = types.TextDocumentIdentifier(uri=uri(root, rel))
    edit = None
    for _ in range(tries):
        await client.text_document_prepare_rename_async(types.PrepareRenameParams(
            text_document=doc, position=at))
        edit = await client.text_document_rename_async(types.RenameParams(
            text_document=doc, position=at, new_name=new))
        if done(edit):
            break
        await asyncio.sleep(2)
    return edit


def jedi_confirmed(edit) -> bool:
    calls = by_file(edit).get("pkg/calls.py", [])
    return any(not isinstance(e, types.AnnotatedTextEdit) for e in calls)


async def test_unconfirmed_use_needs_confirmation_and_jedi_confirms_the_inferable_one(ws):
    async with session(ws, capabilities(annotations=True)) as client:
        edit = await rename_until(client, ws, "pkg/sessions.py", "get_adapter(self", "adapter_for",
                                  jedi_confirmed)
        files = by_file(edit)
        # the certain edits: the definition and `self.get_adapter`
        assert all(not isinstance(e, types.AnnotatedTextEdit) for e in files["pkg/sessions.py"])
        assert len(files["pkg/sessions.py"]) == 2
        # jedi infers `new_session()`: renamed, no annotation
        assert jedi_confirmed(edit), files.get("pkg/calls.py")
        # `session` is typed by nobody: offered, needing confirmation, the count in its label
        [api] = files["pkg/api.py"]
        assert isinstance(api, types.AnnotatedTextEdit) and api.new_text == "adapter_for"
        note = edit.change_annotations[api.annotation_id]
        assert note.needs_confirmation and note.label.startswith("1 use of `get_adapter`")
        assert "pkg/api.py:2" in note.description
        assert api.range.start == position_of(ws, "pkg/api.py", "get_adapter")
        # prepareRename said how many need jedi (both) before the new name was typed
        assert any("2 uses through a receiver the map cannot type" in m.message
                   for m in client.log_messages)


async def test_a_bare_client_gets_the_unconfirmed_use_listed(ws):
    async with session(ws, capabilities(annotations=False)) as client:
        edit = await rename_until(client, ws, "pkg/sessions.py", "get_adapter(self", "adapter_for",
                                  jedi_confirmed)
        files = by_file(edit)
        assert "pkg/api.py" not in files
        assert edit.change_annotations is None
        assert jedi_confirmed(edit)
        warnings = [m.message for m in client.messages if m.type == types.MessageType.Warning]
        assert any("1 use through a receiver of unknown type" in m and "NOT renamed" in m
                   and "pkg/api.py:2" in m for m in warnings), warnings


async def test_a_certain_rename_carries_no_annotation(ws):
    async with session(ws, capabilities(annotations=True)) as client:
        edit = await rename_until(client, ws, "pkg/sessions.py", "scale(x)", "double", lambda e: True)
        files = by_file(edit)
        assert sorted(files) == ["pkg/calls.py", "pkg/sessions.py"]
        assert edit.change_annotations is None
        assert not any(isinstance(e, types.AnnotatedTextEdit) for edits in files.values() for e in edits)
        assert not [m for m in client.messages if m.type == types.MessageType.Warning]


async def test_a_name_other_classes_define_too_is_listed_not_offered(ws_shared):
    ws = ws_shared
    async with session(ws, capabilities(annotations=True)) as client:
        edit = await rename_until(client, ws, "pkg/sessions.py", "get_adapter(self", "adapter_for",
                                  jedi_confirmed)
        files = by_file(edit)
        assert jedi_confirmed(edit)  # what jedi confirms is still renamed
        # `Other` defines `get_adapter` too: the untyped `session.get_adapter` is more likely
        # someone else's; listed, not offered as an edit. `o: Other` is typed: not even listed.
        assert "pkg/api.py" not in files and "pkg/other.py" not in files
        assert edit.change_annotations is None
        warnings = [m.message for m in client.messages if m.type == types.MessageType.Warning]
        assert any("NOT renamed" in m and "Other (pkg/other.py) also define" in m and "pkg/api.py:2" in m
                   and "pkg/other.py:" not in m.split("tell):")[1] for m in warnings), warnings
