"""The incrementally updated map equals the map built from scratch on the final text.

Random edit sequences (hypothesis) go through MapService.change, or are queued with
MapService.defer (the didChange path: applied together when the map is next read), on real files of this repository and of the fixture workspace; after each sequence the open
document's symbols, ranges, references, namespaces and resolved relations must equal those of a
fresh extraction of the final text. The benchmark runs thousands of sequences
(bench/map_property.py); CI runs a few hundred here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssc_lsp.map.document import Change, Document
from ssc_lsp.map.relations import all_edges
from ssc_lsp.map.service import MapOptions, MapService

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [p for p in (ROOT / "tests/fixtures/ws").rglob("*.py") if "secret" not in str(p)]
    + [ROOT / "server/ssc_lsp/map/languages/python/extract.py", ROOT / "server/ssc_lsp/map/resolve.py",
       ROOT / "server/ssc_lsp/map/history.py"]
)
# TypeScript and JavaScript (tests/fixtures/typescript), with snippets of their own
TS_SOURCES = sorted(p for p in (ROOT / "tests/fixtures/typescript").rglob("*")
                    if p.suffix in (".ts", ".tsx", ".js"))
TS_SNIPPETS = ["{", "}", "(", ")", ";", "\n", "/** d */\n", "`", "'", "export ", "const k = (a) => a;\n",
               "function g(a, ...b) { return a; }\n", "class K extends B { m() { this.x = 1; } }\n",
               "import { a as b } from './m.js';\n", "export * from './x';\n", "<T>", "é", "😀", "//",
               "f(1, ...a)", "this.", "=>", "interface J { a: T }\n", "<div>{x}</div>",
               "class P { constructor(private r: R) {} }\n"]
SNIPPETS = ["x", "(", ")", ":", "\n", "    ", " ", "def g(a, *b):\n    return a\n",
            "class K(Base):\n    y = 1\n", "'", '"""', "self.z = 1\n", "import os\n",
            "from .models import Order\n", "é", "😀", "#", "@dec\n", "\n\n", "lambda q: q",
            "[i for i in x]", "global LIMIT\n", "f(1, k=2, *a)", "; y = 2", "a = 1; "]
GO_SOURCES = sorted((ROOT / "tests/fixtures/go").rglob("*.go"))
GO_SNIPPETS = ["x", "(", ")", "{", "}", "\n", "\t", " ", "func g(a int, b ...string) int {\n\treturn a\n}\n",
               "type K struct {\n\tBase\n\tY int\n}\n", "// doc\n", "//go:build linux\n", "x := T{A: 1}\n",
               'import "fmt"\n', "é", "😀", "var v, w = 1, 2\n", "func (k *K) M() {}\n",
               "go func() { q := 1 }()\n", "f(1, xs...)", "`", '"', "package q\n", "r.W.H(1)", ":="]
JAVA_SOURCES = sorted((ROOT / "tests/fixtures/java").rglob("*.java"))
JAVA_SNIPPETS = ["x", "(", ")", "{", "}", ";", "\n", " ", "void g(int a, String... b) {\n return a;\n}\n",
                 "class K extends Base {\n int y = 1;\n}\n", "/** doc */\n", "// c\n", "var x = new T();\n",
                 "import static a.B.*;\n", "é", "😀", "int v, w = 1, 2;\n", "K(int a) { this.a = a; }\n",
                 "r = () -> { int q = 1; };", "new Base() { void h() {} }", "f(1, xs)", '"', "package q;\n",
                 "r.w.h(1)", "@Override\n", "<T>", "enum E { A, B }\n", "record R(int a) {}\n"]
RUST_SOURCES = sorted((ROOT / "tests/fixtures/rust").rglob("*.rs"))
RUST_SNIPPETS = ["x", "(", ")", "{", "}", "\n", "    ", " ", "fn g(a: u8, b: &str) -> u8 {\n    a\n}\n",
                 "struct K { y: u8 }\n", "/// doc\n", "//! top\n", "#[derive(Debug)]\n", "K { y: 1 }",
                 "use crate::a::{b, c as d};\n", "é", "😀", "impl K { fn m(&self) {} }\n", "mod m;\n",
                 "mod n { pub fn z() {} }\n", "|q| q", "f!(a, b::c)", "'a", '"', "Self::new(1)",
                 "let (p, q) = r;\n", "::", "match v { E::A(x) => x, _ => 0 }"]
# language -> (the file's path, its sources, snippets the edits insert)
# (None: "pkg/mod" + the source's own suffix)
LANGUAGES = {"python": ("pkg/mod.py", SOURCES, SNIPPETS), "go": ("pkg/mod.go", GO_SOURCES, GO_SNIPPETS),
             "typescript": (None, TS_SOURCES, TS_SNIPPETS), "java": ("pkg/Mod.java", JAVA_SOURCES, JAVA_SNIPPETS),
             "rust": ("pkg/mod.rs", RUST_SOURCES, RUST_SNIPPETS)}


def edits_of(snippets: list[str], alphabet: str):
    return st.tuples(
        st.floats(0, 1), st.floats(0, 1), st.integers(0, 3), st.integers(0, 40),
        st.one_of(st.sampled_from(snippets), st.text(alphabet=alphabet, max_size=6), st.just("")),
    )


EDITS = {"python": edits_of(SNIPPETS, "ab(): \n=.,'"), "go": edits_of(GO_SNIPPETS, "ab(){}: \n=.,\t"),
         "typescript": edits_of(TS_SNIPPETS, "ab(){}<>: \n=.,;'"),
         "java": edits_of(JAVA_SNIPPETS, "ab(){}; \n=.,<>"),
         "rust": edits_of(RUST_SNIPPETS, "ab(){}<>:; \n=.,&'")}


def lsp_change(text: str, e) -> Change:
    lines = text.split("\n")
    line = int(e[0] * (len(lines) - 1))
    col = int(e[1] * len(lines[line]))
    end_line = min(len(lines) - 1, line + e[2])
    end_col = min(len(lines[end_line]), (col if end_line == line else 0) + e[3])
    if end_line == line:
        end_col = max(end_col, col)
    u16 = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    return Change(e[4], ((line, u16(lines[line][:col])), (end_line, u16(lines[end_line][:end_col]))))


def svc_for(tmp: Path, rel: str, text: bytes) -> MapService:
    svc = MapService(str(tmp), MapOptions(persist=False))
    path = tmp / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)
    svc.index()
    return svc


def resolved(svc: MapService, rel: str) -> list:
    fm = svc.ws.files[rel]
    out = []
    for ref, unit in fm.iter_refs():
        t = svc.resolver.resolve_ref(fm, ref, unit)
        out.append((ref.row + unit.start_row, ref.col, ref.name,
                    getattr(getattr(t, "symbol", None), "id", None) or repr(t)))
    return out


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@settings(max_examples=int(os.environ.get("SSC_PROPERTY_EXAMPLES", "150")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), mode=st.sampled_from(["each", "batch", "deferred"]))
def test_incremental_equals_scratch(tmp_path_factory, language, data, mode):
    rel, sources, _ = LANGUAGES[language]
    source = data.draw(st.sampled_from(sources), label="source")
    edits = data.draw(st.lists(EDITS[language], min_size=1, max_size=12), label="edits")
    rel = rel or "pkg/mod" + source.suffix
    tmp = tmp_path_factory.mktemp("prop")
    data = source.read_bytes()
    svc = svc_for(tmp, rel, data)
    svc.open(rel, data.decode("utf-8"), 1)
    version = 1
    doc = svc.docs[rel]
    if mode != "each":  # several changes, each relative to the text before it
        text = doc.text
        changes = []
        for e in edits[:4] if mode == "batch" else edits:
            c = lsp_change(text, e)
            probe = Document(rel, "pkg", text.encode("utf-8"))
            probe.apply_changes([c])
            text = probe.text
            changes.append(c)
        if mode == "batch":  # in one didChange
            version += 1
            svc.change(rel, changes, version)
        else:  # one didChange each, the map caught up by the first read (a burst of typing)
            for c in changes:
                version += 1
                assert svc.defer(rel, [c], version)
            assert doc.pending == changes  # nothing applied yet
        assert svc.docs[rel].text == text
    else:
        for e in edits:
            version += 1
            svc.change(rel, [lsp_change(svc.docs[rel].text, e)], version)
    final = svc.docs[rel].data
    scratch = svc_for(tmp_path_factory.mktemp("scratch"), rel, final)
    assert svc.docs[rel].fm.snapshot() == scratch.ws.files[rel].snapshot()
    assert resolved(svc, rel) == resolved(scratch, rel)
    assert all_edges(svc.ws, svc.resolver) == all_edges(scratch.ws, scratch.resolver)
