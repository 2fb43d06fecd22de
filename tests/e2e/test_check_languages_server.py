"""The completions' check in Go and Java through the real server over stdio, against the scripted
OpenAI-compatible server on loopback: a suggestion using an invented member of a workspace type is
not shown (the repair round is told what does not exist), the real member is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.test_completion_server import REPAIR_MARK, inline, llm, open_at, server, stats, texts
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

CASES = {
    # language: (file, the line the cursor goes above, its indentation, invented, real)
    "go": ("main.go", '\tserver.NewServer("a", "b")', "\t", "_ = b.Describee()", "_ = b.Describe()"),
    "java": ("src/main/java/com/acme/app/Main.java", "        r.run();", "        ",
             "m.nothere(1);", "m.add(c);"),
}


@pytest.mark.parametrize("lang", sorted(CASES))
async def test_an_invented_member_is_not_shown_the_real_one_is(lang, tmp_path):
    rel, marker, indent, invented, real = CASES[lang]
    root = tmp_path / "ws"
    shutil.copytree(FIXTURES / lang, root)
    fake = FakeOpenAI(rules=[(REPAIR_MARK, Reply(text=real))], default=Reply(text=invented))
    with fake:
        async with server(root, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, root, rel, marker, indent + "\n")
            shown = texts(await inline(client, uri, pos))
            assert shown and shown[0] == real and invented not in shown
            first, repair = fake.completion_requests()
            assert REPAIR_MARK not in first.prompt_text
            assert invented.split("(")[0].split()[-1] in repair.prompt_text  # told what is missing
            s = await stats(client)
            assert s["check"]["flagged"] == {"attribute": 1} and s["check"]["repaired"] == 1
