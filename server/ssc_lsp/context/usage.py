"""How often each member name is accessed in the workspace: the popularity prior for `x.`.

When the cursor follows `x.` the type's members are all candidates, and a class can have a
hundred. What the code base itself does most is the best prior there is: how often `.name` is
accessed at all, and how often on a receiver *called the same* (`app.route`, `fields.String`).
Counts are kept per file (by the identity of its map) and summed, so an edit re-counts one file.
"""

from __future__ import annotations

import threading
from collections import Counter

from ..map.records import REF_ATTRIBUTE
from ..map.workspace import Workspace


def receiver_key(receiver: str) -> str:
    """The last plain name of a receiver expression: `self.app` -> `app`, `get_app()` -> `get_app`."""
    text = receiver.strip()
    while text.endswith((")", "]")):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            ch = text[i]
            if ch in ")]":
                depth += 1
            elif ch in "([":
                depth -= 1
                if depth == 0:
                    text = text[:i]
                    break
        else:
            break
    return text.rsplit(".", 1)[-1].lstrip("_").lower()


class AccessStats:
    def __init__(self, ws: Workspace):
        self.ws = ws
        self.by_name: Counter[str] = Counter()
        self.by_pair: Counter[tuple[str, str]] = Counter()
        self.by_decorator: Counter[str] = Counter()  # `@x.option(...)` counts for `option`
        self._files: dict[str, tuple[int, Counter, Counter, Counter]] = {}
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            files = self.ws.files
            for path in [p for p in self._files if p not in files]:
                _, n, p2, d = self._files.pop(path)
                self.by_name.subtract(n)
                self.by_pair.subtract(p2)
                self.by_decorator.subtract(d)
            for path, fm in list(files.items()):
                have = self._files.get(path)
                if have is not None and have[0] == id(fm):
                    continue
                names: Counter[str] = Counter()
                pairs: Counter[tuple[str, str]] = Counter()
                decorators: Counter[str] = Counter()
                for unit in fm.units:
                    for ref in unit.refs:
                        if ref.kind == REF_ATTRIBUTE and ref.receiver:
                            names[ref.name] += 1
                            pairs[(receiver_key(ref.receiver), ref.name)] += 1
                for sym in fm.symbols:
                    for d in sym.decorators:
                        decorators[d.split("(", 1)[0].rsplit(".", 1)[-1].strip()] += 1
                if have is not None:
                    self.by_name.subtract(have[1])
                    self.by_pair.subtract(have[2])
                    self.by_decorator.subtract(have[3])
                self.by_name.update(names)
                self.by_pair.update(pairs)
                self.by_decorator.update(decorators)
                self._files[path] = (id(fm), names, pairs, decorators)

    def name_count(self, name: str) -> int:
        return max(0, self.by_name.get(name, 0))

    def pair_count(self, receiver: str, name: str) -> int:
        return max(0, self.by_pair.get((receiver_key(receiver), name), 0))
