"""The map through the real server over stdio: open, change, save, close, watched files,
restart with a warm start."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .lsp import change, open_doc, request, running, symbol_at

pytestmark = pytest.mark.asyncio


async def test_index_progress_and_symbol(ws_copy, tmp_path):
    async with running(ws_copy, tmp_path / "cache") as client:
        # work-done progress was reported: begin ... end (the end may trail the ready state)
        for _ in range(100):
            kinds = [type(v).__name__ for vs in client.progress_reports.values() for v in vs]
            if kinds and kinds[-1] == "WorkDoneProgressEnd":
                break
            await asyncio.sleep(0.05)
        assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
        uri = (ws_copy / "scripts" / "run_shop.py").as_uri()
        info = await symbol_at(client, uri, 10, 20)  # `format_money` in money.format_money(...)
        assert info["id"] == "util/money.py::format_money"
        assert info["signature"] == 'def format_money(value, currency=...)'
        callers = [c["caller"] for c in info["relations"]["incoming"]["calls"]]
        assert callers == ["scripts/run_shop.py::main"]


async def test_change_updates_map_and_history_and_refuses_stale_versions(ws_copy, tmp_path):
    async with running(ws_copy, tmp_path / "cache") as client:
        path = ws_copy / "util" / "money.py"
        uri = open_doc(client, path)
        change(client, uri, 2, (0, 21), (0, 21), ", digits=2")  # def round_cents(value|):
        info = await symbol_at(client, uri, 0, 6)
        assert info["signature"] == "def round_cents(value, digits=...)"
        assert info["history"][-1]["kind"] == "signature_changed"
        assert info["history"][-1]["added"] == ["digits"]
        # an edit above moves positions; the id stays
        change(client, uri, 3, (0, 0), (0, 0), "# header\n")
        info = await symbol_at(client, uri, 1, 6)
        assert info["id"] == "util/money.py::round_cents"
        # a stale version (3 again) is not applied: the texts have diverged, so the map drops
        # the buffer for the file on disk and ignores changes until the document is reopened
        change(client, uri, 3, (1, 4), (1, 15), "broken")
        change(client, uri, 4, (0, 0), (0, 0), "# more\n")
        info = await symbol_at(client, uri, 0, 6)
        assert info["name"] == "round_cents" and info["signature"] == "def round_cents(value)"
        open_doc(client, path, version=5)
        assert (await symbol_at(client, uri, 0, 6))["signature"] == "def round_cents(value)"


async def test_close_reverts_to_disk_and_save_persists(ws_copy, tmp_path):
    async with running(ws_copy, tmp_path / "cache") as client:
        path = ws_copy / "util" / "money.py"
        uri = open_doc(client, path)
        change(client, uri, 2, (0, 4), (0, 15), "round_to")
        assert (await symbol_at(client, uri, 0, 6))["name"] == "round_to"
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        assert (await symbol_at(client, uri, 0, 6))["name"] == "round_cents"
        # now edit, write to disk, save: the saved state is what a restart loads
        uri = open_doc(client, path)
        change(client, uri, 2, (0, 4), (0, 15), "round_to")
        path.write_text(path.read_text().replace("def round_cents", "def round_to"))
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        await asyncio.sleep(0.1)
    async with running(ws_copy, tmp_path / "cache") as client:
        info = await symbol_at(client, path.as_uri(), 0, 6)
        assert info["name"] == "round_to"
        assert any(h["kind"] == "renamed" for h in info["history"])


async def test_watched_file_changes_update_the_map(ws_copy, tmp_path):
    async with running(ws_copy, tmp_path / "cache") as client:
        new = ws_copy / "util" / "extra.py"
        new.write_text("def shiny(a, b):\n    return a\n")
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Created)]))
        info = await symbol_at(client, new.as_uri(), 0, 5)
        assert info["id"] == "util/extra.py::shiny"
        new.write_text("def shiny(a):\n    return a\n")
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Changed)]))
        info = await symbol_at(client, new.as_uri(), 0, 5)
        assert info["signature"] == "def shiny(a)"
        assert info["history"][-1]["kind"] == "signature_changed"
        new.unlink()
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Deleted)]))
        status = await request(client, "ssc/status", {})
        assert status["folders"][0]["files"] == 11


async def test_restart_is_a_warm_start(ws_copy, tmp_path):
    async with running(ws_copy, tmp_path / "cache"):
        pass
    async with running(ws_copy, tmp_path / "cache") as client:
        logs = "\n".join(m.message for m in client.log_messages)
        status = await request(client, "ssc/status", {})
        assert status["folders"][0]["files"] == 11
    # the server's stderr says how many files came from the cache; check via a third start
    from ssc_lsp.map.service import MapOptions, MapService
    from ssc_lsp.map.store import default_db_path

    svc = MapService(str(ws_copy), MapOptions(db_path=str(default_db_path(str(ws_copy), str(tmp_path / "cache")))))
    stats = svc.index()
    assert (stats.parsed, stats.loaded) == (0, 11), logs


async def test_malformed_requests_do_not_kill_the_server(ws_copy, tmp_path):
    async with running(ws_copy, tmp_path / "cache") as client:
        with pytest.raises(JsonRpcException):
            await client.protocol.send_request_async("ssc/symbol", {"textDocument": 3})
        # a change for a document that was never opened, and garbage positions
        change(client, (ws_copy / "nope.py").as_uri(), 5, (99, 99), (100, 0), "x")
        uri = open_doc(client, ws_copy / "util" / "money.py")
        change(client, uri, 2, (500, 3), (400, 0), "zzz")
        status = await request(client, "ssc/status", {})
        assert status["ready"]


def type_text(client, uri: str, version: int, at: tuple[int, int], text: str) -> int:
    """Type `text` at `at` one character a didChange, as an editor sends keystrokes; the last
    version sent."""
    row, col = at
    for ch in text:
        version += 1
        change(client, uri, version, (row, col), (row, col), ch)
        row, col = (row + 1, 0) if ch == "\n" else (row, col + 1)
    return version


async def test_requests_right_after_a_burst_of_changes_answer_on_its_last_text(ws_copy, tmp_path):
    """didChange only queues its edit; the map catches up when the burst pauses
    (sync.SETTLE_AFTER_S) or at the first read. Requests sent right behind the burst (no pause:
    the map has not caught up on its own) must answer on the last text, through broken states
    on the way (`def add_tax(` unclosed while it is typed)."""
    async with running(ws_copy, tmp_path / "cache") as client:
        path = ws_copy / "util" / "money.py"
        uri = open_doc(client, path)
        typed = "def add_tax(value):\n    return round_cents(value) * 2\n\n\n"
        type_text(client, uri, 1, (0, 0), typed)
        doc = types.TextDocumentIdentifier(uri=uri)
        symbols, where, hover = await asyncio.wait_for(asyncio.gather(
            client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc)),
            client.text_document_definition_async(types.DefinitionParams(
                text_document=doc, position=types.Position(1, 14))),  # round_cents in the typed line
            client.text_document_hover_async(types.HoverParams(
                text_document=doc, position=types.Position(0, 6)))),  # add_tax
            20)
        got = [(s.name, s.range.start.line) for s in symbols]
        assert got == [("add_tax", 0), ("round_cents", 4), ("format_money", 8)]
        where = where if isinstance(where, list) else [where]
        assert [(w.uri, w.range.start.line) for w in where] == [(uri, 4)]
        assert "def add_tax(value)" in hover.contents.value
        info = await symbol_at(client, uri, 0, 6)
        assert info["id"] == "util/money.py::add_tax"
        assert info["relations"]["outgoing"]["calls"][0]["id"] == "util/money.py::round_cents"
        # a rename typed over the name, then a request at once: the old name is gone
        change(client, uri, len(typed) + 2, (4, 4), (4, 15), "")
        type_text(client, uri, len(typed) + 2, (4, 4), "cents")
        symbols = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=doc))
        assert [s.name for s in symbols] == ["add_tax", "cents", "format_money"]
