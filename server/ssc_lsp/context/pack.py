"""Packing ranked candidates into a budget.

The most relevant items are shown whole, the others as signatures (header and first docstring
line), the way a repo map shows a code base. The form of an item depends only on its rank and its
own size, never on the budget, so a larger budget only appends: the items of the context packed
at 16,000 characters that fit in the first 4,000 are the context packed at 4,000, up to the first
item that did not fit there (a small budget then fills its rest with smaller items further down
the ranking). That is what lets the evaluation read every budget from one packing, and a client
trim a context without asking again.

Each item is rendered as a block: a `# path` line when the path changes, the enclosing class's
header line when a member is shown without its class, then the text. The block is what the
budget counts. No line range is shown twice: an item inside one already packed is skipped, and
an item that would contain one already packed falls back to its signature. Every text passes
through redact.redact before it is counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..map.records import CLASS
from . import weights as W
from .items import (
    DOC,
    EXTERNAL,
    IMPORTS,
    SIGNATURE,
    WHOLE,
    Candidate,
    Item,
    comment_for,
    path_header,
)
from .redact import redact
from .snippets import Snippet, member_header, signature, whole
from .texts import Texts
from .tokens import Budget

MAX_SKIPS = 400  # candidates that did not fit in a row before packing gives up
MAX_INCLUDED_NOTES = 4  # reasons of candidates shown inside an item, added to its own


@dataclass(slots=True)
class _Form:
    text: str
    start: int
    end: int
    form: str


def _forms(c: Candidate, texts: Texts, rank: int) -> list[_Form]:
    """The forms to try for a candidate, preferred first, redacted."""
    if c.symbol is None or c.file is None:
        if c.text is None:
            return []
        form = WHOLE if c.kind in (DOC, EXTERNAL, IMPORTS) else SIGNATURE
        prose = c.kind == DOC
        text = texts.remember(("text", c.key, c.text), lambda: redact(c.text or "", prose=prose))
        return [_Form(text, c.start_line, c.end_line, form)]
    fm, sym = c.file, c.symbol
    # after `x.` the choice is among the type's members: their signatures are what matters
    member = "receiver" in c.strengths or "receiver_guess" in c.strengths
    want_whole = rank < W.WHOLE_TOP_RANKS and not c.in_file and not member
    return texts.remember((fm.path, fm.hash, sym.id, want_whole), lambda: _render(c, texts, want_whole))


def _render(c: Candidate, texts: Texts, want_whole: bool) -> list[_Form]:
    assert c.file is not None and c.symbol is not None
    lines = texts.lines(c.file)
    if lines is None:
        return []
    sig = signature(c.symbol, lines, comment_for(c.file.path))
    out: list[_Form] = []
    if want_whole:
        wh = whole(c.symbol, lines)
        if wh is not None and len(wh.text) <= W.WHOLE_MAX_CHARS and (sig is None or wh.text != sig.text):
            out.append(_as_form(wh, WHOLE))
    if sig is not None:
        out.append(_as_form(sig, SIGNATURE))
    return out


def _as_form(s: Snippet, form: str) -> _Form:
    return _Form(redact(s.text), s.start, s.end, form)


class Packer:
    def __init__(self, texts: Texts, budget: Budget):
        self.texts = texts
        self.budget = budget
        self.items: list[Item] = []
        self.used = 0
        self.spans: dict[str, list[tuple[int, int]]] = {}
        self.prev_path: str | None = None
        self.prev_class: str | None = None  # id of the class the previous item was in or was

    def _overlaps(self, path: str, start: int, end: int) -> str | None:
        """'inside' if an item already covers [start, end], 'around' if it would cover one."""
        for s, e in self.spans.get(path, ()):
            if s <= start and end <= e:
                return "inside"
            if start <= e and s <= end:
                return "around"
        return None

    def _note_inside(self, c: Candidate, f: _Form) -> None:
        """Say in the enclosing item's reasons why this part of it mattered too."""
        for it in self.items:
            if it.path == c.path and it.start_line <= f.start and f.end <= it.end_line:
                notes = [w for w in it.why if w.startswith("includes ")]
                if len(notes) < MAX_INCLUDED_NOTES and c.why:
                    name = c.symbol.name if c.symbol is not None else c.key
                    it.why.append(f"includes {name}: {c.why[0]}")
                return

    def _headers(self, c: Candidate) -> tuple[str, str | None]:
        head = ""
        if c.path != self.prev_path:
            suffix = " (installed package)" if c.kind == EXTERNAL else ""
            head += path_header(c.path, suffix)
        cls_ctx = None
        sym = c.symbol
        if sym is not None and c.file is not None:
            if sym.kind == CLASS:
                cls_ctx = sym.id
            elif sym.parent:
                owner = c.file.lookup(sym.parent)
                if owner is not None and owner.kind == CLASS:
                    cls_ctx = owner.id
                    if cls_ctx != self.prev_class or c.path != self.prev_path:
                        head += self._class_line(c.file, owner, sym)
        return head, cls_ctx

    def _class_line(self, fm, owner, member) -> str:
        def make() -> str:
            lines = self.texts.lines(fm)
            line = member_header(owner, member, lines, comment_for(fm.path)) if lines is not None else None
            return redact(line) + "\n" if line else ""

        return self.texts.remember((fm.path, fm.hash, owner.id, "header", member.id), make)

    def add(self, c: Candidate, rank: int) -> bool:
        forms = _forms(c, self.texts, rank)
        for f in forms:
            where = self._overlaps(c.path, f.start, f.end)
            if where == "inside":
                self._note_inside(c, f)
                return False
            if where == "around":
                continue
            head, cls_ctx = self._headers(c)
            block = head + f.text
            cost = self.budget.cost(block)
            if self.used + cost > self.budget.limit:
                continue
            self.used += cost
            self.spans.setdefault(c.path, []).append((f.start, f.end))
            self.prev_path, self.prev_class = c.path, cls_ctx
            name = c.label or (c.symbol.qualname if c.symbol is not None else c.key)
            self.items.append(Item(
                path=c.path, start_line=f.start, end_line=f.end, kind=c.kind, name=name,
                form=f.form, score=c.score, why=list(c.why), text=block, chars=len(block),
                tokens=self.budget.counter(block), external=c.kind == EXTERNAL))
            return True
        return False


def pack(ranked: list[Candidate], texts: Texts, budget: Budget) -> tuple[list[Item], int]:
    """Items in packed order, and the budget used (in the budget's unit)."""
    packer = Packer(texts, budget)
    skips = 0
    for i, c in enumerate(ranked):
        if packer.budget.limit - packer.used < 24:
            break
        if packer.add(c, i):
            skips = 0
        else:
            skips += 1
            if skips > MAX_SKIPS:
                break
    return packer.items, packer.used
