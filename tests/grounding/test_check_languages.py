"""The completions' check in each language's fixture workspace (grounding/rules/): what it rejects
(an invented member of a workspace type, an invented bare name, a misspelt import, a call with the
wrong count where certain) and what it lets pass (real code, builtins and the standard library,
members of types from outside, the language's own binding syntax)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssc_lsp.grounding import Checker
from ssc_lsp.grounding.check import ATTRIBUTE, CALL, IMPORT_MISSING, MODULE_MISSING, NAME
from ssc_lsp.map.service import MapOptions, MapService

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

GO_MAIN = ("main.go", '\tserver.NewServer("a", "b")\n')
GO_IMPORTS = ("main.go", '\t"example.com/shop/util"\n')
GO_GENERIC = ("util/shapes.go", "func Map[T, U any](xs []T, f func(T) U) []U {\n")
GO_SERVER = ("server/server.go", "\tfmt.Println(srv.Describe(), srv.st.Total())\n")
JAVA_MAIN = ("src/main/java/com/acme/app/Main.java", "        r.run();\n")
JAVA_IMPORTS = ("src/main/java/com/acme/app/Main.java", "import java.util.List;\n")

_SERVICES: dict[str, MapService] = {}


def service(lang: str) -> MapService:
    if lang not in _SERVICES:
        svc = MapService(str(FIXTURES / lang), MapOptions(persist=False))
        svc.index()
        _SERVICES[lang] = svc
    return _SERVICES[lang]


def check(lang: str, where: tuple[str, str], suggestion: str):
    """`suggestion` checked as if inserted after the anchor line of the file."""
    return check_in(service(lang), where, suggestion)


def check_in(svc: MapService, where: tuple[str, str], suggestion: str):
    """`suggestion` checked as if inserted after the anchor line of the file, in `svc`'s map."""
    rel, anchor = where
    text = svc.text_of(rel)
    at = len(text[:text.index(anchor) + len(anchor)].encode())
    doc = svc.open(rel, text, 1)
    try:
        verdict, _ = Checker(svc, None).check(doc.fm, doc.data, at, suggestion, doc.tree, doc.index)
    finally:
        svc.close(rel)
    return verdict


REJECTS = [
    # Go
    ("go", GO_MAIN, '\tx := textutil.Joinn("a")\n', (ATTRIBUTE, "textutil.Joinn")),
    ("go", GO_MAIN, '\tx := joinAll("a")\n', (NAME, "joinAll")),
    ("go", GO_MAIN, "\t_ = b.Describee()\n", (ATTRIBUTE, "b.Describee")),
    ("go", GO_MAIN, '\tt := server.Base{Labell: "x"}\n', (ATTRIBUTE, "server.Base{}.Labell")),
    ("go", GO_MAIN, "\t_ = b.Describe(1)\n", (CALL, "b.Describe")),
    ("go", GO_MAIN, '\tfmt.Println("x")\n', (NAME, "fmt")),  # not imported: Go does not compile it
    ("go", GO_MAIN, "\tif b.Label == labell {", (NAME, "labell")),  # an unfinished line, finished Go's way
    ("go", GO_IMPORTS, '\t"example.com/shop/utill"\n', (MODULE_MISSING, "example.com/shop/utill")),
    # Java
    ("java", JAVA_MAIN, "        m.nothere(1);\n", (ATTRIBUTE, "m.nothere")),
    ("java", JAVA_MAIN, "        double d = m.totl();\n", (ATTRIBUTE, "m.totl")),
    ("java", JAVA_MAIN, "        int q = undefinedCount + 1;\n", (NAME, "undefinedCount")),
    ("java", JAVA_MAIN, "        Circlee c3 = null;\n", (NAME, "Circlee")),
    ("java", JAVA_MAIN, "        Circle c2 = new Circle(1.0, 2.0);\n", (CALL, "Circle")),
    ("java", JAVA_MAIN, "        m.add(c, c);\n", (CALL, "m.add")),
    ("java", JAVA_IMPORTS, "import com.acme.model.Squar;\n", (IMPORT_MISSING, "com.acme.model.Squar")),
]


@pytest.mark.parametrize("lang, where, suggestion, expected", REJECTS,
                         ids=[f"{r[0]}:{r[3][1]}" for r in REJECTS])
def test_rejects(lang, where, suggestion, expected):
    verdict = check(lang, where, suggestion)
    assert [(i.kind, i.name) for i in verdict.issues] == [expected]


PASSES = [
    # Go: real code, builtins, the language's binding syntax, members of outside packages
    ("go", GO_MAIN, '\tx := textutil.Join("a", "b", "c")\n\t_ = x\n'),
    ("go", GO_MAIN, "\t_ = b.Describe()\n"),
    ('go', GO_MAIN, '\tt := server.Base{Label: "x"}\n\t_ = t.Label\n'),
    ("go", GO_MAIN, '\tbs := []server.Base{{Label: "x"}}\n\t_ = len(bs) + cap(bs)\n'),
    ("go", GO_MAIN, "\tvar err error\n\t_, err = nil, err\n"),
    ("go", GO_MAIN, "outer:\n\tfor i := range []int{1} {\n\t\tif i > 0 {\n\t\t\tbreak outer\n\t\t}\n\t}\n"),
    ("go", GO_MAIN, "\tf := func(k int) int { return k * 2 }\n\t_ = f(1)\n"),
    ("go", GO_MAIN, "\ttype pair struct{ a, b int }\n\tp := pair{a: 1, b: 2}\n\t_ = p\n"),
    ("go", GO_MAIN, "\tdescribe := b.Describe\n\t_ = describe()\n"),  # a method value
    ("go", GO_MAIN, "\tdescribe2 := server.Base.Describe\n\t_ = describe2(b)\n"),  # a method expression
    ("go", GO_GENERIC, "\tvar zero T\n\tvar u U = f(zero)\n\t_ = u\n"),  # type parameters
    ("go", GO_MAIN, "\tif s != nil {"),  # unfinished
    ("go", GO_SERVER, '\t_ = fmt.Sprintf("x")\n'),  # a std package's member (test_go_std.py: invented ones)
    # Java
    ("java", JAVA_MAIN, "        String s = String.valueOf(m.total()); m.add(c); s.length();\n"),
    ("java", JAVA_MAIN, '        List<String> xs = new ArrayList<>(); xs.add("a");\n'),
    ("java", JAVA_MAIN, "        for (Shape sh : m.shapes) { sh.area(); }\n"),
    ("java", JAVA_MAIN, "        Runnable r2 = () -> System.out.println(label);\n"),
    ("java", JAVA_MAIN, "        java.util.function.Function<Integer, Integer> f = k -> k + 1;\n"),
    ("java", JAVA_MAIN, "        c.name(); c.hashCode(); style.ordinal(); style.name();\n"),
    ("java", JAVA_MAIN, '        try (java.io.StringReader rd = new java.io.StringReader("x")) { rd.read(); }'
                        ' catch (Exception e) { e.printStackTrace(); }\n'),
    ("java", JAVA_MAIN, "        switch (style) { case SOLID: break; default: break; }\n"),
    ("java", JAVA_MAIN, "        double k = square(3.0) + MathUtil.max(1, 2);\n"),
    ("java", JAVA_MAIN, "        List<? extends Shape> ls = m.shapes; Object o = ls.get(0);\n"),  # generics
    ("java", JAVA_MAIN, "        if (m.total() > 0) {"),  # unfinished
]


@pytest.mark.parametrize("lang, where, suggestion", PASSES, ids=[f"{p[0]}:{p[2].strip()[:40]}" for p in PASSES])
def test_passes(lang, where, suggestion):
    verdict = check(lang, where, suggestion)
    assert verdict.issues == [], [i.message for i in verdict.issues]


def test_a_language_without_rules_decides_no_name():
    """The seam's default (rules/base.py): a language without rules of its own gets every name
    the map cannot resolve "unknown", which passes (TypeScript's, until it has rules)."""
    from ssc_lsp.grounding.rules import CheckRules, rules_for
    from ssc_lsp.map.languages.typescript import TYPESCRIPT

    if type(rules_for(TYPESCRIPT)) is not CheckRules:
        pytest.skip("TypeScript has rules of its own")
    verdict = check("typescript", ("src/app.ts", "  cart.add(item);\n"), "  const x = inventedName(1);\n")
    assert verdict.issues == [] and "inventedName" in verdict.unknown
