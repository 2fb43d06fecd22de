"""Continuity checks over release histories: false alarms on every release, breaks caught.

Two measures over many consecutive released versions of a few projects (sdists from PyPI):

1. Every release is mapped as a workspace and checked whole (map/checks.py): released code
   imports and calls itself correctly, so every diagnostic is a false alarm (goal: 0).
2. Between consecutive versions v1 -> v2, every function or class whose parameter list changed,
   and whose call in another file changed with it, gives a case: v2 with that one call's
   argument list put back as it was in v1. The check must flag that call. Cases are counted by
   kind of change (removed, renamed, added-required, keyword-only, reordered) and the misses
   by reason: the map could not tie the call to the callee (and why), or it tied it and said
   nothing (a bug).

    python bench/release_history.py [--cache DIR] [--projects attrs black ...] [--versions N]

Downloads go to --cache (default /work/cache/releases), outside git.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from ssc_lsp.map.checks import _bound, call_shape, check_file, transparent  # noqa: E402
from ssc_lsp.map.filemap import FileMap  # noqa: E402
from ssc_lsp.map.languages.python import PYTHON  # noqa: E402
from ssc_lsp.map.records import (  # noqa: E402
    CLASS,
    FUNCTION,
    KEYWORD_ONLY,
    METHOD,
    POSITIONAL_ONLY,
    POSITIONAL_OR_KEYWORD,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    Param,
    Ref,
    Unit,
)
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located, is_stub  # noqa: E402

CALL_CODES = ("call-arguments", "call-keyword")

# consecutive released versions, oldest first (minor lines, years apart end to end)
RELEASES: dict[str, list[str]] = {
    "attrs": ["19.3.0", "20.1.0", "20.2.0", "20.3.0", "21.2.0", "21.3.0", "21.4.0", "22.1.0",
              "22.2.0", "23.1.0", "23.2.0", "24.2.0", "24.3.0", "25.1.0", "25.3.0", "25.4.0"],
    "black": ["22.1.0", "22.3.0", "22.6.0", "22.8.0", "22.12.0", "23.1.0", "23.3.0", "23.7.0",
              "23.10.0", "23.12.1", "24.1.0", "24.4.2", "24.8.0", "24.10.0", "25.1.0"],
    "requests": ["2.18.4", "2.19.1", "2.20.0", "2.21.0", "2.22.0", "2.23.0", "2.24.0", "2.25.1",
                 "2.26.0", "2.27.1", "2.28.2", "2.29.0", "2.31.0", "2.32.3", "2.32.5"],
    "flask": ["0.12.5", "1.0.4", "1.1.4", "2.0.3", "2.1.3", "2.2.5", "2.3.3", "3.0.3", "3.1.0",
              "3.1.3"],
    "jinja2": ["2.9.6", "2.10.3", "2.11.3", "3.0.0", "3.0.3", "3.1.2", "3.1.4", "3.1.6"],
    "werkzeug": ["0.14.1", "0.15.6", "0.16.1", "1.0.1", "2.0.3", "2.1.2", "2.2.3", "2.3.8",
                 "3.0.6", "3.1.3", "3.1.9"],
    "marshmallow": ["3.0.0", "3.3.0", "3.5.0", "3.8.0", "3.10.0", "3.13.0", "3.15.0", "3.18.0",
                    "3.20.0", "3.22.0", "3.24.0", "3.26.1", "4.0.0", "4.1.0", "4.2.0"],
    # held out: not looked at while tuning
    "click": ["7.0", "7.1.2", "8.0.0", "8.0.4", "8.1.0", "8.1.3", "8.1.7", "8.2.0", "8.2.1",
              "8.3.0", "8.3.1"],
    "httpx": ["0.18.2", "0.19.0", "0.20.0", "0.21.3", "0.22.0", "0.23.3", "0.24.1", "0.25.2",
              "0.26.0", "0.27.2", "0.28.1"],
    "pluggy": ["0.12.0", "0.13.1", "1.0.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0", "1.6.0"],
}
# diagnostics on releases that are right: the released code is wrong there (not false alarms)
TRUE_ERRORS = (
    # `from . import _CompareWithType` in a stub whose package stub does not define it (21.3.0
    # moved the alias into _cmp.pyi); mypy says the same
    "attrs-21.2.0/src/attr/_cmp.pyi:3: import-missing `attr` has no `_CompareWithType`",
    # `from flask import Module` in a test app that is only used as a folder of static files:
    # flask has had no `Module` since 0.11
    "tests/test_apps/subdomaintestmodule/__init__.py:1: import-missing `flask` has no `Module`",
)
TUNED = ("attrs", "black", "requests", "flask", "jinja2", "werkzeug", "marshmallow")


def fetch(name: str, version: str, cache: Path, python: str = sys.executable) -> Path | None:
    """The unpacked sdist of `name==version` under `cache` (downloaded once), or None.

    `python` runs pip: with `--no-build-isolation` pip still prepares the metadata, so it needs
    the build backends (setuptools, hatchling, flit_core...) installed beside it."""
    root = cache / f"{name}-{version}"
    if (root / ".complete").exists():
        return root
    dl = Path(tempfile.mkdtemp())
    try:
        r = subprocess.run([python, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--no-binary", ":all:", "--no-build-isolation", "-d", str(dl),
                            f"{name}=={version}"], capture_output=True, text=True)
        archives = list(dl.glob("*.tar.gz"))
        if not archives:
            print(f"{name}=={version}: no sdist ({r.stderr.strip()[-200:]})", file=sys.stderr)
            return None
        shutil.rmtree(root, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(dir=cache))
        with tarfile.open(archives[0]) as t:
            t.extractall(tmp, filter="data")
        (inner,) = list(tmp.iterdir())
        inner.rename(root)
        shutil.rmtree(tmp, ignore_errors=True)
        (root / ".complete").write_text("")
    finally:
        shutil.rmtree(dl, ignore_errors=True)
    return root



# -- one release ------------------------------------------------------------------------------------


def map_release(root: Path) -> MapService:
    svc = MapService(str(root), MapOptions(persist=False, workers=2))
    svc.index()
    return svc


def false_alarms(svc: MapService) -> list[str]:
    """Every diagnostic on released code, as `path:line: code message`."""
    out = []
    for fm in sorted(svc.ws.files.values(), key=lambda f: f.path):
        for p in check_file(svc.ws, svc.resolver, fm):
            out.append(f"{fm.path}:{p.range[0] + 1}: {p.code} {p.message}")
    return out


# -- callables and calls, from extraction only (resolution is what is measured) --------------------


@dataclass
class Callable:
    """A function, method or class (called through its `__init__`) of a release's sources."""

    module: str
    qualname: str
    name: str
    path: str
    params: list[Param]  # as the caller sees them: `self` dropped for a class's `__init__`
    method: bool  # a method called on an instance drops `self`
    static: bool
    classmethod: bool
    owner: str | None  # the class of a method

    @property
    def key(self) -> tuple[str, str]:
        return self.module, self.qualname

    def shape(self) -> list[tuple[str, str, bool]]:
        return [(p.name, p.kind, p.has_default) for p in self.params]


def callables(svc: MapService) -> dict[str, list[Callable]]:
    """Callables by name (dunder methods left out: they are called by Python, not by name)."""
    defs: dict[str, list[Callable]] = defaultdict(list)
    for fm in svc.ws.files.values():
        if is_stub(fm.path):
            continue
        for s in fm.symbols:
            if s.kind in (FUNCTION, METHOD) and not s.name.startswith("__"):
                sig = s.signature.params if s.signature else []
                defs[s.name].append(Callable(
                    fm.module, s.qualname, s.name, fm.path, list(sig), s.kind == METHOD,
                    "staticmethod" in s.decorators, "classmethod" in s.decorators, s.parent))
            elif s.kind == CLASS:
                init = fm.lookup(f"{s.qualname}.__init__")
                if init is not None and init.signature is not None:
                    defs[s.name].append(Callable(fm.module, s.qualname, s.name, fm.path,
                                                 list(init.signature.params[1:]), False, False, False, None))
    return defs


def changed_callables(old: dict[str, list[Callable]],
                      new: dict[str, list[Callable]]) -> dict[str, tuple[Callable, Callable, bool]]:
    """name -> (before, after, shared): the one definition of that name whose parameters changed
    while every other definition of the name stayed as it was (`shared` when there are others).
    A call by that name whose arguments changed in step with it is taken to be a call of it."""
    out = {}
    for name, after_defs in new.items():
        before = {c.key: c for c in old.get(name, ())}
        if len(before) != len(old.get(name, ())) or {c.key for c in after_defs} != set(before):
            continue  # definitions of that name came, went or repeat: no certain pairing
        moved = [(before[c.key], c) for c in after_defs if before[c.key].shape() != c.shape()]
        if len(moved) == 1:
            out[name] = (*moved[0], len(after_defs) > 1)
    return out


@dataclass
class Call:
    fm: FileMap
    unit: Unit
    ref: Ref
    row: int
    args: str  # the argument list's text, `(...)`
    args_range: tuple[int, int]  # bytes in the file


def calls_by_name(svc: MapService, names: set[str]) -> dict[tuple[str, str, str], list[Call]]:
    """(module, scope, name) -> the calls of that name there, in order (sources only)."""
    parser = PYTHON.parser()
    out: dict[tuple[str, str, str], list[Call]] = defaultdict(list)
    for fm in svc.ws.files.values():
        if is_stub(fm.path) or not (names & fm.ref_names):
            continue
        data = Path(svc.abspath(fm.path)).read_bytes()
        tree = None
        for unit in fm.units:
            for ref in unit.refs:
                if ref.nargs < 0 or ref.name not in names or ref.kind not in ("name", "attribute"):
                    continue
                tree = tree or parser.parse(data)
                at = unit.start_byte + ref.byte
                node = tree.root_node.descendant_for_byte_range(at, at + len(ref.name.encode()))
                call = None
                while node is not None and node.type in ("identifier", "attribute"):
                    if node.parent is not None and node.parent.type == "call" and \
                            node.parent.child_by_field_name("function") == node:
                        call = node.parent
                        break
                    node = node.parent
                args = call.child_by_field_name("arguments") if call is not None else None
                if args is None or args.type != "argument_list":
                    continue
                out[(fm.module, ref.scope, ref.name)].append(Call(
                    fm, unit, ref, ref.row + unit.start_row, args.text.decode("utf-8", "replace"),
                    (args.start_byte, args.end_byte)))
    return out


# -- the oracle: does a call bind a signature (Python's own rules) -----------------------------------

KINDS = {POSITIONAL_ONLY: inspect.Parameter.POSITIONAL_ONLY,
         POSITIONAL_OR_KEYWORD: inspect.Parameter.POSITIONAL_OR_KEYWORD,
         VAR_POSITIONAL: inspect.Parameter.VAR_POSITIONAL, KEYWORD_ONLY: inspect.Parameter.KEYWORD_ONLY,
         VAR_KEYWORD: inspect.Parameter.VAR_KEYWORD}


def call_args(text: str) -> tuple[int, list[str]] | None:
    """Positional count and keyword names of `(...)`; None when it unpacks (`*x`, `**x`)."""
    try:
        node = ast.parse("f" + text, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    return len(node.args), [k.arg for k in node.keywords if k.arg]


def params_seen(c: Callable, call: Call) -> list[Param]:
    """The parameters a call fills: `self`/`cls` dropped unless the method is reached through its
    class (`Cls.method(obj, ...)`) and is neither a classmethod nor static."""
    params = list(c.params)
    if c.method and not c.static and params:
        receiver = call.ref.receiver or ""
        through_class = c.owner is not None and receiver.rsplit(".", 1)[-1] == c.owner.rsplit(".", 1)[-1]
        if c.classmethod or not through_class:
            params = params[1:]
    return params


def binds(params: list[Param], args: tuple[int, list[str]]) -> bool:
    try:
        sig = inspect.Signature([inspect.Parameter(p.name, KINDS[p.kind],
                                                   default=0 if p.has_default else inspect.Parameter.empty)
                                 for p in params])
    except ValueError:
        return True  # an odd signature: no case
    n, kws = args
    try:
        sig.bind(*range(n), **{k: 0 for k in kws})
    except TypeError:
        return False
    return True


def kind_of_change(old: list[Param], new: list[Param]) -> str:
    """removed, renamed, added-required, keyword-only, reordered (first that applies)."""
    on, nn = [p.name for p in old], [p.name for p in new]
    gone = [n for n in on if n not in nn]
    came = [n for n in nn if n not in on]
    if gone and came and len(on) == len(nn):
        return "renamed"
    if gone:
        return "removed"
    if any(not p.has_default and p.kind not in (VAR_POSITIONAL, VAR_KEYWORD) for p in new if p.name in came):
        return "added-required"
    oldk = {p.name: p.kind for p in old}
    if any(p.kind == KEYWORD_ONLY and oldk.get(p.name) not in (None, KEYWORD_ONLY) for p in new):
        return "keyword-only"
    if [n for n in on if n in nn] != [n for n in nn if n in on]:
        return "reordered"
    return "other"


# -- cases ---------------------------------------------------------------------------------------


@dataclass
class Case:
    project: str
    versions: str
    callee: str
    caller: str
    line: int
    kind: str
    old_args: str
    new_args: str
    target: tuple[str, str] = ("", "")  # the callee's module and qualname
    shared: bool = False  # other definitions share the callee's name (their parameters did not change)
    caught: bool = False
    reason: str = ""


def find_cases(project: str, label: str, old: MapService, new: MapService) -> list[tuple[Case, Call]]:
    """Calls in v2 that changed with their callee's parameters: v1's arguments no longer bind."""
    changed = changed_callables(callables(old), callables(new))
    if not changed:
        return []
    calls_old = calls_by_name(old, set(changed))
    calls_new = calls_by_name(new, set(changed))
    out = []
    for key, new_calls in sorted(calls_new.items(), key=lambda kv: kv[0]):
        name = key[2]
        before, after, shared = changed[name]
        old_calls = calls_old.get(key, [])
        if len(old_calls) != len(new_calls):
            continue  # calls added or removed in that scope: no certain pairing
        for c1, c2 in zip(old_calls, new_calls, strict=True):
            if c2.fm.path == after.path or c1.args == c2.args:
                continue
            a1, a2 = call_args(c1.args), call_args(c2.args)
            if a1 is None or a2 is None:
                continue
            p1, p2 = params_seen(before, c1), params_seen(after, c2)
            if not binds(p1, a1) or not binds(p2, a2) or binds(params_seen(after, c1), a1):
                continue  # not a call that changed with its callee and breaks when left behind
            out.append((Case(project, label, f"{after.module}.{after.qualname}", c2.fm.path, c2.row + 1,
                             kind_of_change(p1, p2), c1.args, c2.args, after.key, shared), c2))
    return out


def run_case(svc: MapService, case: Case, call: Call) -> None:
    """v2 with the one call's arguments put back as they were: must be flagged at that call."""
    rel = call.fm.path
    data = Path(svc.abspath(rel)).read_bytes()
    a, b = call.args_range
    text = (data[:a] + case.old_args.encode() + data[b:]).decode("utf-8", "replace")
    svc.open(rel, text, 1)
    try:
        fm = svc.ws.files[rel]
        found = [p for p in check_file(svc.ws, svc.resolver, fm)
                 if p.range[0] == call.row and p.code in CALL_CODES]
        case.caught = bool(found)
        if not case.caught:
            case.reason = miss_reason(svc, fm, call, case.target)
    finally:
        svc.close(rel)


def miss_reason(svc: MapService, fm: FileMap, call: Call, target: tuple[str, str]) -> str:
    hit = svc.resolver.ref_at(fm, call.row, call.ref.col)
    if hit is None:
        return "not tied: no reference"
    ref, unit = hit
    t = svc.resolver.resolve_ref(fm, ref, unit)
    if not isinstance(t, Located) or (t.file.module, t.symbol.qualname) != target:
        if isinstance(t, Located):
            return "not tied: resolved to another definition"
        if t is not None:
            return "not tied: resolved outside the workspace"
        if ref.kind == "name":
            return "not tied: name not resolved"
        r = ref.receiver or ""
        if r.startswith("self.") and r.count(".") >= 1:
            return "not tied: self.x chain"
        if "(" in r:
            return "not tied: call result (factory)"
        if r.isidentifier():
            return "not tied: untyped receiver"
        return "not tied: receiver expression"
    sym = t.symbol
    if sym.kind == CLASS:
        init = svc.resolver.class_member(t, "__init__")
        if sym.decorators:
            return "tied, not judged: decorated class"
        if not isinstance(init, Located):
            return "tied, not judged: class without __init__"
        if call_shape(svc.resolver, fm, ref, t) is None:
            params = init.symbol.signature.params if init.symbol.signature else []
            if any(p.kind in (VAR_POSITIONAL, VAR_KEYWORD) for p in params):
                return "tied, not judged: __init__ takes *args/**kwargs"
            return "tied, not judged: a class of its hierarchy is decorated, has an outside base or __new__"
    else:
        params = sym.signature.params if sym.signature else []
        if any(p.kind in (VAR_POSITIONAL, VAR_KEYWORD) for p in params):
            return "tied, not judged: callee takes *args/**kwargs"
        if not all(transparent(d) for d in sym.decorators):
            return "tied, not judged: decorated callee"
        if sym.kind == METHOD and _bound(svc.resolver, fm, ref, t) is None:
            return "tied, not judged: receiver may be a subclass or unsure"
        if call_shape(svc.resolver, fm, ref, t) is None:
            return "tied, not judged: defined more than once"
        if sym.kind == METHOD:
            return "tied, not judged: overridden in a subclass"
    return "tied and judged, not flagged (bug)"


# -- the run ---------------------------------------------------------------------------------------


@dataclass
class ProjectResult:
    name: str
    releases: int = 0
    files: list[int] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)
    true_errors: list[str] = field(default_factory=list)  # diagnostics that are right (TRUE_ERRORS)
    failed: list[str] = field(default_factory=list)  # releases the map could not index
    seconds: list[float] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


def run_project(name: str, versions: list[str], cache: Path, python: str) -> ProjectResult:
    res = ProjectResult(name)
    prev: tuple[str, MapService] | None = None
    for v in versions:
        root = fetch(name, v, cache, python)
        if root is None:
            continue
        t0 = time.perf_counter()
        try:
            svc = map_release(root)
        except Exception as e:  # noqa: BLE001 - a release the map cannot take is a finding, not the end
            res.failed.append(f"{name}-{v}: {type(e).__name__}: {e}")
            prev = None
            continue
        alarms = false_alarms(svc)
        res.seconds.append(time.perf_counter() - t0)
        res.releases += 1
        res.files.append(len(svc.ws.files))
        labelled = [f"{name}-{v}/{a}" for a in alarms]
        res.alarms += [a for a in labelled if not a.endswith(TRUE_ERRORS)]
        res.true_errors += [a for a in labelled if a.endswith(TRUE_ERRORS)]
        if prev is not None:
            label = f"{prev[0]} -> {v}"
            for case, call in find_cases(name, label, prev[1], svc):
                run_case(svc, case, call)
                res.cases.append(case)
        print(f"{name} {v}: {len(svc.ws.files)} files, {len(alarms)} alarms, "
              f"{sum(1 for c in res.cases if c.versions.endswith(v))} cases", file=sys.stderr, flush=True)
        prev = (v, svc)
    return res


KIND_ORDER = ("removed", "renamed", "added-required", "keyword-only", "reordered", "other")


def report(results: list[ProjectResult]) -> str:
    lines = ["| project | releases | files (median) | diagnostics on releases (false alarms) | "
             "cases | caught | tied and judged | caught of tied and judged |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    allc: list[Case] = []
    for r in results:
        cs = r.cases
        allc += cs
        judged = [c for c in cs if c.caught or c.reason.startswith("tied and judged")]
        held = "" if r.name in TUNED else " (held out)"
        lines.append(f"| {r.name}{held} | {r.releases} | {statistics.median(r.files) if r.files else 0:g} | "
                     f"{len(r.alarms)} | {len(cs)} | {sum(c.caught for c in cs)} | {len(judged)} | "
                     f"{sum(c.caught for c in judged)}/{len(judged)} |")
    lines += ["", "| kind of change | cases | caught |", "| --- | --- | --- |"]
    for k in KIND_ORDER:
        ks = [c for c in allc if c.kind == k]
        if ks:
            lines.append(f"| {k} | {len(ks)} | {sum(c.caught for c in ks)} |")
    lines += ["", "| missed, by reason | cases |", "| --- | --- |"]
    for reason, n in Counter(c.reason for c in allc if not c.caught).most_common():
        lines.append(f"| {reason} | {n} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/work/cache/releases"))
    ap.add_argument("--projects", nargs="*", default=list(RELEASES))
    ap.add_argument("--fetch-only", action="store_true")
    ap.add_argument("--pip-python", default=sys.executable,
                    help="the python whose pip downloads (with the build backends installed)")
    ap.add_argument("--json", type=Path, help="write every alarm and case here")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.fetch_only:
        for name in args.projects:
            for v in RELEASES[name]:
                fetch(name, v, args.cache, args.pip_python)
        return 0
    results = []
    for name in args.projects:
        results.append(run_project(name, RELEASES[name], args.cache, args.pip_python))
        for a in results[-1].alarms:
            print(f"  alarm: {a}", file=sys.stderr)
        for a in results[-1].failed:
            print(f"  not mapped: {a}", file=sys.stderr)
        for c in results[-1].cases:
            if not c.caught:
                print(f"  missed: {c.versions} {c.caller}:{c.line} -> {c.callee} [{c.kind}] "
                      f"{c.old_args[:60]} ({c.reason})", file=sys.stderr)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps([{"project": r.name, "alarms": r.alarms,
                                          "cases": [c.__dict__ for c in r.cases]} for r in results], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
