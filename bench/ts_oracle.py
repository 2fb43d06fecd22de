"""Definition precision and recall of the map on TypeScript/JavaScript, against the TypeScript
compiler's language service (npm `typescript`) as the oracle.

Every reference the map extracts in the project is a question. The map's answer is what
`resolve_ref` gives (a workspace definition; "nothing" when it says nothing, an outside name or
a local without a symbol); the oracle's is `getDefinitionAtPosition` at the same position.
Precision = answers at a definition the oracle also gives (same file and line of the name; an
overloaded function's signatures count with it: TS answers a call of it with the overload the
checker picked, the map with the implementation; two declarations of one name do not) / the
map's answers; recall = those / the questions the oracle answers inside the project.

Nothing is downloaded by the script: fetch the pinned project and the compiler once, outside
the repository, with npm's own client:

    mkdir -p /tmp/tsoracle && cd /tmp/tsoracle
    npm install --no-audit --no-fund typescript@5.6.3
    npm pack @tanstack/query-core@5.59.0 && mkdir tq && tar xzf tanstack-query-core-5.59.0.tgz -C tq
    python bench/ts_oracle.py --project /tmp/tsoracle/tq/package/src --node-modules /tmp/tsoracle/node_modules

(zod's npm tarballs ship no `src/` since 3.22, so the tuning project is @tanstack/query-core's
`src/`; `--project` takes any folder, e.g. a held-out one.) `--show N` prints N disagreements.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

from ssc_lsp.map.languages.typescript import LANGUAGES  # noqa: E402
from ssc_lsp.map.resolve import LOCAL  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402

ORACLE_JS = r"""
const ts = require(process.argv[2]);
const fs = require("fs");
const path = require("path");
const q = JSON.parse(fs.readFileSync(0, "utf8"));
const files = q.files.map(f => path.join(q.root, f));
const versions = {};
const host = {
  getScriptFileNames: () => files,
  getScriptVersion: f => "1",
  getScriptSnapshot: f => fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8")) : undefined,
  getCurrentDirectory: () => q.root,
  getCompilationSettings: () => ({allowJs: true, checkJs: false, jsx: ts.JsxEmit.Preserve,
    target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, noLib: false}),
  getDefaultLibFileName: o => ts.getDefaultLibFilePath(o),
  fileExists: ts.sys.fileExists, readFile: ts.sys.readFile, readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
};
const ls = ts.createLanguageService(host, ts.createDocumentRegistry());
const out = [];
for (const [f, line, ch] of q.queries) {
  const abs = path.join(q.root, f);
  const sf = ls.getProgram().getSourceFile(abs);
  let defs = [];
  try {
    const pos = sf.getPositionOfLineAndCharacter(line, ch);
    defs = (ls.getDefinitionAtPosition(abs, pos) || []).map(d => {
      const dsf = ls.getProgram().getSourceFile(d.fileName);
      // a module: tsc's span is the source file's from its first token (after the leading
      // comments) to its end; the map's module symbol is the file, line 0
      const whole = dsf && d.kind === "module" && d.textSpan.start + d.textSpan.length >= dsf.end;
      const lc = !dsf ? {line: -1, character: -1} : whole ? {line: 0, character: 0}
        : dsf.getLineAndCharacterOfPosition(d.textSpan.start);
      return [path.relative(q.root, d.fileName), lc.line, lc.character];
    });
  } catch (e) { defs = null; }
  out.push(defs);
}
process.stdout.write(JSON.stringify(out));
"""


def questions(svc: MapService) -> list[tuple[str, int, int, str, tuple | None]]:
    """(path, line, UTF-16 character, name, the map's answer (path, line) or None, the kind of
    question) per ref."""
    out = []
    for path, fm in sorted(svc.ws.files.items()):
        lines = (Path(svc.root) / path).read_bytes().split(b"\n")
        for ref, unit in fm.iter_refs():
            row = ref.row + unit.start_row
            char = len(lines[row][: ref.col].decode("utf-8", "replace").encode("utf-16-le")) // 2
            t = svc.resolver.resolve_ref(fm, ref, unit)
            ans = None
            if isinstance(t, Located):  # the symbol, and the signatures of its overloads (TS)
                decls = [t.symbol, *(s for s in t.file.by_qualname.get(t.symbol.qualname, ())
                                     if "overload" in (s.decorators or ()))] if t.symbol.kind != "module" else []
                ans = (t.file.path, frozenset(s.name_range[0] for s in decls) or frozenset({0}))
            out.append((path, row, char, ref.name, ans, _kind(ref, t)))
    return out


def _kind(ref, target) -> str:
    """What kind of question a reference is, and what the map made of it (for `--kinds`)."""
    recv = ref.receiver or ""
    if ref.kind in ("attribute", "base") and recv:
        head = recv.split(".", 1)[0]
        shape = "this." if head in ("this", "super") else "call()." if "(" in recv else "name."
    else:
        shape = ref.kind
    said = type(target).__name__ if target is not None else "None"
    if target is LOCAL:
        said = "a local without a symbol"
    if isinstance(target, Located):
        said = target.symbol.kind
    return f"{shape} -> {said}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", required=True, help="the folder of TS/JS sources")
    ap.add_argument("--node-modules", required=True, help="a node_modules holding typescript")
    ap.add_argument("--show", type=int, default=0, help="print this many disagreements")
    ap.add_argument("--misses", type=int, default=0, help="print this many questions only the oracle answers")
    ap.add_argument("--kinds", action="store_true", help="count the oracle-only answers by kind of reference")
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args()
    root = os.path.abspath(a.project)
    svc = MapService(root, MapOptions(persist=False))
    svc.index()
    qs = questions(svc)
    files = sorted(p for p, fm in svc.ws.files.items() if fm.language in LANGUAGES)
    with tempfile.NamedTemporaryFile("w", suffix=".cjs", delete=False) as f:
        f.write(ORACLE_JS)
        script = f.name
    try:
        proc = subprocess.run(["node", script, os.path.join(a.node_modules, "typescript")],
                              input=json.dumps({"root": root, "files": files,
                                                "queries": [q[:3] for q in qs]}),
                              capture_output=True, text=True, check=True, timeout=1800)
    finally:
        os.unlink(script)
    oracle = json.loads(proc.stdout)
    answered = correct = oracle_in = 0
    wrong: list = []
    misses: list = []
    kinds = Counter()
    miss_kinds: Counter = Counter()
    for (path, line, ch, name, ans, kind), defs in zip(qs, oracle, strict=True):
        inside = [(d[0], d[1]) for d in defs or [] if not d[0].startswith("..") and d[0] in svc.ws.files]
        if inside:
            oracle_in += 1
        if ans is None:
            if inside:
                misses.append((path, line + 1, ch, name, inside))
                miss_kinds[kind] += 1
            continue
        if defs is None:
            continue  # the oracle failed on this position: not counted either way
        answered += 1
        if any(d[0] == ans[0] and d[1] in ans[1] for d in inside):
            correct += 1
        else:
            wrong.append((path, line + 1, ch, name, (ans[0], sorted(ans[1])), inside))
            kinds["oracle elsewhere" if inside else "oracle outside or none"] += 1
    precision = correct / answered if answered else 0.0
    recall = correct / oracle_in if oracle_in else 0.0
    fig = {"project": root, "files": len(files), "questions": len(qs), "map_answers": answered,
           "correct": correct, "oracle_answers_in_project": oracle_in,
           "precision": round(precision, 4), "recall": round(recall, 4), "wrong": dict(kinds)}
    print(json.dumps(fig, indent=1))
    for w in wrong[: a.show]:
        print("  ", w)
    for m in misses[:: max(1, len(misses) // a.misses)][: a.misses] if a.misses else ():
        print("  miss", m)
    if a.kinds:
        for k, v in miss_kinds.most_common(25):
            print(f"  {v:6d} {k}")
    if a.json:
        Path(a.json).write_text(json.dumps(fig, indent=1))


if __name__ == "__main__":
    main()
