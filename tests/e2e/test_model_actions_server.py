"""The model's code actions over stdio (features/model_actions.py) against the scripted
OpenAI-compatible server: offered at once with no model request, the model asked only in
`codeAction/resolve`, its answer placed by the server and judged by the check (invented names,
types and fixtures caught), `context.only` and the LLMGenerated tag honoured, `ssc.explain`
answering markdown with the map's facts; garbage and a timeout give a clear message and the
server stays up.
"""

from __future__ import annotations

import ast
import asyncio
import textwrap
from pathlib import Path

import attrs
import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import client_capabilities

from tests.e2e.lsp import open_doc, plain, running
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.asyncio

FILES = {
    ".gitignore": "build/\n",
    "calc/__init__.py": "",
    "calc/pricing.py": '''\
        """Pricing helpers."""

        DISCOUNT = 0.1


        def apply_discount(price, rate=DISCOUNT):
            return round(price * (1 - rate), 2)


        def label(name: str, count: int = 1) -> str:
            """Say how many of a thing.

            Args:
                name: the thing.
                count: how many.

            Returns:
                The label.
            """
            return f"{count} x {name}"
        ''',
    "calc/shop.py": '''\
        from calc.pricing import apply_discount


        def checkout(total):
            """What is paid for a total.

            Args:
                total: the sum of the items.

            Returns:
                The sum after the discount.
            """
            password = "hunter2-correct-horse"
            return apply_discount(total)


        SAMPLE = apply_discount(19.99)
        ''',
    "calc/items.py": "class Item:\n    def __init__(self, name):\n        self.name = name\n",
    "calc/report.py": "def describe(item):\n    return item.name\n",
    "calc/use.py": "from calc.items import Item\nfrom calc.report import describe\n\nTEXT = describe(Item(\"pen\"))\n",
    "tests/__init__.py": "",
    "tests/conftest.py": '''\
        import pytest


        @pytest.fixture
        def prices():
            """A few prices."""
            return [1.0, 2.5]
        ''',
    "tests/test_pricing.py": '''\
        from calc.pricing import label


        def test_label():
            assert label("pen", 2) == "2 x pen"
        ''',
    "build/gen.py": "def made():\n    return 1\n",
}
PRICING = "calc/pricing.py"
DEF_LINE = 5  # `def apply_discount(price, rate=DISCOUNT):`


@pytest.fixture
def proj(tmp_path) -> Path:
    root = tmp_path / "proj"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return root


def caps(tags: bool = True) -> types.ClientCapabilities:
    base = client_capabilities("visual-studio-code")
    if not tags:
        return base
    ca = attrs.evolve(base.text_document.code_action, tag_support=types.CodeActionTagOptions(
        value_set=[types.CodeActionTag.LlmGenerated]))
    return attrs.evolve(base, text_document=attrs.evolve(base.text_document, code_action=ca))


def llm(fake: FakeOpenAI, **extra) -> dict:
    return {"llm": {"baseUrl": fake.base_url, "model": "fake-coder", "retries": 0, **extra}}


def at_line(uri: str, line: int, end: int = 0, only: list[str] | None = None,
            end_char: int = 8) -> types.CodeActionParams:
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(types.Position(line, 4), types.Position(line + end, end_char if end else 4)),
        context=types.CodeActionContext(diagnostics=[], only=only))


async def actions(client, uri: str, line: int, **kw) -> dict[str, types.CodeAction]:
    got = await client.text_document_code_action_async(at_line(uri, line, **kw))
    return {a.title: a for a in map(as_action, got or [])}


def as_action(item) -> types.CodeAction:
    """lsprotocol reads any item with a `command` field as a Command (the command object then
    in its `command` string, as Python's repr); editors tell them apart by the field's type."""
    if isinstance(item, types.CodeAction):
        return item
    if item.command.startswith("{"):
        cmd = ast.literal_eval(item.command)
        return types.CodeAction(title=item.title, command=types.Command(
            title=cmd["title"], command=cmd["command"], arguments=cmd.get("arguments")))
    return types.CodeAction(title=item.title, command=item)


def applied(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    """`text` after the TextEdits `edit` makes to `uri` (ASCII texts: UTF-16 = code points)."""
    edits = [e for dc in edit.document_changes or [] if isinstance(dc, types.TextDocumentEdit)
             and dc.text_document.uri == uri for e in dc.edits]
    lines = text.split("\n")
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)

    def off(p: types.Position) -> int:
        return starts[p.line] + p.character

    for e in sorted(edits, key=lambda e: off(e.range.start), reverse=True):
        text = text[:off(e.range.start)] + e.new_text + text[off(e.range.end):]
    return text


def described(edit: types.WorkspaceEdit) -> str:
    return " ".join(a.description or "" for a in (edit.change_annotations or {}).values())


async def resolve(client, action: types.CodeAction) -> types.CodeAction:
    return await client.code_action_resolve_async(action)


async def test_offered_at_once_from_the_map_tagged_and_filtered(proj, tmp_path):
    with FakeOpenAI() as fake:
        async with running(proj, tmp_path / "cache", capabilities=caps(), options=llm(fake)) as client:
            uri = open_doc(client, proj / PRICING)
            got = await actions(client, uri, DEF_LINE, end=1)
            mine = {t: a for t, a in got.items() if "(ssc)" in t or t == "Explain with ssc"}
            assert set(mine) == {"Generate a docstring for apply_discount (ssc)",
                                 "Add type annotations to apply_discount (ssc)",
                                 "Generate tests for apply_discount (ssc)", "Explain with ssc"}
            for a in mine.values():
                if a.command is None:  # (the client library drops the rest of a command action)
                    assert list(a.tags) == [types.CodeActionTag.LlmGenerated]
            doc = mine["Generate a docstring for apply_discount (ssc)"]
            assert doc.kind == types.CodeActionKind.RefactorRewrite and doc.edit is None
            assert doc.data["symbol"] == "calc/pricing.py::apply_discount"
            assert mine["Explain with ssc"].command.command == "ssc.explain"
            # an annotated function with a docstring: "update", and nothing to annotate
            label = await actions(client, uri, 10)
            assert "Update the docstring of label (ssc)" in label
            assert not any(t.startswith("Add type annotations") for t in label)
            # context.only
            only = await actions(client, uri, DEF_LINE, end=1, only=[types.CodeActionKind.RefactorRewrite])
            assert {t for t in only if "(ssc)" in t} == {"Generate a docstring for apply_discount (ssc)",
                                 "Add type annotations to apply_discount (ssc)"}
            assert await actions(client, uri, DEF_LINE, only=[types.CodeActionKind.QuickFix]) == {}
            # tests are not offered in a test module; nothing at all in an ignored file
            tests_uri = open_doc(client, proj / "tests/test_pricing.py")
            assert not any(t.startswith("Generate tests") for t in await actions(client, tests_uri, 3))
            ignored = open_doc(client, proj / "build/gen.py")
            there = await actions(client, ignored, 0, end=1)  # engine refactors may be; no model action
            assert not any("(ssc)" in t or getattr(a, "tags", None) for t, a in there.items()), there
        assert fake.completion_requests() == []  # offering asked no model
    async with running(proj, tmp_path / "cache2", capabilities=caps(tags=False), options=llm(fake)) as client:
        uri = open_doc(client, proj / PRICING)
        got = await actions(client, uri, DEF_LINE)
        assert got and all(a.tags is None for a in got.values())


async def test_docstring_in_the_workspace_style_and_an_invented_name_caught(proj, tmp_path):
    good = "Apply a discount to a price.\n\nArgs:\n    price: the price.\n    rate: the discount rate.\n\n" \
           "Returns:\n    The discounted price, rounded to cents."
    bad = '"""Apply a discount.\n\nUses `compute_tax()` first.\n"""'
    with FakeOpenAI([Reply(text=good), Reply(text=bad)]) as fake:
        async with running(proj, tmp_path / "cache", capabilities=caps(), options=llm(fake)) as client:
            uri = open_doc(client, proj / PRICING)
            action = (await actions(client, uri, DEF_LINE))["Generate a docstring for apply_discount (ssc)"]
            assert fake.completion_requests() == []
            done = await resolve(client, action)
            sent = fake.completion_requests()[0].prompt_text
            assert "Google style" in sent and "Say how many of a thing." in sent  # style + example
            assert "DISCOUNT" in sent  # the map's facts on the names used
            text = (proj / PRICING).read_text()
            after = applied(text, done.edit, uri)
            assert '    """Apply a discount to a price.\n\n    Args:\n        price: the price.\n' in after
            assert after.replace('''    """Apply a discount to a price.

    Args:
        price: the price.
        rate: the discount rate.

    Returns:
        The discounted price, rounded to cents.
    """
''', "") == text
            assert "checked: no problems" in described(done.edit)
            assert done.edit.change_annotations["ssc.proposal"].needs_confirmation is True
            done = await resolve(client, action)
            after = applied(text, done.edit, uri)
            assert '    """Apply a discount.\n\n    Uses `compute_tax()` first.\n    """\n' in after
            assert "1 problem" in described(done.edit) and "compute_tax" in described(done.edit)


async def test_annotations_from_jedi_and_the_map_and_invented_types(proj, tmp_path):
    replies = [Reply(text="```python\ndef apply_discount(price: float, rate: float = DISCOUNT) -> float:\n```"),
               Reply(text="def apply_discount(price: Money, rate: Optional[float] = DISCOUNT) -> float:"),
               Reply(text="def apply_discount(price, discount=0.1) -> float:"),
               Reply(text="Floats, I would say.")]
    with FakeOpenAI(replies) as fake:
        async with running(proj, tmp_path / "cache", capabilities=caps(), options=llm(fake)) as client:
            uri = open_doc(client, proj / PRICING)
            text = (proj / PRICING).read_text()
            action = (await actions(client, uri, DEF_LINE))["Add type annotations to apply_discount (ssc)"]
            done = await resolve(client, action)
            sent = fake.completion_requests()[0].prompt_text
            assert "parameter `price`: float (jedi, from the call sites)" in sent
            assert "parameter `rate`: float (its default)" in sent
            assert "calc/shop.py:17: SAMPLE = apply_discount(19.99)" in sent
            after = applied(text, done.edit, uri)
            assert after == text.replace("def apply_discount(price, rate=DISCOUNT):",
                                         "def apply_discount(price: float, rate: float = DISCOUNT) -> float:")
            assert "checked: no problems" in described(done.edit)
            # a type nothing defines is reported; a typing name gets its import
            done = await resolve(client, action)
            after = applied(text, done.edit, uri)
            assert "from typing import Optional\n" in after
            assert "def apply_discount(price: Money, rate: Optional[float] = DISCOUNT) -> float:" in after
            assert "1 problem" in described(done.edit) and "Money" in described(done.edit)
            # more than annotations changed, or no header at all: said, no edit
            for _ in range(2):
                done = await resolve(client, action)
                assert done.edit is None
            said = [m.message for m in client.messages]
            assert any("changed the parameters" in m for m in said), said
            assert any("not a function header" in m for m in said), said


async def test_a_workspace_type_jedi_found_gets_its_import(proj, tmp_path):
    with FakeOpenAI([Reply(text="def describe(item: Item) -> str:")]) as fake:
        async with running(proj, tmp_path / "cache", capabilities=caps(), options=llm(fake)) as client:
            uri = open_doc(client, proj / "calc/report.py")
            action = (await actions(client, uri, 0))["Add type annotations to describe (ssc)"]
            done = await resolve(client, action)
            sent = fake.completion_requests()[0].prompt_text
            assert "parameter `item`: Item (jedi, from the call sites, from calc.items)" in sent
            assert applied((proj / "calc/report.py").read_text(), done.edit, uri) == \
                "from calc.items import Item\n\n\ndef describe(item: Item) -> str:\n    return item.name\n"
            assert "checked: no problems" in described(done.edit)


async def test_tests_appended_with_fixtures_or_in_a_new_file_and_inventions_caught(proj, tmp_path):
    good = textwrap.dedent('''\
        ```python
        from calc.pricing import apply_discount


        def test_apply_discount(prices):
            assert [apply_discount(p, 0.5) for p in prices] == [0.5, 1.25]
        ```''')
    bad = textwrap.dedent('''\
        from calc.pricing import apply_coupon


        def test_label(cheap_prices):
            assert apply_coupon(cheap_prices)
        ''')
    new = textwrap.dedent('''\
        from calc.shop import checkout


        def test_checkout():
            assert checkout(10.0) == 9.0
        ''')
    with FakeOpenAI([Reply(text=good), Reply(text=bad), Reply(text=new)]) as fake:
        async with running(proj, tmp_path / "cache", capabilities=caps(), options=llm(fake)) as client:
            uri = open_doc(client, proj / PRICING)
            tests = proj / "tests/test_pricing.py"
            action = (await actions(client, uri, DEF_LINE))["Generate tests for apply_discount (ssc)"]
            done = await resolve(client, action)
            sent = fake.completion_requests()[0].prompt_text
            assert "pytest tests" in sent and "- prices: tests/conftest.py:5: def prices()" in sent
            assert 'assert label("pen", 2)' in sent  # the existing module
            after = applied(tests.read_text(), done.edit, tests.as_uri())
            assert after == textwrap.dedent('''\
                from calc.pricing import label
                from calc.pricing import apply_discount


                def test_label():
                    assert label("pen", 2) == "2 x pen"


                def test_apply_discount(prices):
                    assert [apply_discount(p, 0.5) for p in prices] == [0.5, 1.25]
                ''')
            assert "checked: no problems" in described(done.edit)
            done = await resolve(client, action)
            summary = described(done.edit)
            assert "3 problems" in summary, summary
            for what in ("apply_coupon", "fixture 'cheap_prices' is not defined", "test_label is defined twice"):
                assert what in summary, summary
            # a function no test module imports: a new test file, created through the edit
            shop = open_doc(client, proj / "calc/shop.py")
            action = (await actions(client, shop, 3))["Generate tests for checkout (ssc)"]
            done = await resolve(client, action)
            created = [c for c in done.edit.document_changes if isinstance(c, types.CreateFile)]
            assert [c.uri for c in created] == [(proj / "tests/test_shop.py").as_uri()]
            assert applied("", done.edit, (proj / "tests/test_shop.py").as_uri()) == new
            assert "checked: no problems" in described(done.edit)


async def test_explain_returns_markdown_with_the_maps_facts(proj, tmp_path):
    with FakeOpenAI([Reply(text="It applies the shop's discount to the total."), Reply(text="Again.")]) as fake:
        async with running(proj, tmp_path / "cache", capabilities=caps(), options=llm(fake)) as client:
            uri = open_doc(client, proj / "calc/shop.py")
            action = (await actions(client, uri, 3, end=11, end_char=0))["Explain with ssc"]
            assert fake.completion_requests() == []
            result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command=action.command.command, arguments=action.command.arguments))
            md = plain(result)["markdown"]
            assert md.startswith("It applies the shop's discount to the total.")
            assert "`apply_discount`: function defined at `calc/pricing.py:6`" in md
            sent = fake.completion_requests()[0].prompt_text
            assert "return apply_discount(total)" in sent and "calc/pricing.py:6" in sent
            assert "hunter2" not in sent and "password = " in sent  # the secret redacted
            # (uri, range) as two arguments too; an empty selection is said, the model not asked
            (arg,) = action.command.arguments
            result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command="ssc.explain", arguments=[arg["textDocument"]["uri"], arg["range"]]))
            assert plain(result)["markdown"].startswith("Again.")
            empty = {**arg, "range": {"start": arg["range"]["start"], "end": arg["range"]["start"]}}
            result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command="ssc.explain", arguments=[empty]))
            assert plain(result)["markdown"] is None and "select the code" in plain(result)["error"]
            assert len(fake.completion_requests()) == 2


async def test_garbage_and_timeout_give_a_clear_message_and_the_server_stays_up(proj, tmp_path):
    replies = [Reply(garbage="this is not an event stream"), Reply(hang=True),
               Reply(text="Apply a discount to", hang_after=2), Reply(text="Apply a discount.")]
    with FakeOpenAI(replies) as fake:
        options = llm(fake, requestTimeoutMs=1500, timeoutMs=1500)
        async with running(proj, tmp_path / "cache", capabilities=caps(), options=options) as client:
            uri = open_doc(client, proj / PRICING)
            action = (await actions(client, uri, DEF_LINE))["Generate a docstring for apply_discount (ssc)"]
            for _ in range(2):
                done = await resolve(client, action)
                assert done.edit is None
            said = [m.message for m in client.messages if "docstring" in m.message]
            assert len(said) == 2, said
            assert "not OpenAI-compatible" in said[0], said
            assert "took longer than" in said[1], said
            # $/cancelRequest closes the HTTP request
            pending = asyncio.ensure_future(client.protocol.send_request_async(
                types.CODE_ACTION_RESOLVE, action, msg_id="resolve-cancel"))
            for _ in range(200):  # (polled: FakeOpenAI.wait_for would hold the event loop)
                if any(r.chunks_sent >= 2 for r in fake.completion_requests()):
                    break
                await asyncio.sleep(0.05)
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="resolve-cancel"))
            with pytest.raises(JsonRpcException):
                await asyncio.wait_for(pending, 10)
            record = fake.completion_requests()[2]
            assert fake.wait_for_end(record, 5) and record.disconnected and not record.completed
            done = await resolve(client, action)  # still up, and the next answer lands
            assert '"""Apply a discount."""' in applied((proj / PRICING).read_text(), done.edit, uri)


async def test_a_client_without_resolve_gets_a_command_that_asks_the_model_and_applies(proj, tmp_path):
    base = caps()
    ca = attrs.evolve(base.text_document.code_action, resolve_support=None)
    no_resolve = attrs.evolve(base, text_document=attrs.evolve(base.text_document, code_action=ca))
    with FakeOpenAI([Reply(text="Apply a discount to a price.")]) as fake:
        async with running(proj, tmp_path / "cache", capabilities=no_resolve, options=llm(fake)) as client:
            asked: list[types.ApplyWorkspaceEditParams] = []

            @client.feature(types.WORKSPACE_APPLY_EDIT)
            def apply_edit(params: types.ApplyWorkspaceEditParams):
                asked.append(params)
                return types.ApplyWorkspaceEditResult(applied=True)

            uri = open_doc(client, proj / PRICING)
            action = (await actions(client, uri, DEF_LINE))["Generate a docstring for apply_discount (ssc)"]
            assert action.command.command == "ssc.applyAction" and action.data is None
            assert fake.completion_requests() == []
            result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
                command=action.command.command, arguments=action.command.arguments))
            result = plain(result)
            assert result["applied"] is True and result["summary"] == "checked: no problems"
            assert len(fake.completion_requests()) == 1
            (params,) = asked
            assert params.label.endswith("checked: no problems")
            after = applied((proj / PRICING).read_text(), params.edit, uri)
            assert '    """Apply a discount to a price."""\n    return round(' in after
