"""Post-processing: fences, echoes, chat indentation, the end of the block, overlap."""

from __future__ import annotations

from ssc_lsp.map.languages.python import PYTHON
from ssc_lsp.suggest.postprocess import (
    Around,
    block_ended,
    clean,
    cut_block,
    postprocess,
    reindent,
    remove_overlap,
    strip_echo,
)

FUNC = "def charge(order):\n    amount = order.total()\n"


def around(prefix: str, suffix: str = "") -> Around:
    return Around.of(prefix, suffix, PYTHON)


def test_clean_takes_the_code_out_of_a_fence():
    assert clean("Here you go:\n```python\nx = 1\ny = 2\n```\nDone.") == "x = 1\ny = 2"
    assert clean("```\nreturn a\n") == "return a"
    assert clean("a\r\nb<CURSOR>\n\n") == "a\nb"


def test_strip_echo_removes_the_repeated_line():
    assert strip_echo("total = compute(x)", "    total = com") == "pute(x)"
    assert strip_echo("    total = compute(x)", "    total = ") == "compute(x)"
    assert strip_echo("x)", "f(") == "x)"  # too short to be an echo


def test_cut_block_stops_at_a_dedent_that_starts_a_statement():
    a = around(FUNC + "    ")
    text = "tax = amount * 0.2\n    return amount + tax\n\ndef other():\n    pass"
    assert cut_block(text, a) == ("tax = amount * 0.2\n    return amount + tax", True)


def test_cut_block_keeps_closing_brackets_and_docstrings_at_a_lower_indent():
    a = around(FUNC + "    ")
    text = "value = compute(\n        amount,\n)\n    return value"
    assert cut_block(text, a) == (text, False)
    doc = 'note = """\nleft margin text\n"""\n    return note'
    assert cut_block(doc, a) == (doc, False)


def test_cut_block_after_a_block_opener_keeps_only_its_body():
    a = around("def f(x):")
    text = "\n    return x + 1\n\ndef g():\n    pass"
    assert cut_block(text, a) == ("\n    return x + 1", True)
    # the same at module level, on an empty line: one definition, not the next
    a = around("import os\n\n")
    text = "def g():\n    return os.sep\n\n\ndef h():\n    pass"
    assert cut_block(text, a) == ("def g():\n    return os.sep", True)


def test_cut_block_ends_at_an_else_of_the_enclosing_if():
    a = around("def f(x):\n    if x:\n        ")
    text = "y = 1\n        return y\n    else:\n        return 0"
    assert cut_block(text, a)[0] == "y = 1\n        return y"


def test_mid_line_suggestions_are_one_line():
    a = around(FUNC + "    total = f(", ")\n")
    assert a.mid_line
    assert cut_block("amount\n    return 1", a, single_line=True) == ("amount", True)


def test_block_ended_while_streaming():
    a = around(FUNC + "    ")
    assert not block_ended("x = 1\n    y = 2\n", a)
    assert block_ended("x = 1\n    y = 2\ndef", a)


def test_overlap_with_the_rest_of_the_line_counts_brackets():
    a = around("    x = f(", ")")
    assert remove_overlap("a, b)", a) == "a, b"  # the model closed what is already closed
    assert remove_overlap("g(a)", a) == "g(a)"  # balanced: the `)` after the cursor is f's
    b = around("    for x in ", ":")
    assert remove_overlap("items:", b) == "items"


def test_overlap_with_the_next_lines_is_dropped():
    a = around(FUNC + "    ", "\n    total = amount + tax(amount)\n    return total\n")
    text = "amount = round(amount, 2)\n    total = amount + tax(amount)\n    return total"
    assert remove_overlap(text, a) == "amount = round(amount, 2)"
    assert remove_overlap("total = amount + tax(amount)", a) == ""


def test_reindent_moves_chat_output_to_the_cursor_block():
    a = around("def f(items):\n    total = 0\n    ")
    text = "for x in items:\n    total += x\nreturn total"
    assert reindent(text, a) == "for x in items:\n        total += x\n    return total"
    # absolute indentation (what FIM models write) is left alone
    absolute = "for x in items:\n        total += x\n    return total"
    assert reindent(absolute, a) == absolute


def test_postprocess_end_to_end():
    a = around(FUNC + "    tot", "\n    return amount\n")
    raw = "```python\n    total = amount * 2\n    return amount\n```"
    assert postprocess(raw, a, chat=True) == "al = amount * 2"
    assert postprocess("   \n", a) == ""


def test_tabs_follow_the_file():
    a = around("def f(x):\n\tif x:\n\t\t")
    assert postprocess("y = 1\n        return y", a) == "y = 1\n\t\treturn y"
