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
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import tree_sitter as ts

from ..map.checks import check_call, check_import
from ..map.filemap import FileMap
from ..map.records import (
    CLASS,
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

# Issue kinds (also the reasons counted in the statistics)
NAME = "name"  # a bare name that is not defined anywhere visible
ATTRIBUTE = "attribute"  # a member the receiver's type does not have
MODULE_MISSING = "module"  # an import of a module that is not installed nor in the workspace
IMPORT_MISSING = "import"  # `from m import x` where m has no x
CALL = "call"  # a call that does not fit the callee's signature
KINDS = (NAME, ATTRIBUTE, MODULE_MISSING, IMPORT_MISSING, CALL)

# Names Python provides implicitly in some scopes, which the map does not record as bindings
IMPLICIT = frozenset({"__class__", "__qualname__", "__module__", "__annotations__", "__dict__",
                      "__all__", "__path__", "__builtins__", "__debug__", "reveal_type"})
# Syntax that binds or matches names the map's extractor does not record as bindings
_PATTERNS = frozenset({"case_pattern", "as_pattern_target", "keyword_pattern", "splat_pattern",
                       "dict_pattern", "class_pattern", "type_parameter"})
# Target syntax (only ever on the left of `=`, `for ... in`, `as`): nested tuples the extractor
# may not bind (`for j, (a, b) in ...`)
_TARGETS = frozenset({"tuple_pattern", "list_pattern", "pattern_list"})
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_METACLASS = re.compile(r"\bmetaclass\s*=|\*\*")
MAX_SUBCLASSES = 200
# Class decorators that add no members a model could call by a name the map does not see
_TRANSPARENT_CLASS_DECORATORS = frozenset({
    "dataclass", "dataclasses.dataclass", "final", "typing.final", "total_ordering",
    "functools.total_ordering", "attr.s", "attr.attrs", "attrs.define", "attrs.frozen",
    "attr.define", "attr.frozen", "enum.unique", "unique", "runtime_checkable",
    "typing.runtime_checkable"})


def _transparent(decorator: str) -> bool:
    """`dataclass(frozen=True)` is `dataclass`; `abc.Mapping.register` registers a virtual
    subclass and returns the class unchanged."""
    name = decorator.split("(", 1)[0].strip()
    return name in _TRANSPARENT_CLASS_DECORATORS or name.endswith(".register")


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
        externals = self.externals if live.language.semantic == "jedi" else None
        try:
            placed = place(live, data, offset, text, tree, index)
            verdict = _Run(self.svc, placed, externals).run()
            for finished, still_open in _finishings(text, data, offset) if verdict.syntax_error else ():
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
                if node is not None and _under(node, ("ERROR",)) and \
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
        if name in IMPLICIT or (node is not None and _under(node, _PATTERNS)):
            self.v.unknown.append(name)
            return
        target = self.r.resolve_name(self.fm, ref.scope, name, follow=False)
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
        if any(isinstance(self.r.module_target(self.fm, m), External)
               for m in self.fm.star_imports()):
            return True  # `from outside import *` may define it
        if node is not None and _bound_in_syntax(node, name):
            return True
        return self._unresolved_elsewhere(name)

    def _unresolved_elsewhere(self, name: str) -> bool:
        """Whether the rest of the file uses `name` and the map cannot resolve it there either."""
        fresh = {id(u) for u in self.p.fresh}
        for unit in self.fm.units:
            if id(unit) in fresh or name not in unit.ref_names():
                continue
            for ref in unit.refs:
                if ref.name == name and ref.kind == REF_NAME and ref.receiver is None and \
                        self.r.resolve_name(self.fm, ref.scope, name, follow=False) is None:
                    return True
        return False

    def _followed(self, target):
        if isinstance(target, Located) and target.symbol.kind == IMPORT:
            return self.r.follow_import(target)
        return target

    # -- attributes --------------------------------------------------------------------------
    def on_attribute(self, unit: Unit, ref: Ref, node: ts.Node | None) -> None:
        name = ref.name
        if name.startswith("__") and name.endswith("__"):
            self.v.unknown.append(name)
            return
        if node is not None and _is_store(node):
            self.v.unknown.append(name)  # `obj.new_attr = ...` creates it
            return
        value = self.r.value_of_expr(self.fm, ref.scope, ref.receiver or "")
        shown = f"{ref.receiver}.{name}"
        if value is None or value is LOCAL:
            self.jedi_member(unit, ref, shown)
            return
        if isinstance(value, External):
            self.external_member(unit, ref, value)
            return
        found = self.r.member_of(value, name)
        if found is None:
            if not self._closed(value) or self._in_subclass(value, ref.receiver or "", name) \
                    or self._attribute_unresolved_elsewhere(value, name):
                self.v.unknown.append(shown)
                return
            self.v.checked += 1
            self.issue(ATTRIBUTE, unit, ref, shown, f"{_describe(value)} has no `{name}`")
            return
        self.v.checked += 1
        if ref.nargs >= 0:
            self.call(unit, ref, self._followed(found))

    def external_member(self, unit: Unit, ref: Ref, value: External) -> None:
        """`os.pathx`: a member of an installed module, as jedi lists them."""
        shown = f"{ref.receiver}.{ref.name}"
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

    def _closed(self, value: Value) -> bool:
        """Whether the map sees every member `value` can have."""
        if isinstance(value, Located) and value.symbol.kind == MODULE:
            return _closed_module(self.r, value.file)
        if isinstance(value, Instance | SuperOf):
            return self._closed_class(value.cls)
        if isinstance(value, Located) and value.symbol.kind == CLASS:
            return self._closed_class(value)
        return False

    def _in_subclass(self, value: Value, receiver: str, name: str) -> bool:
        """`self.x` in a base class may be an attribute its subclasses define."""
        if not isinstance(value, Instance | SuperOf) or receiver.split(".")[0] not in ("self", "cls"):
            return False
        from ..map.hierarchy import subtypes  # scans the files naming the class: failure path only

        todo, seen = [value.cls], {value.cls.symbol.id}
        while todo and len(seen) < MAX_SUBCLASSES:
            for sub in subtypes(self.ws, self.r, todo.pop()):
                if sub.symbol.id in seen:
                    continue
                seen.add(sub.symbol.id)
                if sub.file.lookup(f"{sub.symbol.qualname}.{name}") is not None or \
                        not self._closed_class(sub):
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

    def _header(self, cls: Located) -> str:
        """The text of a class statement's first lines (keywords like `metaclass=` are not in
        the map's records). A class of this file is read from the text its rows refer to: the
        new text for the fresh units, the document as it was for the others."""
        if cls.file.path == self.fm.path:
            fresh = any(s is cls.symbol for u in self.p.fresh for s in u.symbols)
            data = self.p.data if fresh else self.p.data[:self.p.start] + self.p.data[self.p.end:]
            text: str | None = data.decode("utf-8", errors="replace")
        else:
            text = self.svc.text_of(cls.file.path)
        if text is None:
            return ""
        row = cls.symbol.range[0]
        head = []
        for line in text.split("\n")[row:row + 6]:
            head.append(line)
            if line.rstrip().endswith(":"):
                break
        return "\n".join(head)

    def _closed_class(self, cls: Located) -> bool:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            c = todo.pop()
            if c.symbol.id in seen:
                continue
            seen.add(c.symbol.id)
            sym = c.symbol
            if sym.dynamic or not all(_transparent(d) for d in sym.decorators):
                return False
            if c.file.lookup(f"{sym.qualname}.__getattr__") or \
                    c.file.lookup(f"{sym.qualname}.__getattribute__"):
                return False
            bases = self.r.bases(c)
            if len(bases) != len(sym.bases):
                return False  # a base the map cannot see
            if _METACLASS.search(self._header(c)):
                return False  # a metaclass may add anything
            for b in bases:
                if not isinstance(b, Located):
                    return False  # a base outside the workspace
                todo.append(b)
        return True

    # -- imports -----------------------------------------------------------------------------
    def on_import(self, unit: Unit, ref: Ref) -> None:
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
        if not isinstance(target, Located) or self.fm.language.semantic != "jedi":
            return  # check_call binds arguments by Python's rules (`self` first): Python only
        problem = check_call(self.ws, self.r, self.fm, unit, ref, target)
        if problem is not None:
            self.v.checked += 1
            shown = f"{ref.receiver}.{ref.name}" if ref.receiver else ref.name
            self.issue(CALL, unit, ref, shown, problem.message, problem.symbol,
                       missing=problem.missing)


# -- helpers -------------------------------------------------------------------------------------


def _under(node: ts.Node, types: tuple[str, ...] | frozenset[str]) -> bool:
    p: ts.Node | None = node
    while p is not None and p.type not in ("module", "block"):
        if p.type in types:
            return True
        p = p.parent
    return False


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


def _is_store(node: ts.Node) -> bool:
    """Whether the attribute at `node` (its name identifier) is assigned to or deleted."""
    attr = node.parent
    if attr is None or attr.type != "attribute":
        return False
    child, p = attr, attr.parent
    while p is not None and p.type in ("pattern_list", "tuple_pattern", "list_pattern"):
        child, p = p, p.parent
    if p is None:
        return False
    if p.type in ("assignment", "augmented_assignment"):
        return p.child_by_field_name("left") == child
    return p.type == "delete_statement"


# What may finish a line the model left unfinished, besides closing its brackets: a compound
# statement's colon (`if x > y`), an operand (`a +`, `b if c else`), or both (`lambda x`)
_FINISHERS = ("", ":", " None", ": None")


def _finishings(text: str, data: bytes, offset: int) -> list[tuple[str, bool]]:
    """`text` (to go at byte `offset` of `data`) finished at the end of its last line in the
    ways worth a parse, in order; with whether brackets were left open."""
    line_head = data[data.rfind(b"\n", 0, offset) + 1:offset].decode("utf-8", "replace")
    closers = _closers(text)
    body, newline = (text[:-1], "\n") if text.endswith("\n") else (text, "")
    bodies = [body]
    if body.endswith(".") and not body.endswith(".."):
        bodies.append(body[:-1])  # a member access the model stopped before naming (`a.get.`)
    last_line = (line_head + body).rsplit("\n", 1)[-1]
    out: list[tuple[str, bool]] = []
    if last_line.lstrip().startswith("@") and not closers:
        # a decorator with nothing below it yet (the end of the file, or a blank line)
        indent = last_line[:len(last_line) - len(last_line.lstrip())]
        out.append((f"{body}\n{indent}def _ssc_decorated_(): pass{newline or chr(10)}", False))
    for b in bodies:
        for finisher in _FINISHERS:
            for tail in dict.fromkeys((closers + finisher, finisher + closers)):
                if tail or b is not body:
                    out.append((b + tail + newline, bool(closers)))
    return out


def _closers(text: str) -> str:
    """The brackets that would close what `text` leaves open ('' when balanced or odd)."""
    stack: list[str] = []
    pairs = {"(": ")", "[": "]", "{": "}"}
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            break
        elif ch in pairs:
            stack.append(pairs[ch])
        elif ch in ")]}":
            if not stack or stack.pop() != ch:
                return ""
    return "" if quote else "".join(reversed(stack))


def _class_id(value: Value) -> str | None:
    if isinstance(value, Instance | SuperOf):
        return value.cls.symbol.id
    if isinstance(value, Located):
        return value.symbol.id
    return None


def _bound_in_syntax(node: ts.Node, name: str) -> bool:
    """Whether the top-level statement around `node` binds `name` in a pattern or `as` target
    (syntax the map's extractor does not turn into bindings)."""
    top = node
    while top.parent is not None and top.parent.type != "module":
        top = top.parent
    todo = [top]
    while todo:
        n = todo.pop()
        if n.type == "identifier":
            if n.text.decode("utf-8", "replace") == name and _under(n, _PATTERNS | _TARGETS):
                return True
            continue
        todo.extend(n.children)
    return False


def _closed_module(r: Resolver, fm: FileMap) -> bool:
    if fm.lookup("__getattr__") is not None or "__getattr__" in fm.module_bindings():
        return False
    return all(isinstance(r.module_target(fm, m), Located) for m in fm.star_imports())


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
