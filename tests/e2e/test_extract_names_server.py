"""`ssc.extractFunction`, `ssc.extractVariable`, `ssc.inline`, `ssc.suggestNames` and their code
actions over stdio, against the scripted OpenAI-compatible server on loopback: the text is what
jedi makes, the model only names, the map decides whether a name is free (a taken one falls back
to `extracted` with a note), every result goes through the edit check, and a model that fails
gives a clear error with nothing changed (no model call at all when the name is given)."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import jedi
import pytest
from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcException

from ssc_lsp.map.jedi_env import project
from tests.e2e.lsp import change, open_doc, plain, request, running
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio
_converter = get_converter()

SHOP = textwrap.dedent('''\
    import warnings

    RATE = 0.2


    def total(prices):
        return sum(prices)


    def invoice(prices, discount):
        subtotal = total(prices)
        taxed = subtotal * (1 + RATE)
        final = taxed - discount
        return final


    class Legacy:
        @property
        def default(self):
            return 1

        @default.setter
        def default(self, value):
            warnings.warn(
                "deprecated",
                stacklevel=2,
            )
            self.stored = value
    ''')
USE = "from shop import invoice, total\n\nprint(invoice([1, 2], 0), total([3]))\n"


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "shop.py").write_text(SHOP)
    (root / "use.py").write_text(USE)
    return root


def llm(fake: FakeOpenAI, **extra) -> dict:
    return {"llm": {"baseUrl": fake.base_url, "model": "fake-coder", "retries": 0, **extra}}


def pos(text: str, needle: str, end: bool = False) -> dict:
    at = text.index(needle) + (len(needle) if end else 0)
    line = text.count("\n", 0, at)
    return {"line": line, "character": at - (text.rfind("\n", 0, at) + 1)}


def selection(text: str, needle: str) -> dict:
    return {"start": pos(text, needle), "end": pos(text, needle, end=True)}


def doc(root: Path, rel: str = "shop.py") -> dict:
    return {"uri": (root / rel).as_uri()}


async def command(client, name: str, arg: dict):
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command=name, arguments=[arg]))


def applied(text: str, edit: dict) -> str:
    """One document's TextEdits (a WorkspaceEdit as JSON, `documentChanges` or `changes`) applied."""
    changes = edit.get("documentChanges")
    edits = [e for dc in changes for e in dc["edits"]] if changes else \
        [e for es in (edit.get("changes") or {}).values() for e in es]
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def offset(p: dict) -> int:
        return starts[p["line"]] + p["character"] if p["line"] < len(starts) else len(text)

    for e in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[:offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]):]
    return text


def plain_edit(edit: types.WorkspaceEdit) -> dict:
    return _converter.unstructure(edit, types.WorkspaceEdit)


def jedis(root: Path, kind: str, line: int, column: int, **kw) -> str:
    """jedi's own answer for shop.py (1-based line), to compare the server's text with."""
    script = jedi.Script(SHOP, path=str(root / "shop.py"), project=project(str(root)))
    changed = getattr(script, kind)(line, column, **kw).get_changed_files()
    return next(iter(changed.values())).get_new_code()


async def test_a_taken_model_name_falls_back_with_a_note_and_the_text_is_jedis(ws, tmp_path):
    answer = '{"name": "total", "doc": "Apply the tax rate."}'
    with FakeOpenAI([Reply(text=answer)]) as fake:
        async with running(ws, tmp_path / "cache", options=llm(fake)) as client:
            out = plain(await command(client, "ssc.extractFunction", {
                "textDocument": doc(ws), "range": selection(SHOP, "taxed = subtotal * (1 + RATE)"),
                "apply": False}))
    prompt = fake.completion_requests()[0].prompt_text
    assert "taxed = subtotal * (1 + RATE)" in prompt and "subtotal" in prompt and "invoice" in prompt
    assert out["title"] == "Extract function `extracted`"
    assert any("`total`" in n and "already defined" in n and "`extracted`" in n for n in out["notes"])
    assert out["summary"].startswith("checked: no problems") and out["problems"] == []
    line = SHOP[:SHOP.index("taxed =")].count("\n") + 1
    expected = jedis(ws, "extract_function", line, 4, until_line=line + 1, until_column=0, new_name="extracted")
    expected = expected.replace("def extracted(subtotal):\n",
                                'def extracted(subtotal):\n    """Apply the tax rate."""\n')
    assert applied(SHOP, out["edit"]) == expected
    assert out["applied"] is False


async def test_a_good_model_name_is_used(ws, tmp_path):
    with FakeOpenAI([Reply(text='```json\n{"name": "with_tax"}\n```')]) as fake:
        async with running(ws, tmp_path / "cache", options=llm(fake)) as client:
            out = plain(await command(client, "ssc.extractVariable", {
                "textDocument": doc(ws), "range": selection(SHOP, "subtotal * (1 + RATE)"), "apply": False}))
            shown = [[type(v).__name__ for v in vs] for vs in client.progress_reports.values()
                     if any(getattr(v, "title", None) == "ssc: extracting a variable" for v in vs)]
    assert shown == [["WorkDoneProgressBegin", "WorkDoneProgressEnd"]]  # while the model named it
    assert out["title"] == "Extract variable `with_tax`" and out["notes"] == []
    line = SHOP[:SHOP.index("taxed =")].count("\n") + 1
    assert applied(SHOP, out["edit"]) == jedis(ws, "extract_variable", line, 12, until_line=line,
                                               until_column=33, new_name="with_tax")
    assert out["summary"].startswith("checked: no problems")


async def test_a_given_name_makes_no_model_call_and_a_taken_one_is_refused(ws, tmp_path):
    with FakeOpenAI([Reply(text='{"name": "never_asked"}')]) as fake:
        async with running(ws, tmp_path / "cache", options=llm(fake)) as client:
            out = plain(await command(client, "ssc.extractVariable", {
                "textDocument": doc(ws), "range": selection(SHOP, "subtotal * (1 + RATE)"),
                "name": "gross", "apply": False}))
            assert out["title"] == "Extract variable `gross`"
            with pytest.raises(JsonRpcException, match="`discount` is already bound in `invoice`"):
                await command(client, "ssc.extractVariable", {
                    "textDocument": doc(ws), "range": selection(SHOP, "subtotal * (1 + RATE)"),
                    "name": "discount", "apply": False})
    assert fake.completion_requests() == []


async def test_jedis_result_goes_through_the_check(ws, tmp_path):
    """jedi 0.20 takes the keyword `stacklevel=2` for a name the extracted code reads and passes
    it to the new method (`self.warn_once(stacklevel)`): the check reports it, never "fine"."""
    async with running(ws, tmp_path / "cache") as client:
        rng = {"start": pos(SHOP, "warnings.warn("), "end": pos(SHOP, "        )\n", end=True)}
        out = plain(await command(client, "ssc.extractFunction", {
            "textDocument": doc(ws), "range": rng, "name": "warn_once", "apply": False}))
    assert [(p["kind"], p["message"]) for p in out["problems"]] == [("name", "`stacklevel` is not defined")]
    assert out["summary"].startswith("1 problem: shop.py:")
    assert "self.warn_once(stacklevel)" in applied(SHOP, out["edit"])


async def test_garbage_and_a_timeout_are_clear_errors_and_change_nothing(ws, tmp_path):
    replies = [Reply(text="I would call it something nice, maybe, or not."), Reply(hang=True),
               Reply(text="Better names would help here.")]
    with FakeOpenAI(replies) as fake:
        async with running(ws, tmp_path / "cache", options=llm(fake, requestTimeoutMs=1500)) as client:
            arg = {"textDocument": doc(ws), "range": selection(SHOP, "subtotal * (1 + RATE)"), "apply": False}
            with pytest.raises(JsonRpcException, match="holds no name"):
                await command(client, "ssc.extractVariable", arg)
            with pytest.raises(JsonRpcException, match="The model failed"):
                await command(client, "ssc.extractVariable", arg)
            with pytest.raises(JsonRpcException, match="holds no names"):
                await command(client, "ssc.suggestNames", {"textDocument": doc(ws),
                                                           "position": pos(SHOP, "invoice(prices")})
            status = await request(client, "ssc/status", {})  # still up
    assert status["ready"] and len(fake.completion_requests()) == 3
    assert (ws / "shop.py").read_text() == SHOP


async def test_inline_is_jedis_and_a_refusal_is_jedis_reason(ws, tmp_path):
    async with running(ws, tmp_path / "cache") as client:
        out = plain(await command(client, "ssc.inline", {
            "textDocument": doc(ws), "position": pos(SHOP, "final = "), "apply": False}))
        with pytest.raises(JsonRpcException, match="jedi cannot do this here: Cannot inline"):
            await command(client, "ssc.inline", {"textDocument": doc(ws), "position": pos(SHOP, "total(prices)\n"),
                                                 "apply": False})
    line = SHOP[:SHOP.index("final = ")].count("\n") + 1
    assert out["title"] == "Inline `final`"
    assert applied(SHOP, out["edit"]) == jedis(ws, "inline", line, 4)
    assert "return taxed - discount" in applied(SHOP, out["edit"])


async def test_extract_and_inline_code_actions_resolve_to_checked_edits(ws, tmp_path):
    with FakeOpenAI([Reply(text='{"name": "with_tax"}')]) as fake:
        async with running(ws, tmp_path / "cache", options=llm(fake)) as client:
            sel = selection(SHOP, "subtotal * (1 + RATE)")
            rng = types.Range(types.Position(**sel["start"]), types.Position(**sel["end"]))
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=doc(ws)["uri"]), range=rng,
                context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorExtract])))
            titles = [a.title for a in actions]
            assert titles == ["Extract function", "Extract variable"]
            assert fake.completion_requests() == []  # offering costs no model call
            resolved = await client.code_action_resolve_async(actions[1])
            here = types.Position(**pos(SHOP, "final = "))
            inline = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=doc(ws)["uri"]), range=types.Range(here, here),
                context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorInline])))
            assert [a.title for a in inline] == ["Inline `final`"]
    notes = list((resolved.edit.change_annotations or {}).values())
    assert [(n.label, n.description, n.needs_confirmation) for n in notes] == [
        ("Extract variable `with_tax`", "checked: no problems", True)]  # the model named it
    line = SHOP[:SHOP.index("taxed =")].count("\n") + 1
    assert applied(SHOP, plain_edit(resolved.edit)) == jedis(ws, "extract_variable", line, 12, until_line=line,
                                                             until_column=33, new_name="with_tax")
    assert len(fake.completion_requests()) == 1


async def test_suggested_names_are_checked_by_the_rename_and_offered_as_renames(ws, tmp_path):
    answer = ('{"names": [{"name": "total", "reason": "shorter"}, {"name": "class", "reason": "x"}, '
              '{"name": "build_invoice", "reason": "says what it does"}]}')
    with FakeOpenAI([Reply(text=answer)]) as fake:
        async with running(ws, tmp_path / "cache", options=llm(fake)) as client:
            at = pos(SHOP, "invoice(prices")
            out = plain(await command(client, "ssc.suggestNames", {"textDocument": doc(ws), "position": at}))
            here = types.Position(**at)
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=doc(ws)["uri"]), range=types.Range(here, here),
                context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorRewrite])))
            offered = [a for a in actions if a.title == "Rename `invoice` to `build_invoice` (suggested)"]
            assert len(offered) == 1
            resolved = await client.code_action_resolve_async(offered[0])
            renamed = await client.text_document_rename_async(types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=doc(ws)["uri"]), position=here,
                new_name="build_invoice"))
    prompt = fake.completion_requests()[0].prompt_text
    assert "def invoice(prices, discount):" in prompt and "use.py:3" in prompt and "snake_case" in prompt
    assert out["symbol"]["qualname"] == "invoice"
    assert out["names"] == [{"name": "build_invoice", "reason": "says what it does"}]
    assert {r["name"] for r in out["refused"]} == {"total", "class"}
    assert any("already" in r["reason"] for r in out["refused"] if r["name"] == "total")
    assert resolved.edit == renamed  # the rename's one code path
    assert not any("to `total`" in a.title for a in actions)


async def test_a_buffer_that_moved_on_while_the_model_named_gets_no_edit(ws, tmp_path):
    with FakeOpenAI([Reply(text='{"name": "with_tax"}', delay=1.5)]) as fake:
        async with running(ws, tmp_path / "cache", options=llm(fake)) as client:
            uri = open_doc(client, ws / "shop.py")
            pending = asyncio.ensure_future(command(client, "ssc.extractVariable", {
                "textDocument": doc(ws), "range": selection(SHOP, "subtotal * (1 + RATE)"), "apply": False}))
            for _ in range(200):  # until the model has the question
                if fake.completion_requests():
                    break
                await asyncio.sleep(0.02)
            change(client, uri, 2, (0, 0), (0, 0), "# typed meanwhile\n")
            with pytest.raises(JsonRpcException, match="shop.py changed while the refactoring was made"):
                await pending
