"""Code action kinds compared as their wire text: lsprotocol's kinds are str enums whose str()
on Python 3.11 is `CodeActionKind.RefactorExtract`, not `refactor.extract`."""

from __future__ import annotations

from lsprotocol import types

from ssc_lsp.features.code_actions import Actions, ActionSource, kind_text, wanted

K = types.CodeActionKind


def test_kinds_match_by_wire_text_and_prefix():
    assert kind_text(K.RefactorExtract) == "refactor.extract" == kind_text("refactor.extract")
    assert wanted([K.RefactorExtract], [K.RefactorExtract])
    assert wanted(["refactor.extract"], [K.Refactor])  # under a requested kind
    assert wanted([K.RefactorExtract], ["refactor"])
    assert not wanted([K.RefactorExtract], [K.QuickFix])
    assert not wanted(["refactor"], [K.RefactorExtract])  # a parent is not under its child
    assert wanted([K.QuickFix], None)


def test_the_listed_kinds_are_wire_text():
    actions = Actions()
    actions.add(ActionSource("a", [K.RefactorExtract, "quickfix"], lambda ls, p: []))
    assert actions.options.code_action_kinds == ["refactor.extract", "quickfix"]
