"""`ssc-lsp eval context` on TypeScript, Go, Java and Rust cases from the fixture workspaces.

Each case puts the cursor just before a use of a name defined in another file; the gold is that
definition, read off the fixture by hand (the line of the `function`/`func`/`fn`/method or class
that declares it).
The command runs over the real map and packs `//` path headers for these languages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ssc_lsp.context.engine import ContextOptions
from ssc_lsp.context.evaluate import RepoRun
from ssc_lsp.context.snippets import header_end, member_header, signature
from ssc_lsp.context.tokens import Budget
from ssc_lsp.map.service import MapOptions, MapService

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# (repo, file, text before the target on its line, target, kind, gold file, gold line's text)
CASES = [
    ("typescript", "src/app.ts", "const label = ", "slugify", "name",
     "packages/lib/src/text.ts", "export function slugify("),
    ("typescript", "src/app.ts", "return greet(label) + ", "formatMoney", "name",
     "src/models/money.ts", "export function formatMoney("),
    ("typescript", "src/app.ts", "  cart.", "add", "attribute", "src/models/cart.ts", "  add(item: Item)"),
    ("go", "main.go", "s := server.", "NewServer", "attribute", "server/server.go", "func NewServer("),
    ("go", "main.go", "server.NewServer(textutil.", "Join", "attribute", "util/strings.go", "func Join("),
    ("go", "main.go", "_ = b.", "Describe", "attribute", "server/server.go", "func (b Base) Describe()"),
    # Java: the cut file is one unclosed class (map/repair.py), a local's type gives the receiver
    ("java", "src/main/java/com/acme/app/Main.java", "m.first = c.", "scaled", "attribute",
     "src/main/java/com/acme/model/Circle.java", "public Circle scaled("),
    ("java", "src/main/java/com/acme/app/Main.java", "int n = MathUtil.", "sum", "attribute",
     "src/main/java/com/acme/util/MathUtil.java", " sum("),
    ("java", "src/main/java/com/acme/app/Main.java", "Circle c = new ", "Circle", "name",
     "src/main/java/com/acme/model/Circle.java", "public class Circle"),
    ("rust", "src/main.rs", "let st: Inventory = ", "open", "name", "src/lib.rs", "pub fn open("),
    ("rust", "src/lib.rs", "let mut st = Inventory::", "new", "attribute", "src/store/mod.rs", "pub fn new("),
    ("rust", "src/lib.rs", "    st.", "put", "attribute", "src/store/mod.rs", "pub fn put("),
]


def _row(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().split("\n")) if needle in ln)


def make_cases(corpus: Path) -> list[dict]:
    out = []
    for i, (repo, rel, before, target, kind, gold_rel, gold_text) in enumerate(CASES):
        src = corpus / repo / rel
        row = _row(src, before + target)
        col = src.read_text().split("\n")[row].index(before + target) + len(before)
        out.append({"id": f"{repo}-{i:04d}", "repo": repo, "path": rel, "line": row, "character": col,
                    "target": target, "kind": kind,
                    "gold": [{"path": gold_rel, "line": _row(corpus / repo / gold_rel, gold_text),
                              "name": target}]})
    return out


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    for repo in ("typescript", "go", "java", "rust"):
        shutil.copytree(FIXTURES / repo, corpus / repo)
    return corpus


def test_eval_context_finds_the_definitions_in_typescript_go_java_and_rust(tmp_path):
    corpus = _corpus(tmp_path)
    cases = make_cases(corpus)
    cases_file = tmp_path / "cases.jsonl"
    cases_file.write_text("".join(json.dumps(c) + "\n" for c in cases))
    dump = tmp_path / "dump.jsonl"
    out = subprocess.run([sys.executable, "-m", "ssc_lsp", "eval", "context", "--cases", str(cases_file),
                          "--corpus", str(corpus), "--budgets", "2000,8000", "--strategy", "map,bm25",
                          "--dump", str(dump), "--json", "--workers", "1", "--no-jedi"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)["strategies"]
    assert summary["map"]["n"] == summary["bm25"]["n"] == len(CASES)
    assert summary["map"]["recall"]["2000"] == 1.0
    lines = [json.loads(x) for x in dump.read_text().splitlines()]
    assert {d["id"] for d in lines} == {c["id"] for c in cases}
    # the cut files were restored
    for repo, rel, *_ in CASES:
        assert (corpus / repo / rel).read_text() == (FIXTURES / repo / rel).read_text()


def test_items_carry_path_headers_and_signatures_in_the_files_language(tmp_path):
    corpus = _corpus(tmp_path)
    case = make_cases(corpus)[3]  # main.go, before `NewServer`
    run = RepoRun(str(corpus / "go"), ("map",), workers=1)
    try:
        res = run.engine.assemble(case["path"], case["line"], case["character"],
                                  ContextOptions(budget=Budget(2000), wait_for_indexes=True, use_jedi=False))
        heads = [ln for it in res.items for ln in it.text.split("\n") if ln.endswith(".go")]
        assert heads and all(h.startswith("// ") for h in heads)
        assert not any(ln.startswith("# ") for it in res.items for ln in it.text.split("\n"))
        fm = run.svc.ws.files["server/server.go"]
        describe = next(s for s in fm.symbols if s.name == "Describe")
        lines = (corpus / "go" / "server/server.go").read_text().split("\n")
        sig = signature(describe, lines, "//")
        assert sig is not None
        assert sig.text == "func (b Base) Describe() string {\n"
    finally:
        run.close()


def test_a_brace_languages_header_ends_at_its_body():
    go = ["func Run(opts map[string]int,", "\tn int) error {", "\tx := n", "\treturn nil", "}"]
    assert header_end(go, 0, comment="//") == 1
    assert header_end(go, 0) == 0  # Python's rule finds no colon: the header would lose its second line
    ts = ["function f(a: {b: number}): string {", "  const c: number = 1;", "}"]
    assert header_end(ts, 0, comment="//") == 0


def test_a_member_is_headed_by_its_block_as_written_in_brace_languages():
    """Above a method packed without its class: Rust's `impl` line, Java's class line; never
    Python's `class Store:` (what the rule for a class line without a colon made of them)."""
    for repo, rel, owner, member, want in (
            ("rust", "src/store/mod.rs", "Store", "put", "impl Store {"),
            ("java", "src/main/java/com/acme/model/Circle.java", "Circle", "scaled",
             "public class Circle implements Shape {")):
        svc = MapService(str(FIXTURES / repo), MapOptions(persist=False, workers=1))
        svc.index()
        try:
            fm = svc.ws.files[rel]
            own = next(s for s in fm.symbols if s.qualname == owner)
            mem = next(s for s in fm.symbols if s.qualname == f"{owner}.{member}")
            lines = (FIXTURES / repo / rel).read_text().split("\n")
            assert member_header(own, mem, lines, "//") == want
        finally:
            svc.close_store()
