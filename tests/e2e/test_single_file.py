"""Single-file mode over stdio: the server started with no `rootUri` and no workspace folders (an
editor that found no root marker), a file opened in a folder with no root marker. Its project is
found around it (map/project_root.py) and mapped: relative and sibling imports, references,
continuity diagnostics; a folder added later takes its documents over."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from lsprotocol import types

from ssc_lsp.map.project_root import LOOSE_MAX_FILES
from tests.conftest import FIXTURES

from .lsp import at, change, hover_text, open_doc, request, running, symbol_at, wait_ready

pytestmark = pytest.mark.asyncio

SINGLE_FILE = FIXTURES / "single_file"



def make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def proj(tmp_path) -> Path:
    """tests/fixtures/single_file (also the Neovim e2e's): pkg/ (`from .util import
    normalize_path`) and scripts/ (`import helpers`), with no root marker."""
    return Path(shutil.copytree(SINGLE_FILE, tmp_path / "proj"))


async def definition(client, uri: str, pos: types.Position) -> list[tuple[str, int]]:
    got = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos))
    got = got if isinstance(got, list) else [got] if got else []
    return [(getattr(x, "uri", None) or x.target_uri,
             (getattr(x, "range", None) or x.target_selection_range).start.line) for x in got]


async def references(client, uri: str, pos: types.Position) -> set[tuple[str, int, int]]:
    got = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos,
        context=types.ReferenceContext(include_declaration=True)))
    return {(x.uri, x.range.start.line, x.range.start.character) for x in got or []}


async def folders(client) -> list[dict]:
    return (await wait_ready(client))["folders"]


async def test_relative_import_definition_references_and_hover(proj, tmp_path):
    async with running(None, tmp_path / "cache") as client:
        main = open_doc(client, proj / "pkg/main.py")
        util = (proj / "pkg/util.py").as_uri()
        (folder,) = await folders(client)
        # the root is above the package, so `pkg.util` is a module name; scripts/ is not mapped
        assert (folder["root"], folder["loose"], folder["files"]) == (str(proj), True, 3)
        assert await definition(client, main, at(4, 13)) == [(util, 0)]  # the call
        assert await definition(client, main, at(0, 20)) == [(util, 0)]  # the imported name
        assert await references(client, util, at(0, 6)) == {
            (util, 0, 4), (main, 0, 18), (main, 4, 11)}
        assert "def normalize_path(path)" in await hover_text(client, main, at(4, 13))
        context = await request(client, "ssc/context", {
            "textDocument": {"uri": main}, "position": {"line": 4, "character": 13}, "budget": 4000})
        assert any(it["path"] == "pkg/util.py" for it in context["items"])
        assert "def normalize_path(path):" in context["text"]
        # a second file of the package shares the project's map
        open_doc(client, proj / "pkg/util.py")
        (folder,) = await folders(client)
        assert (folder["root"], folder["openDocuments"]) == (str(proj), 2)


async def test_sibling_import_and_a_continuity_diagnostic(proj, tmp_path):
    options = {"diagnostics": {"debounceMs": 50}}
    async with running(None, tmp_path / "cache", options=options) as client:
        run = open_doc(client, proj / "scripts/run.py")
        helpers = open_doc(client, proj / "scripts/helpers.py")
        (folder,) = await folders(client)
        assert (folder["root"], folder["files"]) == (str(proj / "scripts"), 2)
        assert await definition(client, run, at(5, 12)) == [(helpers, 0)]  # greet("x")
        assert await definition(client, run, at(5, 34)) == [(helpers, 0)]  # helpers.greet("y")
        assert await definition(client, run, at(0, 8)) == [(helpers, 0)]  # import helpers
        assert await references(client, helpers, at(0, 5)) == {
            (helpers, 0, 4), (run, 1, 20), (run, 5, 11), (run, 5, 32)}
        assert await pull(client, run) == []
        change(client, helpers, 2, (0, 14), (0, 14), ", punctuation")  # greet(name, punctuation)
        got = await until_pulled(client, run)
        assert [(d.code, d.range.start.line, d.range.start.character) for d in got] == [
            ("call-arguments", 5, 11), ("call-arguments", 5, 32)]
        assert "missing the argument `punctuation`" in got[0].message


async def pull(client, uri: str) -> list[types.Diagnostic]:
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    return list(report.items)


async def until_pulled(client, uri: str, timeout: float = 20.0) -> list[types.Diagnostic]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (items := await pull(client, uri)):
        if loop.time() > deadline:
            raise TimeoutError(f"no diagnostic for {uri}")
        await asyncio.sleep(0.05)
    return items


def folder_event(added: list[Path], removed: list[Path]) -> types.DidChangeWorkspaceFoldersParams:
    def ws(p: Path) -> types.WorkspaceFolder:
        return types.WorkspaceFolder(uri=p.as_uri(), name=p.name)
    return types.DidChangeWorkspaceFoldersParams(event=types.WorkspaceFoldersChangeEvent(
        added=[ws(p) for p in added], removed=[ws(p) for p in removed]))


async def test_a_folder_added_later_takes_the_open_document_over(proj, tmp_path):
    async with running(None, tmp_path / "cache") as client:
        main = open_doc(client, proj / "pkg/main.py")
        util = (proj / "pkg/util.py").as_uri()
        change(client, main, 2, (3, 4), (3, 7), "run_all")  # unsaved: def run_all(p)
        assert [f["loose"] for f in await folders(client)] == [True]
        client.workspace_did_change_workspace_folders(folder_event([proj], []))
        (folder,) = await folders(client)  # one map: the loose one was dropped, not kept beside
        assert (folder["root"], folder["loose"], folder["openDocuments"]) == (str(proj), False, 1)
        assert folder["files"] == 5  # the folder is mapped whole, scripts/ too
        assert (await symbol_at(client, main, 3, 6))["name"] == "run_all"  # the buffer, not the disk
        assert await definition(client, main, at(4, 13)) == [(util, 0)]
        change(client, main, 3, (3, 4), (3, 11), "go")  # versions go on where they were
        assert (await symbol_at(client, main, 3, 5))["name"] == "go"
        # the folder goes away: the document returns to the project found around it
        client.workspace_did_change_workspace_folders(folder_event([], [proj]))
        (folder,) = await folders(client)
        assert (folder["root"], folder["loose"], folder["openDocuments"]) == (str(proj), True, 1)
        assert (await symbol_at(client, main, 3, 5))["name"] == "go"
        assert await definition(client, main, at(4, 13)) == [(util, 0)]


async def test_the_home_directory_is_never_mapped_whole(tmp_path):
    home = make(tmp_path / "home", {
        "script.py": "import tool\n\ntool.work()\n",
        "tool.py": "def work():\n    pass\n",
        "projects/big/deep.py": "def deep():\n    pass\n",
        "dl/pkg/__init__.py": "",
        "dl/pkg/a.py": "from .b import bee\n",
        "dl/pkg/b.py": "def bee():\n    pass\n",
        "dl/other/x.py": "y = 1\n",
    })
    async with running(None, tmp_path / "cache", env={"HOME": str(home)}) as client:
        script = open_doc(client, home / "script.py")
        (folder,) = await folders(client)
        assert (folder["root"], folder["files"]) == (str(home), 2)  # its own files only
        assert await definition(client, script, at(2, 6)) == [((home / "tool.py").as_uri(), 0)]
        a = open_doc(client, home / "dl/pkg/a.py")
        got = {f["root"]: f["files"] for f in await folders(client)}
        assert got == {str(home): 2, str(home / "dl"): 3}  # the package, not dl/other
        assert await definition(client, a, at(0, 16)) == [((home / "dl/pkg/b.py").as_uri(), 0)]


async def test_the_project_is_in_the_status_as_soon_as_its_file_is_open(proj, tmp_path):
    """Not ready yet or ready, never missing: a client waiting for ready sees the index."""
    async with running(None, tmp_path / "cache") as client:
        open_doc(client, proj / "pkg/util.py")
        status = await request(client, "ssc/status", {})
        assert [f["root"] for f in status["folders"]] == [str(proj)]


async def test_the_file_count_limit_is_said_once(tmp_path):
    many = make(tmp_path / "many", {f"m{i:04}.py": f"V{i} = {i}\n" for i in range(LOOSE_MAX_FILES + 5)})
    async with running(None, tmp_path / "cache") as client:
        open_doc(client, many / "m0000.py")
        open_doc(client, many / "m0001.py")
        (folder,) = await folders(client)
        assert folder["files"] == LOOSE_MAX_FILES
        client.workspace_execute_command(types.ExecuteCommandParams(command="ssc.reindex"))
        await asyncio.sleep(0.2)
        await folders(client)
        said = [m.message for m in client.messages if "Python files are mapped" in m.message]
        assert said == [f"ssc: {many}: only the first {LOOSE_MAX_FILES} Python files are mapped (the limit "
                        "for a project outside every workspace folder); open its folder as a "
                        "workspace folder to map it all"]
