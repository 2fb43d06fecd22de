"""The Go language on the map: extraction, go.mod import paths, package scope across files,
typed receivers only where the type is certain, build constraints, and the arity check."""

from __future__ import annotations

import pytest

from ssc_lsp.map.checks import check_file
from ssc_lsp.map.document import Change
from ssc_lsp.map.languages import by_name, language_for_path
from ssc_lsp.map.languages.go.build import expr_matches, file_builds, name_matches
from ssc_lsp.map.languages.go.resolve import dir_of_import, module_path_of
from ssc_lsp.map.resolve import External, Resolver
from tests.map.langs import fixture_shop, sid, target, write


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return fixture_shop(tmp_path_factory, "go")


def test_go_files_are_go_and_packages_are_directories(shop):
    assert language_for_path("svc/main.go") is by_name("go")
    ws = shop.ws
    assert ws.files["util/strings.go"].module == "util" == ws.files["util/limits.go"].module
    assert ws.files["main.go"].module == "."
    kinds = {s.qualname: s.kind for s in ws.files["internal/store/store.go"].symbols[1:]}
    assert kinds["Item"] == kinds["Store"] == "class"
    assert kinds["Item.Price"] == "attribute" and kinds["Store.Put"] == "method"
    assert kinds["New"] == "function" and kinds["Store.Put.it"] == "parameter"
    put = ws.files["internal/store/store.go"].lookup("Store.Put")
    assert put.doc == "Put adds or replaces an item." and put.parent == ""
    assert [p.name for p in put.signature.params] == ["it"]  # the receiver is not a parameter
    join = ws.files["util/strings.go"].lookup("Join")
    assert [(p.name, p.kind) for p in join.signature.params] == [
        ("sep", "positional_only"), ("parts", "var_positional")]
    assert ws.files["util/limits.go"].lookup("MaxLen").kind == "constant"


def test_imports_follow_go_mod_and_the_package_clause(shop):
    # `example.com/shop/util` is package textutil: the name it binds is the clause's
    assert sid(target(shop, "main.go", "textutil.Join", "textutil")) == "util/strings.go"
    assert sid(target(shop, "main.go", "textutil.Join", "Join")) == "util/strings.go::Join"
    # an alias; a name from the package's other file
    assert sid(target(shop, "server/server.go", "tu.Clip", "Clip")) == "util/limits.go::Clip"
    assert sid(target(shop, "util/limits.go", "return Title(s)", "Title")) == "util/strings.go::Title"
    # outside the workspace: named, never guessed into a file
    assert target(shop, "server/server.go", "fmt.Println", "Println") == External("fmt", "Println")
    assert sid(target(shop, "main.go", '"example.com/shop/server"', "example")) == "server/server.go"


def test_methods_through_receivers_of_certain_type_only(shop):
    # a parameter of the type, a field of a struct type, a method in another file of the package
    assert sid(target(shop, "server/server.go", "srv.st.Total()", "Total")) == \
        "internal/store/query.go::Store.Total"
    # promoted through an embedded struct
    assert sid(target(shop, "server/server.go", "srv.Describe()", "Describe")) == \
        "server/server.go::Base.Describe"
    # `var b server.Base`
    assert sid(target(shop, "main.go", "b.Describe()", "Describe")) == "server/server.go::Base.Describe"
    # `s := server.NewServer(...)`: the type of a call's result is not looked for
    assert target(shop, "main.go", "s.Start()", "Start") is None
    # a composite literal's keys are the type's fields
    assert sid(target(shop, "server/server.go", "store.Item{Name", "Name")) == \
        "internal/store/store.go::Item.Name"
    # a range variable has no type the map knows
    assert target(shop, "internal/store/query.go", "it.Price", "Price") is None


def test_the_arity_check_flags_only_certain_calls(shop):
    problems = [(path, p.range[0], p.message) for path in sorted(shop.ws.files)
                for p in check_file(shop.ws, shop.resolver, shop.ws.files[path])]
    assert problems == [("main.go", 12, "`NewServer()` takes 1 argument; called with 2")]


def test_build_constraints_pick_the_file_that_builds_and_silence_the_check(tmp_path):
    svc = write(tmp_path, {
        "go.mod": "module m\n",
        "p/fd_windows.go": "package p\n\nfunc newFD(a, b, c int) int { return a }\n",
        "p/fd_unix.go": "//go:build unix\n\npackage p\n\nfunc newFD(a int) int { return a }\n",
        "p/fd_plan9.go": "//go:build plan9\n\npackage p\n\nfunc newFD() int { return 0 }\n",
        "p/use.go": "package p\n\nfunc use() { newFD(1) }\n",
        "p/use_windows.go": "package p\n\nfunc usew() { newFD(1, 2, 3) }\n",
        "p/p_test.go": "package p_test\n\nfunc newFD() {}\n",
    })
    assert sid(target(svc, "p/use.go", "newFD(1)", "newFD")) == "p/fd_unix.go::newFD"
    assert sid(target(svc, "p/fd_plan9.go", "func newFD", "newFD")) == "p/fd_plan9.go::newFD"
    for path in svc.ws.files:
        assert check_file(svc.ws, svc.resolver, svc.ws.files[path]) == []


def test_shadowing_locals_dot_imports_and_builtins(tmp_path):
    svc = write(tmp_path, {
        "go.mod": "module m\n",
        "a/a.go": '''\
            package a

            var count = 1

            type T struct{ n int }

            func (t T) Get() int { return t.n }

            func f(x int) int {
            \ty := count
            \tcount := 2
            \tvar t T
            \tu := &T{n: 1}
            \tv := T{}
            \tv2 := v
            \treturn x + y + count + t.Get() + u.Get() + v2.n + len("a")
            }
            ''',
        "b/b.go": 'package b\n\nimport . "m/a"\n\nvar z = T{}\n',
        "c/c.go": 'package c\n\nimport "path"\n\nfunc f(name string) (err error) {\n'
                  '\tpath, err := path.Clean(name), nil\n\treturn err\n}\n',
    })
    assert sid(target(svc, "a/a.go", "y := count", "count")) == "a/a.go::count"
    assert sid(target(svc, "a/a.go", "return x", "count")) == "a/a.go::f.count"
    assert sid(target(svc, "a/a.go", "return x", "Get", 0)) == "a/a.go::T.Get"
    assert sid(target(svc, "a/a.go", "return x", "Get", 1)) == "a/a.go::T.Get"
    assert target(svc, "a/a.go", "return x", "n") is None  # v2 := v: not followed
    assert target(svc, "a/a.go", "return x", "len") == External("builtin", "len")
    assert sid(target(svc, "b/b.go", "var z", "T")) == "a/a.go::T"
    # a local's scope starts after its declaration; `:=` in the body assigns a named result
    assert target(svc, "c/c.go", "path.Clean", "path", 1) == External("path")
    assert sid(target(svc, "c/c.go", "return err", "err")) == "c/c.go::f.err"


def test_locals_are_scoped_to_their_blocks(tmp_path):
    svc = write(tmp_path, {
        "go.mod": "module m\n",
        "a.go": '''\
            package m

            type A struct{}
            type B struct{}

            func (A) Run() {}
            func (B) Run() {}

            func f(ok bool) {
            \tif ok {
            \t\tx := A{}
            \t\tx.Run()
            \t} else {
            \t\tx := B{}
            \t\tx.Run()
            \t}
            }
            ''',
    })
    fm = svc.ws.files["a.go"]
    first, second = (i for i, line in enumerate((tmp_path / "a.go").read_text().splitlines()) if "x.Run()" in line)
    assert sid(Resolver(svc.ws).target_at(fm, first, 4)) == "a.go::A.Run"
    assert sid(Resolver(svc.ws).target_at(fm, second, 4)) == "a.go::B.Run"
    assert sid(Resolver(svc.ws).target_at(fm, second, 2)) == "a.go::f.x@2"


def test_pure_rules():
    assert module_path_of(b"// c\nmodule example.com/a/b // x\n\ngo 1.21\n") == "example.com/a/b"
    assert module_path_of(b"go 1.21\n") is None
    mods = [("example.com/a", "svc")]
    assert dir_of_import("example.com/a", mods) == "svc"
    assert dir_of_import("example.com/a/x/y", mods) == "svc/x/y"
    assert dir_of_import("example.com/ab", mods) is None
    assert dir_of_import("net/netip", [("std", ".")]) == "net/netip"
    assert dir_of_import("golang.org/x/net", [("std", ".")]) is None
    assert name_matches("fd_unix.go") and not name_matches("fd_windows.go")
    assert not name_matches("x_linux_arm64_test.go") and name_matches("x_linux_amd64_test.go")
    assert name_matches("linux.go") and name_matches("sock_cloexec.go")
    assert expr_matches("unix || (js && wasm)") and not expr_matches("!linux")
    assert expr_matches("go1.18 && cgo") and not expr_matches("windows && amd64")
    assert file_builds("a_linux.go", None) and not file_builds("a.go", "plan9")
    assert expr_matches("!plan9r.W.H(1)") and expr_matches("linux &&") and expr_matches("(linux")
    assert not expr_matches("!(linux || darwin)") and expr_matches("!windows && !(js || plan9)")


def test_a_new_package_clause_is_seen_by_the_importers(tmp_path):
    svc = write(tmp_path, {
        "go.mod": "module m\n",
        "lib/lib.go": "package lib\n\nfunc F() {}\n",
        "main.go": 'package main\n\nimport "m/lib"\n\nfunc main() { lib.F(); util.F() }\n',
    })
    assert sid(target(svc, "main.go", "lib.F()", "F")) == "lib/lib.go::F"
    assert target(svc, "main.go", "util.F()", "F", 1) is None
    svc.open("lib/lib.go", "package lib\n\nfunc F() {}\n", 1)
    svc.change("lib/lib.go", [Change("util", ((0, 8), (0, 11)))], 2)  # package util
    assert target(svc, "main.go", "lib.F()", "F") is None
    assert sid(target(svc, "main.go", "util.F()", "F", 1)) == "lib/lib.go::F"



@pytest.mark.parametrize("line, name, per_file", [("func pollWait", "pollWait", 2), ("func (p *poller) arm", "arm", 1),
                                                  ("type poller", "poller", 2), ("type poller", "fd", 2)])
def test_renaming_a_per_platform_declaration_renames_every_platform(shop, line, name, per_file):
    """netpoll declares pollWait, poller, its field and method once per platform: a rename from
    the windows copy (which does not build on linux/amd64) takes every copy and every use."""
    from pathlib import Path

    from ssc_lsp.map.rename import plan_rename, renamable

    loc = renamable(target(shop, "netpoll/poll_windows.go", line, name))
    edits = plan_rename(shop.ws, shop.resolver, loc, "Renamed", lambda p: (Path(shop.root) / p).read_bytes())
    counts = {}
    for path, es in edits.items():
        text = (Path(shop.root) / path).read_text().splitlines()
        assert all(text[r[0]][r[1]:r[3]] == name for r, _ in es)
        counts[path] = len(es)
    # each platform file: the declaration (and its use in arm); netpoll.go: its use in Wait
    assert counts == {f"netpoll/poll_{p}.go": per_file for p in ("linux", "windows", "plan9")} | {"netpoll/netpoll.go": 1}
