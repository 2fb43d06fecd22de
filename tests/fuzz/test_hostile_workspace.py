"""Hostile workspaces: invalid ignore patterns, binary and non-UTF-8 sources, a 1 MB line,
bracket bombs, a FIFO, symlink loops and links out of the workspace, files vanishing mid-index,
a 50 MB open document, device files. `ssc-lsp map` and the real server over stdio must finish
indexing, keep answering on the normal files and report what they skipped.

Seeded and bounded; `SSC_FUZZ_EXAMPLES` sets how many random files (default small for CI).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

import ssc_lsp.map.service as service_mod
from ssc_lsp.map.document import Document, build_filemap
from ssc_lsp.map.languages.python import PYTHON
from ssc_lsp.map.service import MapOptions, MapService
from tests.e2e.lsp import change, request, running
from tests.map.test_incremental_property import lsp_change

EXAMPLES = int(os.environ.get("SSC_FUZZ_EXAMPLES", "4"))
SEED = int(os.environ.get("SSC_FUZZ_SEED", "1409"))
HANG_GUARD = 60.0  # seconds: detects a hang, measures nothing
LIB = "def helper(x):\n    return x\n\n\nclass Shape:\n    def area(self):\n        return 0\n"
USE = "from .lib import helper, Shape\n\nhelper(1)\nShape().area()\n"
TOKENS = ["(", ")", "[", "]", "{", "}", "'", '"', '"""', ":", "def ", "class ", "lambda ", "x",
          "=", ",", "\n", "    ", "\\", "#", "@", "import ", "from ", ".", "*", "é", "\t"]


def _garbage(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(TOKENS) for _ in range(n))


def build_hostile(tmp: Path, rng: random.Random) -> tuple[Path, dict[str, str]]:
    """A workspace with every hostile kind of file beside a small normal package.

    Returns the root and, for the files that must be reported, a word their reason contains."""
    root = tmp / "ws"
    outside = tmp / "outside"
    (root / "good").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.py").write_text("PASSWORD = 'canary-outside'\n")
    (root / "good" / "__init__.py").write_text("")
    (root / "good" / "lib.py").write_text(LIB)
    (root / "good" / "use.py").write_text(USE)
    # invalid patterns first and last: the lines between still apply
    (root / ".gitignore").write_text("!\nignored.py\n*.log\n\\\n")
    (root / "sub").mkdir()
    (root / "sub" / ".sscignore").write_text("!\nhidden.py\n")
    (root / "ignored.py").write_text("IGNORED = 1\n")
    (root / "sub" / "hidden.py").write_text("HIDDEN = 1\n")
    (root / "sub" / "shown.py").write_text("SHOWN = 1\n")
    (root / "binary.py").write_bytes(b"x = 1\n\x00\x01\x02" + rng.randbytes(64))
    (root / "latin_declared.py").write_bytes(
        "# -*- coding: latin-1 -*-\ndef caf\xe9():\n    return '\xe0'\n".encode("latin-1"))
    (root / "latin_bare.py").write_bytes("def caf\xe9():\n    pass\n".encode("latin-1"))
    (root / "one_line.py").write_text("x = [" + "a, " * 300_000 + "]\n")
    (root / "nested.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\ny = 2\n")
    (root / "unclosed.py").write_text("def before():\n    pass\nx = " + "".join(
        rng.choice("([{") for _ in range(5000)) + "\n\ndef after():\n    pass\n")
    os.mkfifo(root / "fifo.py")
    (root / "loop.py").symlink_to("loop.py")
    (root / "dirloop").symlink_to(".")
    (root / "outside.py").symlink_to(outside / "secret.py")
    (root / "outdir").symlink_to(outside)
    (root / "urandom.py").symlink_to("/dev/urandom")
    (root / "dangling.py").symlink_to(root / "nowhere.py")
    for i in range(EXAMPLES):
        (root / "fuzz" / f"g{i}.py").parent.mkdir(exist_ok=True)
        (root / "fuzz" / f"g{i}.py").write_text(_garbage(rng, 2000))
    expected = {".gitignore:1": "invalid ignore pattern", ".gitignore:4": "invalid ignore pattern",
                "sub/.sscignore:1": "invalid ignore pattern", "binary.py": "binary",
                "latin_bare.py": "not UTF-8", "fifo.py": "not a regular file", "loop.py": "loop",
                "outside.py": "outside the workspace", "urandom.py": "outside the workspace",
                "dangling.py": "missing"}
    return root, expected


MAPPED = {"good/__init__.py", "good/lib.py", "good/use.py", "sub/shown.py", "latin_declared.py",
          "one_line.py", "nested.py", "unclosed.py"}


@pytest.fixture
def hostile(tmp_path) -> tuple[Path, dict[str, str]]:
    return build_hostile(tmp_path, random.Random(SEED))


def test_map_command_on_a_hostile_workspace(hostile):
    root, expected = hostile
    env = dict(os.environ)
    run = subprocess.run([sys.executable, "-m", "ssc_lsp", "map", "--no-cache", "--json", str(root)],
                         capture_output=True, text=True, timeout=HANG_GUARD * 2, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    files = {f["path"]: f for f in got["files"]}
    assert MAPPED <= set(files)
    assert not {"ignored.py", "sub/hidden.py", "outside.py", "outdir/secret.py"} & set(files)
    assert "canary-outside" not in run.stdout
    names = {s["name"] for s in files["latin_declared.py"]["symbols"]}
    assert "café" in names
    assert "before" in {s["name"] for s in files["unclosed.py"]["symbols"]}
    reasons = {p["path"]: p["reason"] for p in got["notMapped"]}
    for path, word in expected.items():
        assert word in reasons.get(path, ""), (path, reasons.get(path))
    text = subprocess.run([sys.executable, "-m", "ssc_lsp", "map", "--no-cache", str(root)],
                          capture_output=True, text=True, timeout=HANG_GUARD * 2, env=env)
    assert text.returncode == 0, text.stderr[-2000:]
    assert f"not mapped  {len(reasons)}" in text.stdout
    assert "fifo.py: not a regular file" in text.stdout


def _plain_workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "lib.py").write_text(LIB)
    (root / "use.py").write_text("from lib import helper\n\nhelper(1)\n")
    return root


async def _definition_lands(client, use: Path, lib: Path) -> None:
    """`helper` on line 3 of `use` goes to its definition on line 1 of `lib` (within the guard)."""
    found = await asyncio.wait_for(client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=use.as_uri()), position=types.Position(2, 1))),
        HANG_GUARD)
    assert [(loc.uri, loc.range.start.line, loc.range.start.character) for loc in found] == [
        (lib.as_uri(), 0, 4)]


async def _symbols(client, uri: str):
    return await asyncio.wait_for(client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))), HANG_GUARD)


async def test_server_on_a_hostile_workspace(hostile, tmp_path):
    root, expected = hostile
    async with running(root, tmp_path / "cache") as client:
        status = await request(client, "ssc/status", {})
        problems = status["folders"][0]["problems"]
        assert problems["count"] >= len(expected)
        shown = {p["path"]: p["reason"] for p in problems["first"]}
        assert "invalid ignore pattern" in shown[".gitignore:1"]
        assert "binary" in shown["binary.py"]
        await _definition_lands(client, root / "good" / "use.py", root / "good" / "lib.py")
        # a request on a device file and on a FIFO answers (with nothing) instead of reading forever
        for uri in ("file:///dev/zero", (root / "fifo.py").as_uri(), (root / "urandom.py").as_uri()):
            assert not await _symbols(client, uri)


async def test_bracket_bomb_open_and_edited_keeps_the_server_answering(tmp_path):
    """A 3 KB document of 1,000 unclosed brackets held every request for 33 s."""
    root = _plain_workspace(tmp_path)
    bomb = root / "bomb.py"
    rng = random.Random(SEED)
    bomb.write_text("def f():\n    pass\nx = " + "".join(rng.choice("([{") for _ in range(1000)) + "\n")
    async with running(root, tmp_path / "cache") as client:
        uri = bomb.as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=bomb.read_text())))
        for v in range(2, 2 + 20 * EXAMPLES):
            col = rng.randrange(0, 1000)
            change(client, uri, v, (2, 4 + col), (2, 4 + col), rng.choice(["(", ")", "'", "]", "a"]))
        await _definition_lands(client, root / "use.py", root / "lib.py")
        assert "f" in {s.name for s in await _symbols(client, uri)}


async def test_huge_open_document_is_not_mapped_and_the_server_answers(tmp_path):
    """A 50 MB didOpen left documentSymbol unanswered for 180 s at 16.9 GB."""
    root = _plain_workspace(tmp_path)
    huge = root / "huge.py"
    uri = huge.as_uri()
    async with running(root, tmp_path / "cache") as client:
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text="x = 1\n" * (50_000_000 // 6))))
        assert not await _symbols(client, uri)
        for v in range(2, 12):  # changes to it stay cheap: not parsed, not copied
            change(client, uri, v, (0, 0), (0, 0), "y")
        await _definition_lands(client, root / "use.py", root / "lib.py")
        status = await request(client, "ssc/status", {})
        shown = {p["path"]: p["reason"] for p in status["folders"][0]["problems"]["first"]}
        assert "over the 1000000-byte limit" in shown["huge.py"]
        assert any("huge.py is not mapped while open" in m.message for m in client.messages)


async def test_rename_never_edits_outside_the_workspace(tmp_path):
    """Rename returned edits to a workspace link to an outside file and to a loose file."""
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "lib.py").write_text(LIB)
    (outside / "user.py").write_text("from lib import helper\n\nhelper(2)\n")
    (root / "link.py").symlink_to(outside / "user.py")
    loose = tmp_path / "elsewhere" / "loose.py"
    loose.parent.mkdir()
    loose.write_text("def solo():\n    return 1\n\n\nsolo()\n")
    async with running(root, tmp_path / "cache", capabilities="visual-studio-code") as client:
        for path in (root / "link.py", loose):
            client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="python", version=1, text=path.read_text())))
        edit = await client.text_document_rename_async(types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=(root / "lib.py").as_uri()),
            position=types.Position(0, 4), new_name="assist"))
        touched = {dc.text_document.uri for dc in edit.document_changes} if edit.document_changes \
            else set(edit.changes)
        assert touched == {(root / "lib.py").as_uri()}  # the link's file is not mapped, so not edited
        # a file outside every folder is a project of its own (single-file mode): a rename
        # there edits that project's files only, never the workspace's nor its links out
        edit = await client.text_document_rename_async(types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=loose.as_uri()),
            position=types.Position(0, 4), new_name="duo"))
        touched = {dc.text_document.uri for dc in edit.document_changes} if edit.document_changes \
            else set(edit.changes)
        assert touched == {loose.as_uri()}
        status = await request(client, "ssc/status", {})
        shown = {p["path"]: p["reason"] for p in status["folders"][0]["problems"]["first"]}
        assert "a link out of the workspace" in shown["link.py"]
    assert "helper(2)" in (outside / "user.py").read_text()


# -- in process: the index's per-file isolation, with real files --------------------------


def _small_workspace(root: Path, n: int) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    for i in range(n):
        (root / "pkg" / f"m{i}.py").write_text(f"def f{i}():\n    return {i}\n")


@pytest.mark.parametrize("workers", [1, 2])
def test_files_vanishing_between_crawl_and_read_are_skipped(tmp_path, monkeypatch, workers):
    """workers=2 with more files than INLINE_LIMIT: the process pool's workers read them."""
    n = max(service_mod.INLINE_LIMIT + 6, 3 * EXAMPLES)
    _small_workspace(tmp_path, n)
    real_crawl = service_mod.walk
    gone = {f"pkg/m{i}.py" for i in range(0, n, 7)}

    def crawl_then_delete(*args, **kwargs):
        found = list(real_crawl(*args, **kwargs))
        for rel in gone:
            (tmp_path / rel).unlink()
        return found

    monkeypatch.setattr(service_mod, "walk", crawl_then_delete)
    svc = MapService(str(tmp_path), MapOptions(persist=False, workers=workers))
    stats = svc.index()
    assert set(svc.ws.files) == {f"pkg/m{i}.py" for i in range(n)} - gone | {"pkg/__init__.py"}
    assert {p for p, r in stats.skipped.items() if r.startswith("missing")} == gone


def test_a_file_that_breaks_extraction_costs_only_itself(tmp_path, monkeypatch, caplog):
    _small_workspace(tmp_path, 3)
    real = service_mod.build_filemap

    def broken_for_m1(lang, path, *args):
        if path == "pkg/m1.py":
            raise RecursionError("maximum recursion depth exceeded")
        return real(lang, path, *args)

    monkeypatch.setattr(service_mod, "build_filemap", broken_for_m1)
    svc = MapService(str(tmp_path), MapOptions(persist=False, workers=1))
    with caplog.at_level("WARNING"):
        svc.index()
        svc.index()  # said once per file and reason, not at every index
    assert set(svc.ws.files) == {"pkg/__init__.py", "pkg/m0.py", "pkg/m2.py"}
    assert svc.problems["pkg/m1.py"].startswith("failed to map: RecursionError")
    assert sum("pkg/m1.py" in r.message for r in caplog.records) == 1
    # fixed on disk and seen by the watcher: mapped again, no longer a problem
    monkeypatch.setattr(service_mod, "build_filemap", real)
    svc.file_changed_on_disk("pkg/m1.py")
    assert "pkg/m1.py" in svc.ws.files and "pkg/m1.py" not in svc.problems


def test_random_hostile_sources_edit_like_a_fresh_parse():
    """Random bracket/quote soup, edited at random: the map equals a fresh parse's."""
    rng = random.Random(SEED)
    parser = PYTHON.parser()
    for k in range(EXAMPLES):
        doc = Document("g.py", "g", ("def keep():\n    pass\n" + _garbage(rng, 1500)).encode(), 1, parser)
        for _ in range(40):
            e = (rng.random(), rng.random(), rng.choice([0, 0, 1]), rng.randrange(3), rng.choice(TOKENS + [""]))
            doc.apply_changes([lsp_change(doc.text, e)])
        fresh = build_filemap(PYTHON, "g.py", "g", doc.data, parser.parse(doc.data))
        assert doc.fm.snapshot() == fresh.snapshot(), k


def test_invalid_excludes_from_settings_are_skipped(tmp_path, caplog):
    _small_workspace(tmp_path, 2)
    (tmp_path / "skip.py").write_text("A = 1\n")
    with caplog.at_level("WARNING"):
        svc = MapService(str(tmp_path), MapOptions(exclude=["!", "skip.py"], persist=False))
        svc.index()
    assert "skip.py" not in svc.ws.files and "pkg/m0.py" in svc.ws.files
    assert svc.problems == {"map.exclude:1": "invalid ignore pattern '!'"}
    assert sum("map.exclude:1" in r.message for r in caplog.records) == 1
