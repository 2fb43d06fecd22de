"""Nothing secret reaches a model: canaries planted where an attacker found them leaking, the real
server driven over stdio, and a recording OpenAI-compatible endpoint that must see none of them.

Planted: in the cursor's own file (an AWS key id, an `sk-` key, a password in a URL, a
`password=` keyword), in an open file listed in `.gitignore`, in a file symlinked from outside
the workspace (`passwd.py -> ../outside/passwd.py`), and in `.env`. Asked: inline completion,
list completion, `ssc/context`, `ssc.showContext`, and the `ssc-lsp complete` command line. The
positive control: the cursor files' own code does reach the model (redacted), so a test that
sent nothing would fail.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from tests.e2e.lsp import request
from tests.e2e.test_completion_server import inline, llm, server, stats, wait_until
from tests.fake_openai import FakeOpenAI, Reply

AWS = "AKIA" + "Q7XC2N4M8P5R1T3V"
SK = "sk-" + "cnry0Zx9Lm2Qp7Rt4Wv8"
URL_PW = "CnryUrlPw" + "4711"
KW_PW = "CnryKwPw" + "0815"
IGNORED = "zebra-ignored-" + "canary-31"
OUTSIDE = "quokka-outside-" + "canary-58"
DOTENV = "narwhal-env-" + "canary-77"
CANARIES = (AWS, SK, URL_PW, KW_PW, IGNORED, OUTSIDE, DOTENV)
CURSOR_LINE = "    \n"  # each Python file ends in a blank line of a function body: the cursor

FILES = {
    "config.py": f'''AWS_ACCESS_KEY_ID = "{AWS}"
OPENAI_API_KEY = "{SK}"


def client_options():
    """Options for the storage client."""
    return {{"key": AWS_ACCESS_KEY_ID, "openai": OPENAI_API_KEY}}


def storage_client():
    options = client_options()
''' + CURSOR_LINE,
    "settings.py": f'''DATABASE_URL = "postgres://admin:{URL_PW}@db.internal:5432/shop"


def open_database(db):
    return db.connect(host="db.internal", password="{KW_PW}")


def read_settings():
''' + CURSOR_LINE,
    "local_only.py": f'''LOCAL_NOTE = "{IGNORED}"


def local_helper():
''' + CURSOR_LINE,
    "app.py": '''from config import client_options
from local_only import LOCAL_NOTE, local_helper
from passwd import ROOT_ENTRY
from settings import DATABASE_URL, open_database


def run(db):
    options = client_options()
    note = LOCAL_NOTE + ROOT_ENTRY + DATABASE_URL
    local_helper()
''' + CURSOR_LINE,
    ".gitignore": "local_only.py\n",
    ".env": f"DJANGO_SETTINGS_NOTE={DOTENV}\n",
}
OUTSIDE_FILE = f'''ROOT_ENTRY = "root:x:0:0:{OUTSIDE}:/root:/bin/bash"


def outside_helper():
    return ROOT_ENTRY
'''
SENT = ("config.py", "settings.py", "app.py")  # the files a model may be asked about
# why each is refused, as said to the user (a link out is refused already by the map, which
# does not map it when opened: "passwd.py is not mapped while open: a link out of the workspace")
REFUSED = {"local_only.py": "ignored", "passwd.py": "out of the workspace"}
SECRET_FILE = ".env"  # not Python: not even in the map, but an editor may call it Python


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    for rel, text in FILES.items():
        (root / rel).write_text(text)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.py").write_text(OUTSIDE_FILE)
    (root / "passwd.py").symlink_to(outside / "passwd.py")
    return root


def cursor(text: str) -> types.Position:
    """The end of the last line (the blank line in a function body the files end with)."""
    lines = text.split("\n")
    row = len(lines) - 2 if lines[-1] == "" else len(lines) - 1
    return types.Position(row, len(lines[row]))


def open_file(client, root: Path, rel: str, version: int = 1) -> tuple[str, types.Position]:
    text = (root / rel).read_text()
    uri = (root / rel).as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=version, text=text)))
    return uri, cursor(text)


async def listed(client, uri: str, pos: types.Position):
    return await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos))


async def everything_at(client, fake: FakeOpenAI, uri: str, pos: types.Position) -> list[str]:
    """Ask every way there is at `pos` (the list at the end of the line before, so that it is
    not served by typing through the inline answer); return what the editor got, as text."""
    shown: list[str] = [str(await inline(client, uri, pos))]
    above = types.Position(max(pos.line - 1, 0), 200)  # clamped to the line's end
    before = len(fake.completion_requests())
    shown.append(str(await listed(client, uri, above)))
    await wait_until(lambda: len(fake.completion_requests()) > before, 3.0)
    await asyncio.sleep(0.2)
    shown.append(str(await listed(client, uri, above)))
    where = {"textDocument": {"uri": uri}, "position": {"line": pos.line, "character": pos.character}}
    shown.append(str(await request(client, "ssc/context", {**where, "budget": 20000})))
    shown.append(str(await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="ssc.showContext", arguments=[where]))))
    return shown


def bodies(fake: FakeOpenAI) -> list[str]:
    return [r.raw.decode("utf-8", "replace") for r in fake.requests]


@pytest.mark.asyncio
async def test_no_canary_reaches_the_model_over_stdio(planted: Path, tmp_path: Path):
    with FakeOpenAI(default=Reply(text="return None")) as fake:
        async with server(planted, tmp_path, llm(fake)) as client:
            shown: list[str] = []
            for rel in SENT:
                uri, pos = open_file(client, planted, rel)
                shown += await everything_at(client, fake, uri, pos)
            asked = len(fake.completion_requests())
            assert asked >= 2 * len(SENT)  # inline and list for each
            for rel in REFUSED:
                uri, pos = open_file(client, planted, rel)
                shown += await everything_at(client, fake, uri, pos)
                await inline(client, uri, pos)  # asked twice: said once
            uri = (planted / ".env").as_uri()
            client.text_document_did_open(types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1,
                                                     text=FILES[".env"])))
            shown += await everything_at(client, fake, uri, types.Position(0, 5))
            await inline(client, uri, types.Position(0, 5))
            counters = (await stats(client))["completion"]
            said = [m.message for m in client.messages]
        # the refused files asked for nothing at all, and said why, once each
        assert len(fake.completion_requests()) == asked
        for rel, why in (*REFUSED.items(), (SECRET_FILE, "looks like a secret")):
            mine = [m for m in said if f"no suggestions in {rel}:" in m
                    or f"{rel} is not mapped while open:" in m]
            assert len(mine) == 1 and why in mine[0], said
        assert counters["private"] >= 2 * len(REFUSED)
    # the model was asked about each of the other files, with their code, redacted
    sent = bodies(fake)
    for rel, marker in (("config.py", "def storage_client"), ("settings.py", "def read_settings"),
                        ("app.py", "def run(db)")):
        assert any(marker in b for b in sent), rel
    assert sum("[redacted]" in b for b in sent) >= 2
    for canary in CANARIES:
        assert not any(canary in b for b in sent), canary
        assert not any(canary in s for s in shown), canary


def test_no_canary_reaches_the_model_from_the_command_line(planted: Path, tmp_path: Path):
    env = dict(os.environ, SSC_LSP_CACHE_DIR=str(tmp_path / "cache"))
    for var in ("SSC_LLM_BASE_URL", "SSC_LLM_MODEL", "SSC_LLM_API", "SSC_LLM_API_KEY"):
        env.pop(var, None)
    with FakeOpenAI(default=Reply(text="return None")) as fake:
        runs = {}
        for rel in (*SENT, *REFUSED):
            pos = cursor((planted / rel).read_text())
            runs[rel] = subprocess.run(
                [sys.executable, "-m", "ssc_lsp", "complete",
                 f"{planted / rel}:{pos.line + 1}:{pos.character + 1}", "--root", str(planted),
                 "--base-url", fake.base_url, "--model", "fake-coder", "--no-cache"],
                env=env, capture_output=True, text=True, timeout=120)
        sent = bodies(fake)
    assert len([b for b in sent if "def storage_client" in b]) >= 1
    for rel, why in REFUSED.items():
        # refused by the privacy gate (1) or, for a link out, by the map before it (2)
        assert runs[rel].returncode in (1, 2), runs[rel].stderr
        assert why in runs[rel].stderr.replace("outside the workspace", "out of the workspace"), \
            runs[rel].stderr
    for canary in CANARIES:
        assert not any(canary in b for b in sent), canary
        assert not any(canary in r.stdout for r in runs.values()), canary
