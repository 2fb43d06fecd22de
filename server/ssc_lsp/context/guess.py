"""Guessing a receiver's type when neither the map nor jedi can infer it.

Two conventions carry most of the signal in real code:
  * names: a variable is usually named after its type (`session` -> `Session`,
    `prepared_request` -> `PreparedRequest`), or an abbreviation of it (`env` -> `Environment`,
    `tmpl` -> `Template`, `ctx` -> `Context`); a receiver named like a workspace module is
    often that module imported late (`http.dump_header` with the import at the end of the file);
  * duck typing: the attributes the code already used on the receiver narrow the classes down
    to those that define them all.
Guesses are weaker evidence than inference (weights.W_RECEIVER_GUESS).
"""

from __future__ import annotations

import threading
from collections import defaultdict

from ..map.records import CLASS
from ..map.workspace import Located, Workspace
from . import weights as W
from .usage import receiver_key


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


class ClassIndex:
    """Classes by normalized name and by member name, patched per file."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.by_norm: dict[str, set[str]] = defaultdict(set)
        self.by_initial: dict[str, set[str]] = defaultdict(set)  # first letter -> norms
        self.by_member: dict[str, set[str]] = defaultdict(set)
        self._files: dict[str, tuple[int, list[tuple[str, str]], list[tuple[str, str]]]] = {}
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            files = self.ws.files
            for path in [p for p in self._files if p not in files]:
                self._drop(path)
            for path, fm in list(files.items()):
                have = self._files.get(path)
                if have is not None and have[0] == id(fm):
                    continue
                if have is not None:
                    self._drop(path)
                classes: list[tuple[str, str]] = []
                members: list[tuple[str, str]] = []
                class_q = {s.qualname: s.id for s in fm.symbols if s.kind == CLASS}
                for s in fm.symbols[1:]:
                    if s.kind == CLASS:
                        classes.append((_norm(s.name), s.id))
                    elif s.parent in class_q:
                        members.append((s.name, class_q[s.parent]))
                for n, i in classes:
                    self.by_norm[n].add(i)
                    if n:
                        self.by_initial[n[0]].add(n)
                for n, i in members:
                    self.by_member[n].add(i)
                self._files[path] = (id(fm), classes, members)

    def _drop(self, path: str) -> None:
        _, classes, members = self._files.pop(path)
        for n, i in classes:
            ids = self.by_norm.get(n)
            if ids is not None:
                ids.discard(i)
                if not ids:
                    del self.by_norm[n]
                    if n:
                        self.by_initial[n[0]].discard(n)
        for n, i in members:
            ids = self.by_member.get(n)
            if ids is not None:
                ids.discard(i)
                if not ids:
                    del self.by_member[n]

    # -- guesses -----------------------------------------------------------------------------
    def by_name(self, receiver: str) -> list[tuple[Located, float, str]]:
        """Classes the receiver's name suggests: (class, quality in [0, 1], how)."""
        key = _norm(receiver_key(receiver))
        if len(key) < 2:
            return []
        with self._lock:
            found = self._named(key)
        out: list[tuple[Located, float, str]] = []
        for q, _, cid, how in found[: W.GUESS_MAX_CLASSES]:
            loc = self.ws.get(cid)
            if loc is not None:
                out.append((loc, q, how))
        return out

    def _named(self, key: str) -> list[tuple[float, int, str, str]]:
        found: list[tuple[float, int, str, str]] = []
        for cid in self.by_norm.get(key, ()):
            found.append((1.0, len(key), cid, "named like"))
        if not found:
            initial = self.by_initial.get(key[0], set())
            for norm in sorted(self.by_norm):
                if norm == key:
                    continue
                if len(key) >= 4 and norm.endswith(key):
                    q = 0.8
                elif norm in initial and (norm.startswith(key) or (len(key) <= 5 and _subsequence(key, norm))):
                    q = W.GUESS_ABBREV
                else:
                    continue
                for cid in self.by_norm.get(norm, ()):
                    found.append((q, len(norm), cid, "abbreviates" if q < 0.8 else "named like"))
        found.sort(key=lambda t: (-t[0], t[1], t[2]))
        return found

    def by_members(self, names: set[str]) -> list[Located]:
        """Classes that define every one of `names` (when few enough to be a real hint)."""
        if not names:
            return []
        with self._lock:
            sets = sorted((self.by_member.get(n, set()) for n in sorted(names)), key=len)
            common = set(sets[0])
            for s in sets[1:]:
                common &= s
        if not common or len(common) > W.GUESS_MAX_CLASSES:
            return []
        return [loc for cid in sorted(common) if (loc := self.ws.get(cid)) is not None]

    def module_named(self, receiver: str) -> Located | None:
        """A workspace module whose last name is the receiver's (`http` -> `pkg/http.py`)."""
        name = receiver_key(receiver)
        if not name or "." in receiver.strip("."):
            return None
        hits = sorted(path for mod, path in self.ws.modules.items() if mod.rsplit(".", 1)[-1] == name)
        if len(hits) != 1:
            return None
        fm = self.ws.files.get(hits[0])
        return Located(fm, fm.module_symbol) if fm is not None and fm.module_symbol else None
