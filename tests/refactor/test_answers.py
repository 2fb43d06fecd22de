"""What the model answers, read: a JSON object (fenced or not), its fields alone, a lone word;
anything else is no name (a clear error), never a guess."""

from __future__ import annotations

import pytest

from ssc_lsp.refactor.extract import NoName, parse_answer
from ssc_lsp.refactor.names import parse_names


@pytest.mark.parametrize("answer, expected", [
    ('{"name": "with_tax", "doc": "Add tax."}', ("with_tax", "Add tax.")),
    ('```json\n{"name": "with_tax"}\n```', ("with_tax", None)),
    ('Sure! {"name": "with_tax", "doc": "x"} hope it helps', ("with_tax", "x")),
    ('"name": "with_tax", "doc": "trailing', ("with_tax", None)),
    ("`with_tax`", ("with_tax", None)),
    ("2fast", ("2fast", None)),  # read as given: the map refuses it, not the parser
])
def test_names_read_from_answers(answer, expected):
    assert parse_answer(answer) == expected


@pytest.mark.parametrize("answer", ["", "I would call it something nice", '{"name": ""}', "{}"])
def test_no_name_is_an_error(answer):
    with pytest.raises(NoName, match="holds no name"):
        parse_answer(answer)


def test_suggested_names_read_from_objects_lists_and_strings():
    assert parse_names('{"names": [{"name": "a_b", "reason": "r"}, "c_d", {"x": 1}]}') == [("a_b", "r"), ("c_d", "")]
    assert parse_names('Here: ["a_b", "c_d"]') == [("a_b", ""), ("c_d", "")]
    with pytest.raises(NoName):
        parse_names('{"names": []}')
    with pytest.raises(NoName):
        parse_names("rename it to something better")
