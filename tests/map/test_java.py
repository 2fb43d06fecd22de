"""The Java language on the map: extraction, packages by declaration, imports (single-type,
same package, on-demand, static), nested types, inheritance and overloads only where certain,
and the arity check. The fixture compiles with javac (but for Broken.java, whose two errors are
the two the check reports)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ssc_lsp.map.checks import check_file
from ssc_lsp.map.languages import by_name, language_for_path
from ssc_lsp.map.languages.java.extract import doc_text
from ssc_lsp.map.languages.java.resolve import strip_type
from ssc_lsp.map.workspace import Located
from tests.map.langs import fixture_shop, sid, target, write

SRC = "src/main/java/com/acme/"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return fixture_shop(tmp_path_factory, "java")


def test_java_definitions_kinds_docs_and_signatures(shop):
    assert language_for_path("A.java") is by_name("java")
    fm = shop.ws.files[SRC + "model/Circle.java"]
    kinds = {s.qualname: s.kind for s in fm.symbols[1:]}
    assert kinds["Circle"] == kinds["Circle.Center"] == kinds["Circle.Style"] == "class"
    assert kinds["Circle.MAX_RADIUS"] == "constant" and kinds["Circle.radius"] == "attribute"
    assert kinds["Circle.Style.SOLID"] == "constant" and kinds["Circle.area"] == "method"
    assert kinds["Circle.Circle"] == "method" and fm.lookup("Circle.Circle").value == "constructor"
    assert kinds["Circle.scaled(double).factor"] == "parameter"
    assert fm.lookup("Circle").doc == "A circle of a radius." and fm.lookup("Circle").bases == ["Shape"]
    assert fm.lookup("Circle.MAX_RADIUS").doc == "The largest radius allowed."
    util = shop.ws.files[SRC + "util/MathUtil.java"]
    total = util.lookup("MathUtil.sum")
    assert [(p.name, p.kind, p.annotation) for p in total.signature.params] == [("xs", "var_positional", "int...")]
    assert len(util.by_qualname["MathUtil.max"]) == 2  # overloads share a qualname
    assert util.lookup("MathUtil.max(long,long).a").annotation == "long"  # ... not their parameters' scope
    point = shop.ws.files[SRC + "model/Point.java"]
    assert point.lookup("Point.x").kind == "attribute" and point.lookup("Point").value == "record"
    assert doc_text("/**\n * First line.\n * @param x no\n */") == "First line."
    assert strip_type("java.util.List<Foo>") == "java.util.List" and strip_type("int[]") is None


def test_packages_are_declared_not_folders(shop):
    main = SRC + "app/Main.java"
    assert sid(target(shop, main, "Strings.upper(", "upper")) == "src/generated/Strings.java::Strings.upper"
    assert sid(target(shop, main, "import com.acme.util.Strings;", "Strings")) == \
        "src/generated/Strings.java::Strings"


@pytest.mark.parametrize("line,name,expected", [
    ("private final List<Shape> shapes", "Shape", "model/Shape.java::Shape"),  # on-demand import
    ("Center center = new Center(1, 2)", "Center", "model/Circle.java::Circle.Center"),  # nested, imported
    ("Circle.Style style", "Style", "model/Circle.java::Circle.Style"),
    ("Circle.Style style", "SOLID", "model/Circle.java::Circle.Style.SOLID"),
    ("t += s.area()", "area", "model/Shape.java::Shape.area"),  # a typed loop variable
    ("return t + square(2.0)", "square", "util/MathUtil.java::MathUtil.square"),  # static import
    ("m.first = c.scaled(2)", "first", "app/Main.java::Main.first"),
    ("m.first = c.scaled(2)", "scaled", "model/Circle.java::Circle.scaled"),
    ("again.area()", "area", "model/Circle.java::Circle.area"),  # var x = new T()
    ("Point p = new Point(center.x", "x", "model/Circle.java::Circle.Center.x"),
    ("MathUtil.sum(1, 2, 3)", "sum", "util/MathUtil.java::MathUtil.sum"),
    ("Runnable r = () -> m.add(again)", "add", "app/Main.java::Main.add"),  # captured in a lambda
])
def test_cross_file_definitions(shop, line, name, expected):
    assert sid(target(shop, SRC + "app/Main.java", line, name)) == SRC + expected


@pytest.mark.parametrize("line,name", [
    ("MathUtil.max(1, 2)", "max"),  # two overloads take two arguments: only a type checker knows
    ("shapes.add(s)", "add"),  # a library type's method
    ("r.run()", "run"),
    ("String label", "String"),  # java.lang: not a workspace name
])
def test_what_only_a_type_checker_knows_is_not_guessed(shop, line, name):
    t = target(shop, SRC + "app/Main.java", line, name)
    assert not isinstance(t, Located)


def test_inherited_members_and_this(shop):
    circle = SRC + "model/Circle.java"
    assert sid(target(shop, circle, "this.radius = MathUtil.clamp", "radius")) == circle + "::Circle.radius"
    assert sid(target(shop, circle, "this.radius = MathUtil.clamp", "radius", 1)) == circle + "::Circle.Circle(double).radius"
    assert sid(target(shop, circle, "MathUtil.clamp(radius", "clamp")) == SRC + "util/MathUtil.java::MathUtil.clamp"


def test_arity_check_reports_what_javac_reports(shop):
    problems = [(p.range[0], p.message) for path in sorted(shop.ws.files)
                for p in check_file(shop.ws, shop.resolver, shop.ws.files[path])]
    assert problems == [(6, "`square()` takes 1 argument; called with 2"),
                        (6, "`clamp()` takes 3 arguments; called with 1")]


def test_import_shadowing_order(tmp_path):
    """Single-type imports shadow the package's types, which shadow on-demand imports."""
    svc = write(tmp_path, {
        "a/Item.java": "package a;\npublic class Item { public int price; }\n",
        "b/Item.java": "package b;\npublic class Item { public int weight; }\n",
        "b/Tag.java": "package b;\npublic class Tag {}\n",
        "c/Item.java": "package c;\npublic class Item {}\n",
        "c/Tag.java": "package c;\npublic class Tag {}\n",
        "c/Use.java": """\
            package c;
            import a.Item;
            import b.*;
            class Use {
                Item one;
                Tag two;
                Other three;
            }
            """,
    })
    use = "c/Use.java"
    assert sid(target(svc, use, "Item one", "Item")) == "a/Item.java::Item"
    assert sid(target(svc, use, "Tag two", "Tag")) == "c/Tag.java::Tag"
    assert target(svc, use, "Other three", "Other") is None


def test_library_supertypes_and_anonymous_classes_say_nothing(tmp_path):
    svc = write(tmp_path, {
        "p/Base.java": "package p;\npublic class Base { protected int size; void run() {} }\n",
        "p/Lib.java": """\
            package p;
            import java.util.ArrayList;
            class Lib extends ArrayList<String> {
                int count;
                int f() { return size() + count + modCount; }
            }
            """,
        "p/Anon.java": """\
            package p;
            class Anon {
                int size;
                void run() {}
                void g() {
                    Base b = new Base() {
                        void h() { run(); int k = size; }
                    };
                    Runnable r = new Runnable() {
                        public void run() { run(); }
                    };
                }
            }
            """,
    })
    lib = "p/Lib.java"
    assert sid(target(svc, lib, "return size()", "count")) == "p/Lib.java::Lib.count"
    assert target(svc, lib, "return size()", "size") is None  # ArrayList's
    assert target(svc, lib, "return size()", "modCount") is None
    anon = "p/Anon.java"
    assert sid(target(svc, anon, "void h() { run();", "run")) == "p/Base.java::Base.run"
    assert sid(target(svc, anon, "int k = size", "size")) == "p/Base.java::Base.size"
    assert target(svc, anon, "public void run() { run(); }", "run", 1) is None  # its own, not Anon.run


def test_overloads_by_arity_and_constructors(tmp_path):
    svc = write(tmp_path, {
        "q/K.java": """\
            package q;
            class K {
                K() {}
                K(int a, int b) {}
                void m(int a) {}
                void m(int a, int b) {}
                void v(String... xs) {}
                void use() { m(1); m(1, 2); v(); new K(1); new K(1, 2, 3); m(); }
            }
            """,
    })
    k = "q/K.java"
    assert sid(target(svc, k, "void use()", "m", 0)) == "q/K.java::K.m"
    assert sid(target(svc, k, "void use()", "m", 1)) == "q/K.java::K.m@2"
    assert sid(target(svc, k, "void use()", "v(")) == "q/K.java::K.v"
    # several constructors: no arity check; m() fits no overload: nothing said either
    assert check_file(svc.ws, svc.resolver, svc.ws.files[k]) == []


def test_renaming_a_class_edits_its_constructors_uses_and_import_paths(shop):
    from ssc_lsp.map.rename import plan_rename, renamable

    circle = SRC + "model/Circle.java"
    loc = renamable(target(shop, circle, "public class Circle", "Circle"))
    edits = plan_rename(shop.ws, shop.resolver, loc, "Disk", lambda p: (Path(shop.root) / p).read_bytes())
    rows = {p: [r[0][:2] for r in es] for p, es in edits.items()}
    assert rows[circle] == [(5, 13), (10, 11), (20, 11), (21, 19)]  # the class, its constructor, uses
    # `import com.acme.model.Circle.Center;` names Circle in its path
    assert (5, 22) in rows[SRC + "app/Main.java"] and len(rows[SRC + "app/Main.java"]) == 8


def test_the_edit_check_on_java_reports_no_library_name_and_no_python_arity(shop):
    """java.lang names, library members and method calls are never "missing"; Python's argument
    binding (a method's `self` first) is not applied to Java calls."""
    from ssc_lsp.grounding.check import Checker

    rel = SRC + "app/Main.java"
    text = (Path(shop.root) / rel).read_text()
    shop.open(rel, text, 1)
    doc = shop.docs[rel]
    at = text.index("        r.run();")
    good = "        String s = String.valueOf(m.total()); m.add(c); shapes.size(); s.length();\n"
    verdict, _ = Checker(shop, None).check(doc.fm, doc.data, at, good, doc.tree)
    assert verdict.issues == []
    verdict, _ = Checker(shop, None).check(doc.fm, doc.data, at, "        m.nothere(1);\n", doc.tree)
    assert [(i.name, i.message) for i in verdict.issues] == [("m.nothere", "`Main` instance has no `nothere`")]
    shop.close(rel)


def test_marker_interfaces_hide_no_member_type(tmp_path):
    """A class that is Cloneable and Serializable (every java.util collection) still types its
    fields: those JDK interfaces declare no nested type; an unknown library superclass might."""
    svc = write(tmp_path, {
        "p/Store.java": "package p;\npublic class Store { public void put(int k) {} }\n",
        "p/Box.java": """\
            package p;
            class Box implements Cloneable, java.io.Serializable, Comparable<Box> {
                private Store m;
                void f() { m.put(1); }
            }
            """,
        "p/Sub.java": """\
            package p;
            class Sub extends java.util.AbstractList<String> implements Cloneable {
                private Store m;
                void f() { m.put(1); }
            }
            """,
    })
    assert sid(target(svc, "p/Box.java", "m.put(1)", "put")) == "p/Store.java::Store.put"
    assert target(svc, "p/Sub.java", "m.put(1)", "put") is None  # AbstractList may declare a `Store`


@pytest.mark.parametrize("start", ["model/Circle.java", "model/Shape.java"])
def test_renaming_a_method_renames_its_override_family(shop, start):
    """`Circle.area` overrides `Shape.area`: renaming either renames both, and the calls through
    a `Shape` (in Main) with them."""
    from ssc_lsp.map.rename import plan_rename, renamable

    loc = renamable(target(shop, SRC + start, "double area()", "area"))
    edits = plan_rename(shop.ws, shop.resolver, loc, "surface", lambda p: (Path(shop.root) / p).read_bytes())
    rows = {p.removeprefix(SRC): sorted(r[0][:2] for r in es) for p, es in edits.items()}
    assert rows == {"model/Circle.java": [(15, 18)], "model/Shape.java": [(5, 11)],
                    "app/Main.java": [(23, 19), (38, 14)]}


@pytest.mark.parametrize(("line", "name", "why"), [
    ("public String toString", "toString", "overrides a method of the Java library"),
    ("public int compareTo", "compareTo", "implements `Comparable<Label>`, outside the workspace, which declares"),
])
def test_renaming_an_override_of_a_library_method_is_refused(shop, line, name, why):
    from ssc_lsp.map.rename import RenameRefused, plan_rename, renamable

    loc = renamable(target(shop, SRC + "model/Label.java", line, name))
    with pytest.raises(RenameRefused, match=re.escape(why)):
        plan_rename(shop.ws, shop.resolver, loc, "other", lambda p: (Path(shop.root) / p).read_bytes())
    # a method of the same class that no library supertype declares is renamed
    shout = renamable(target(shop, SRC + "model/Label.java", "public String shout", "shout"))
    assert plan_rename(shop.ws, shop.resolver, shout, "yell", lambda p: (Path(shop.root) / p).read_bytes())


def test_an_override_in_an_anonymous_class_refuses_the_rename(tmp_path):
    """Members of an anonymous class have no symbols: a rename would leave its override, which
    then silently stops overriding; a method the anonymous class does not declare is renamed."""
    from ssc_lsp.map.rename import RenameRefused, plan_rename, renamable

    svc = write(tmp_path, {
        "p/A.java": "package p;\npublic class A {\n    public int m(int x) { return x; }\n"
                    "    public int other() { return 1; }\n}\n",
        "p/B.java": "package p;\npublic class B extends A {\n    @Override\n    public int m(int x) { return 2; }\n"
                    "    void use() { A a = new A() { public int m(int y) { return 3; } }; a.m(1); }\n}\n",
    })

    def read(p):
        return (tmp_path / p).read_bytes()

    with pytest.raises(RenameRefused, match="an anonymous `A` in p/B.java"):
        plan_rename(svc.ws, svc.resolver, renamable(target(svc, "p/B.java", "public int m(int x)", "m")), "k", read)
    edits = plan_rename(svc.ws, svc.resolver, renamable(target(svc, "p/A.java", "int other", "other")), "k", read)
    assert set(edits) == {"p/A.java"}
