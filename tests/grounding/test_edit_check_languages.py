"""The edit check in Go, TypeScript, Java and Rust, on the fixture workspaces (real tree-sitter, a
real map): the map's own rename (map/rename.plan_rename, the plan textDocument/rename uses) passes
whole; left half-done (one file's edits dropped) it is reported at the lines left with the old
name; a misspelt new name is reported at its line."""

from __future__ import annotations

import shutil

import pytest

from ssc_lsp.grounding.edit_check import IMPORT, REMOVED_USE, EditCheck, apply_map_edits
from ssc_lsp.map.rename import plan_rename
from ssc_lsp.map.service import MapOptions, MapService

from .test_check_languages import FIXTURES, service  # one indexed map per fixture workspace

MAIN_JAVA = "src/main/java/com/acme/app/Main.java"


def renamed(svc: MapService, symbol_id: str, new: str) -> dict[str, bytes]:
    """Every file the map's rename of `symbol_id` edits, with its text after."""
    loc = svc.ws.get(symbol_id)
    assert loc is not None, symbol_id
    edits = plan_rename(svc.ws, svc.resolver, loc, new, svc.text_now)
    return {p: apply_map_edits(svc.text_now(p) or b"", e) for p, e in edits.items()}


def found(svc: MapService, after: dict[str, bytes]) -> list[tuple[str, int]]:
    return [(p.path, p.range[0] + 1) for p in EditCheck(svc).check(after).problems]


# (language, symbol renamed, new name, a file other than the definition's, its lines naming it)
CASES = [
    ("go", "util/strings.go::Title", "Heading", "util/limits.go", [11]),
    ("go", "internal/store/store.go::Store.Put", "Insert", "server/server.go", [34]),
    ("typescript", "src/models/money.ts::formatMoney", "showMoney", "src/app.ts", [1, 10]),
    ("typescript", "src/models/cart.ts::Cart.total", "sum", "src/app.ts", [10]),
    ("java", "src/main/java/com/acme/util/MathUtil.java::MathUtil.clamp", "bound",
     "src/main/java/com/acme/model/Circle.java", [12]),
    ("java", "src/main/java/com/acme/model/Point.java::Point.moved", "shifted", MAIN_JAVA, [43]),
    ("rust", "src/util.rs::title", "heading", "src/store/mod.rs", [22]),
    ("rust", "src/store/mod.rs::Store.new", "create", "src/lib.rs", [16]),
]


@pytest.mark.parametrize(("lang", "symbol", "new", "other", "lines"), CASES)
def test_the_maps_rename_passes_whole_and_is_caught_half_done(lang, symbol, new, other, lines):
    svc = service(lang)
    after = renamed(svc, symbol, new)
    assert other in after and len(after) >= 2
    assert found(svc, after) == []
    half = {p: d for p, d in after.items() if p != other}
    problems = EditCheck(svc).check(half).problems
    assert sorted({(p.path, p.range[0] + 1) for p in problems}) == [(other, n) for n in lines]
    assert {p.kind for p in problems} <= {REMOVED_USE, IMPORT}


def test_a_member_used_in_test_callbacks_is_caught_there():
    """`cart.add(pen)` inside `it(..., () => { const cart = new Cart(); ... })`: the receiver
    is a callback's local, typed through its own reference."""
    svc = service("typescript")
    after = renamed(svc, "src/models/cart.ts::Cart.add", "put")
    half = {p: d for p, d in after.items() if p != "src/models/cart.test.ts"}
    lines = sorted({n for p, n in found(svc, half)})
    assert lines and lines[0] == 12 and all(n % 10 == 2 for n in lines)


@pytest.mark.parametrize(("lang", "symbol", "new", "other", "line"), [
    ("typescript", "src/models/cart.ts::Item", "LineItem", "src/models/cart.test.ts", 6),  # a type position
    ("go", "util/strings.go::Title", "Heading", "util/limits.go", 11),
    ("java", "src/main/java/com/acme/util/MathUtil.java::MathUtil.clamp", "bound",
     "src/main/java/com/acme/model/Circle.java", 12),
    ("rust", "src/util.rs::title", "heading", "src/store/mod.rs", 22),
])
def test_a_misspelt_new_name_is_caught_at_its_line(lang, symbol, new, other, line):
    svc = service(lang)
    after = renamed(svc, symbol, new)
    rows = after[other].split(b"\n")
    assert new.encode() in rows[line - 1]
    rows[line - 1] = rows[line - 1].replace(new.encode(), new.encode() + new[-1].encode(), 1)
    after[other] = b"\n".join(rows)
    assert (other, line) in found(svc, after)


def test_a_go_rename_left_to_a_platform_twin_is_caught(tmp_path):
    """`Title` also declared in `strings_windows.go` (not built here): the rename takes that
    twin along, and a use left with the old name is a broken use."""
    root = tmp_path / "go"
    shutil.copytree(FIXTURES / "go", root)
    (root / "util" / "strings_windows.go").write_text(
        "package textutil\n\n// Title on Windows.\nfunc Title(s string) string { return s }\n")
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    after = renamed(svc, "util/strings.go::Title", "Heading")
    assert b"func Heading(" in after["util/strings_windows.go"]
    assert found(svc, after) == []
    half = {p: d for p, d in after.items() if p != "util/limits.go"}
    problems = EditCheck(svc).check(half).problems
    assert [(p.path, p.range[0] + 1) for p in problems] == [("util/limits.go", 11)]
    assert "renamed to `Heading`" in problems[0].message


def test_java_calls_are_judged_by_javas_rules_not_pythons(tmp_path):
    """A Java instance method renamed while an override keeps its name: the call through the
    base type has one argument for one parameter. Python's call check (which binds `self`
    first) would say the renamed method takes none."""
    root = tmp_path / "java"
    shutil.copytree(FIXTURES / "java", root)
    pkg = root / "src/main/java/com/acme/calc"
    pkg.mkdir(parents=True)
    (pkg / "Scaler.java").write_text(
        "package com.acme.calc;\n\npublic abstract class Scaler {\n    public abstract int scale(int x);\n}\n")
    (pkg / "Doubler.java").write_text(
        "package com.acme.calc;\n\npublic class Doubler extends Scaler {\n"
        "    public int scale(int x) {\n        return 2 * x;\n    }\n}\n")
    (pkg / "Use.java").write_text(
        "package com.acme.calc;\n\npublic class Use {\n    int run(Scaler s) {\n"
        "        return s.scale(3);\n    }\n}\n")
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    after = renamed(svc, "src/main/java/com/acme/calc/Scaler.java::Scaler.scale", "resize")
    assert "src/main/java/com/acme/calc/Use.java" in after
    assert found(svc, after) == []
    half = {p: d for p, d in after.items() if not p.endswith("Use.java")}
    assert found(svc, half) == [("src/main/java/com/acme/calc/Use.java", 5)]


# -- JavaScript / TypeScript renames the check used to refuse (a half-renamed import or export) --


def legacy_workspace(tmp_path, files: dict[str, str]) -> MapService:
    """The TS fixture with `files` added to its CommonJS folder src/legacy, indexed."""
    root = tmp_path / "typescript"
    shutil.copytree(FIXTURES / "typescript", root)
    for name, text in files.items():
        (root / "src" / "legacy" / name).write_text(text)
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    return svc


def test_a_default_imports_local_name_and_its_uses_stay(tmp_path):
    """`import greet from "./legacy/greet.js"` (the TS fixture) and `const Context =
    require("./context")` (also inside a function, and re-exported by that name, whose importers
    then keep it too): the local name is the importer's; the rename changes the definition in
    its own module only (as tsc's does), and the result passes the check."""
    svc = legacy_workspace(tmp_path, {
        "context.js": "class Context {}\nmodule.exports = Context;\n",
        "make.js": 'const Context = require("./context");\n'
                   "function make() {\n  return new Context();\n}\n"
                   "function later() {\n  const Context = require(\"./context\");\n"
                   "  return new Context();\n}\n"
                   "module.exports = { make, later };\n",
        "index.js": 'const Context = require("./context");\nmodule.exports = { Context, version: "1" };\n',
        "use.js": 'const { Context } = require("./index");\nnew Context();\n',
        "only.js": 'const Context = require("./context");\nmodule.exports = { Context };\n',
        "use2.js": 'const { Context } = require("./only");\nnew Context();\n'})
    after = renamed(svc, "src/legacy/greet.js::greet", "hello")
    assert after == {"src/legacy/greet.js": (FIXTURES / "typescript/src/legacy/greet.js").read_bytes().replace(
        b"function greet(", b"function hello(")}
    after = renamed(svc, "src/legacy/context.js::Context", "Ctx")
    assert after == {"src/legacy/context.js": b"class Ctx {}\nmodule.exports = Ctx;\n"}
    assert found(svc, after) == []


def test_commonjs_exports_follow_the_renamed_definition(tmp_path):
    """`module.exports.loadRc = loadRc`: the export name is renamed with the definition, and so
    are its importers (destructurings, `require("./rc").loadRc`). A shorthand re-export in an
    object with other members (`module.exports = { loadRc, version: "1" }`), whose importers the
    map does not follow, keeps its export name: `{ loadRc: readRc }`; `api.loadRc` stays."""
    svc = legacy_workspace(tmp_path, {
        "rc.js": "function loadRc(p) {\n  return p;\n}\nmodule.exports.loadRc = loadRc;\n",
        "api.js": 'const { loadRc } = require("./rc");\nconst { shout } = require("./strings");\n'
                  'module.exports = { loadRc, version: "1", shout };\n',
        "user.js": 'const api = require("./api");\nconst loadRc = require("./rc").loadRc;\n'
                   'module.exports = { run: () => loadRc(api.loadRc(api.shout("x"))) };\n'})
    after = renamed(svc, "src/legacy/rc.js::loadRc", "readRc")
    assert after["src/legacy/rc.js"] == (b"function readRc(p) {\n  return p;\n}\n"
                                         b"module.exports.readRc = readRc;\n")
    assert after["src/legacy/api.js"].splitlines()[::2] == [
        b'const { readRc } = require("./rc");', b'module.exports = { loadRc: readRc, version: "1", shout };']
    assert after["src/legacy/user.js"].splitlines()[1:] == [
        b'const readRc = require("./rc").readRc;',
        b'module.exports = { run: () => readRc(api.loadRc(api.shout("x"))) };']
    assert found(svc, after) == []
    after = renamed(svc, "src/legacy/strings.js::shout", "yell")
    assert after["src/legacy/api.js"].splitlines()[1:] == [
        b'const { yell } = require("./strings");', b'module.exports = { loadRc, version: "1", shout: yell };']
    assert "src/legacy/user.js" not in after  # `api.shout` is still exported
    assert found(svc, after) == []
