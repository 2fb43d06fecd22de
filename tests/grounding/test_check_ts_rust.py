"""The completions' check in JavaScript, TypeScript and Rust files: what each rejects (an invented
member of a workspace type, an invented bare name, a misspelt import, a call with the wrong
count where certain) and what it lets pass (real code, the environment's globals, the prelude,
members of types the map does not see whole)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssc_lsp.grounding import Checker
from ssc_lsp.grounding.check import ATTRIBUTE, CALL, IMPORT_MISSING, NAME
from ssc_lsp.grounding.rules.typescript import declared_globals, js_globals
from ssc_lsp.map.languages.typescript import TYPESCRIPT
from ssc_lsp.map.service import MapOptions, MapService

FIXTURES = Path(__file__).parent.parent / "fixtures"
TS_ANCHOR = "  cart.add(item);\n"
RS_ANCHOR = '    let st: Inventory = open("tea", 3);\n'


def service(root: Path) -> MapService:
    s = MapService(str(root), MapOptions(persist=False, workers=1))
    s.index()
    return s


@pytest.fixture(scope="module")
def ts_svc():
    return service(FIXTURES / "typescript")


@pytest.fixture(scope="module")
def rs_svc():
    return service(FIXTURES / "rust")


def check(svc: MapService, rel: str, anchor: str, suggestion: str):
    """`suggestion` checked as if inserted right after the anchor line of `rel`."""
    text = svc.text_of(rel)
    at = text.index(anchor) + len(anchor)
    doc = svc.open(rel, text, 1)
    try:
        verdict, _ = Checker(svc, None).check(doc.fm, doc.data, len(text[:at].encode()), suggestion,
                                              doc.tree, doc.index)
    finally:
        svc.close(rel)
    return verdict


def kinds(verdict) -> list[tuple[str, str]]:
    return [(i.kind, i.name) for i in verdict.issues]


REJECTS = [
    ("ts", "  console.log(cart.totl());\n", [(ATTRIBUTE, "cart.totl")]),
    ("ts", "  const n = item.nam;\n", [(ATTRIBUTE, "item.nam")]),  # an interface (re-exported, aliased)
    ("ts", "  const s = slugifyy(item.name);\n", [(NAME, "slugifyy")]),
    ("ts", "  cart.add(item, 2);\n", [(CALL, "cart.add")]),
    ("ts", "  const t = cart.items.length + formatMony(1);\n", [(NAME, "formatMony")]),
    ("rs", "    let n = st.nme;\n", [(ATTRIBUTE, "st.nme")]),
    ("rs", '    let n = clipp("x");\n', [(NAME, "clipp")]),
    ("rs", "    let q = shop_core::nope(1);\n", [(ATTRIBUTE, "shop_core::.nope")]),
    ("rs", '    let q = title("a", 2);\n', [(CALL, "title")]),
    ("rs", '    let q = shop_core::title("a", 2);\n', [(CALL, "shop_core::.title")]),
]
PASSES = [
    ("ts", "  console.log(cart.total(), cart.items.length);\n"),
    ("ts", "  const t = document.title + process.env.HOME + window.innerWidth;\n"),
    ("ts", "  const p = Promise.resolve(JSON.stringify({ totl: 1 }));\n"),  # an object literal's key
    ("ts", "  const n: Item = item;\n"),  # a type position: not decided
    ("ts", "  const { items, total } = cart;\n"),
    ("ts", "  const m = cart?.total();\n"),
    ("ts", "  setTimeout(() => structuredClone(item), 0);\n"),
    ("ts", "  const f = function again(k: number): number { return k ? again(k - 1) : 0; };\n"),
    ("ts", "  try { cart.add(item); } catch (err) { console.error(err); }\n"),
    ("rs", "    let n = st.name.len();\n"),
    ("rs", "    let n = st.nme();\n"),  # a method: any trait in scope may provide it
    ("rs", '    println!("{} {}", st.name, shop_core::SHOP);\n'),
    ("rs", "    my_macro!(anything, goes);\n"),
    ("rs", "    let s = serde_json::to_string(&st);\n"),  # an outside crate
    ("rs", "    let f = |a: u32| a + 1; let g = f(2);\n"),
    ("rs", "    if let Some(y) = Some(1) { let _ = y; }\n"),
    ("rs", "    let v: Vec<String> = Vec::new(); let m: Option<Box<u8>> = None;\n"),
    ("rs", "    let h = std::collections::HashMap::<String, u32>::new();\n"),
    ("rs", "    match st.name.as_str() { \"a\" => {}, other => { let _ = other; } }\n"),
    ("rs", "    let z = size_of::<u64>();\n"),
]
WHERE = {"ts": ("src/app.ts", TS_ANCHOR), "rs": ("src/main.rs", RS_ANCHOR)}


@pytest.mark.parametrize("lang, suggestion, expected", REJECTS)
def test_rejects(ts_svc, rs_svc, lang, suggestion, expected):
    assert kinds(check(ts_svc if lang == "ts" else rs_svc, *WHERE[lang], suggestion)) == expected


@pytest.mark.parametrize("lang, suggestion", PASSES)
def test_lets_pass(ts_svc, rs_svc, lang, suggestion):
    verdict = check(ts_svc if lang == "ts" else rs_svc, *WHERE[lang], suggestion)
    assert verdict.ok, verdict.to_json()


# -- TypeScript ------------------------------------------------------------------------------------

def test_typescript_named_import_checked_against_the_workspace_module(ts_svc):
    v = check(ts_svc, "src/app.ts", 'import greet from "./legacy/greet.js";\n',
              'import { Cartt } from "./models";\n')
    assert [(i.kind, i.name.rsplit(".", 1)[-1]) for i in v.issues] == [(IMPORT_MISSING, "Cartt")]
    assert check(ts_svc, "src/app.ts", 'import greet from "./legacy/greet.js";\n',
                 'import { formatMoney as fm } from "./models";\n').ok


def test_test_runner_globals_in_a_test_file(ts_svc):
    v = check(ts_svc, "src/models/cart.test.ts", "      cart.add(pen);\n",
              "      expect(vi.fn()).toBeDefined(); jest.fn(); beforeEach(() => formatMony(1));\n")
    assert kinds(v) == [(NAME, "formatMony")]


def test_tsx_member_and_intrinsic_elements(ts_svc):
    anchor = "export function CartView({ cart }: { cart: Cart }) {\n"
    assert check(ts_svc, "src/view.tsx", anchor,
                 '  const el = <section className="c"><span>{slugify("x")}</span></section>;\n').ok


# -- workspaces made for one question ---------------------------------------------------------------

def workspace(tmp_path: Path, files: dict[str, str]) -> MapService:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return service(tmp_path)


APP = "export function run(): void {\n  const a = 1;\n}\n"
ANCHOR = "  const a = 1;\n"


def test_globals_the_workspace_declares_pass_inventions_do_not(tmp_path):
    svc = workspace(tmp_path, {
        "package.json": "{}",
        "src/env.d.ts": "declare global {\n  function track(event: string): void;\n}\nexport {};\n",
        "src/legacy.js": "function helperFromScript(x) { return x; }\n",  # a script: a global
        "src/build.ts": "export const mode = __BUILD_MODE__;\n",  # a bundler's define
        "src/app.ts": APP,
    })
    ok = '  track("x"); helperFromScript(1); console.log(__BUILD_MODE__);\n'
    assert check(svc, "src/app.ts", ANCHOR, ok).ok
    v = check(svc, "src/app.ts", ANCHOR, "  trackk('x');\n")
    assert kinds(v) == [(NAME, "trackk")]


def test_members_only_of_closed_classes(tmp_path):
    svc = workspace(tmp_path, {
        "package.json": "{}",
        "src/models.ts": "\n".join([
            "import { EventEmitter } from 'events';",
            "export class Closed { size = 0; grow(): void {} }",
            "export class Bag { [key: string]: unknown; size = 0 }",
            "export class Merged { size = 0 }",
            "export interface Merged { extra(): void }",
            "export class Emitter extends EventEmitter { size = 0 }",
            "export class Repo { save(): void {} }",
            "const KEY = 'dyn';",
            "export class Comp { [KEY] = 1; size = 0 }",
            "export class Svc { constructor(private readonly repo: Repo) {} run(): void { this.repo.save(); } }",
            ""]),
        "src/app.ts": "import { Closed, Bag, Merged, Emitter, Svc, Repo, Comp } from './models';\n" + APP.replace(
            "run(): void {", "run(c: Closed, b: Bag, m: Merged, e: Emitter, s: Svc, r: Repo, k: Comp): void {"),
    })
    assert kinds(check(svc, "src/app.ts", ANCHOR, "  c.grw();\n")) == [(ATTRIBUTE, "c.grw")]
    assert kinds(check(svc, "src/app.ts", ANCHOR, "  r.sav();\n")) == [(ATTRIBUTE, "r.sav")]
    for unknown in ("  b.anything;\n", "  m.extra();\n", "  m.other;\n", "  e.emit('x');\n", "  k.dyn;\n"):
        assert check(svc, "src/app.ts", ANCHOR, unknown).ok, unknown
    # a constructor's parameter property is a member
    assert check(svc, "src/models.ts", "export class Repo { save(): void {} }\n",
                 "export class Svc2 { constructor(private repo: Repo) {} go(): void { this.repo.save(); } }\n").ok


def test_javascript_members_set_anywhere_are_not_inventions(tmp_path):
    svc = workspace(tmp_path, {
        "package.json": "{}",
        "lib/counter.js": "\n".join([
            "export class Counter {",
            "  constructor() { this.n = 0; }",
            "  inc() { this.n += 1; }",
            "}", ""]),
        "lib/plugin.js": "export function install(c) { c.later = 1; }\n",
        "lib/app.js": "import { Counter } from './counter.js';\nexport function run() {\n"
                      "  const c = new Counter();\n  const a = 1;\n}\n",
    })
    assert kinds(check(svc, "lib/app.js", ANCHOR, "  c.incc();\n")) == [(ATTRIBUTE, "c.incc")]
    for fine in ("  c.inc(); c.n;\n", "  c.later;\n", "  c.fresh = 2;\n"):
        assert check(svc, "lib/app.js", ANCHOR, fine).ok, fine


def test_declared_globals_of_a_declaration_file():
    root = TYPESCRIPT.parser().parse(
        b'declare var gv: number;\ninterface Window { x: 1 }\n'
        b'declare module "fs" { global { function fromFs(): void; } }\n').root_node
    assert declared_globals(root) == {"gv", "Window", "fromFs"}
    assert {"console", "document", "process", "describe", "vi", "HTMLElement", "Buffer"} <= js_globals()


# -- Rust --------------------------------------------------------------------------------------------

def test_rust_deref_glob_and_macro_items_leave_members_unknown(tmp_path):
    svc = workspace(tmp_path, {
        "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
        "src/lib.rs": "\n".join([
            "pub mod gen;",
            "pub mod open;",
            "use std::ops::Deref;",
            "pub struct Inner { pub deep: u32 }",
            "pub struct Wrap { pub inner: Inner }",
            "impl Deref for Wrap { type Target = Inner; fn deref(&self) -> &Inner { &self.inner } }",
            "pub struct Plain { pub field: u32 }",
            "#[derive(Debug,",
            "    Deref)]",
            "pub struct Derived { pub inner: Inner }",
            "pub fn run(w: Wrap, p: Plain, d: Derived) {",
            "    let a = 1;",
            "}", ""]),
        "src/gen.rs": "macro_rules! make { ($n:ident) => { pub fn $n() {} }; }\nmake!(made);\npub fn real() {}\n",
        "src/open.rs": "pub use std::collections::*;\npub fn own() {}\n",
    })
    anchor = "    let a = 1;\n"
    assert kinds(check(svc, "src/lib.rs", anchor, "    let x = p.feld;\n")) == [(ATTRIBUTE, "p.feld")]
    assert kinds(check(svc, "src/lib.rs", anchor, "    let x = crate::gen::reall();\n")) == []  # a macro's items
    assert kinds(check(svc, "src/lib.rs", anchor, "    let x = crate::open::HashMap::<u8, u8>::new();\n")) == []
    assert check(svc, "src/lib.rs", anchor, "    let x = w.deep + w.inner.deep;\n").ok  # through Deref
    assert check(svc, "src/lib.rs", anchor, "    let x = d.deep;\n").ok  # a derived Deref


@pytest.mark.parametrize("svc_name, rel, anchor, unfinished, expected", [
    ("ts", "src/app.ts", TS_ANCHOR, "  console.log(cart.totl(", [(ATTRIBUTE, "cart.totl")]),
    ("ts", "src/app.ts", TS_ANCHOR, "  if (cart.totl() > 1)", [(ATTRIBUTE, "cart.totl")]),
    ("rs", "src/main.rs", RS_ANCHOR, "    let n = title(&st.nme", [(ATTRIBUTE, "st.nme")]),
    ("rs", "src/main.rs", RS_ANCHOR, "    if st.nme.len() > 1", [(ATTRIBUTE, "st.nme")]),
])
def test_a_line_left_unfinished_is_checked_as_finished(ts_svc, rs_svc, svc_name, rel, anchor,
                                                       unfinished, expected):
    verdict = check(ts_svc if svc_name == "ts" else rs_svc, rel, anchor, unfinished)
    assert kinds(verdict) == expected and not verdict.syntax_error


MATCH = "            match self {\n"


@pytest.mark.parametrize("arm, expected", [
    ("                Shape::Squar(s) => s * s,\n", [(ATTRIBUTE, "Shape::.Squar")]),  # only a variant
    ("                Shape::Rct { w, h } => w * h,\n", [(ATTRIBUTE, "Shape::.Rct")]),
    ("                Shape::Square(s) => s * s,\n", []),
    ("                _ => Shape::Squar(3).area(),\n", []),  # a call: a trait's function may be it
])
def test_rust_enum_variants_where_only_a_variant_can_stand(rs_svc, arm, expected):
    assert kinds(check(rs_svc, "src/lib.rs", MATCH, arm)) == expected


def test_namespaces_of_scripts_merge_enums_and_statics_do_not(tmp_path):
    svc = workspace(tmp_path, {
        "package.json": "{}",
        "src/util.ts": "namespace Util { export const one = 1; }\nfunction run(): void {\n  const a = 1;\n}\n",
        "src/more.ts": "namespace Util { export const two = 2; }\n",  # a script too: one global Util
        "src/shapes.ts": "export enum Color { Red, Green }\n"
                         "export class Sq { static make(): Sq { return new Sq(); } get side(): number { return 1; } }\n",
        "src/app.ts": "import { Color, Sq } from './shapes';\nexport function run(s: Sq): void {\n  const a = 1;\n}\n",
    })
    assert check(svc, "src/util.ts", ANCHOR, "  Util.two + Util.one;\n").ok
    assert kinds(check(svc, "src/app.ts", ANCHOR, "  Color.Red; Color.Blue;\n")) == [(ATTRIBUTE, "Color.Blue")]
    assert kinds(check(svc, "src/app.ts", ANCHOR, "  s.side; Sq.make(); Sq.mak();\n")) == [(ATTRIBUTE, "Sq.mak")]
