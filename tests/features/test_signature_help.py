"""textDocument/signatureHelp over stdio: the call open at the cursor, its signature from the map
(functions, methods through typed receivers, constructors) or from jedi (stdlib), the active
parameter as Python binds arguments, and UTF-16 offsets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from .conftest import session, uri

CALC = '''\
class Meter:
    """Counts things.

    Second paragraph."""

    def __init__(self, start: int = 0, *, step=1):
        self.n = start

    def add(self, amount, *extra, label=None, **opts):
        """Add an amount
        to the meter.

        Second paragraph."""
        return self.n + amount


def scale(value, factor=2):
    """Scale a value."""
    return value * factor


def mark(tag: "😀", after):
    return tag
'''

OFFSETS = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
    signature_help=types.SignatureHelpClientCapabilities(
        signature_information=types.ClientSignatureInformationOptions(
            parameter_information=types.ClientSignatureParameterInformationOptions(
                label_offset_support=True)))))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/calc.py").write_text(CALC)
    (root / "main.py").write_text("from pkg.calc import Meter, mark, scale\n")
    return root


async def help_at(client, root: Path, name: str, text: str) -> types.SignatureHelp | None:
    """Open `name` with `text` and ask for help at the end of the text ('|' marks another spot)."""
    cut = text.index("|") if "|" in text else len(text)
    text = text.replace("|", "")
    before = text[:cut]
    line = before.count("\n")
    col = len(before[before.rfind("\n") + 1:].encode("utf-16-le")) // 2
    u = uri(root, name)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=u, language_id="python", version=1, text=text)))
    return await client.text_document_signature_help_async(types.SignatureHelpParams(
        text_document=types.TextDocumentIdentifier(uri=u), position=types.Position(line, col)))


def params_of(h: types.SignatureHelp, i: int = 0) -> list[str]:
    sig = h.signatures[i]
    out = []
    for p in sig.parameters:
        if isinstance(p.label, str):
            out.append(p.label)
        else:  # UTF-16 offsets into the label
            units = sig.label.encode("utf-16-le")
            out.append(units[2 * p.label[0]:2 * p.label[1]].decode("utf-16-le"))
    return out


HEAD = "from pkg.calc import Meter, mark, scale\n\n\n"


async def test_map_signatures_and_active_parameters(ws):
    async with session(ws, OFFSETS) as client:
        h = await help_at(client, ws, "a.py", HEAD + "x = scale(1, ")
        assert h.signatures[0].label == "scale(value, factor=...)"
        assert params_of(h) == ["value", "factor=..."] and h.active_parameter == 1
        assert h.signatures[0].documentation == "Scale a value."

        # a method through `self.`: bound, so no `self`; the docstring's first paragraph
        h = await help_at(client, ws, "b.py", "from pkg.calc import Meter\n\n\nclass M2(Meter):\n"
                                              "    def twice(self):\n        return self.add(")
        assert h.signatures[0].label == "add(amount, *extra, label=..., **opts)"
        assert h.active_parameter == 0 and h.signatures[0].documentation == "Add an amount to the meter."

        # a class: its __init__ without self, and the class's docstring when __init__ has none
        h = await help_at(client, ws, "c.py", HEAD + "m = Meter(")
        assert h.signatures[0].label == "Meter(start: int = ..., *, step=...)"
        assert params_of(h) == ["start: int = ...", "step=..."] and h.active_parameter == 0
        assert h.signatures[0].documentation == "Counts things."

        # keyword arguments: their parameter, else **opts; *args absorbs extra positionals;
        # a keyword-only parameter takes no positional argument
        for text, active in (("m.add(1, label=", 2), ("m.add(1, colour=", 3), ("m.add(1, 2, 3, ", 1),
                             ("m.add(amount=1, 2", None), ("Meter(1, ", None), ("Meter(1, step=", 1)):
            h = await help_at(client, ws, f"k{abs(hash(text))}.py", HEAD + "m = Meter()\nm.add\n" + text)
            n = len(h.signatures[0].parameters)
            assert (h.active_parameter if h.active_parameter < n else None) == active, text

        # nested calls: the inner one while it is open, the outer one once it is closed
        h = await help_at(client, ws, "n1.py", HEAD + "scale(Meter(")
        assert h.signatures[0].label.startswith("Meter(")
        h = await help_at(client, ws, "n2.py", HEAD + "scale(Meter(1), [1, 2], ")
        assert h.signatures[0].label.startswith("scale(") and h.active_parameter == 2  # past the end

        # no help outside a call, after a closed one, or inside a string
        for i, text in enumerate(("x = 1", "scale(1)", "scale(')")):
            assert await help_at(client, ws, f"o{i}.py", HEAD + text) is None, text


async def test_utf16_columns_and_label_offsets(ws):
    async with session(ws, OFFSETS) as client:
        # the cursor's column counts UTF-16 units: the emoji before the call takes two
        h = await help_at(client, ws, "u.py", HEAD + 'x = ("😀é", mark("😀😀", |))')
        assert h is not None and h.signatures[0].label == 'mark(tag: "😀", after)'
        assert h.active_parameter == 1
        # `after` starts after an astral character of the label: UTF-16 offsets differ from
        # code points by one
        label = h.signatures[0].label
        start, end = h.signatures[0].parameters[1].label
        assert (start, end) == (label.index("after") + 1, label.index("after") + 6)
        assert params_of(h) == ['tag: "😀"', "after"]


async def test_string_labels_without_offset_support(ws):
    async with session(ws, types.ClientCapabilities()) as client:
        h = await help_at(client, ws, "s.py", HEAD + "mark(1, ")
        assert [p.label for p in h.signatures[0].parameters] == ['tag: "😀"', "after"]


async def test_stdlib_callable_through_jedi(ws):
    async with session(ws, OFFSETS) as client:
        text = "import os\n\nos.path.join('a', "
        h = None
        for _ in range(60):  # a cold jedi answers late; its answer is kept for the next request
            h = await help_at(client, ws, "j.py", text)
            if h is not None:
                break
            await asyncio.sleep(0.5)
        assert h is not None, "jedi never answered"
        assert "join(" in h.signatures[0].label
        assert params_of(h)[h.active_parameter].startswith("*paths")
