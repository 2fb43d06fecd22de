"""TypeScript and JavaScript on the map: module specifiers (pure rules), extraction, and
resolution across the fixture workspace (tests/fixtures/typescript: ESM, CommonJS, tsconfig
`paths`/`extends`, a workspace package with `exports`, `./x.js` naming `x.ts`, TSX)."""

from __future__ import annotations

import pytest

from ssc_lsp.map.extract import extract_units, split_units
from ssc_lsp.map.languages import language_for_path
from ssc_lsp.map.languages.typescript import JAVASCRIPT, TSX, TYPESCRIPT
from ssc_lsp.map.languages.typescript.modules import (
    Package,
    ProjectConfig,
    TsConfig,
    module_name,
    parse_jsonc,
    read_tsconfig,
    resolve_specifier,
)
from ssc_lsp.map.resolve import External
from ssc_lsp.map.service import MapOptions, MapService

from ..conftest import FIXTURES
from .test_resolve import resolved

TS_WS = FIXTURES / "typescript"


# -- module specifiers ---------------------------------------------------------------------------
MODULES = {"src/a", "src/util/index", "src/b", "lib/x", "packages/p/src/index", "packages/p/src/sub",
           "packages/q/lib/main"}


def exists(m: str) -> bool:
    return m in MODULES


def test_relative_specifiers_probe_extensions_and_index():
    assert resolve_specifier("./b", "src/a.ts", exists) == "src/b"
    assert resolve_specifier("./b.js", "src/a.ts", exists) == "src/b"  # node16: .js names b.ts
    assert resolve_specifier("./b.mjs", "src/a.ts", exists) == "src/b"
    assert resolve_specifier("./util", "src/a.ts", exists) == "src/util/index"
    assert resolve_specifier("../lib/x", "src/a.ts", exists) == "lib/x"
    assert resolve_specifier("./missing", "src/a.ts", exists) is None
    assert resolve_specifier("./styles.css", "src/a.ts", exists) is None
    assert resolve_specifier("../../out", "src/a.ts", exists) is None  # leaves the root


def test_bare_specifiers_need_config_and_builtins_are_never_files():
    assert resolve_specifier("lodash", "src/a.ts", exists) is None
    assert resolve_specifier("node:fs", "src/a.ts", exists) is None
    assert resolve_specifier("lib/x", "src/a.ts", exists) is None  # no baseUrl: a package name


def test_tsconfig_paths_and_base_url():
    cfg = ProjectConfig(tsconfigs={"": TsConfig("", base_url="", paths=(("@u/*", ("src/util/*",)),
                                                                          ("#b", ("src/b",))))})
    assert resolve_specifier("@u/index", "src/a.ts", exists, cfg) == "src/util/index"
    assert resolve_specifier("#b", "src/a.ts", exists, cfg) == "src/b"
    assert resolve_specifier("lib/x", "src/a.ts", exists, cfg) == "lib/x"  # baseUrl
    assert resolve_specifier("lib/none", "src/a.ts", exists, cfg) is None


def test_workspace_packages_main_and_exports():
    cfg = ProjectConfig(packages={
        "p": Package("p", "packages/p", exports={".": {"types": "./src/index.ts", "default": "./dist/i.js"},
                                                 "./*": "./src/*.ts"}),
        "@s/q": Package("@s/q", "packages/q", main="lib/main.js"),
    })
    assert resolve_specifier("p", "src/a.ts", exists, cfg) == "packages/p/src/index"
    assert resolve_specifier("p/sub", "src/a.ts", exists, cfg) == "packages/p/src/sub"
    assert resolve_specifier("p/none", "src/a.ts", exists, cfg) is None
    assert resolve_specifier("@s/q", "src/a.ts", exists, cfg) == "packages/q/lib/main"


def test_tsconfig_extends_and_comments():
    files = {
        "tsconfig.json": '{ "extends": "./base/tsconfig.json", /* c */ "compilerOptions": {"strict": true,} }',
        "base/tsconfig.json": '{ "compilerOptions": { "baseUrl": "..", // root\n "paths": {"@/*": ["src/*"]} } }',
    }
    cfg = read_tsconfig(files.get, "tsconfig.json")
    assert cfg is not None and cfg.base_url == "" and cfg.paths == (("@/*", ("src/*",)),)
    assert parse_jsonc('{"a": "//not a comment", "b": [1,],}') == {"a": "//not a comment", "b": [1]}


def test_languages_and_module_names():
    assert language_for_path("a/b.d.ts") is TYPESCRIPT and TYPESCRIPT.is_stub("a/b.d.ts")
    assert language_for_path("a/b.tsx") is TSX and language_for_path("a/b.cjs") is JAVASCRIPT
    assert module_name("src/a.d.ts") == module_name("src/a.ts") == module_name("src/a.js") == "src/a"
    assert TYPESCRIPT.key_of("src/a") == JAVASCRIPT.key_of("src/a")  # one module table


# -- extraction ----------------------------------------------------------------------------------
def extract(lang, src: str):
    tree = lang.parser().parse(src.encode())
    units = split_units(lang, tree.root_node)
    assert extract_units(lang, units, tree.root_node) == []
    return units


def test_definitions_signatures_docs_and_imports():
    units = extract(TYPESCRIPT, """\
import def, { x as y } from "./m";
/** Adds two. */
export function add(a: number, b = 2, ...rest: number[]): number { return a + b; }
export class C<T> extends Base implements I { f: T; m(v?: string) { return this.f; } }
interface I { a: string }
type Alias = { a: number };
enum E { A, B = 2 }
const { p, q: r } = require("./c");
export * from "./e";
""")
    syms = {s.qualname: s for u in units for s in u.symbols}
    add = syms["add"]
    assert add.doc == "Adds two." and add.signature.returns == "number"
    assert [(p.name, p.kind, p.has_default) for p in add.signature.params] == [
        ("a", "positional_or_keyword", False), ("b", "positional_or_keyword", True), ("rest", "var_positional", False)]
    assert syms["add.a"].kind == "parameter" and syms["add.a"].annotation == "number"
    assert syms["C"].kind == "class" and syms["C"].bases == ["Base"]
    assert syms["C.m"].kind == "method" and syms["C.f"].kind == "attribute"
    assert syms["I.a"].kind == "attribute" and syms["Alias"].kind == "class" and syms["E.B"].kind == "constant"
    assert syms["def"].target == ("./m", "default") and syms["y"].target == ("./m", "x")
    assert syms["p"].target == ("./c", "p") and syms["r"].target == ("./c", "q")
    assert any(u.star_imports == ["./e"] for u in units)
    refs = [(r.name, r.kind) for u in units for r in u.refs]
    assert ("T", "name") not in refs  # a type parameter is no workspace name
    assert ("Base", "base") in refs and ("f", "attribute") in refs


def test_calls_carry_argument_counts_and_spreads():
    units = extract(JAVASCRIPT, "f(1, 2);\nobj.g(...xs);\nnew K(a);\n")
    calls = {r.name: (r.nargs, r.star) for u in units for r in u.refs if r.name in ("f", "g", "K")}
    assert calls == {"f": (2, False), "g": (0, True), "K": (1, False)}


def test_scopes_anonymous_functions_and_jsdoc_in_the_unit():
    units = extract(JAVASCRIPT, "// lead\n/** Doc. */\nfunction h(a) {\n  [1].map((v) => v + a);\n}\n")
    assert len(units) == 1 and units[0].start_row == 0  # the comments belong to the unit below
    u = units[0]
    assert u.symbols[0].doc == "Doc."
    anon = [s for s in u.scopes if "<arrow" in s]
    assert anon and u.scopes[anon[0]] == ["v"]
    assert {r.scope for r in u.refs if r.name in ("a", "v")} == {anon[0]}
    assert u.scopes["h"] == ["a"]


# -- resolution across the fixture workspace ---------------------------------------------------
@pytest.fixture(scope="module")
def svc():
    s = MapService(str(TS_WS), MapOptions(persist=False))
    s.index()
    return s


def test_esm_imports_reexports_paths_and_packages(svc):
    r = resolved(svc, "src/app.ts")
    assert r[(0, "Cart")] == "src/models/cart.ts::Cart"  # ./models -> index.ts -> ./cart.js -> cart.ts
    assert r[(0, "formatMoney")] == "src/models/money.ts::formatMoney"  # through `export *`
    assert r[(1, "CartItem")] == "src/models/cart.ts::Item"  # `export type { Item as CartItem }`
    assert r[(2, "slugify")] == "packages/lib/src/text.ts::slugify"  # tsconfig paths
    assert r[(9, "greet")] == "src/legacy/greet.js::greet"  # a default import of a .js file
    assert r[(7, "add")] == "src/models/cart.ts::Cart.add"  # `const cart = new Cart()`
    assert r[(8, "name")] == "src/models/cart.ts::Item.name"  # `item: CartItem`
    v = resolved(svc, "src/view.tsx")
    assert v[(1, "slugify")] == "packages/lib/src/text.ts::slugify"  # package.json exports
    assert v[(3, "Cart")] == "src/models/cart.ts::Cart"


def test_commonjs_this_and_what_is_not_known(svc):
    g = resolved(svc, "src/legacy/greet.js")
    # a use of `const { shout } = require(...)`, through `module.exports = { shout }` (tsc's alias)
    assert g[(4, "shout")] == "src/legacy/strings.js::shout"
    assert g[(0, "shout")] == "src/legacy/strings.js::exports.shout"  # the pattern's name: the export
    c = resolved(svc, "src/models/cart.ts")
    assert c[(13, "items")] == "src/models/cart.ts::Cart.items"  # this.items
    assert c[(19, "TAX_RATE")] == "src/models/money.ts::TAX_RATE"  # ./money.js -> money.ts
    assert c[(13, "push")] is None  # a member of an array: only a type checker knows
    assert c[(18, "price")] is None  # an untyped callback parameter: nothing said
    assert c[(19, "Math")] == External("builtins", "Math")


def test_javascript_declares_fields_by_this_assignment_typescript_does_not():
    src = "class A {\n  constructor() { this.x = 1; }\n  m() { return this.x; }\n}\n"
    js = {s.qualname: s for u in extract(JAVASCRIPT, src) for s in u.symbols}
    assert js["A.x"].kind == "attribute" and js["A.x"].value == "1"
    ts_ = {s.qualname for u in extract(TYPESCRIPT, src) for s in u.symbols}
    assert "A.x" not in ts_  # TS declares fields in the class body; `this.x = 1` is a use


def test_a_long_test_file_is_cut_at_its_callbacks(monkeypatch):
    from ssc_lsp.map.languages.typescript import extract as ex
    monkeypatch.setattr(ex, "SPLIT_BYTES", 10)  # the fixture's cart.test.ts is cut at the real size
    units = extract(TYPESCRIPT, "describe('x', () => {\n  const a = 1;\n  describe('y', (z) => {\n"
                                "    it('w', () => a + z);\n    it('v', () => a);\n  });\n});\n")
    assert [u.context for u in units] == ["", "<arrow14>", "<arrow14>", "<arrow14>.<arrow14>",
                                          "<arrow14>.<arrow14>", "<arrow14>", ""]
    assert units[1].scopes == {"<arrow14>": ["a"]} and units[2].scopes == {"<arrow14>.<arrow14>": ["z"]}
    assert {r.scope for r in units[3].refs if r.name in ("a", "z")} == {"<arrow14>.<arrow14>.<arrow8>"}


def indexed(root, files: dict[str, str]) -> MapService:
    """A map of `files` (path -> text) written under `root`."""
    for rel, text in files.items():
        (root / rel).write_text(text)
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    return svc


# -- continuity checks ---------------------------------------------------------------------------
def test_arity_and_import_checks_only_where_certain(tmp_path):
    from ssc_lsp.map.checks import check_file
    files = {
        "lib.ts": "export function f(a: number, b?: string): void {}\n"
                  "export function o(a: number): void;\nexport function o(a: number, b: number): void;\n"
                  "export function o(a: number, b?: number) {}\n",
        "cjs.js": "function s(x) { return x; }\nmodule.exports = { s, t: s };\n",
        "esm.js": "export function g(a, b) {}\nexport function h(a) { return arguments.length; }\n"
                  "export function d(a, b = 1) {}\n",
        "use.ts": 'import { f, o, nope } from "./lib";\nimport { g, h, d } from "./esm.js";\n'
                  'import { t } from "./cjs";\n'
                  "f();\nf(1);\nf(1, 'x', 3);\no(1, 2);\ng(1);\ng(1, 2, 3);\nh(1, 2, 3);\nd(1, 2, 3);\nt(1, 2);\n",
    }
    svc = indexed(tmp_path, files)
    got = {(p.range[0], p.code) for p in check_file(svc.ws, svc.resolver, svc.ws.files["use.ts"])}
    assert got == {(0, "import-missing"),  # `nope`: lib.ts is an ES module without it
                   (3, "call-arguments"),  # f(): `a` is required
                   (5, "call-arguments"),  # f(1, 'x', 3): one too many
                   (8, "call-arguments")}  # g(1, 2, 3) in JS: too many; g(1) is JS's own business


def test_a_star_export_under_a_comment_is_seen():
    units = extract(TYPESCRIPT, 'export const a = 1;\n// the types\nexport * from "./types";\n')
    assert [u.star_imports for u in units] == [[], ["./types"]]


def test_annotations_with_type_arguments_and_optional_unions_type_receivers(tmp_path):
    (tmp_path / "q.ts").write_text(
        "export class Query<T> { fetch(): T { return null as T; } }\n"
        "export function a(q: Query<number> | undefined) { return q.fetch(); }\n"
        "export function b(q: Query<number> | string) { return q.fetch(); }\n"
        "class Holder { #q: Query<string>; run() { return this.#q.fetch(); } }\n")
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    r = resolved(svc, "q.ts")
    assert r[(1, "fetch")] == "q.ts::Query.fetch"
    assert r[(2, "fetch")] is None  # a union of two types: which member is the checker's call
    assert r[(3, "fetch")] == "q.ts::Query.fetch"  # a private field's annotation


# -- CommonJS as tsc reads it (zod's compiled `lib/`) --------------------------------------------
def test_commonjs_exports_are_the_assignments_not_the_top_level_names(tmp_path):
    files = {
        "util.js": '"use strict";\nexports.util = exports.alias = exports.same = void 0;\nvar util;\n'
                   "(function (util) {\n    util.x = 1;\n})(util || (exports.util = util = {}));\n"
                   "function same() {}\nexports.same = same;\nfunction other() {}\nexports.alias = other;\n"
                   "function hidden() {}\nexports.dotted = util.x;\nexports;\n",
        "obj.js": "function h() {}\nmodule.exports = {\n  h,\n  k: h,\n  m() {},\n};\n",
        "cls.js": "class K {\n  static f() {}\n}\nfunction f() {}\nmodule.exports = K;\n",
        "use.js": 'const u = require("./util");\nconst o = require("./obj");\nconst K = require("./cls");\n'
                  "u.util.x;\nu.same();\nu.alias();\nu.hidden();\nu.dotted;\no.h;\no.k;\no.m();\no;\n"
                  "K.f();\nK;\n",
    }
    svc = indexed(tmp_path, files)
    r = resolved(svc, "use.js")
    assert r[(3, "util")] == "util.js::exports.util"  # `exports.util = util = {}`, not `var util`
    assert r[(4, "same")] == "util.js::same"  # `exports.same = same`
    assert r[(5, "alias")] == "util.js::other"  # `exports.alias = other`: an alias of `other`
    assert r[(6, "hidden")] is None  # a top-level name a CommonJS module does not export
    assert r[(7, "dotted")] is None  # an alias of a name path: nothing said
    assert r[(8, "h")] == "obj.js::exports.h" and r[(9, "k")] == "obj.js::exports.k"
    assert r[(10, "m")] == "obj.js::exports.m"
    assert r[(11, "o")] == "obj.js::module.exports"  # the module's value is the object
    assert r[(12, "f")] == "cls.js::K.f"  # `module.exports = K`: K's static, not the function f
    assert r[(13, "K")] == "cls.js::K"
    u = resolved(svc, "util.js")
    assert u[(12, "exports")] == "util.js"  # `exports` is the module itself
    assert (1, "exports") not in u  # `exports.P = ...`: tsc names P there, not the module
    assert u[(1, "util")] == "util.js::exports.util"  # the `void 0` line declares nothing


def test_javascript_calls_of_a_constant_holding_a_member_say_nothing(tmp_path):
    svc = indexed(tmp_path, {"a.js": "class Z {}\nZ.create = (p) => p;\nconst st = Z.create;\n"
                                      "const arrow = () => 1;\nconst other = arrow;\nst();\nother();\nst;\n"})
    r = resolved(svc, "a.js")
    assert r[(5, "st")] is None  # tsc names the function Z.create holds
    assert r[(6, "other")] == "a.js::other" and r[(7, "st")] == "a.js::st"


def test_javascript_extends_and_namespace_imports(tmp_path):
    svc = indexed(tmp_path, {
        "base.js": "export class B {\n  constructor() { this.x = 1; }\n  m() {}\n}\n",
        "sub.js": 'import * as base from "./base.js";\nimport { B } from "./base.js";\n'
                  "class S extends B {\n  n() { return this.x + this.m(); }\n}\nclass T extends base.B {}\nbase;\n"})
    assert svc.ws.files["sub.js"].lookup("S").bases == ["B"]
    assert svc.ws.files["sub.js"].lookup("T").bases == ["base.B"]
    r = resolved(svc, "sub.js")
    assert r[(3, "x")] == "base.js::B.x" and r[(3, "m")] == "base.js::B.m"  # inherited in JS
    assert r[(6, "base")] == "sub.js::base"  # `import * as base`: tsc names the import
    assert r[(5, "B")] == "base.js::B"


def test_commonjs_imports_follow_object_exports_to_their_values(tmp_path):
    svc = indexed(tmp_path, {
        # all shorthand (or `{}`): tsc binds each as `exports.f = f`; else the object is the value
        "helpers.js": "function f() {}\nconst g = 1;\nmodule.exports = {\n  f,\n  g,\n};\n",
        "mixed.js": "function f() {}\nmodule.exports = {\n  f,\n  k: f,\n};\n",
        "reexp.js": 'const { f } = require("./helpers");\nmodule.exports = {\n  f,\n};\n',
        "user.js": 'const { f, g } = require("./helpers");\nf();\ng;\nconst h = require("./helpers");\n'
                   'h.g;\nh;\nconst m = require("./mixed");\nm.f;\nm;\nvar e = require("./helpers").f;\ne();\n'})
    u = resolved(svc, "user.js")
    assert u[(0, "f")] == "helpers.js::exports.f"  # the name in the pattern: the export itself
    assert u[(1, "f")] == "helpers.js::f" and u[(2, "g")] == "helpers.js::g"  # uses: the aliased values
    assert u[(4, "g")] == "helpers.js::g" and u[(5, "h")] == "helpers.js"
    assert u[(7, "f")] == "mixed.js::exports.f" and u[(8, "m")] == "mixed.js::module.exports"
    assert u[(10, "e")] == "helpers.js::f"  # `var e = require("./helpers").f`: an import
    assert resolved(svc, "reexp.js")[(2, "f")] == "reexp.js::f"  # `{ f }`: the f this module sees


def test_locals_of_callbacks_have_symbols_each_instance_its_own(tmp_path, monkeypatch):
    from ssc_lsp.map.languages.typescript import extract as ex
    from ssc_lsp.map.navigation import outline
    monkeypatch.setattr(ex, "SPLIT_BYTES", 10)  # cut at every callback: sibling units name alike
    svc = indexed(tmp_path, {"t.js": (
        "const pen = 1;\n"
        "describe('a', () => {\n  const cart = [];\n  it('b', () => {\n    const k = 1;\n    cart.push(k);\n  });\n"
        "  it('c', () => {\n    const pen = 2;\n    return pen;\n  });\n});\n"
        "describe('d', () => {\n  const other = 1;\n  it('e', () => {\n    const k = 2;\n    return k + pen;\n  });\n"
        "  it('f', () => {\n    return pen;\n  });\n});\n")})
    fm = svc.ws.files["t.js"]
    r = resolved(svc, "t.js")
    at = {s.qualname: s for s in fm.symbols}
    assert r[(5, "cart")].endswith(".cart") and fm.by_id[r[(5, "cart")]].name_range[0] == 2
    assert fm.by_id[r[(5, "k")]].name_range[0] == 4  # the k of its own callback
    assert fm.by_id[r[(9, "pen")]].name_range[0] == 8  # the callback's own pen
    assert fm.by_id[r[(16, "k")]].name_range[0] == 15  # not the sibling describe's k (same name)
    assert r[(16, "pen")] == "t.js::pen" and r[(19, "pen")] == "t.js::pen"  # not the sibling's pen
    assert any("<" in q for q in at)
    assert {n.symbol.name for n in outline(fm)} == {"pen"}  # a callback's locals are no outline
    (tmp_path / "iife").mkdir()
    iife = indexed(tmp_path / "iife", {"u.js": "var util;\n(function (util) {\n    util.a = 1;\n"
                                                "    util.b = 2;\n})(util || (exports.util = util = {}));\n"})
    u = iife.ws.files["u.js"]
    assert u.by_id[resolved(iife, "u.js")[(3, "util")]].name_range[0] == 1  # the parameter (the head's)


def test_javascript_block_locals_and_this_fields_beside_methods(tmp_path):
    svc = indexed(tmp_path, {"b.js": (
        "class A {\n  constructor() {\n    this.parse = this.parse.bind(this);\n    this.x = 1;\n  }\n"
        "  parse() {\n    if (this.x) {\n      const ctx = 1;\n      return ctx;\n    }\n"
        "    if (!this.x) {\n      const ctx = 2;\n      return ctx;\n    }\n  }\n}\n")})
    fm = svc.ws.files["b.js"]
    r = resolved(svc, "b.js")
    assert [s.kind for s in fm.by_qualname["A.parse"]] == ["method"]  # no field beside the method
    assert r[(2, "parse")] == "b.js::A.parse" and r[(6, "x")] == "b.js::A.x"
    assert fm.by_id[r[(8, "ctx")]].name_range[0] == 7 and fm.by_id[r[(12, "ctx")]].name_range[0] == 11


def test_a_function_expression_binds_its_own_name_inside_it(tmp_path):
    svc = indexed(tmp_path, {"v.js": "var resolve = require('path').resolve;\nfunction View() {}\n"
                                     "View.prototype.resolve = function resolve(dir) {\n  return resolve(dir);\n};\n"
                                     "resolve;\n"})
    r = resolved(svc, "v.js")
    assert svc.ws.files["v.js"].by_id[r[(3, "resolve")]].name_range[0] == 2  # itself, not path's
    assert r[(5, "resolve")] == External("path", "resolve")  # outside it: the module's import


def test_calls_the_checker_could_allow_are_not_reported(tmp_path):
    from ssc_lsp.map.checks import check_file
    svc = indexed(tmp_path, {
        "lib.ts": "export class M<T = void> {\n  run(v: T): void {}\n}\nexport function p(a: number) {}\n"
                  "export function q(a: string | undefined) {}\n",
        "use.ts": 'import { M, p, q } from "./lib";\nconst m = new M();\nm.run();\np();\nq();\n'
                  "let h: (x: unknown) => void = () => undefined;\nh(1);\nlet r = () => 1;\nr(2);\n"})
    got = {(pr.range[0], pr.code) for pr in check_file(svc.ws, svc.resolver, svc.ws.files["use.ts"])}
    # m.run(): T may be void; q(): undefined accepted; h, r: a `let` may hold another function
    assert got == {(3, "call-arguments")}  # p(): `a: number` is required


def test_a_long_class_is_cut_at_its_members(monkeypatch, tmp_path):
    from ssc_lsp.map.document import Change, Document
    from ssc_lsp.map.languages.typescript import extract as ex
    monkeypatch.setattr(ex, "SPLIT_BYTES", 10)  # a class of real size is cut alike (eslint's: 1,473 lines)
    src = ("class B {}\nexport class A extends B {\n  constructor() {\n    this.parse = this.parse.bind(this);\n"
           "  }\n  // reads x\n  parse() { return this.x; }\n  x = 1;\n}\n")
    units = extract(JAVASCRIPT, src)
    assert [(u.kind, u.context) for u in units] == [("stmt", ""), ("class_header", ""), ("class_body", "A"),
                                                   ("class_body", "A"), ("class_body", "A")]
    svc = indexed(tmp_path, {"a.js": src})
    r = resolved(svc, "a.js")
    fm = svc.ws.files["a.js"]
    assert fm.by_id[r[(3, "parse")]].kind == "method"  # though `this.parse = ...` is another unit's
    assert r[(6, "x")] == "a.js::A.x" and fm.lookup("A").bases == ["B"]
    doc = Document("a.js", "a", src.encode(), 1)
    upd = doc.apply_changes([Change("y", ((6, 20), (6, 20)))])  # a keystroke in `parse`
    assert upd.reextracted == 1 and "A.parse" in {s.qualname for s in doc.fm.symbols}
