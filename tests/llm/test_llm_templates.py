"""FIM formats per family and the chat / repair / local prompts."""

from __future__ import annotations

import pytest

from ssc_lsp.llm.prompting import (
    as_comment_block,
    build_chat_messages,
    build_fim_prompt,
    build_local_prompt,
    merged_stop,
)
from ssc_lsp.llm.request import CompletionRequest
from ssc_lsp.llm.templates import fill, fim_template, fim_template_names, load_prompt

P, S = "def add(a, b):\n    ", "\n\nprint(add(1, 2))\n"


@pytest.mark.parametrize(
    ("family", "expected", "a_stop"),
    [
        ("qwen2.5-coder", f"<|fim_prefix|>{P}<|fim_suffix|>{S}<|fim_middle|>", "<|endoftext|>"),
        ("starcoder2", f"<fim_prefix>{P}<fim_suffix>{S}<fim_middle>", "<|endoftext|>"),
        ("codellama", f"<PRE> {P} <SUF>{S} <MID>", "<EOT>"),
        (
            "deepseek-coder",
            f"<｜fim▁begin｜>{P}<｜fim▁hole｜>{S}<｜fim▁end｜>",
            "<｜end▁of▁sentence｜>",
        ),
        ("codestral", f"[SUFFIX]{S}[PREFIX]{P}", "</s>"),
    ],
)
def test_fim_rendering_per_family(family, expected, a_stop):
    fim = fim_template(family)
    assert fim.render(P, S) == expected
    assert a_stop in fim.stop


def test_aliases_and_names():
    assert fim_template("Qwen").name == "qwen2.5-coder"
    assert fim_template("deepseek").name == "deepseek-coder"
    names = fim_template_names()
    assert {"qwen2.5-coder", "starcoder2", "codellama", "deepseek-coder", "codestral"} <= set(names)
    assert "custom" in names


def test_custom_template_and_errors():
    fim = fim_template("custom", "<A>{prefix}<B>{suffix}<C>")
    assert fim.render("x", "y") == "<A>x<B>y<C>"
    with pytest.raises(ValueError, match="prefix"):
        fim_template("custom", "no placeholders")
    with pytest.raises(ValueError, match="unknown FIM template"):
        fim_template("gpt-17")


def test_braces_in_code_are_safe_and_values_are_not_resubstituted():
    prefix = "d = {'k': '{suffix}'}\nf'{x}'"
    out = fim_template("starcoder2").render(prefix, "}")
    assert out == f"<fim_prefix>{prefix}<fim_suffix>}}<fim_middle>"
    assert fill("{a}{b}{unknown}", a="{b}", b="B") == "{b}B{unknown}"


def test_prompt_files_load_without_trailing_newline():
    assert load_prompt("local_completion") == "{context}{prefix}"
    assert "code completion" in load_prompt("inline_system")


def test_inline_chat_messages_carry_context_prefix_suffix():
    req = CompletionRequest(
        prefix=P, suffix=S, context="def sub(a, b) -> int", path="m.py", language="python"
    )
    system, user = build_chat_messages(req)
    assert system["role"] == "system" and "only" in system["content"].lower()
    assert user["role"] == "user"
    content = user["content"]
    assert f"{P}<CURSOR>{S}" in content
    assert "def sub(a, b) -> int" in content
    assert "m.py" in content


def test_chat_messages_without_context_have_no_empty_section():
    _, user = build_chat_messages(CompletionRequest(prefix="x = ", suffix=""))
    assert "<context>" not in user["content"]


def test_repair_messages_name_missing_and_available():
    req = CompletionRequest(
        prefix="total = ",
        kind="repair",
        previous="compute_totl(items)",
        missing=("compute_totl",),
        available=("compute_total", "items"),
    )
    content = build_chat_messages(req)[1]["content"]
    assert "compute_totl(items)" in content
    assert "do not exist" in content and "compute_totl" in content
    assert "compute_total, items" in content


def test_fim_prompt_puts_facts_in_comments_before_prefix():
    req = CompletionRequest(prefix=P, suffix=S, context="def sub(a, b) -> int\nclass Acc")
    out = build_fim_prompt(req, fim_template("starcoder2"))
    assert out.startswith("<fim_prefix># def sub(a, b) -> int\n# class Acc\n")
    assert out.endswith(f"{P}<fim_suffix>{S}<fim_middle>")


def test_fim_repair_note_is_a_comment():
    req = CompletionRequest(
        prefix="x = ", language="typescript", kind="repair", missing=("foo",), available=("bar",)
    )
    out = build_fim_prompt(req, fim_template("qwen"))
    assert "// Note: these names do not exist here: foo. Existing names: bar." in out


def test_local_prompt_is_short_and_has_no_suffix():
    long_prefix = "".join(f"line_{i} = {i}\n" for i in range(500)) + "result = "
    req = CompletionRequest(prefix=long_prefix, suffix="SUFFIX_MARKER", context="def f(x)")
    out = build_local_prompt(req, max_prefix_chars=200, max_context_chars=50)
    assert out.startswith("# def f(x)\n")
    assert out.endswith("result = ")
    assert "SUFFIX_MARKER" not in out
    assert len(out) <= 200 + 50
    assert out.split("\n")[1].startswith("line_")  # cut at a line start


def test_comment_block_and_stop_merge():
    assert as_comment_block("", "python") == ""
    assert as_comment_block("a\nb", "go") == "// a\n// b\n"
    assert merged_stop(["\n\n", ""], ("<EOT>", "\n\n"), ()) == ["\n\n", "<EOT>"]
