"""Generate tests for a function, where and as the project keeps its tests.

From the map: the test modules (`test_*.py`, `*_test.py`) that import the function's module (one
that imports the function itself first), else a new `test_<module>.py` in the folder holding
most test modules (else `tests/`); pytest or unittest as that module (or most test modules)
is written; the fixtures of the `conftest.py` files on the way from the root to the test module
and of the module itself. The model writes the tests; they are appended to the module (their
imports beside its imports) or make the new file. Beyond the edit check (names that do not
resolve), the parameters of each new test must be fixtures that exist (`PYTEST_FIXTURES`,
conftest, the module, a `parametrize`), and a new test must not shadow one of the same name.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field

from ..grounding.edit_check import EditProblem
from ..map.filemap import FileMap
from ..map.records import CLASS, FUNCTION, REF_IMPORT, Symbol
from ..map.service import MapService
from ..map.workspace import Located
from .model import redacted, refused
from .target import ActionError, Def, with_imports

# pytest's own fixtures, and those of the plugins most projects use: a test asking for one of
# these is not asking for an invented fixture.
PYTEST_FIXTURES = frozenset({
    "cache", "capfd", "capfdbinary", "caplog", "capsys", "capsysbinary", "doctest_namespace",
    "monkeypatch", "pytestconfig", "record_property", "record_testsuite_property",
    "record_xml_attribute", "recwarn", "request", "testdir", "pytester", "tmp_path",
    "tmp_path_factory", "tmpdir", "tmpdir_factory", "subtests",
    "mocker", "event_loop", "benchmark", "httpx_mock", "requests_mock", "freezer", "settings",
})
TEST_MODULE_MAX_CHARS = 8000  # of the existing test module shown to the model
FIXTURES_SHOWN = 40
FIXTURE_PROBLEM = "unknown fixture"
SHADOW_PROBLEM = "shadowed test"
TESTS_DIR = "tests"


def is_test_path(rel: str) -> bool:
    base = posixpath.basename(rel)
    return base.endswith(".py") and (base.startswith("test_") or base.endswith("_test.py"))


@dataclass
class Plan:
    """Where the tests go and how they are written."""

    path: str  # the test module (existing or new)
    exists: bool
    style: str  # "pytest" | "unittest"
    fixtures: dict[str, str] = field(default_factory=dict)  # name -> "path:line: def ...(...)"
    imports_target: bool = False  # the module already imports the function


def importable(fm: FileMap, sym: Symbol) -> bool:
    """Whether a test can import `sym`: a module's function or a method of its classes (a
    function nested in a function cannot be reached)."""
    parent = sym.parent
    while parent and parent != fm.path:
        owner = fm.by_id.get(parent)
        if owner is None or owner.kind != CLASS:
            return False
        parent = owner.parent
    return True


def _imports_of(svc: MapService, fm: FileMap, d: Def) -> int:
    """2: `fm` imports the function (or its class); 1: its module; 0: neither."""
    best = 0
    want = {d.sym.id, d.sym.parent}
    for ref, unit in fm.iter_refs():
        if ref.kind != REF_IMPORT:
            continue
        t = svc.resolver.resolve_ref(fm, ref, unit)
        if not isinstance(t, Located) or t.file.path != d.rel:
            continue
        best = max(best, 2 if t.symbol.id in want else 1)
    return best


def _unittest(fm: FileMap) -> bool:
    return any(s.kind == CLASS and any(b.rsplit(".", 1)[-1] == "TestCase" for b in s.bases)
               for s in fm.symbols)


def plan(d: Def) -> Plan:
    svc = d.svc
    tests = [fm for rel, fm in sorted(svc.ws.files.items()) if is_test_path(rel) and not refused(svc, rel)]
    scored = sorted(((_imports_of(svc, fm, d), fm) for fm in tests), key=lambda x: (-x[0], len(x[1].path)))
    if scored and scored[0][0] > 0:
        score, fm = scored[0]
        p = Plan(fm.path, True, "unittest" if _unittest(fm) else "pytest", imports_target=score == 2)
    else:
        dirs = Counter(posixpath.dirname(fm.path) for fm in tests)
        folder = dirs.most_common(1)[0][0] if dirs else TESTS_DIR
        stem = posixpath.splitext(posixpath.basename(d.rel))[0]
        if stem == "__init__":
            stem = posixpath.basename(posixpath.dirname(d.rel)) or "package"
        path = posixpath.join(folder, f"test_{stem}.py") if folder else f"test_{stem}.py"
        n = 2
        while path in svc.ws.files or svc.text_now(path) is not None:
            path = posixpath.join(folder, f"test_{stem}_{n}.py") if folder else f"test_{stem}_{n}.py"
            n += 1
        styles = Counter("unittest" if _unittest(fm) else "pytest" for fm in tests)
        p = Plan(path, False, styles.most_common(1)[0][0] if styles else "pytest")
    p.fixtures = fixtures_for(svc, p.path)
    return p


def fixtures_for(svc: MapService, test_path: str) -> dict[str, str]:
    """The fixtures a test in `test_path` can use: conftest.py files from the root down to its
    folder (the nearer winning), then the module itself."""
    folder = posixpath.dirname(test_path)
    chain = [""]
    for part in [x for x in folder.split("/") if x]:
        chain.append(posixpath.join(chain[-1], part))
    out: dict[str, str] = {}
    for f in chain:
        for rel in (posixpath.join(f, "conftest.py"), test_path):
            fm = svc.ws.files.get(rel)
            if fm is None or (rel == test_path and f != folder):
                continue
            for s in fm.symbols:
                if s.kind == FUNCTION and s.parent in ("", fm.path) and any(
                        re.match(r"(?:pytest\.)?fixture\b", x) for x in s.decorators):
                    sig = s.signature.render(s.name) if s.signature else f"def {s.name}(...)"
                    out[s.name] = f"{rel}:{s.name_range[0] + 1}: {sig}" + (f"  # {s.doc}" if s.doc else "")
    return out


def task(d: Def, p: Plan, code: str, existing: str | None) -> str:
    lines = [f"Write {p.style} tests for `{d.sym.qualname}` of module `{d.fm.module}` "
             f"(file {d.rel}).", "", "The code:", "```python", code.rstrip(), "```", ""]
    if existing is not None:
        lines += [f"The tests go at the end of the existing test module {p.path}:",
                  "```python", existing.rstrip(), "```", ""]
    else:
        lines += [f"The tests go in a new file {p.path}.", ""]
    if p.fixtures:
        lines.append("Fixtures available (from conftest.py files and the test module):")
        lines += [f"- {name}: {where}" for name, where in list(p.fixtures.items())[:FIXTURES_SHOWN]]
    else:
        lines.append("No project fixtures are defined; pytest's own (tmp_path, monkeypatch, ...) exist.")
    lines += ["", "Answer with Python code only, in one ```python block: first the import lines "
              "the new tests need, then the new test functions"
              + (" (in a unittest.TestCase class)" if p.style == "unittest" else "")
              + ". Do not repeat the existing tests or imports. Use only the fixtures listed, "
              "pytest's own, and names that exist in the code shown."]
    return "\n".join(lines)


def existing_text(d: Def, p: Plan) -> str | None:
    """The test module as it may be shown to the model (None: a new file)."""
    if not p.exists:
        return None
    data = d.svc.text_now(p.path)
    if data is None:
        return None
    text = redacted(d.svc, p.path, data.decode("utf-8", errors="replace"))
    if len(text) > TEST_MODULE_MAX_CHARS:
        text = "# (the beginning of the module is left out)\n" + text[-TEST_MODULE_MAX_CHARS:]
    return text


def merged(d: Def, p: Plan, answer_code: str) -> tuple[bytes, int]:
    """The test module's new text: the answer's imports added after the module's imports (those
    it lacks), its tests appended; or the answer as a new file. With the row where the new
    tests start."""
    try:
        tree = ast.parse(answer_code)
    except SyntaxError as e:
        raise ActionError(f"the model's tests are not Python (line {e.lineno}: {e.msg})") from None
    if not any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for n in tree.body):
        raise ActionError("the model's answer holds no test")
    lines = answer_code.strip("\n").split("\n")
    import_rows: set[int] = set()
    for n in tree.body:
        if isinstance(n, ast.Import | ast.ImportFrom):
            import_rows.update(range(n.lineno - 1, (n.end_lineno or n.lineno)))
    imports = [lines[i] for i in sorted(import_rows)]
    rest = "\n".join(ln for i, ln in enumerate(lines) if i not in import_rows).strip("\n")
    if not p.exists:
        return ("\n".join(imports) + ("\n\n\n" if imports else "") + rest + "\n").encode(), 0
    data = d.svc.text_now(p.path) or b""
    have = _top_level_imports(data)
    data = with_imports(data, [ln for ln in imports if ln.strip() not in have]).rstrip(b"\n") + b"\n\n\n"
    return data + rest.encode() + b"\n", data.count(b"\n")


def _top_level_imports(data: bytes) -> set[str]:
    """The module's own import lines (not those inside functions), stripped."""
    lines = data.decode("utf-8", errors="replace").split("\n")
    try:
        tree = ast.parse(data)
    except SyntaxError:
        return set()
    return {lines[i].strip() for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
            for i in range(n.lineno - 1, n.end_lineno or n.lineno)}


def problems(p: Plan, before: bytes | None, after: bytes, first_new_row: int) -> list[EditProblem]:
    """New tests asking for fixtures nothing defines, or shadowing a test of the same name."""
    try:
        tree = ast.parse(after)
    except SyntaxError:
        return []  # the edit check reports it
    old_names: Counter[str] = Counter()
    if before:
        try:
            old_names.update(n.name for n in ast.parse(before).body
                             if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))
        except SyntaxError:
            pass
    own = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)
           and any("fixture" in ast.unparse(x) for x in n.decorator_list)}
    known = PYTEST_FIXTURES | set(p.fixtures) | own
    out: list[EditProblem] = []
    seen: Counter[str] = Counter()
    for n in tree.body:
        if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        seen[n.name] += 1
        if n.lineno - 1 < first_new_row:
            continue
        if seen[n.name] > 1 or old_names[n.name]:
            out.append(EditProblem(p.path, (n.lineno - 1, n.col_offset, n.lineno - 1, n.col_offset),
                                   SHADOW_PROBLEM, f"{n.name} is defined twice in {p.path}: "
                                   "only the last one runs", n.name))
        if isinstance(n, ast.ClassDef) or not n.name.startswith("test"):
            continue
        given = _parametrized(n)
        for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs:
            if a.arg in known or a.arg in given or a.arg in ("self", "cls"):
                continue
            out.append(EditProblem(p.path, (a.lineno - 1, a.col_offset, a.lineno - 1, a.col_offset + len(a.arg)),
                                   FIXTURE_PROBLEM, f"fixture '{a.arg}' is not defined (no conftest.py "
                                   f"on the way to {p.path}, nor the module, nor pytest defines it)", a.arg))
    return out


def _parametrized(f: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    out: set[str] = set()
    for dec in f.decorator_list:
        if isinstance(dec, ast.Call) and ast.unparse(dec.func).endswith("parametrize") and dec.args:
            first = dec.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out |= {x.strip() for x in first.value.split(",")}
            elif isinstance(first, ast.List | ast.Tuple):
                out |= {x.value for x in first.elts if isinstance(x, ast.Constant) and isinstance(x.value, str)}
    return out
