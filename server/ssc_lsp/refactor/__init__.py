"""Edits this server proposes: refactor commands and model-made code actions.

Every proposal is a `Proposal` (proposal.py): the whole new text of each file it changes, checked
on an overlay of the map (grounding/edit_check.py) before the user sees it. The mechanics come
from an engine where one exists (rope, jedi), the model chooses what an engine cannot
(model.py), the check says what would break. features/ turns a proposal into LSP shapes
(features/deliver.py). Layer: features -> refactor -> context/grounding/llm -> map.
"""
