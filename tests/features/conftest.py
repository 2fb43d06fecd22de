"""End-to-end harness: the real server over stdio, driven by pytest-lsp's LanguageClient.

`session(root, capabilities)` starts `python -m ssc_lsp` with its own cache dir, initializes it on
one workspace folder and waits until the map is indexed (`ssc/status` says ready), so every
assertion sees a finished map.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from tests.conftest import FIXTURE_WS
from tests.e2e.lsp import wait_ready

INDEX_TIMEOUT = 30.0


def _accept_registration(params: types.RegistrationParams) -> None:
    """The server registers a file watcher; the test client has nothing to watch with."""


def uri(root: Path, rel: str) -> str:
    return from_fs_path(str(root / rel))


def caps(name: str = "visual-studio-code") -> types.ClientCapabilities:
    return client_capabilities(name)


@contextlib.asynccontextmanager
async def session(root: Path, capabilities: types.ClientCapabilities | None = None,
                  cache_dir: Path | None = None,
                  settings: dict | None = None) -> AsyncIterator[LanguageClient]:
    client = make_test_lsp_client()
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(_accept_registration)
    env = dict(os.environ)
    env["SSC_LSP_CACHE_DIR"] = str(cache_dir or (root.parent / "ssc-cache"))
    await client.start_io(sys.executable, "-m", "ssc_lsp", env=env)
    try:
        await client.initialize_session(types.InitializeParams(
            capabilities=capabilities or caps(),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name="ws")],
            initialization_options=settings or {},
        ))
        await wait_ready(client, INDEX_TIMEOUT)
        yield client
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
        await client.stop()


def open_doc(client: LanguageClient, root: Path, rel: str, version: int = 1) -> str:
    u = uri(root, rel)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=u, language_id="python", version=version, text=(root / rel).read_text())))
    return u


def position_of(root: Path, rel: str, needle: str, nth: int = 0, offset: int = 0) -> types.Position:
    """The position of the nth occurrence of `needle` in a file (ASCII fixture), plus offset."""
    text = (root / rel).read_text()
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += offset
    line = text.count("\n", 0, at)
    col = at - (text.rfind("\n", 0, at) + 1)
    return types.Position(line=line, character=col)


@pytest.fixture
def fixture_ws() -> Path:
    return FIXTURE_WS
