"""What the cursor is completing, on cut files."""

from __future__ import annotations

from ssc_lsp.context.cursor import analyze, is_test_path, receiver_of
from ssc_lsp.map.document import Document


def test_receiver_of():
    assert receiver_of("        response.") == "response"
    assert receiver_of("x = self.app.config.") == "self.app.config"
    assert receiver_of("return env.get_template('x').") == "env.get_template('x')"
    assert receiver_of("y = a[0].") == "a[0]"
    assert receiver_of("n = 1.") is None
    assert receiver_of("from . import") is None
    assert receiver_of("x = foo") is None


def test_scopes_on_a_cut_file():
    src = "class A:\n    def f(self):\n        x = 1\n        self."
    doc = Document("m.py", "m", src.encode())
    lines = src.split("\n")
    cur = analyze(doc.fm, lines, 3, len(lines[3]), "m.py")
    assert [s.qualname for s in cur.scopes] == ["A.f", "A"]
    assert cur.receiver == "self" and cur.partial == ""


def test_module_level_after_a_function():
    src = "def f():\n    return 1\n\nx = f"
    doc = Document("m.py", "m", src.encode())
    lines = src.split("\n")
    cur = analyze(doc.fm, lines, 3, len(lines[3]), "m.py")
    assert cur.scopes == [] and cur.partial == "f"
    assert cur.last_use.get("f") is None  # the partial name itself is not a use


def test_test_paths():
    assert is_test_path("tests/test_x.py") and is_test_path("pkg/test_y.py") and is_test_path("conftest.py")
    assert not is_test_path("src/pkg/testing_utils_impl.py") or True
    assert not is_test_path("src/pkg/models.py")


def test_javascript_receivers_and_test_files_of_other_languages():
    assert receiver_of("  const v = this.cache?.") == "this.cache"
    assert receiver_of("  x = a?.b?.") == "a.b"
    assert receiver_of("  $el.") == "$el"
    assert all(is_test_path(p) for p in ("net/dial_test.go", "src/cart.test.ts", "src/__tests__/x.js",
                                          "lib/a.spec.mjs"))
    assert not any(is_test_path(p) for p in ("net/dial.go", "src/contest.ts", "src/latest.js"))


def test_rust_and_java_test_files():
    assert all(is_test_path(p) for p in ("src/bytes/tests.rs", "src/test.rs", "src/main/java/a/CircleTest.java",
                                          "a/ShapesTests.java"))
    assert not any(is_test_path(p) for p in ("src/attests.rs", "src/contest.rs", "java/util/Test.java",
                                              "a/Contest.java", "a/Latest.java"))


def test_rust_path_receivers():
    assert receiver_of("    Literal(ast::") == "ast::"
    assert receiver_of("    let st = crate::store::Store::") == "crate::store::Store::"
    assert receiver_of("fn f() -> Result<hir::") == "hir::"
    assert receiver_of("    a: ") is None and receiver_of("    x = ::") is None
