"""Suggestions: from a cursor to checked text, for inline and list completion and the CLI.

`Assistant` (assistant.py) owns what a session shares: the provider (providers.py), the LRU
cache, the last suggestion per document for typing through, the in-flight jobs per document
(cancelled by a newer version), the check's counters and the feedback log (feedback.py). One
suggestion is: the document at the cursor (spot.py), the context engine's context, the model's
stream (cut early at the end of the block), post-processing (postprocess.py), the check and its
repair round (grounding/). The map's own completion items are symbols.py.
"""
