"""`ssc/context` through the real server over stdio (pytest-lsp)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, client_capabilities

from .conftest import FIXTURES

pytestmark = pytest.mark.asyncio


def plain(obj):
    if hasattr(obj, "_asdict"):
        return {k: plain(v) for k, v in obj._asdict().items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return obj


async def call(client, method: str, params: dict):
    return plain(await client.protocol.send_request_async(method, params))


async def start(root: Path, cache: Path):
    config = ClientServerConfig(server_command=[sys.executable, "-m", "ssc_lsp"],
                                server_env={**os.environ, "SSC_LSP_CACHE_DIR": str(cache)})
    client = await config.start()
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)]))
    for _ in range(600):  # wait for the first index to finish
        status = await call(client, "ssc/status", {})
        if status["ready"]:
            break
        await asyncio.sleep(0.05)
    else:
        raise TimeoutError("the map never became ready")
    return client


async def test_ssc_context_follows_the_editor(tmp_path):
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root)
    client = await start(root, tmp_path / "cache")
    try:
        path = root / "shop" / "checkout.py"
        text = path.read_text()
        uri = path.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=text)))
        # the user types `self.repo.` on a new line at the end of `place`
        lines = text.split("\n")
        row = next(i for i, ln in enumerate(lines) if ln.strip() == "return order")
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(row, 0), types.Position(row, 0)),
                text="        self.repo.\n")]))
        res = await call(client, "ssc/context", {
            "textDocument": {"uri": uri}, "position": {"line": row, "character": len("        self.repo.")},
            "budget": 3000})
        assert res["receiver"] == "self.repo"
        assert res["used"] <= 3000 and res["unit"] == "chars"
        first = res["items"][0]
        assert first["path"] == "shop/repository.py"
        assert first["uri"] == (root / "shop" / "repository.py").as_uri()
        assert first["range"]["start"]["line"] == first["start_line"]
        for key in ("kind", "form", "score", "why", "chars", "text"):
            assert key in first
        assert res["text"] == "".join(it["text"] for it in res["items"])
        assert sum(it["chars"] for it in res["items"]) == res["used"]

        # a token budget, without the text
        res = await call(client, "ssc/context", {
            "textDocument": {"uri": uri}, "position": {"line": row, "character": 18},
            "budget": 200, "unit": "tokens", "withText": False})
        assert res["unit"] == "tokens" and res["used"] <= 200
        assert "text" not in res and all("text" not in it for it in res["items"])

        # bad params are an error, not a crash
        with pytest.raises(JsonRpcException):
            await call(client, "ssc/context", {"textDocument": {"uri": uri}})
        status = await call(client, "ssc/status", {})
        assert status["ready"]
    finally:
        await client.shutdown_session()
