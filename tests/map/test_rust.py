"""The Rust language on the map: extraction, crate roots from Cargo.toml, `mod` files, paths
(`crate`, `self`, `super`, `Self`, the package's name), `use` trees and `pub use` re-exports,
members through receivers of certain type only, and the arity check of calls by path."""

from __future__ import annotations

import pytest

from ssc_lsp.map.checks import check_file
from ssc_lsp.map.document import Document
from ssc_lsp.map.languages import by_name, language_for_path
from ssc_lsp.map.languages.rust import module_name
from ssc_lsp.map.languages.rust.cargo import (
    Dep,
    child_files,
    load_toml,
    module_dir,
    parse_manifest,
    parse_workspace,
)
from ssc_lsp.map.languages.rust.extract import strip_generics, type_name
from ssc_lsp.map.resolve import LOCAL, External, Resolver
from ssc_lsp.map.workspace import Located
from tests.map.langs import fixture_shop, sid, target, write


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return fixture_shop(tmp_path_factory, "rust")


def test_rust_files_are_rust_and_modules_are_files():
    assert language_for_path("src/lib.rs") is by_name("rust")
    assert module_name("src/a/b.rs", set()) == "src.a.b" == module_name("src/a/b/mod.rs", set())
    assert module_name("src/lib.rs", set()) == "src.lib"


def test_cargo_manifest_names_the_crate_and_its_roots():
    pkg = parse_manifest("crates/x", b'[package]\nname = "my-crate"\n[lib]\npath = "lib/top.rs"\n'
                                     b'[[bin]]\nname = "tool"\npath = "cli/tool.rs"\n')
    assert pkg.name == "my_crate" and pkg.lib == "crates/x/lib/top.rs" and pkg.bins == ("crates/x/cli/tool.rs",)
    assert pkg.is_root("crates/x/src/main.rs") and pkg.is_root("crates/x/tests/it.rs")
    assert pkg.is_root("crates/x/src/bin/other.rs") and not pkg.is_root("crates/x/src/util.rs")
    assert parse_manifest("", b"[workspace]\nmembers = []\n") is None
    assert parse_manifest("", b"not = [toml") is None
    renamed = parse_manifest("", b'[package]\nname = "a-b"\n[lib]\nname = "ab"\n')
    assert renamed.name == "ab" and renamed.lib == "src/lib.rs"


def test_cargo_workspaces_members_and_path_dependencies():
    ws = parse_workspace("", load_toml(b'[workspace]\nmembers = ["crates/*", "tools/cli"]\n'
                                       b'exclude = ["crates/old"]\n[workspace.dependencies]\n'
                                       b'a-b = { path = "crates/a-b" }\nserde = "1"\n'))
    assert ws.has_member("") and ws.has_member("crates/x") and ws.has_member("tools/cli")
    assert not ws.has_member("crates/old") and not ws.has_member("crates/x/sub") and not ws.has_member("tools")
    assert ws.deps == {"a-b": Dep("a-b", "crates/a-b")}
    deep = parse_workspace("w", load_toml(b'[workspace]\nmembers = ["libs/**"]\n'))
    assert deep.has_member("w/libs/a/b") and not deep.has_member("libs/a") and not deep.has_member("w/tools/a")
    pkg = parse_manifest("crates/x", b'[package]\nname = "x"\n[dependencies]\n'
                                     b'core = { path = "../core", package = "x-core" }\n'
                                     b'a-b.workspace = true\nrand = "0.8"\n'
                                     b'far = { path = "../../../elsewhere" }\n'
                                     b'[target.\'cfg(unix)\'.dev-dependencies]\nu = { path = "../u" }\n')
    assert pkg.deps == (Dep("core", "crates/core", renamed=True), Dep("a-b", None, inherited=True),
                        Dep("u", "crates/u"))  # a registry's crate and a path outside: not ours
    assert pkg.deps[1].code_name == "a_b"


def test_a_workspace_crate_reaches_another_through_its_path_dependencies(shop):
    report, text = "crates/shop-report/src/lib.rs", "crates/shop-text/src/lib.rs"
    # renamed (`shop = { path = "../..", package = "shop-core" }`): the key names the crate
    assert sid(target(shop, report, "use shop::store::Store", "shop")) == "src/lib.rs"
    assert sid(target(shop, report, "use shop::store::Store", "Store")) == "src/store/mod.rs::Store"
    assert sid(target(shop, report, "st.items()", "items")) == "src/store/mod.rs::Store.items@2"
    # inherited from [workspace.dependencies], `-` written `_`, into nested inline modules
    assert sid(target(shop, report, "use shop_text::layout::pad", "pad")) == f"{text}::layout.pad"
    assert sid(target(shop, report, "pad::left(&it", "left")) == f"{text}::layout.pad.left"
    assert sid(target(shop, report, "shop_text::layout::heading", "heading")) == f"{text}::layout.heading"
    assert sid(target(shop, report, "shop_text::shout(&st", "shout")) == f"{text}::shout"
    # self:: and super:: inside inline modules; a #[cfg(test)] module is mapped like any other
    assert sid(target(shop, text, "self::pad::left", "left")) == f"{text}::layout.pad.left"
    assert sid(target(shop, text, "super::shout(s)", "shout")) == f"{text}::shout"
    assert sid(target(shop, text, 'assert_eq!(shout("a")', "shout")) == f"{text}::shout"
    # the root package depends on no workspace crate; an excluded package inherits nothing
    assert target(shop, "crates/scratch/src/lib.rs", "shop_text::shout(s)", "shout") is None


def test_items_of_exclusive_cfgs_are_no_certain_answer(shop, tmp_path):
    # `#[cfg(unix)] fn separator` and `#[cfg(windows)] fn separator`: which is built is unknown
    assert target(shop, "crates/shop-report/src/lib.rs", "shop_text::separator()", "separator") is None
    svc = write(tmp_path, {"Cargo.toml": '[package]\nname = "t"\n', "src/lib.rs": """
        mod unix { pub struct Fd; }
        mod win { pub struct Fd; }
        #[cfg(unix)]
        use unix::Fd;
        #[cfg(windows)]
        use win::Fd;
        pub mod both { pub fn both() {} }
        pub struct Unit;
        pub fn unit() -> Unit { Unit }
        pub fn go(_f: Fd) { both::both(); }
    """})
    assert target(svc, "src/lib.rs", "pub fn go(_f: Fd)", "Fd") is None
    # one name in the type and the value namespace is legal without any cfg
    assert sid(target(svc, "src/lib.rs", "both::both()", "both")) == "src/lib.rs::both"
    assert sid(target(svc, "src/lib.rs", "both::both()", "both", 1)) == "src/lib.rs::both.both"
    assert sid(target(svc, "src/lib.rs", "-> Unit { Unit }", "Unit")) == "src/lib.rs::Unit"


def test_mod_items_look_where_rustc_does():
    assert module_dir("src/lib.rs", True) == "src" and module_dir("src/a/mod.rs", False) == "src/a"
    assert module_dir("src/a.rs", False) == "src/a"
    assert child_files("src/a.rs", False, [], "b", None) == ["src/a/b.rs", "src/a/b/mod.rs"]
    assert child_files("src/lib.rs", True, ["inner"], "b", None) == ["src/inner/b.rs", "src/inner/b/mod.rs"]
    assert child_files("src/lib.rs", True, [], "x", "gen/x_impl.rs") == ["src/gen/x_impl.rs"]


def test_generics_and_references_are_stripped_from_type_names():
    assert strip_generics("S::<T>::new") == "S::new" and strip_generics("Vec<Box<T>>") == "Vec"
    doc = Document("src/a.rs", "src.a", b"impl<'a, T> Wrap<'a, T> {}\nimpl Tr for &mut a::B<u8> {}\n")
    roots = [n for n in doc.tree.root_node.named_children]
    assert type_name(roots[0].child_by_field_name("type")) == "Wrap"
    assert type_name(roots[1].child_by_field_name("type")) == "a::B"


def test_definitions_kinds_docs_and_signatures(shop):
    ws = shop.ws
    store = ws.files["src/store/mod.rs"]
    kinds = {s.qualname: (s.kind, s.subkind) for s in store.symbols[1:]}
    assert kinds["Item"] == ("class", "struct") and kinds["Item.price"] == ("attribute", "field")
    assert kinds["Store.new"] == ("method", None) and kinds["query"] == ("module", "namespace")
    new = store.lookup("Store.new")
    assert new.parent == "" and new.doc == "A new, empty store." and new.bases == []
    assert [p.name for p in new.signature.params] == ["name"]
    put = store.lookup("Store.put")
    assert [p.name for p in put.signature.params] == ["self", "it"]  # by path, self is an argument
    lib = ws.files["src/lib.rs"]
    assert lib.module_symbol.doc == "The shop's core: items, a store, and text helpers."
    assert lib.lookup("shapes.Shape").subkind == "enum" and lib.lookup("shapes.Area").subkind == "trait"
    assert lib.lookup("shapes.Shape.Rect").kind == "constant"
    assert lib.lookup("shapes.Shape.area").bases == ["Area"]  # a trait impl's method
    assert lib.lookup("SHOP").doc == "The shop's name." and lib.lookup("open").kind == "function"
    assert lib.lookup("limits").value == "path:extra_limits.rs"


def test_paths_follow_mod_files_and_use_trees(shop):
    # crate::, self::, super:: and a `pub use` re-export with a rename
    assert sid(target(shop, "src/lib.rs", "crate::store::Item::free", "free")) == "src/store/mod.rs::Item.free"
    assert sid(target(shop, "src/store/mod.rs", "pub use self::query::total", "total")) == \
        "src/store/query.rs::total"
    assert sid(target(shop, "src/store/query.rs", "use super::{Item, Store}", "Store")) == "src/store/mod.rs::Store"
    assert sid(target(shop, "src/lib.rs", "Inventory::new(name)", "new")) == "src/store/mod.rs::Store.new"
    # #[path] and super:: from an inline module
    assert sid(target(shop, "src/lib.rs", "super::limits::clip_shape", "clip_shape")) == \
        "src/extra_limits.rs::clip_shape"
    assert sid(target(shop, "src/extra_limits.rs", "use crate::shapes::Shape", "Shape")) == "src/lib.rs::shapes.Shape"
    # the binary reaches the library by the package's name, through a glob re-export
    assert sid(target(shop, "src/main.rs", "shop_core::clip", "clip")) == "src/util.rs::clip"
    assert sid(target(shop, "src/main.rs", "title(&st.name)", "title")) == "src/util.rs::title"
    assert sid(target(shop, "src/main.rs", "use shop_core::store::total", "store")) == "src/store/mod.rs"
    # variants, Self, the prelude
    assert sid(target(shop, "src/lib.rs", "Shape::Rect { w, h }", "Rect")) == "src/lib.rs::shapes.Shape.Rect"
    assert sid(target(shop, "src/store/mod.rs", "-> Self", "Self")) == "src/store/mod.rs::Store"
    assert target(shop, "src/store/mod.rs", "items: Vec<Item>", "Vec") == External("std", "Vec")
    assert target(shop, "src/store/mod.rs", "Vec::new()", "new") is None


def test_members_through_receivers_of_certain_type_only(shop):
    # self in an inherent impl: a field, and a method when called
    assert sid(target(shop, "src/store/mod.rs", "self.touch()", "touch")) == "src/store/mod.rs::Store.touch"
    assert sid(target(shop, "src/store/mod.rs", "&self.items", "items")) == "src/store/mod.rs::Store.items"
    assert sid(target(shop, "src/store/query.rs", "st.items()", "items")) == "src/store/mod.rs::Store.items@2"
    # a parameter `&Item`; a struct literal's field
    assert sid(target(shop, "src/store/query.rs", "it.price", "price")) == "src/store/mod.rs::Item.price"
    assert sid(target(shop, "src/lib.rs", "Item { name: name", "name")) == "src/store/mod.rs::Item.name"
    # a method of std's types, or a local whose type only inference knows: nothing
    assert target(shop, "src/store/mod.rs", "self.items.push(it)", "push") is None
    assert target(shop, "src/util.rs", "out.push(c)", "push") is None


def test_locals_and_patterns(shop):
    # bindings of match arms, `for` and `if let` live in their own scope: no definition, never
    # a same-named local of the function
    assert target(shop, "src/lib.rs", "Shape::Square(s) => s * s", "s", 2) is LOCAL
    assert target(shop, "src/util.rs", "if i == 0", "i", 1) is LOCAL
    assert sid(target(shop, "src/util.rs", "out.extend", "out")) == "src/util.rs::title.out"
    assert sid(target(shop, "src/lib.rs", "Shape::Empty => 0", "Empty")) == "src/lib.rs::shapes.Shape.Empty"


def test_shadowing_lets_and_arm_bindings(tmp_path):
    svc = write(tmp_path, {"Cargo.toml": '[package]\nname = "t"\n', "src/lib.rs": """
        pub fn f(x: u8) -> u8 {
            let rest = x;
            let rest = match Some(rest) { Some(rest) => rest, None => 0 };
            let y = rest + 1;
            helper(y)
        }
        fn helper(v: u8) -> u8 { fn inner() -> u8 { 1 } v + inner() }
    """})
    fm = svc.ws.files["src/lib.rs"]
    lines = (tmp_path / "src/lib.rs").read_text().splitlines()
    r = Resolver(svc.ws)

    def at(line: str, name: str, nth: int = 0):
        row = next(i for i, x in enumerate(lines) if line in x)
        col = [i for i in range(len(lines[row])) if lines[row].startswith(name, i)][nth]
        t = r.target_at(fm, row, col)
        return (t.symbol.name_range[0], t.symbol.kind) if isinstance(t, Located) else t

    row_first = next(i for i, x in enumerate(lines) if "let rest = x" in x)
    # the initializer sees the earlier `rest`, the arm's own binding is the arm's
    assert at("match Some(rest)", "rest", 1) == (row_first, "variable")
    assert at("match Some(rest)", "rest", 3) is LOCAL
    assert at("let y = rest + 1", "rest") == (row_first + 1, "variable")
    assert at("v + inner()", "inner") == (row_first + 5, "function")


def test_calls_by_path_with_the_wrong_count_are_reported(shop):
    problems = check_file(shop.ws, shop.resolver, shop.ws.files["src/main.rs"])
    assert [(p.range[0], p.message) for p in problems] == [(6, "`clip()` takes 2 arguments; called with 1")]
    assert check_file(shop.ws, shop.resolver, shop.ws.files["src/lib.rs"]) == []


def test_what_only_a_type_checker_knows_is_not_guessed(tmp_path):
    svc = write(tmp_path, {
        "Cargo.toml": '[package]\nname = "t"\n',
        "src/lib.rs": """
            pub struct A { pub x: u8 }
            pub trait T { fn go(&self, n: u8); }
            impl T for A { fn go(&self, n: u8) {} }
            impl A { pub fn make() -> A { A { x: 1 } } }
            pub fn run(a: &A, b: Box<A>) {
                a.go(1);
                A::go(a, 1);
                b.x;
                let c = A::make();
                c.x;
                A::make(3);
                T::go(a, 1, 2);
            }
        """})
    fm = svc.ws.files["src/lib.rs"]
    got = {}
    r = Resolver(svc.ws)
    for ref, unit in fm.iter_refs():
        got.setdefault(f"{ref.receiver or ''}{ref.name}", sid(r.resolve_ref(fm, ref, unit)))
    assert got["ago"] is None and got["A::go"] is None  # a trait impl's method: which trait's?
    assert got["bx"] is None and got["cx"] is None  # through Box's Deref; a call's result
    assert got["A::make"] == "src/lib.rs::A.make"
    assert got["T::go"] == "src/lib.rs::T.go"  # the trait's own declaration
    msgs = [p.message for p in check_file(svc.ws, svc.resolver, fm)]
    assert msgs == ["`make()` takes 0 arguments; called with 1", "`go()` takes 2 arguments; called with 3"]


def test_renames_the_map_cannot_complete_are_refused(shop, tmp_path):
    from ssc_lsp.map.rename import RenameRefused, plan_rename

    def plan(path: str, qual: str, new: str):
        fm = shop.ws.files[path]
        return plan_rename(shop.ws, shop.resolver, Located(fm, fm.lookup(qual)), new, lambda p: None)

    with pytest.raises(RenameRefused, match="belongs to a trait"):
        plan("src/lib.rs", "shapes.Shape.area", "size")
    with pytest.raises(RenameRefused, match="is a field"):
        plan("src/store/mod.rs", "Item.price", "cost")
    with pytest.raises(RenameRefused, match="cannot know .*src/lib.rs:17"):
        plan("src/store/mod.rs", "Store.put", "add")  # `st.put(..)`: st's type is inferred
    edits = plan("src/util.rs", "clip", "cut")
    assert sorted(edits) == ["src/main.rs", "src/util.rs"]


def test_a_name_captured_in_a_format_string_is_not_renamed(tmp_path):
    from ssc_lsp.map.rename import RenameRefused, plan_rename

    svc = write(tmp_path, {"Cargo.toml": '[package]\nname = "t"\n',
                     "src/lib.rs": 'pub fn f(count: u8) -> String {\n    format!("{count}")\n}\n'
                                   'pub fn g(n: u8) -> String {\n    format!("{}", n)\n}\n'})
    fm = svc.ws.files["src/lib.rs"]
    with pytest.raises(RenameRefused, match="format string"):
        plan_rename(svc.ws, svc.resolver, Located(fm, fm.lookup("f.count")), "k", lambda p: None)
    edits = plan_rename(svc.ws, svc.resolver, Located(fm, fm.lookup("g.n")), "k", lambda p: None)
    assert [(r[0], r[1]) for r, _ in edits["src/lib.rs"]] == [(3, 9), (4, 18)]


def test_a_paths_head_is_never_a_local_value(tmp_path):
    svc = write(tmp_path, {"Cargo.toml": '[package]\nname = "t"\n', "src/lib.rs": """
        pub mod fmt { pub struct Formatter; }
        pub fn show(fmt: &mut fmt::Formatter) -> u8 { let _ = fmt; 0 }
    """})
    fm = svc.ws.files["src/lib.rs"]
    got = {(ref.name, ref.col): sid(svc.resolver.resolve_ref(fm, ref, unit)) for ref, unit in fm.iter_refs()}
    line = (tmp_path / "src/lib.rs").read_text().splitlines()[2]
    assert got[("fmt", line.index("fmt::"))] == "src/lib.rs::fmt"
    assert got[("Formatter", line.index("Formatter"))] == "src/lib.rs::fmt.Formatter"
    assert got[("fmt", line.index("= fmt") + 2)] == "src/lib.rs::show.fmt"


def test_a_receiver_is_the_binding_its_use_sees(tmp_path):
    svc = write(tmp_path, {"Cargo.toml": '[package]\nname = "t"\n', "src/lib.rs": """
        pub struct A { pub a: u8 }
        pub struct B { pub b: u8 }
        pub fn f() -> u8 {
            let x = A { a: 1 };
            let n = x.a;
            let x = B { b: n };
            x.b
        }
    """})
    fm = svc.ws.files["src/lib.rs"]
    got = {ref.receiver + ref.name: sid(svc.resolver.resolve_ref(fm, ref, unit))
           for ref, unit in fm.iter_refs() if ref.receiver in ("x",)}
    assert got == {"xa": "src/lib.rs::A.a", "xb": "src/lib.rs::B.b"}


def test_a_let_is_seen_in_its_block_only(tmp_path):
    svc = write(tmp_path, {"Cargo.toml": '[package]\nname = "t"\n', "src/lib.rs": """
        pub struct V;
        impl std::fmt::Display for V {
            fn fmt(&self, f: u8) -> u8 { let text = 1; text + f }
        }
        impl std::fmt::Debug for V {
            fn fmt(&self, f: u8) -> u8 {
                let text = 2;
                let (a, text) = if f > 0 { let text = 3; (text, 4) } else { (0, text) };
                a + text + f
            }
        }
    """})
    fm = svc.ws.files["src/lib.rs"]
    lines = (tmp_path / "src/lib.rs").read_text().splitlines()

    def at(line: str, name: str, nth: int = 0):
        row = next(i for i, x in enumerate(lines) if line in x)
        col = [i for i in range(len(lines[row])) if lines[row].startswith(name, i)][nth]
        t = svc.resolver.target_at(fm, row, col)
        return t.symbol.name_range[:2] if isinstance(t, Located) else t

    first = next(i for i, x in enumerate(lines) if "let text = 2" in x)
    inner = lines[first + 1].index("let text = 3") + 4
    assert at("let text = 3", "text", 2) == (first + 1, inner)  # `(text, 4)`: the block's own
    assert at("(0, text)", "text", 3) == (first, lines[first].index("text"))  # the else sees the outer
    assert at("a + text + f", "text") == (first + 1, lines[first + 1].index("text"))
    # the same-named method of another impl has its own parameter
    assert at("a + text + f", "f")[0] == first - 1
    assert at("text + f }", "f", 4)[0] == first - 4


def test_a_module_is_no_value(tmp_path):
    svc = write(tmp_path, {"Cargo.toml": '[package]\nname = "t"\n', "tests/it.rs": "mod drop;\nfn f(x: u8) { drop(x); drop::g(); }\n",
                     "tests/drop/mod.rs": "pub fn g() {}\n"})
    fm = svc.ws.files["tests/it.rs"]
    got = [(ref.name, ref.col, svc.resolver.resolve_ref(fm, ref, unit)) for ref, unit in fm.iter_refs()
           if ref.name in ("drop", "g")]
    assert [(n, c, sid(t) or t) for n, c, t in sorted(got, key=lambda x: x[1])] == [
        ("drop", 14, External("std", "drop")), ("drop", 23, "tests/drop/mod.rs"), ("g", 29, "tests/drop/mod.rs::g")]


def test_an_impl_is_cut_into_its_header_and_one_unit_per_item():
    from ssc_lsp.map.document import Change

    text = ("pub struct S;\n\n/// S's own.\nimpl S {\n    /// Makes one.\n    pub fn new() -> S { S }\n\n"
            "    #[inline]\n    pub fn one(&self) -> u8 { 1 }\n    pub const K: u8 = 2;\n}\n\n"
            "impl Clone for S {\n    fn clone(&self) -> S { S::new() }\n}\n")
    doc = Document("src/lib.rs", "src.lib", text.encode())
    kinds = [(u.kind, u.context) for u in doc.fm.units]
    assert kinds == [("stmt", ""), ("impl_header", ""), ("impl_body", "S|"), ("impl_body", "S|"),
                     ("impl_body", "S|"), ("impl_header", ""), ("impl_body", "S|Clone")]
    fm = doc.fm
    assert fm.lookup("S.new").doc == "Makes one." and fm.lookup("S.K").kind == "constant"
    assert fm.lookup("S.clone").bases == ["Clone"] and fm.lookup("S.one").parent == ""
    # an edit inside one method re-extracts that method only
    row = text.split("\n").index("    pub fn one(&self) -> u8 { 1 }")
    upd = doc.apply_changes([Change("+1", ((row, 31), (row, 31)))])
    assert upd.reextracted == 1 and doc.fm.lookup("S.one") is not None
    # renaming the impl's type re-extracts its items under the new name
    at = (text.split("\n").index("impl S {"), 6)
    upd = doc.apply_changes([Change("T", (at, at))])
    assert upd.reextracted == 4 and doc.fm.lookup("ST.new") is not None and doc.fm.lookup("S.new") is None
