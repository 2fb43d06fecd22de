"""`ssc.extractFunction`, `ssc.extractVariable`, `ssc.inline` as Proposals: jedi does the
mechanics (refactor/jedi_refactor.py), the model only names (and, for a function, writes a
one-line docstring), the map decides whether the name is free (refactor/naming.py), and the
result is checked like any model edit (refactor/proposal.check).

With a `name` from the user there is no model call at all: a name that is not free is refused
with the reason. Without one, the model is asked once (the selection and the names in scope);
its name is used only when the map shows it free, else a deterministic one (`extracted`,
`extracted_2`, ...) is, and the proposal's notes say why. A model that fails (dead, slow) or
answers no name at all is a clear error and no edit; a file the privacy gate refuses gets no
model request (the deterministic name, said in the notes).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..map.positions import LineIndex
from ..map.service import MapService
from . import jedi_refactor as J
from .model import ask, redacted, refused
from .naming import Landing, fallback, landing_of, names_in_scope, naming_style, why_taken
from .proposal import Proposal, check

FUNCTION = "function"
VARIABLE = "variable"
KIND_EXTRACT = "refactor.extract"
KIND_INLINE = "refactor.inline"
SELECTION_CHARS = 4000  # of the selection put in the naming prompt
ANSWER_TOKENS = 80  # a name and one line of docstring
_NAME_FIELD = re.compile(r'"name"\s*:\s*"([^"\n]*)"')
_DOC_FIELD = re.compile(r'"doc"\s*:\s*"([^"\n]*)"')
_WORD = re.compile(rb"\w+")
_LONE_WORD = re.compile(r"\w{1,80}")

SYSTEM = "You name extracted Python code. Answer with one JSON object and nothing else."


class NoName(Exception):
    """The model's answer holds no name (garbage); the message is for the user."""


@dataclass(frozen=True, slots=True)
class Named:
    name: str
    doc: str | None
    model_made: bool
    notes: tuple[str, ...] = ()


async def extract(assistant, svc: MapService, rel: str, data: bytes, what: str, start: int, end: int,
                  name: str | None = None) -> Proposal:
    """Extract the bytes [start, end) of `rel` (text `data`) into a new `what` (FUNCTION or
    VARIABLE), named `name` or by the model; the checked Proposal. Raises J.Refused (jedi said no,
    or the name is not free), NoName, or the model's LLMError."""
    fm = svc.ws.files.get(rel)
    if fm is None:
        raise J.Refused(f"{rel} is not in the map.")
    if what == FUNCTION:
        start, end = J.statement_span(data, start, end)
    else:
        start, end = J.stripped(data, start, end)
    if end <= start:
        raise J.Refused("The selection is empty.")
    landing = landing_of(fm, LineIndex(data).point_of_byte(start)[0], what)
    if name is not None:
        why = why_taken(svc.ws, svc.resolver, fm, landing, name)
        if why is not None:
            raise J.Refused(f"`{name}` {why}; nothing was changed.")
        named = Named(name, None, False)
    else:
        named = await _model_name(assistant, svc, rel, data[start:end], what, landing)
    kind = J.EXTRACT_FUNCTION if what == FUNCTION else J.EXTRACT_VARIABLE
    after = await J.run(svc, rel, data, kind, start, end, named.name)
    if what == FUNCTION and rel in after:
        after[rel] = J.without_empty_output(after[rel], named.name)
    if named.doc and rel in after:
        documented = J.with_docstring(after[rel], named.name, named.doc)
        after[rel] = documented if documented is not None else after[rel]
    return check(Proposal(title=f"Extract {what} `{named.name}`", kind=KIND_EXTRACT, svc=svc,
                          after=dict(after), model_made=named.model_made, notes=list(named.notes)))


async def inline(svc: MapService, rel: str, data: bytes, at: int) -> Proposal:
    """Inline the variable at byte `at` of `rel` into its uses (jedi: variables only, one
    definition); the checked Proposal, or J.Refused with jedi's reason."""
    after = await J.run(svc, rel, data, J.INLINE, at)
    word = _word_at(data, at)
    return check(Proposal(title=f"Inline `{word}`" if word else "Inline", kind=KIND_INLINE, svc=svc,
                          after=dict(after)))


def _word_at(data: bytes, at: int) -> str | None:
    index = LineIndex(data)
    row, col = index.point_of_byte(at)
    for m in _WORD.finditer(index.line_bytes(row)):
        if m.start() <= col <= m.end():
            return m.group().decode("ascii")
    return None


# -- the model's name ---------------------------------------------------------------------------


async def _model_name(assistant, svc: MapService, rel: str, selection: bytes, what: str,
                      landing: Landing) -> Named:
    fm = svc.ws.files[rel]
    ws, resolver = svc.ws, svc.resolver
    gate = refused(svc, rel)
    if gate is not None:
        name = fallback(ws, resolver, fm, landing)
        return Named(name, None, False, (f"No model request ({gate}); named `{name}`.",))
    code = redacted(svc, rel, selection.decode("utf-8", errors="replace")[:SELECTION_CHARS])
    answer = await ask(assistant, _prompt(code, what, landing, fm), system=SYSTEM, max_tokens=ANSWER_TOKENS)
    proposed, doc = parse_answer(answer)
    doc = J.one_line_doc(doc) if what == FUNCTION else None
    why = why_taken(ws, resolver, fm, landing, proposed)
    if why is None:
        return Named(proposed, doc, True)
    name = fallback(ws, resolver, fm, landing)
    return Named(name, doc, doc is not None,
                 (f"The model proposed `{proposed}`, which {why}; named `{name}` instead.",))


def _prompt(code: str, what: str, landing: Landing, fm) -> str:
    where = {"module": "a module-level name", "class": f"a member of class `{landing.scope}`",
             "local": f"a local of `{landing.scope}`"}[landing.level]
    taken = ", ".join(names_in_scope(fm, landing)) or "(none)"
    answer = '{"name": "...", "doc": "one line saying what it does"}' if what == FUNCTION \
        else '{"name": "..."}'
    return (f"This Python code from {fm.path} becomes a new {what}, {where}. Propose its name "
            f"({naming_style(fm)}, saying what the code computes"
            f"{', and a one-line docstring' if what == FUNCTION else ''}).\n"
            f"Names already taken there (do not reuse them): {taken}\n\n"
            f"```python\n{code}\n```\n\nAnswer with JSON only: {answer}")


def parse_answer(text: str) -> tuple[str, str | None]:
    """(name, docstring or None) from the model's answer: a JSON object (fenced or not, or its
    fields alone), or a lone word; NoName for anything else."""
    body = text.strip().strip("`").strip()
    if body.startswith("json"):
        body = body[4:].strip()
    lo, hi = body.find("{"), body.rfind("}")
    if 0 <= lo < hi:
        try:
            obj = json.loads(body[lo:hi + 1])
        except ValueError:
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get("name"), str) and obj["name"].strip():
            doc = obj.get("doc")
            return obj["name"].strip(), doc if isinstance(doc, str) else None
    m = _NAME_FIELD.search(body)
    if m and m.group(1).strip():
        d = _DOC_FIELD.search(body)
        return m.group(1).strip(), d.group(1) if d else None
    word = body.strip("\"' \n")
    if _LONE_WORD.fullmatch(word):
        return word, None
    shown = " ".join(text.split())[:80]
    raise NoName(f"The model's answer holds no name ({shown!r}); nothing was changed.")
