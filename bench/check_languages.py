"""The completions' check in every language: no false alarm on real code, and what it catches.

The protocol of the Python figure in RESULTS.md ("LLM completions and the check"), per language:
in a real project, take single-line statements inside function bodies (tree-sitter), remove
one, open the file without it as an editor document, and check the removed line re-inserted at
its place as the suggestion: it must pass (a problem is a **false alarm**). Then mutate one
identifier the line uses (a name or member the map resolves or leaves unknown) into one no
workspace file defines (a misspelling: a letter doubled or dropped) and check again: **caught**
(a problem), or passed (unknown). The check's time is the verdict's own (`Verdict.ms`).

Languages are rows of `LANGUAGES`: where a project comes from (a fetcher into the cache
directory), which node types own function bodies. Each language has a development project
(looked at while tuning) and a held-out one (not looked at):

    python bench/check_languages.py [--langs go,java,python,typescript,javascript,rust] [--n 300]
        [--cache DIR] [--show]

Projects come from the registries the machine reaches: Go and Java from the installed sources,
Python from PyPI, TypeScript and JavaScript from npm (`npm pack`), Rust crates from Debian
(`apt-get download librust-<crate>-dev`).

Python is the baseline, measured in the same run on the same machine (map only: no jedi).
`--show` prints every false alarm and every uncaught mutation (for tuning: dev projects only).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ssc_lsp.grounding import Checker, go_std
from ssc_lsp.map.languages import language_for_path
from ssc_lsp.map.records import REF_ATTRIBUTE, REF_IMPORT, REF_NAME
from ssc_lsp.map.service import MapOptions, MapService

GOROOTS = ("/usr/lib/go-1.19/src", "/usr/share/go-1.19/src")
JDK_SRCS = ("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip", "/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip")
MAX_LINE = 160
MIN_LINE = 6


# -- fetchers: each returns the project's root under the cache directory --------------------------


def _goroot() -> Path:
    for p in GOROOTS:
        if Path(p, "net").is_dir():
            return Path(p)
    raise SystemExit("the Go sources are missing: apt-get install golang-1.19-src")


def go_packages(*packages: str) -> Callable[[Path], Path]:
    """The standard library's `packages` (directories below GOROOT/src, their own files only:
    subpackages are listed by name), laid out as below GOROOT/src (imports between them resolve
    as paths below the root)."""

    def fetch(cache: Path) -> Path:
        root = cache / ("go-" + "+".join(p.replace("/", "_") for p in packages))
        if not root.is_dir():
            src = _goroot()
            for pkg in packages:
                (root / pkg).mkdir(parents=True, exist_ok=True)
                for f in (src / pkg).glob("*.go"):
                    shutil.copy(f, root / pkg / f.name)
        return root

    return fetch


def jdk_packages(*packages: str) -> Callable[[Path], Path]:
    """The JDK's `packages` (java.base, own files only) from src.zip, laid out by package."""

    def fetch(cache: Path) -> Path:
        root = cache / ("java-" + "+".join(packages))
        if not root.is_dir():
            dirs = {"java.base/" + p.replace(".", "/") + "/" for p in packages}
            src = next((p for p in JDK_SRCS if Path(p).is_file()), None)
            if src is None:
                raise SystemExit("no JDK sources: apt-get install openjdk-17-source")
            print(f"java sources: {src}", file=sys.stderr)
            with zipfile.ZipFile(src) as z:
                for name in z.namelist():
                    folder, _, base = name.rpartition("/")
                    if folder + "/" in dirs and base.endswith(".java"):
                        out = root / name.removeprefix("java.base/")
                        out.parent.mkdir(parents=True, exist_ok=True)
                        out.write_bytes(z.read(name))
        return root

    return fetch


def pypi(spec: str, sub: str = "src") -> Callable[[Path], Path]:
    """A PyPI sdist (pinned), unpacked; its `sub` folder is the root."""

    def fetch(cache: Path) -> Path:
        name = spec.split("==")[0]
        top = cache / f"py-{name}"
        if not top.is_dir():
            with tempfile.TemporaryDirectory() as dl:
                subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                                "--no-binary", ":all:", "-d", dl, spec], check=True)
                top.mkdir(parents=True)
                tar = next(Path(dl).glob("*.tar.gz"))
                subprocess.run(["tar", "-xzf", str(tar), "-C", str(top), "--strip-components=1"], check=True)
        return top / sub

    return fetch


def npm(spec: str, sub: str) -> Callable[[Path], Path]:
    """An npm package (pinned, `npm pack`), unpacked; its `sub` folder is the root."""

    def fetch(cache: Path) -> Path:
        top = cache / ("npm-" + spec.replace("/", "_").replace("@", ""))
        if not top.is_dir():
            with tempfile.TemporaryDirectory() as dl:
                out = subprocess.run(["npm", "pack", "--silent", spec], cwd=dl, check=True,
                                     capture_output=True, text=True).stdout.split()[-1]
                top.mkdir(parents=True)
                subprocess.run(["tar", "-xzf", str(Path(dl) / out), "-C", str(top),
                                "--strip-components=1"], check=True)
        return top / sub

    return fetch


def _debian(package: str, cache: Path) -> Path:
    """A Debian package unpacked (`apt-get download`, `dpkg-deb -x`) under the cache."""
    top = cache / package
    if not top.is_dir():
        with tempfile.TemporaryDirectory() as dl:
            subprocess.run(["apt-get", "download", package], cwd=dl, check=True, capture_output=True)
            deb = next(Path(dl).glob("*.deb"))
            subprocess.run(["dpkg-deb", "-x", str(deb), str(top)], check=True)
    return top


def debian_crate(package: str) -> Callable[[Path], Path]:
    """A Rust crate's sources from Debian (`apt-get download librust-<crate>-dev`): the one
    crate folder under usr/share/cargo/registry/."""

    def fetch(cache: Path) -> Path:
        return next((_debian(package, cache) / "usr/share/cargo/registry").iterdir())

    return fetch


def debian_go(package: str, module: str) -> Callable[[Path], Path]:
    """A Go module's sources from Debian (`apt-get download golang-<...>-dev`): its folder
    under usr/share/gocode/src/ (its own go.mod: a project outside GOROOT)."""

    def fetch(cache: Path) -> Path:
        return _debian(package, cache) / "usr/share/gocode/src" / module

    return fetch


@dataclass(frozen=True)
class Lang:
    """One language's row: its projects and where function bodies are."""

    name: str
    dev: tuple[str, Callable[[Path], Path]]
    held: tuple[str, Callable[[Path], Path]]
    functions: frozenset[str]  # node types whose `body` field holds statements
    skip: frozenset[str] = frozenset({"comment", "line_comment", "block_comment"})
    more: tuple[tuple[str, Callable[[Path], Path], bool], ...] = ()  # further (project, fetch, held out)


LANGUAGES: dict[str, Lang] = {
    "python": Lang("python", ("requests", pypi("requests==2.32.3")), ("flask", pypi("flask==3.0.3")),
                   frozenset({"function_definition"})),
    "go": Lang("go", ("net", go_packages("net")),
               ("encoding/json+text/template", go_packages("encoding/json", "text/template", "text/template/parse")),
               frozenset({"function_declaration", "method_declaration", "func_literal"}),
               more=(("pflag (Debian, outside GOROOT)", debian_go("golang-github-spf13-pflag-dev", "github.com/spf13/pflag"), False),
                     ("cobra (Debian, outside GOROOT)", debian_go("golang-github-spf13-cobra-dev", "github.com/spf13/cobra"), True))),
    "java": Lang("java", ("java.util", jdk_packages("java.util")),
                 ("java.util.regex+java.net", jdk_packages("java.util.regex", "java.net")),
                 frozenset({"method_declaration", "constructor_declaration", "lambda_expression"})),
    "typescript": Lang("typescript", ("@tanstack/query-core", npm("@tanstack/query-core@5.59.0", "src")),
                       ("@tanstack/table-core", npm("@tanstack/table-core@8.20.5", "src")),
                       frozenset({"function_declaration", "method_definition", "function_expression",
                                  "generator_function_declaration", "arrow_function"})),
    "javascript": Lang("javascript", ("mocha lib/", npm("mocha@10.8.2", "lib")),
                       ("eslint lib/", npm("eslint@8.57.0", "lib")),
                       frozenset({"function_declaration", "method_definition", "function_expression",
                                  "generator_function_declaration", "arrow_function"})),
    "rust": Lang("rust", ("regex-syntax 0.6", debian_crate("librust-regex-syntax-dev")),
                 ("semver 1.0", debian_crate("librust-semver-dev")), frozenset({"function_item"})),
}


# -- sampling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    rel: str
    start: int  # byte offset of the line's start
    end: int  # byte offset after its newline


def statement_lines(lang: Lang, rel: str, data: bytes) -> list[Site]:
    """Single-line statements directly in a function body, whole lines (indentation included)."""
    language = language_for_path(rel)
    if language is None:
        return []
    tree = language.parser().parse(data)
    out: list[Site] = []
    todo = [tree.root_node]
    while todo:
        n = todo.pop()
        todo.extend(n.children)
        if n.type not in lang.functions:
            continue
        body = n.child_by_field_name("body")
        if body is None or body.type.endswith("expression") or body.type == "identifier":
            continue  # an expression body (an arrow's, a lambda's) holds no statements
        stmts = [c for k in body.named_children
                 for c in (k.named_children if k.type == "statement_list" else [k])]
        for st in stmts:
            if st.type in lang.skip or st.start_point[0] != st.end_point[0] or st.has_error:
                continue
            start = data.rfind(b"\n", 0, st.start_byte) + 1
            end = data.find(b"\n", st.end_byte)
            if end < 0 or data[start:st.start_byte].strip() or data[st.end_byte:end].strip():
                continue  # not alone on its line
            if MIN_LINE <= end - start <= MAX_LINE:
                out.append(Site(rel, start, end + 1))
    return out


def mutate(name: str, rng: random.Random, taken: Callable[[str], bool]) -> str | None:
    """A misspelling of `name` no workspace file defines: a letter doubled or dropped."""
    if len(name) < 3:
        return None
    for _ in range(6):
        i = rng.randrange(1, len(name))
        cand = name[:i] + name[i] + name[i:] if rng.random() < 0.5 else name[:i] + name[i + 1:]
        if cand != name and cand.isidentifier() and not taken(cand):
            return cand
    return None


# -- the run -------------------------------------------------------------------------------------


@dataclass
class Tally:
    lines: int = 0
    false_alarms: int = 0
    decided: int = 0
    unknown: int = 0
    mutated: int = 0
    caught: int = 0
    ms: list[float] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def run_project(root: Path, lang: Lang, n: int, seed: int) -> Tally:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    checker = Checker(svc, None)
    rng = random.Random(seed)
    sites: list[Site] = []
    for rel in sorted(svc.ws.files):
        fm = svc.ws.files[rel]
        if fm.language.name != lang.name:
            continue
        data = (root / rel).read_bytes()
        sites.extend(statement_lines(lang, rel, data))
    rng.shuffle(sites)
    t = Tally()
    for site in sites[:n]:
        data = (root / site.rel).read_bytes()
        line = data[site.start:site.end].decode("utf-8", "replace")
        without = data[:site.start] + data[site.end:]
        doc = svc.open(site.rel, without.decode("utf-8", "replace"), 1)
        if doc is None:
            continue
        try:
            verdict, placed = checker.check(doc.fm, doc.data, site.start, line, doc.tree, doc.index)
            t.lines += 1
            t.ms.append(verdict.ms)
            t.decided += verdict.checked
            t.unknown += len(verdict.unknown)
            row = without.count(b"\n", 0, site.start) + 1
            where = f"{site.rel}:{row}: {line.strip()}"
            if verdict.issues:
                t.false_alarms += 1
                t.alarms.append(f"{where}\n      -> " + "; ".join(i.message for i in verdict.issues))
                continue
            if placed is None:
                continue
            refs = [(u, r) for u in placed.fresh for r in u.refs
                    if placed.in_suggestion(u, r) and r.kind in (REF_NAME, REF_ATTRIBUTE) and r.kind != REF_IMPORT]
            rng.shuffle(refs)
            for unit, ref in refs:
                new = mutate(ref.name, rng, lambda c: c in svc.ws.names)
                if new is None:
                    continue
                s, e = (b - placed.start for b in placed.ref_span(unit, ref))
                text_b = placed.data[placed.start:placed.end]
                mutant = (text_b[:s] + new.encode() + text_b[e:]).decode("utf-8", "replace")
                v2, _ = checker.check(doc.fm, doc.data, site.start, mutant, doc.tree, doc.index)
                if v2.syntax_error:
                    continue  # the misspelling is a keyword (`if`)
                t.mutated += 1
                if v2.issues:
                    t.caught += 1
                else:
                    t.missed.append(f"{where}\n      {ref.name} -> {new} ({'receiver ' + ref.receiver if ref.receiver else 'name'})")
                break
        finally:
            svc.close(site.rel)
    return t


def fmt_row(lang: str, project: str, held: bool, t: Tally) -> str:
    med = statistics.median(t.ms) if t.ms else 0.0
    p95 = sorted(t.ms)[int(len(t.ms) * 0.95)] if t.ms else 0.0
    caught = f"{t.caught}/{t.mutated} ({100 * t.caught / t.mutated:.0f}%)" if t.mutated else "-"
    per = t.lines or 1
    return (f"| {lang} | {project}{' (held out)' if held else ''} | {t.lines} | **{t.false_alarms}** | "
            f"{t.decided / per:.2f} / {t.unknown / per:.2f} | {caught} | {med:.2f} / {p95:.2f} |")


@contextlib.contextmanager
def _without_go_std() -> Iterator[None]:
    """The check as it was before go_std.py: no toolchain found, no std member decided."""
    saved = go_std.goroot
    go_std.goroot = lambda: None
    try:
        yield
    finally:
        go_std.goroot = saved


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--langs", default=",".join(LANGUAGES))
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "check_languages"))
    ap.add_argument("--dev-only", action="store_true")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--go-std-baseline", action="store_true",
                    help="also run each Go project without the standard library's members (before go_std.py)")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    rows = ["| language | project | lines | false alarms | decided / unknown per line | mutations caught | check ms p50 / p95 |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in args.langs.split(","):
        lang = LANGUAGES[name]
        projects = [(False, *lang.dev), (True, *lang.held)] + [(h, p, f) for p, f, h in lang.more]
        for held, project, fetch in projects:
            if held and args.dev_only:
                continue
            if name == "go" and args.go_std_baseline:
                with _without_go_std():
                    t = run_project(fetch(cache), lang, args.n, args.seed)
                rows.append(fmt_row(name, project + ", no std members", held, t))
                print(rows[-1], flush=True)
            t = run_project(fetch(cache), lang, args.n, args.seed)
            rows.append(fmt_row(name, project, held, t))
            print(rows[-1], flush=True)
            if args.show and not held:
                for a in t.alarms:
                    print("  ALARM", a)
                for m in t.missed:
                    print("  MISSED", m)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
