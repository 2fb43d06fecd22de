"""The completions' check in TypeScript and Rust files, through the real server over stdio against
the scripted OpenAI-compatible endpoint: a suggestion using an invented member of a workspace
type is not shown as it is (the repair round's real member is), a real one is shown at once."""

from __future__ import annotations

import pytest

from tests.e2e.lsp import copy_fixture
from tests.e2e.test_completion_server import REPAIR_MARK, inline, llm, open_at, server, stats, texts
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio

CASES = {
    "typescript": ("src/app.ts", "  const label = slugify(item.name);", "  \n",
                   "console.log(cart.totl());", "console.log(cart.total());"),
    "rust": ("src/main.rs", "    report(&st, bad);", "    \n",
             "let n = st.nme.len();", "let n = st.name.len();"),
}


@pytest.mark.parametrize("language", sorted(CASES))
async def test_invented_member_not_shown_real_one_is(language, tmp_path):
    rel, marker, insert, invented, real = CASES[language]
    root = copy_fixture(language, tmp_path / "ws")
    fake = FakeOpenAI(rules=[(REPAIR_MARK, Reply(text=real))], default=Reply(text=invented))
    with fake:
        async with server(root, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, root, rel, marker, insert)
            assert texts(await inline(client, uri, pos)) == [real]
            first, repair = fake.completion_requests()
            assert REPAIR_MARK in repair.prompt_text and REPAIR_MARK not in first.prompt_text
            s = await stats(client)
            assert s["check"]["flagged"] == {"attribute": 1}
            assert s["check"] == {**s["check"], "suggested": 1, "passed": 0, "repaired": 1}


@pytest.mark.parametrize("language", sorted(CASES))
async def test_real_member_shown_at_once(language, tmp_path):
    rel, marker, insert, _invented, real = CASES[language]
    root = copy_fixture(language, tmp_path / "ws")
    with FakeOpenAI(default=Reply(text=real)) as fake:
        async with server(root, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, root, rel, marker, insert)
            assert texts(await inline(client, uri, pos)) == [real]
            assert len(fake.completion_requests()) == 1  # no repair round
            s = await stats(client)
            assert s["check"] == {**s["check"], "suggested": 1, "passed": 1, "repaired": 0}
