"""What the model is shown for an edit, and the one repair round after the check.

Three tasks share this: a free-text refactor (`ssc.refactor`), a quick fix for a diagnostic, and
implementing a stub. Each shows the model the definitions to change, whole (by the map's
ranges), the places that use them (each caller's whole definition when short, so the model can
update it with a replace block of its own), and the names it may use; every text passes through
`refactor.model.redacted`, and a file `refused` says no to is never shown (only counted).

The answer is read by model_edit.py, checked (proposal.check: the workspace as it would be), and
what fails goes back ONCE, with exactly those problems and the map's near names
(`ground_edit`: the shape of grounding/repair.py's loop, with `ask`, `build` and `hints` as
collaborators). What still fails is returned with its problems: features/deliver.py shows them.
LSP-free.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..grounding.edit_check import NAME, EditProblem
from ..grounding.hints import names_like, render
from ..llm.errors import LLMError
from ..map.document import build_filemap
from ..map.extract import new_parser
from ..map.filemap import FileMap
from ..map.hierarchy import holder_of, subtypes
from ..map.navigation import uses
from ..map.positions import LineIndex
from ..map.records import ATTRIBUTE, CLASS, FUNCTION, IMPORT, METHOD, Symbol
from ..map.service import MapService
from ..map.workspace import Located
from .model import redacted, refused
from .model_edit import FORMAT, Applied, FormatError, Read, interpret
from .proposal import Proposal, check

log = logging.getLogger(__name__)

# What a prompt may hold (characters of code), and how callers are shown
PROMPT_BUDGET = 24_000
WHOLE_CALLER_LINES = 60  # a caller shown whole up to this many lines, else the lines around its uses
AROUND_USE = 3  # lines either side of a use in a long caller or in top-level code
MAX_WINDOWS = 4  # such windows per file and caller
MAX_CALLERS = 24
MAX_NAMES = 30  # names listed as usable
PASSED, REPAIRED, FAILED = "passed", "repaired", "failed"

SYSTEM = "You are a careful Python engineer editing a workspace.\n\n" + FORMAT
_IDENT = re.compile(r"[A-Za-z_]\w*")


# -- the subject ------------------------------------------------------------------------------------


def definitions_at(fm: FileMap, start: tuple[int, int], end: tuple[int, int] | None = None
                   ) -> list[Symbol]:
    """The definitions a selection is about: the innermost function or class holding it whole,
    else the outermost ones it overlaps (a selection over two functions: both)."""
    end = end or start
    defs = [s for s in fm.symbols if s.kind in (FUNCTION, METHOD, CLASS)]

    def holds(s: Symbol, a: tuple[int, int], b: tuple[int, int]) -> bool:
        r = s.range
        return (r[0], r[1]) <= a and b <= (r[2], r[3])

    around = [s for s in defs if holds(s, start, end)]
    if around:
        return [max(around, key=lambda s: (s.range[0], s.range[1]))]
    hit = [s for s in defs if (s.range[0], s.range[1]) <= end and start <= (s.range[2], s.range[3])]
    return [s for s in hit if not any(o is not s and holds(o, (s.range[0], s.range[1]),
                                                            (s.range[2], s.range[3])) for o in hit)]


def _lines(data: bytes, first: int, last: int) -> str:
    return "\n".join(data.decode("utf-8", "replace").split("\n")[first:last + 1])


def source_of(data: bytes, sym: Symbol) -> str:
    """The whole lines of a definition (decorators included)."""
    return _lines(data, sym.range[0], sym.range[2])


_TODO = re.compile(r"\b(?:TODO|FIXME|XXX|implement)", re.I)  # a comment saying code is to come
_STUB_BODY = re.compile(r"^(?:pass|\.\.\.|raise\s+NotImplementedError(?:\(.*\))?)$", re.S)


def is_stub(data: bytes, sym: Symbol) -> bool:
    """A function whose body is `...`, `pass`, `raise NotImplementedError` or only a docstring
    and comments (a TODO): the code is still to be written."""
    if sym.kind not in (FUNCTION, METHOD):
        return False
    tree = new_parser().parse(textwrap.dedent(source_of(data, sym)).encode("utf-8"))
    node = tree.root_node.named_children[0] if tree.root_node.named_children else None
    if node is not None and node.type == "decorated_definition":
        node = node.child_by_field_name("definition")
    body = node.child_by_field_name("body") if node is not None else None
    if body is None or tree.root_node.has_error:
        return False
    stmts = [c for c in body.named_children if c.type != "comment"]
    noted = any(c.type == "comment" and _TODO.search((c.text or b"").decode("utf-8", "replace"))
                for c in (*node.children, *body.named_children))
    if stmts and stmts[0].type == "expression_statement" and stmts[0].named_children and \
            stmts[0].named_children[0].type == "string":
        stmts = stmts[1:]  # the docstring
    text = (stmts[0].text or b"").decode("utf-8", "replace").strip() if stmts else ""
    if sym.kind == METHOD and not noted and (not stmts or text == "pass" or text.endswith(")") and
                                             not text.endswith("()")):
        # a method with only a docstring, `pass`, or `raise NotImplementedError("why")` is far
        # more often a hook, a no-op or "not supported" on purpose than code still to write
        return False
    return not stmts or len(stmts) == 1 and bool(_STUB_BODY.match(text))


PLAIN_DECORATORS = ("staticmethod", "classmethod", "property")  # a stub under these is still one
MAX_SUBCLASSES = 50  # classes searched for an override of a stub method


def wants_body(svc: MapService, fm: FileMap, sym: Symbol) -> bool:
    """Whether a stub (`is_stub`) is code still to be written, not a body that is meant to be
    empty: none in a `.pyi`; no `@overload`, `@abstractmethod` or framework-decorated function
    (`@click.group()` over `pass`); no nested function; no method of a Protocol or ABC, none
    that a subclass overrides (a hook or an interface) or that overrides a base's (an
    intentional no-op). In five released projects every stub is one of these (bench/RESULTS.md)."""
    if fm.path.endswith(".pyi"):
        return False
    if any(d.split("(")[0].split(".")[0] not in PLAIN_DECORATORS for d in sym.decorators):
        return False
    parent = fm.lookup(sym.parent) if sym.parent else None
    if sym.kind == FUNCTION:
        return parent is None
    if parent is None or parent.kind != CLASS or parent.parent:
        return False  # a method of a nested or local class
    cls = Located(fm, parent)
    r = svc.resolver
    up, seen = [cls], set()
    while up and len(seen) < MAX_SUBCLASSES:  # the class and its bases: an interface, or an override
        c = up.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        if any("Protocol" in b or b.rpartition(".")[2] in ("ABC", "ABCMeta") for b in c.symbol.bases):
            return False
        if c is not cls and r.class_member(c, sym.name) is not None:
            return False
        up += [b for b in r.bases(c) if isinstance(b, Located)]
    todo, seen = [cls], set()
    while todo and len(seen) < MAX_SUBCLASSES:
        c = todo.pop()
        if c.symbol.id in seen:
            continue
        seen.add(c.symbol.id)
        for sub in subtypes(svc.ws, r, c):
            if sub.file.lookup(f"{sub.symbol.qualname}.{sym.name}") is not None:
                return False
            todo.append(sub)
    return True


# -- the briefing -----------------------------------------------------------------------------------


@dataclass
class Briefing:
    """What the model is told: the task and the code it may need, within PROMPT_BUDGET."""

    svc: MapService
    read: Read
    task: str
    sections: list[str] = field(default_factory=list)
    shown: set[tuple[str, str]] = field(default_factory=set)  # (path, qualname) shown whole
    withheld: int = 0  # places in files that may not be sent
    used: int = 0

    def text(self) -> str:
        parts = [self.task.strip(), *self.sections]
        if self.withheld:
            parts.append(f"({self.withheld} more place(s) are in files that cannot be shown.)")
        return "\n\n".join(parts) + "\n"

    def add(self, heading: str, body: str, lang: str = "python") -> bool:
        """A fenced section, if the budget allows (False: left out)."""
        if self.used + len(body) > PROMPT_BUDGET:
            return False
        self.used += len(body)
        self.sections.append(f"{heading}\n```{lang}\n{body.rstrip()}\n```")
        return True

    def lines_of(self, rel: str, first: int, last: int) -> str | None:
        """Lines `first`..`last` of `rel` as they may be sent (redacted: only what is sent, the
        whole file would cost ~0.15 s a file), or None (a refused file: counted)."""
        if refused(self.svc, rel) is not None:
            self.withheld += 1
            return None
        data = self.read(rel)
        if data is None:
            return None
        lines = data.decode("utf-8", "replace").split("\n")
        return redacted(self.svc, rel, "\n".join(lines[max(first, 0):last + 1]))

    def definition(self, rel: str, sym: Symbol, role: str) -> bool:
        """A definition shown whole under a heading naming it as the edit format does."""
        if (rel, sym.qualname) in self.shown:
            return True
        body = self.lines_of(rel, sym.range[0], sym.range[2])
        if body is None:
            return False
        ok = self.add(f"{role} `{sym.qualname}` in `{rel}` (lines {sym.range[0] + 1}-{sym.range[2] + 1}):", body)
        if ok:
            self.shown.add((rel, sym.qualname))
        return ok

    def callers(self, loc: Located, limit: int = MAX_CALLERS) -> int:
        """The places that use `loc` (the map's references: every file, open or closed): each
        caller whole when short, else the lines around the uses. Returns how many were shown."""
        groups: dict[tuple[str, str], list] = {}
        for use in uses(self.svc.ws, self.svc.resolver, loc, include_binds=False):
            holder = holder_of(use)
            if holder.symbol.id == loc.symbol.id:
                continue  # recursion: the subject itself is shown
            groups.setdefault((use.file.path, holder.symbol.id), []).append((use, holder))
        n = 0
        for (rel, _hid), found in sorted(groups.items()):
            if n >= limit:
                break
            holder = found[0][1]
            sym = holder.symbol
            short = sym.kind in (FUNCTION, METHOD, CLASS) and sym.range[2] - sym.range[0] < WHOLE_CALLER_LINES
            if short:
                shown = self.definition(rel, sym, f"It is used by `{loc.symbol.qualname}`'s caller")
            else:
                shown = self._around(rel, [u.row for u, _ in found], loc.symbol.qualname)
            n += shown
        return n

    def _around(self, rel: str, rows: list[int], name: str) -> bool:
        """The lines around each use (windows merged where they meet, at most MAX_WINDOWS)."""
        windows: list[list[int]] = []
        for r in sorted(set(rows)):
            if windows and r - AROUND_USE <= windows[-1][1] + 1:
                windows[-1][1] = r + AROUND_USE
            else:
                windows.append([max(r - AROUND_USE, 0), r + AROUND_USE])
        shown = False
        for first, last in windows[:MAX_WINDOWS]:
            body = self.lines_of(rel, first, last)
            if body is None:
                return False
            last = first + body.count("\n")
            shown |= self.add(f"`{name}` is used in `{rel}` (lines {first + 1}-{last + 1}; top-level code or a "
                              "long definition: change it with a replace block of the definition named "
                              "there):", body)
        return shown

    def types_of(self, fm: FileMap, sym: Symbol) -> None:
        """The workspace classes a signature names (parameter and return annotations), each with
        its constructor, methods and attributes: what a stub's body has to work with."""
        sig = sym.signature
        if sig is None:
            return
        words = {w for p in sig.params if p.annotation for w in _IDENT.findall(p.annotation)}
        words |= set(_IDENT.findall(sig.returns or ""))
        for w in sorted(words):
            s = fm.lookup(w)
            loc = Located(fm, s) if s is not None else None
            if loc is not None and s.kind == IMPORT:  # type: ignore[union-attr]
                loc = self.svc.resolver.follow_import(loc)
            if not isinstance(loc, Located) or loc.symbol.kind != CLASS or refused(self.svc, loc.file.path):
                continue
            c = loc.symbol
            members = [render(m) for m in loc.file.symbols if m.parent == c.qualname and
                       m.kind in (METHOD, ATTRIBUTE) and (m.name == "__init__" or not m.name.startswith("_"))]
            self.add(f"`{c.name}` ({loc.file.module}), named in the signature:",
                     "\n".join([render(c), *members[:MAX_NAMES]]), lang="text")

    def near(self, fm: FileMap, sym: Symbol, word: str) -> None:
        """What `word` (a name a diagnostic points at, inside `sym`) may have meant, from the map."""
        name = word.rpartition(".")[2]
        if not name.isidentifier():
            return
        scope = sym.qualname if sym.kind in (FUNCTION, METHOD) else (sym.parent or "")
        close = names_like(self.svc.ws, fm, scope, name, lambda rel: refused(self.svc, rel) is None)
        if close:
            self.add(f"`{word}` may mean one of these (from the workspace's map):", "\n".join(close), lang="text")

    def names(self, fm: FileMap, around: Symbol | None = None) -> None:
        """What the module offers to new code: its imports and top-level definitions, rendered
        (a signature, a class with its bases), and the members of `around`'s class."""
        if refused(self.svc, fm.path) is not None:
            return
        items = []
        for s in fm.symbols[1:]:
            if s.parent != "" or s.name.startswith("__"):
                continue
            if s.kind == IMPORT and s.target:
                items.append(f"{s.name} (imported from {'.'.join(s.target)})")
            elif s.kind in (FUNCTION, CLASS):
                items.append(render(s))
        owner = around.parent if around is not None and around.kind == METHOD else None
        if owner:
            items += [f"self.{render(s)}" for s in fm.symbols if s.parent == owner and s is not around
                      and s.kind in (METHOD, ATTRIBUTE)]
        if items:
            self.add(f"Names defined or imported in `{fm.path}` ({fm.module}):",
                     "\n".join(items[:MAX_NAMES]), lang="text")


# -- the loop ---------------------------------------------------------------------------------------


@dataclass
class Built:
    """One answer read and checked."""

    answer: str
    proposal: Proposal | None
    applied: Applied | None = None
    error: str | None = None  # why the answer gave nothing to apply

    @property
    def ok(self) -> bool:
        return self.proposal is not None and not self.proposal.problems and not self.applied.rejected  # type: ignore[union-attr]

    def problems_text(self, hints: list[str]) -> str:
        lines = []
        if self.error:
            lines.append(f"- {self.error}")
        if self.applied is not None and self.proposal is not None:
            lines += [f"- {r}" for r in self.applied.reasons]
        if self.proposal is not None:
            for p in self.proposal.problems:
                lines.append(f"- {p.path}:{p.range[0] + 1}: {p.message}")
        out = "\n".join(lines)
        if hints:
            out += "\n\nWhat does exist (from the workspace's map):\n" + "\n".join(f"- {h}" for h in hints)
        return out


@dataclass
class Attempt:
    """How an edit task came out: the proposal to deliver (None: nothing usable), the outcome
    (passed / repaired / failed), and why there is nothing when there is nothing."""

    proposal: Proposal | None
    outcome: str
    error: str | None = None
    built: list[Built] = field(default_factory=list)


Ask = Callable[[str], Awaitable[str]]
Build = Callable[[str], Built]
Hints = Callable[[Built], list[str]]


async def ground_edit(prompt: str, ask: Ask, build: Build, hints: Hints, *, repair: bool = True) -> Attempt:
    """Ask, build and check; on failure ONE repair round with exactly the problems found; what
    still fails is returned with its problems (never as if fine)."""
    first = build(await ask(prompt))
    if first.ok:
        return Attempt(first.proposal, PASSED, built=[first])
    if not repair:
        return _failed([first])
    again = repair_prompt(prompt, first, hints(first))
    try:
        second = build(await ask(again))
    except LLMError as e:
        log.info("edit repair request failed: %s", e.message)
        if first.proposal is not None:
            first.proposal.notes.append(f"the repair request failed: {e.message}")
        return _failed([first])
    if second.ok:
        return Attempt(second.proposal, REPAIRED, built=[first, second])
    return _failed([first, second])


def _failed(built: list[Built]) -> Attempt:
    usable = [b for b in built if b.proposal is not None]
    if not usable:
        return Attempt(None, FAILED, built[-1].error or "the model's answer could not be used", built)
    return Attempt(usable[-1].proposal, FAILED, built=built)


def repair_prompt(prompt: str, first: Built, hints: list[str]) -> str:
    return (f"{prompt.rstrip()}\n\nYour previous answer was:\n\n{first.answer.strip()}\n\n"
            f"It has these problems:\n{first.problems_text(hints)}\n\n"
            "Answer again, fixing exactly these problems: give the complete set of edit blocks "
            "(every block of your previous answer that is still needed, corrected), in the same "
            "format.\n")


def builder(svc: MapService, read: Read, title: str, kind: str) -> Build:
    """An answer -> its Proposal, checked (model_edit.interpret, then proposal.check)."""

    def build(answer: str) -> Built:
        try:
            applied = interpret(svc, answer, read)
        except FormatError as e:
            return Built(answer, None, None, str(e))
        if not applied.after:
            return Built(answer, None, applied,
                         "no block of the answer could be applied: " + "; ".join(applied.reasons))
        p = Proposal(title, kind, svc, dict(applied.after), model_made=True, notes=applied.reasons)
        return Built(answer, check(p), applied)

    return build


def map_hints(svc: MapService) -> Hints:
    """For each unknown name the check found: what the map says it may have meant; for each
    call that no longer fits: the callee's signature (nothing from a refused file)."""
    allowed = lambda rel: refused(svc, rel) is None  # noqa: E731

    def hints(b: Built) -> list[str]:
        out: list[str] = []
        if b.proposal is None:
            return out
        for p in b.proposal.problems:
            out += _hint(svc, b.proposal.after.get(p.path), p, allowed)
        return list(dict.fromkeys(out))[:MAX_NAMES]

    return hints


def _hint(svc: MapService, data: bytes | None, p: EditProblem, allowed) -> list[str]:
    if p.symbol:
        loc = svc.ws.get(p.symbol)
        if loc is not None and allowed(loc.file.path):
            return [f"{render(loc.symbol)} (in {loc.file.module})"]
    if p.kind != NAME or data is None:
        return []
    index = LineIndex(data)
    word = data[index.byte_of_point(p.range[0], p.range[1]):index.byte_of_point(p.range[2], p.range[3])]
    name = word.decode("utf-8", "replace")
    if not _IDENT.fullmatch(name):
        return []
    fm = build_filemap(p.path, svc.ws.module_name(p.path), data, new_parser().parse(data))
    around = definitions_at(fm, (p.range[0], p.range[1]))
    scope = around[0].qualname if around else ""
    return names_like(svc.ws, fm, scope, name, allowed)
