"""A misbehaving model over stdio: an answer cut off or far too large is never a suggestion, is
read once (no repair round, no retry), counted in `ssc/stats` and said once."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.e2e.test_completion_server import BILLING, inline, llm, open_at, server, stats, texts
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio


async def test_cut_off_and_huge_answers_are_dropped_counted_and_said_once(ws_copy, tmp_path):
    replies = [Reply(chunks=["total = order.", "total()"], end="clean"),
               Reply(chunks=["total = order.", "total()"], end="reset"),
               Reply(chunks=["x" * 10_000_000]),
               Reply(chunks=["x" * 10_000_000]),
               Reply(text="total = order.total()")]
    with FakeOpenAI(replies) as fake:
        async with server(ws_copy, tmp_path, llm(fake)) as client:
            uri, pos = open_at(client, ws_copy, BILLING, "    amount = order.total()", "    \n")
            for i in range(4):  # a new prefix each time: no cache, no typing through
                at = types.Position(pos.line, pos.character + i)
                assert texts(await inline(client, uri, at)) == []
                client.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2 + i),
                    content_changes=[types.TextDocumentContentChangePartial(
                        range=types.Range(at, at), text=" ")]))
            at = types.Position(pos.line, pos.character + 4)
            assert texts(await inline(client, uri, at)) == ["total = order.total()"]
            counters = (await stats(client))["completion"]
    assert len(fake.completion_requests()) == 5  # each answer read once: no repair, no retry
    assert counters["truncated"] == 2 and counters["tooLarge"] == 2 and counters["errors"] == 4
    said = [m.message for m in client.messages]
    assert len([m for m in said if "ended the answer without finishing it" in m]) == 1, said
    assert len([m for m in said if "cut the answer off" in m]) == 1, said
    assert len([m for m in said if "more than 1000000 bytes" in m]) == 1, said
