"""The open call of a brace language's text (map/call_help.py): which `(` and how many commas,
past strings, comments, char literals and Rust lifetimes, type arguments and nested calls."""

from __future__ import annotations

import pytest

from ssc_lsp.map.call_help import callee_name, open_brace_call


def at(text: str, lifetimes: bool = False) -> tuple[str, int] | None:
    """(the callee's name, commas) of the call open at the end of `text`."""
    found = open_brace_call(text, lifetimes)
    if found is None:
        return None
    paren, commas = found
    name = callee_name(text, paren)
    assert name is not None
    end = name[0]
    while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
        end += 1
    return text[name[0]:end], commas


@pytest.mark.parametrize(("text", "want"), [
    ('x := pkg.Join("a, (b", ', ("Join", 1)),                 # a string's comma and paren
    ("f(a, // g(\n  b, ", ("f", 2)),                            # a line comment
    ("f(a, /* g(, */ b", ("f", 1)),                             # a block comment
    ("f(')', ", ("f", 1)),                                      # a char literal
    ("m.put(new HashMap<String, Integer>(), ", ("put", 1)),     # type arguments are no arguments
    ("xs.iter().collect::<Vec<_>>(", ("collect", 0)),           # a turbofish
    ("f(a < b, c > d, ", ("f", 2)),                             # comparisons stay commas
    ("outer(inner(1, 2), ", ("outer", 1)),                      # a closed nested call
    ("outer(1, inner(2, ", ("inner", 1)),                       # the innermost open call
    ("f([1, 2, ", ("f", 0)),                                    # an array literal is one argument
    ("new Circle(", ("Circle", 0)),
    ("s.add(`a ${b}, (`, ", ("add", 1)),                        # a template literal
])
def test_the_open_call(text, want):
    assert at(text) == want


def test_rust_lifetimes_are_not_strings():
    assert at("fn f<'a>(x: &'a str) { g(x, ", lifetimes=True) == ("g", 1)
    assert at("g('(', ", lifetimes=True) == ("g", 1)  # a char literal still is one


@pytest.mark.parametrize("text", [
    "f(a, func() { x := ",   # a block inside the call: its statements are not arguments
    'f("unfinished, ',       # inside a string
    "f(a) + g(b)",           # every call closed
    "(a + ",                 # no callee
    "println!(",             # a macro
    "f(a, // comment",       # inside a comment
])
def test_no_open_call(text):
    found = open_brace_call(text, True)
    assert found is None or callee_name(text, found[0]) is None
