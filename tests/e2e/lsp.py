"""Driving the real server over stdio: start, initialize, wait for the map, stop."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from contextlib import asynccontextmanager
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "ssc_lsp"]
PROBE_SERVER = [sys.executable, "-m", "tests.e2e.model_probe"]  # the server + one model action


def server_env(cache_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SSC_LSP_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env


@asynccontextmanager
async def running(root: Path | None, cache_dir: Path, *,
                  capabilities: str | types.ClientCapabilities = "visual-studio-code",
                  options: dict | None = None, env: dict | None = None, wait: bool = True,
                  command: list[str] | None = None):
    """A server on `root`, initialized, with its first index finished (`wait=False`: right
    after `initialized`, as an editor at start-up); with no root, started as an editor that
    found no root marker does: no `rootUri`, no workspace folders. `capabilities`: a client's
    name as pytest-lsp knows it, or the capabilities themselves. `command`: another server
    command (PROBE_SERVER). The server's InitializeResult is kept as `client.init_result`."""
    config = ClientServerConfig(server_command=command or SERVER,
                                server_env=server_env(cache_dir, **(env or {})))
    client: LanguageClient = await config.start()
    try:
        client.init_result = await client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities(capabilities) if isinstance(capabilities, str)
            else capabilities,
            root_uri=root.as_uri() if root is not None else None,
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]
            if root is not None else None,
            initialization_options=options or {},
        ))
        if wait:
            await wait_ready(client)
        yield client
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), 10)
        except Exception:
            await client.stop()


def plain(obj):
    """pygls turns results of custom requests into namedtuples; make them JSON-like again."""
    if hasattr(obj, "_asdict"):
        return {k: plain(v) for k, v in obj._asdict().items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return obj


async def request(client: LanguageClient, method: str, params: dict):
    return plain(await client.protocol.send_request_async(method, params))


async def wait_until(predicate, timeout: float = 5.0) -> bool:
    """Poll `predicate` (a test's view of a fake endpoint, the client's messages) until true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


async def wait_ready(client: LanguageClient, timeout: float = 60.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status = await request(client, "ssc/status", {})
        if status["ready"]:
            return status
        if loop.time() > deadline:
            raise TimeoutError(f"map not ready: {status}")
        await asyncio.sleep(0.05)


async def symbol_at(client: LanguageClient, uri: str, line: int, character: int):
    return await request(client, "ssc/symbol", {
        "textDocument": {"uri": uri}, "position": {"line": line, "character": character}})


def open_doc(client: LanguageClient, path: Path, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=path.read_text())))
    return uri


def change(client: LanguageClient, uri: str, version: int, start: tuple[int, int],
           end: tuple[int, int], text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=text)]))


def copy_fixture(name: str, dest: Path) -> Path:
    """A private copy of tests/fixtures/<name> at `dest` (the server writes caches and edits)."""
    return Path(shutil.copytree(Path(__file__).parent.parent / "fixtures" / name, dest))


def at(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def doc(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=path.as_uri())


async def answer(coro, timeout: float = 20.0):
    """`coro`'s result, failing (not hanging) if the server does not answer in `timeout` s."""
    return await asyncio.wait_for(coro, timeout)


async def rename_changes(client: LanguageClient, uri: str, position: types.Position,
                         new_name: str) -> dict[str, list[tuple[int, int, str]]]:
    """The rename's edits per file, as sorted (line, character, new text)."""
    edit = await answer(client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position, new_name=new_name)))
    per_file = {d.text_document.uri: d.edits for d in edit.document_changes or []} or edit.changes or {}
    return {u: sorted((e.range.start.line, e.range.start.character, e.new_text) for e in es)
            for u, es in per_file.items()}


async def hover_text(client: LanguageClient, uri: str, position: types.Position) -> str:
    """The hover's markdown at `position` ("" when the server has none)."""
    hover = await answer(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position)))
    return hover.contents.value if hover is not None else ""


def position_of(path: Path, line_text: str, name: str | None = None) -> types.Position:
    """Where `name` (default: `line_text` itself) is in the first line of `path` holding
    `line_text`."""
    lines = path.read_text().splitlines()
    row = next((i for i, line in enumerate(lines) if line_text in line), None)
    if row is None:
        raise AssertionError(f"{line_text!r} not in {path}")
    start = lines[row].index(line_text)
    return at(row, start + line_text.index(name) if name else start)
