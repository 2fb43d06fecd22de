"""What the model is shown for an edit: the definitions to change, whole (by the map's ranges),
the places that use them (each caller's whole definition when short, so the model can update it
with a replace block of its own; closed files included), and the names it may use.

Three tasks share it: a free-text refactor (`ssc.refactor`), a quick fix for a diagnostic, and
implementing a stub. Every text passes through `refactor.model.redacted`, and a file `refused`
says no to is never shown (only counted). LSP-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..grounding.hints import names_like, render
from ..map.filemap import FileMap
from ..map.hierarchy import holder_of
from ..map.navigation import uses
from ..map.records import ATTRIBUTE, CLASS, FUNCTION, IMPORT, METHOD, Symbol
from ..map.service import MapService
from ..map.workspace import Located
from .model import redacted, refused
from .model_edit import FORMAT, Read

# What a prompt may hold (characters of code), and how callers are shown
PROMPT_BUDGET = 24_000
WHOLE_CALLER_LINES = 60  # a caller shown whole up to this many lines, else the lines around its uses
AROUND_USE = 3  # lines either side of a use in a long caller or in top-level code
MAX_WINDOWS = 4  # such windows per file and caller
MAX_CALLERS = 24
MAX_NAMES = 30  # names listed as usable

SYSTEM = "You are a careful Python engineer editing a workspace.\n\n" + FORMAT
IDENT = re.compile(r"[A-Za-z_]\w*")

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
        words = {w for p in sig.params if p.annotation for w in IDENT.findall(p.annotation)}
        words |= set(IDENT.findall(sig.returns or ""))
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
