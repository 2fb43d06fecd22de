"""The check: does everything a suggestion uses exist, and do its calls fit?

Every identifier the suggestion uses and does not define itself must resolve: through the scopes
of the file as it would be with the suggestion in it (map/resolve.py), the builtins, installed
modules and their members (jedi, externals.py), or attributes of the receiver's inferred type.
Every call to a workspace function must fit its signature (map/checks.py's rules, reused).

Certainty first, as in the map's own diagnostics: a name is reported only when the map is sure.
Receivers whose type the map cannot infer, classes with bases outside the workspace or a
`__getattr__`, modules that compute attributes, names in code that does not parse (ERROR nodes),
names the rest of the file also fails to resolve (the map's extractor, not the model, is then the
likely culprit) are all *unknown*, which passes. The verdict lists them so the numbers can say
how much was really checked.

What differs between languages (implicit names, binding syntax, when a type's members are all
known, call rules, imports, how to finish an unfinished line) is asked of the language's
`CheckRules` (grounding/rules/); a language without rules decides nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import tree_sitter as ts

from ..map.checks import check_import
from ..map.filemap import FileMap
from ..map.records import (
    IMPORT,
    MODULE,
    MODULE_REF,
    REF_ATTRIBUTE,
    REF_BASE,
    REF_IMPORT,
    REF_NAME,
    Ref,
    Unit,
)
from ..map.resolve import LOCAL, External, Instance, Resolver, SuperOf, Value
from ..map.service import MapService
from ..map.workspace import Located
from .externals import Externals, MembersAt
from .inplace import Placed, place
from .rules import rules_for
from .rules.base import UNKNOWN, under

# Issue kinds (also the reasons counted in the statistics)
NAME = "name"  # a bare name that is not defined anywhere visible
ATTRIBUTE = "attribute"  # a member the receiver's type does not have
MODULE_MISSING = "module"  # an import of a module that is not installed nor in the workspace
IMPORT_MISSING = "import"  # `from m import x` where m has no x
CALL = "call"  # a call that does not fit the callee's signature
KINDS = (NAME, ATTRIBUTE, MODULE_MISSING, IMPORT_MISSING, CALL)

_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
MAX_SUBCLASSES = 200


@dataclass(frozen=True)
class Issue:
    """Something the suggestion uses that does not exist (or a call that does not fit).

    `start`/`end` are character offsets in the suggestion; `name` is what was used, dotted for
    attributes (`order.totl`); `scope` and `receiver` let the repair hints look around.
    """

    kind: str
    name: str
    message: str
    start: int
    end: int
    scope: str = ""
    receiver: str | None = None
    symbol: str | None = None  # the callee's id, for call issues
    missing: bool = False  # a call issue that is only missing arguments

    def to_json(self) -> dict:
        out = {"kind": self.kind, "name": self.name, "message": self.message,
               "start": self.start, "end": self.end}
        if self.symbol:
            out["symbol"] = self.symbol
        return out


@dataclass
class Verdict:
    """The check's answer for one suggestion."""

    issues: list[Issue] = field(default_factory=list)
    checked: int = 0  # identifiers and calls decided
    unknown: list[str] = field(default_factory=list)  # could not be decided (they pass)
    pending: set = field(default_factory=set)  # modules and MembersAt jedi has not answered yet
    sources: dict = field(default_factory=dict)  # MembersAt -> the text to ask jedi about
    syntax_error: bool = False
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def reasons(self) -> list[str]:
        return sorted({i.kind for i in self.issues})

    def to_json(self) -> dict:
        return {"ok": self.ok, "issues": [i.to_json() for i in self.issues],
                "checked": self.checked, "unknown": sorted(set(self.unknown)),
                "syntaxError": self.syntax_error, "ms": round(self.ms, 3)}


class Checker:
    """Checks suggestions against one workspace folder's map."""

    def __init__(self, svc: MapService, externals: Externals | None = None) -> None:
        self.svc = svc
        self.externals = externals

    def check(self, live: FileMap, data: bytes, offset: int, text: str,
              tree: ts.Tree | None = None, index=None) -> tuple[Verdict, Placed | None]:
        """Check `text` inserted at byte `offset` of `data`, the document `live` maps.

        Never raises: a failure of the check itself is a verdict with nothing decided.
        """
        t0 = time.perf_counter()
        if not text.strip():
            return Verdict(), None
        rules = rules_for(live.language)
        externals = self.externals if rules.externals else None
        try:
            placed = place(live, data, offset, text, tree, index)
            verdict = _Run(self.svc, placed, externals).run()
            finishings = rules.finishings(text, data, offset)
            # brackets left open: unfinished even where the code after it parses along (an
            # open `(` may take the next line in as arguments, with no error in the suggestion)
            unfinished = verdict.syntax_error or (bool(finishings) and finishings[0][1])
            for finished, still_open in finishings if unfinished else ():
                # a first line the model has not finished (`f(a,`, `if x > y`, `a if b else`):
                # checked as if it were, so its names are decided instead of lost in an ERROR
                closed = place(live, data, offset, finished, tree, index)
                again = _Run(self.svc, closed, externals).run()
                if not again.syntax_error:
                    if still_open:
                        # the arguments are not all written yet (`load(`): missing ones are
                        # fine, an unknown keyword or one positional too many is not
                        again.issues = [i for i in again.issues if not i.missing]
                    verdict, placed = again, closed
                    break
        except RecursionError:
            return Verdict(unknown=["<recursion>"], ms=(time.perf_counter() - t0) * 1000), None
        verdict.ms = (time.perf_counter() - t0) * 1000
        return verdict, placed

    def ask_pending(self, verdict: Verdict) -> list:
        """Start jedi on every question the verdict left open; returns what to wait for."""
        if self.externals is None:
            return []
        for at, source in verdict.sources.items():
            self.externals.ask_members(at, source)
        return list(verdict.pending)

    def settle(self, verdict: Verdict, timeout: float | None) -> None:
        """Block until jedi answered the verdict's questions (CLI, benchmarks)."""
        if self.externals is not None and verdict.pending:
            self.externals.wait(self.ask_pending(verdict), timeout)


class _Run:
    """One check: walks the references inside the suggestion and decides each."""

    def __init__(self, svc: MapService, placed: Placed, externals: Externals | None) -> None:
        self.svc = svc
        self.ws = svc.ws
        self.p = placed
        self.fm = placed.fm
        self.r = Resolver(svc.ws)  # private: its cache would otherwise mix two maps of one path
        self.ext = externals
        self.v = Verdict()
        self.rules = rules_for(self.fm.language)

    def run(self) -> Verdict:
        root = self.p.tree.root_node
        if root.has_error:
            err = _error_in(root, self.p.start, self.p.end)
            self.v.syntax_error = err
        for unit in self.p.fresh:
            for ref in unit.refs:
                if not self.p.in_suggestion(unit, ref):
                    continue
                node = self.p.node_at(unit, ref)
                if node is not None and under(node, ("ERROR",), self.rules.scope_types) and \
                        not self._module_member(ref):
                    self.v.unknown.append(ref.name)
                    continue
                if ref.kind == REF_IMPORT:
                    self.on_import(unit, ref)
                elif ref.kind in (REF_NAME, REF_BASE) and ref.receiver is None:
                    self.on_name(unit, ref, node)
                elif ref.kind in (REF_ATTRIBUTE, REF_BASE) and ref.receiver is not None:
                    self.on_attribute(unit, ref, node)
        return self.v

    def _module_member(self, ref: Ref) -> bool:
        """`pkg.mod.name` where `pkg.mod` is a workspace module: decidable even in code that
        does not parse (a lookup in the module's names needs no parse of the code around)."""
        if ref.kind != REF_ATTRIBUTE or not ref.receiver or not _DOTTED.match(ref.receiver):
            return False
        value = self.r.value_of_expr(self.fm, ref.scope, ref.receiver)
        return isinstance(value, Located) and value.symbol.kind == MODULE

    # -- reporting ---------------------------------------------------------------------------
    def issue(self, kind: str, unit: Unit, ref: Ref, name: str, message: str,
              symbol: str | None = None, missing: bool = False) -> None:
        start, end = self.p.ref_span(unit, ref)
        self.v.issues.append(Issue(kind, name, message, self.p.text_offset(start),
                                   self.p.text_offset(end), ref.scope, ref.receiver, symbol,
                                   missing))

    # -- names -------------------------------------------------------------------------------
    def on_name(self, unit: Unit, ref: Ref, node: ts.Node | None) -> None:
        name = ref.name
        if not self.rules.decides_names(self.fm) or self.rules.implicit(name, self.fm) or \
                (node is not None and self.rules.unbound_syntax(node)):
            self.v.unknown.append(name)
            return
        target = self.rules.lookup_name(self, unit, ref)
        if target is UNKNOWN:
            self.v.unknown.append(name)
            return
        if target is None:
            if self._excused(name, node):
                self.v.unknown.append(name)
                return
            self.v.checked += 1
            self.issue(NAME, unit, ref, name, f"`{name}` is not defined")
            return
        self.v.checked += 1
        if ref.nargs >= 0:
            self.call(unit, ref, self._followed(target))

    def _excused(self, name: str, node: ts.Node | None) -> bool:
        """Reasons not to call an unresolved name missing (see the module doc)."""
        if self.rules.star_imports_bind_names and any(
                isinstance(self.r.module_target(self.fm, m), External) for m in self.fm.star_imports()):
            return True  # `from outside import *` may define it
        if node is not None and self.rules.bound_in_syntax(node, name):
            return True
        return self._unresolved_elsewhere(name) or self.rules.environment(self, name)

    def _unresolved_elsewhere(self, name: str) -> bool:
        """Whether the rest of the file uses `name` and the map cannot resolve it there either."""
        fresh = {id(u) for u in self.p.fresh}
        for unit in self.fm.units:
            if id(unit) in fresh or name not in unit.ref_names():
                continue
            for ref in unit.refs:
                if ref.name == name and ref.kind == REF_NAME and ref.receiver is None and \
                        self.rules.lookup_name(self, unit, ref) is None:
                    return True
        return False

    def _followed(self, target):
        if isinstance(target, Located) and target.symbol.kind == IMPORT:
            return self.r.follow_import(target)
        return target

    # -- attributes --------------------------------------------------------------------------
    def on_attribute(self, unit: Unit, ref: Ref, node: ts.Node | None) -> None:
        name = ref.name
        if self.rules.unknown_member(name):
            self.v.unknown.append(name)
            return
        if node is not None and self.rules.is_store(node):
            self.v.unknown.append(name)  # `obj.new_attr = ...` creates it
            return
        value = self.r.value_of_expr(self.fm, ref.scope, ref.receiver or "")
        shown = f"{ref.receiver}.{name}"
        if value is None or value is LOCAL:
            typed = self.rules.outside_type_members(self, unit, ref) if value is None else None
            if typed is not None:
                self.v.checked += 1
                if name not in typed[0]:
                    self.issue(ATTRIBUTE, unit, ref, shown, f"`{ref.receiver}` ({typed[1]}) has no `{name}`")
                return
            self.jedi_member(unit, ref, shown)
            return
        if isinstance(value, External):
            self.external_member(unit, ref, value)
            return
        found = self.rules.lookup_member(self, unit, ref, value)
        if found is UNKNOWN:
            self.v.unknown.append(shown)
            return
        if found is None:
            if not self.rules.closed(self, value) or self._in_subclass(value, ref.receiver or "", name) \
                    or self._attribute_unresolved_elsewhere(value, name) \
                    or self.rules.may_have(self, value, ref):
                self.v.unknown.append(shown)
                return
            self.v.checked += 1
            self.issue(ATTRIBUTE, unit, ref, shown, f"{_describe(value)} has no `{name}`")
            return
        self.v.checked += 1
        if ref.nargs >= 0:
            self.call(unit, ref, self._followed(found))

    def external_member(self, unit: Unit, ref: Ref, value: External) -> None:
        """`os.pathx`: a member of an installed module, as jedi lists them (or as the language's
        rules list them: Go's standard library)."""
        shown = f"{ref.receiver}.{ref.name}"
        members = self.rules.external_members(self, value) if value is not LOCAL else None
        if members is not None:
            self.v.checked += 1
            if ref.name not in members:
                self.issue(ATTRIBUTE, unit, ref, shown, f"package `{value.module}` has no `{ref.name}`")
            return
        if self.ext is None or value is LOCAL or value.module == "builtins" or \
                ref.name.startswith("_"):
            self.v.unknown.append(shown)
            return
        module = value.dotted
        info = self.ext.get(module)
        if info is None:
            self.v.pending.add(module)
            self.v.unknown.append(shown)
            return
        if not info.exists or info.members is None:
            self.v.unknown.append(shown)  # a class or function of the module, or dynamic
            return
        self.v.checked += 1
        if ref.name not in info.members:
            self.issue(ATTRIBUTE, unit, ref, shown, f"module `{module}` has no `{ref.name}`")

    def jedi_member(self, unit: Unit, ref: Ref, shown: str) -> None:
        """A receiver the map cannot type: ask jedi what it infers there and what it has."""
        if self.ext is None or ref.name.startswith("_"):
            self.v.unknown.append(shown)
            return
        start, _ = self.p.ref_span(unit, ref)
        row, bcol = self.p.index.point_of_byte(start)
        col = len(self.p.index.line_bytes(row)[:bcol].decode("utf-8", errors="replace"))
        at: MembersAt = Externals.members_at(self.svc.abspath(self.fm.path), self.p.data, start,
                                             row + 1, col)
        answer = self.ext.members(at)
        if answer is None:
            self.v.pending.add(at)
            self.v.sources[at] = self.p.text
            self.v.unknown.append(shown)
            return
        if answer.names is None:
            self.v.unknown.append(shown)
            return
        if ref.name not in answer.names and ref.name in self.ws.names:
            # jedi's type is a guess the map could not confirm; a name some workspace class
            # defines is more likely a wrong guess (`self.remote_field` is not a `Field`) than
            # an invention
            self.v.unknown.append(shown)
            return
        self.v.checked += 1
        if ref.name not in answer.names:
            kinds = " | ".join(answer.types)
            self.issue(ATTRIBUTE, unit, ref, shown,
                       f"`{ref.receiver}` ({kinds}, as jedi infers it) has no `{ref.name}`")

    def _in_subclass(self, value: Value, receiver: str, name: str) -> bool:
        """`self.x` in a base class may be an attribute its subclasses define."""
        if not isinstance(value, Instance | SuperOf) or \
                receiver.split(".")[0] not in self.rules.self_receivers:
            return False
        from ..map.hierarchy import subtypes  # scans the files naming the class: failure path only

        todo, seen = [value.cls], {value.cls.symbol.id}
        while todo and len(seen) < MAX_SUBCLASSES:
            for sub in subtypes(self.ws, self.r, todo.pop()):
                if sub.symbol.id in seen:
                    continue
                seen.add(sub.symbol.id)
                if sub.file.lookup(f"{sub.symbol.qualname}.{name}") is not None or \
                        not self.rules.closed(self, Instance(sub)):
                    return True
                todo.append(sub)
        return bool(todo)

    def _attribute_unresolved_elsewhere(self, value: Value, name: str) -> bool:
        """Whether the rest of the file uses `.name` on the same type and the map cannot resolve
        it there either (set by a metaclass, a decorator, `setattr`: not the model's fault)."""
        want = _class_id(value)
        fresh = {id(u) for u in self.p.fresh}
        for unit in self.fm.units:
            if id(unit) in fresh or name not in unit.ref_names():
                continue
            for ref in unit.refs:
                if ref.name != name or ref.kind != REF_ATTRIBUTE or ref.receiver is None:
                    continue
                other = self.r.value_of_expr(self.fm, ref.scope, ref.receiver)
                if other is not None and _class_id(other) == want and \
                        self.r.member_of(other, name) is None:
                    return True
        return False

    # -- imports -----------------------------------------------------------------------------
    def on_import(self, unit: Unit, ref: Ref) -> None:
        self.rules.check_import(self, unit, ref)

    def python_import(self, unit: Unit, ref: Ref) -> None:
        """Python's imports (rules/python.py): workspace modules through the map, installed
        ones through jedi."""
        if ref.receiver == MODULE_REF:
            self.import_module(unit, ref, ref.module or ref.name)
            return
        module = self.r.module_target(self.fm, ref.module or "")
        if isinstance(module, Located):
            self.v.checked += 1
            problem = check_import(self.ws, self.r, self.fm, unit, ref)
            if problem is not None:
                self.issue(IMPORT_MISSING, unit, ref, f"{module.file.module}.{ref.name}",
                           problem.message)
            return
        if self.ext is None:
            self.v.unknown.append(ref.name)
            return
        info = self.ext.get(module.module)
        if info is None:
            self.v.pending.add(module.module)
            self.v.unknown.append(ref.name)
        elif info.exists and info.members is not None:
            self.v.checked += 1
            if ref.name not in info.members:
                self.issue(IMPORT_MISSING, unit, ref, f"{module.module}.{ref.name}",
                           f"module `{module.module}` has no `{ref.name}`")
        else:
            self.v.unknown.append(ref.name)

    def import_module(self, unit: Unit, ref: Ref, written: str) -> None:
        target = self.r.module_target(self.fm, written)
        if isinstance(target, Located):
            self.v.checked += 1
            return
        name = target.module
        top = name.split(".")[0]
        if self.ws.file_of_module(top) is not None or written.startswith("."):
            self.v.checked += 1  # inside a workspace package: the map is the whole truth
            self.issue(MODULE_MISSING, unit, ref, name, f"no module `{name}` in the workspace")
            return
        if self.ext is None:
            self.v.unknown.append(name)
            return
        info = self.ext.get(name)
        if info is None:
            self.v.pending.add(name)
            self.v.unknown.append(name)
            return
        self.v.checked += 1
        if not info.exists:
            self.issue(MODULE_MISSING, unit, ref, name, f"no module named `{name}` is installed")

    # -- calls -------------------------------------------------------------------------------
    def call(self, unit: Unit, ref: Ref, target) -> None:
        problem = self.rules.check_call(self.ws, self.r, self.fm, unit, ref, target)
        if problem is not None:
            self.v.checked += 1
            shown = f"{ref.receiver}.{ref.name}" if ref.receiver else ref.name
            self.issue(CALL, unit, ref, shown, problem.message, problem.symbol,
                       missing=problem.missing)


# -- helpers -------------------------------------------------------------------------------------


def _error_in(root: ts.Node, start: int, end: int) -> bool:
    """Whether an ERROR or MISSING node overlaps the byte range."""
    todo = [root]
    while todo:
        n = todo.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.type == "ERROR" or n.is_missing:
            return True
        if n.has_error:
            todo.extend(n.children)
    return False


def _class_id(value: Value) -> str | None:
    if isinstance(value, Instance | SuperOf):
        return value.cls.symbol.id
    if isinstance(value, Located):
        return value.symbol.id
    return None


def _describe(value: Value) -> str:
    if isinstance(value, Instance):
        return f"`{value.cls.symbol.name}` instance"
    if isinstance(value, SuperOf):
        return f"the bases of `{value.cls.symbol.name}`"
    if isinstance(value, Located):
        kind = "module" if value.symbol.kind == MODULE else value.symbol.kind
        name = value.file.module if value.symbol.kind == MODULE else value.symbol.name
        return f"{kind} `{name}`"
    return "it"
