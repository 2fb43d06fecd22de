"""`ssc/checkEdit` through the real server over stdio: a WorkspaceEdit judged on the map."""

from __future__ import annotations

import pytest

from .lsp import open_doc, request, running

pytestmark = pytest.mark.asyncio


def _edit(line: int, start: int, end: int, text: str) -> dict:
    return {"range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}},
            "newText": text}


async def test_check_edit_changes_and_document_changes(ws_copy, tmp_path):
    billing = ws_copy / "shop" / "services" / "billing.py"
    init = ws_copy / "shop" / "__init__.py"
    b_lines = billing.read_text().splitlines()
    i_lines = init.read_text().splitlines()
    def_row = next(i for i, ln in enumerate(b_lines) if ln.startswith("def charge("))
    imp_row = next(i for i, ln in enumerate(i_lines) if "import charge as" in ln)
    imp_col = i_lines[imp_row].index("charge as")
    async with running(ws_copy, tmp_path / "cache") as client:
        b_uri = open_doc(client, billing)
        rename_def = _edit(def_row, 4, 10, "bill")
        rename_imp = _edit(imp_row, imp_col, imp_col + 6, "bill")
        # the whole rename (plain `changes`, keyed by URI): nothing to say
        answer = await request(client, "ssc/checkEdit", {"edit": {"changes": {
            b_uri: [rename_def], init.as_uri(): [rename_imp]}}})
        assert answer == {"problems": []}
        # the importer's edit dropped (`documentChanges`): caught in the file the edit left alone
        answer = await request(client, "ssc/checkEdit", {"edit": {"documentChanges": [
            {"textDocument": {"uri": b_uri, "version": 1}, "edits": [rename_def]}]}})
        problems = answer["problems"]
        assert [(p["uri"], p["kind"], p["range"]["start"]) for p in problems] == [
            (init.as_uri(), "import", {"line": imp_row, "character": imp_col})]
        # outside the workspace folder: refused, not checked
        outside = (tmp_path / "elsewhere.py")
        outside.write_text("x = 1\n")
        answer = await request(client, "ssc/checkEdit", {"edit": {"changes": {
            outside.as_uri(): [_edit(0, 0, 1, "y")]}}})
        assert [p["kind"] for p in answer["problems"]] == ["refused"]
        # the map itself did not move: the live file still defines `charge`
        again = await request(client, "ssc/checkEdit", {"edit": {"changes": {
            init.as_uri(): [rename_imp]}}})
        assert [p["kind"] for p in again["problems"]] == ["import"]
