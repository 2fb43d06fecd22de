"""Which edit format for the model's edits, and can the map's own quick fixes be checked in time.

Part A (the format): for real functions and methods of the corpus, one real change (a statement
added at the top of the body) is written as a model would answer it in three formats, under
deviations models are known to make, and applied by each format's applier:

- `symbol`: refactor/model_edit.py (whole definition, located by the map, re-indented);
- `search`: search/replace blocks (SEARCH = the whole old definition, REPLACE = the new one),
  applied as Aider applies them: an exact unique match, else a unique match of the lines with
  leading/trailing whitespace ignored (the replacement re-indented by the difference);
- `lines`: "replace lines a-b with ..." (the definition's lines as the model saw them).

Deviations: `exact`; `dedent` (a method written at column 0); `stale` (the buffer moved on: three
lines were added at the top of the file after the model read it); `spaces` (one line's inner
whitespace normalised, `x  =  1` -> `x = 1`: models re-format what they copy); `lazy` (unchanged
lines after the change replaced by `# ... existing code ...`). Each outcome is `correct` (the file
equals the expected one), `refused` (the applier said no: safe), `wrong` (applied, and the file
is not what was meant: silent damage, unless the edit check catches it; counted).

Part B: the map's quick fixes through the edit check: the check's time for a one-line edit of a
call site (what a fix is) in real files of each project.

    python bench/model_edit_bench.py --corpus DIR [--projects requests flask] [--per-project 60]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from ssc_lsp.grounding.edit_check import check_texts
from ssc_lsp.map.records import FUNCTION, METHOD
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.refactor.model_edit import interpret

DEVIATIONS = ("exact", "dedent", "stale", "spaces", "lazy")
FORMATS = ("symbol", "search", "lines")
MIN_LINES, MAX_LINES = 4, 60  # definitions sampled
STALE = b"import os\nimport sys\nimport re\n"  # what the user added after the model read the file


def library_file(rel: str) -> bool:
    parts = rel.split("/")
    return rel.endswith(".py") and not any(p in ("tests", "test", "docs", "examples") for p in parts)


def samples(svc: MapService, rng: random.Random, n: int):
    out = []
    for rel, fm in sorted(svc.ws.files.items()):
        if not library_file(rel):
            continue
        for s in fm.symbols:
            if s.kind in (FUNCTION, METHOD) and MIN_LINES <= s.range[2] - s.range[0] <= MAX_LINES \
                    and len(fm.by_qualname.get(s.qualname, ())) == 1:
                out.append((rel, s))
    rng.shuffle(out)
    return out[:n]


def split(data: bytes, s) -> tuple[list[str], int, int]:
    lines = data.decode("utf-8").split("\n")
    return lines, s.range[0], s.range[2]


def changed(defn: list[str]) -> list[str] | None:
    """The definition with `_edited = True` as the first body statement (after a docstring)."""
    head = next((i for i, ln in enumerate(defn) if re.match(r"\s*(async\s+)?def\b", ln)), None)
    if head is None:
        return None
    body = head + 1
    while body < len(defn) and not defn[body - 1].rstrip().endswith(":"):
        body += 1  # a signature over several lines
    if body >= len(defn) or not defn[body].strip():
        return None
    indent = defn[body][:len(defn[body]) - len(defn[body].lstrip())]
    return defn[:body] + [f"{indent}_edited = True"] + defn[body:]


def deviate(kind: str, old: list[str], new: list[str]) -> tuple[list[str], list[str]] | None:
    """(what the model quotes as the old definition, what it writes as the new one)."""
    if kind in ("exact", "stale"):
        return old, new
    if kind == "dedent":
        col = len(old[0]) - len(old[0].lstrip())
        if col == 0:
            return None
        return [ln[col:] for ln in old], [ln[col:] for ln in new]
    if kind == "spaces":
        pick = [i for i, ln in enumerate(old) if re.search(r"\S {2,}\S", ln.strip())]
        if not pick:
            return None
        i = pick[0]
        fix = lambda ln: ln[:len(ln) - len(ln.lstrip())] + re.sub(r"(?<=\S) {2,}(?=\S)", " ", ln.lstrip())  # noqa: E731
        j = i + 1 if i > 0 else i  # the new definition has one more line after the header
        return [*old[:i], fix(old[i]), *old[i + 1:]], [*new[:j], fix(new[j]), *new[j + 1:]]
    if kind == "lazy":
        cut = next((i for i, ln in enumerate(new) if "_edited = True" in ln), None)
        if cut is None or cut + 2 >= len(new):
            return None
        indent = new[cut][:len(new[cut]) - len(new[cut].lstrip())]
        return old, new[:cut + 1] + [f"{indent}# ... existing code ..."]
    raise ValueError(kind)


def apply_symbol(svc, rel, sym, new_def, read) -> bytes | None:
    """By name, on the text `read` gives (the editor's now), not by the rows the model saw."""
    answer = f"### replace {sym.qualname} in {rel}\n```python\n" + "\n".join(new_def) + "\n```\n"
    out = interpret(svc, answer, read)
    return None if out.rejected or rel not in out.after else out.after[rel]


def apply_search(data: bytes, old_def: list[str], new_def: list[str]) -> bytes | None:
    text = data.decode("utf-8")
    search, replace = "\n".join(old_def) + "\n", "\n".join(new_def) + "\n"
    if text.count(search) == 1:
        return text.replace(search, replace).encode("utf-8")
    lines = text.split("\n")
    want = [ln.strip() for ln in old_def]
    hits = [i for i in range(len(lines) - len(want) + 1)
            if [ln.strip() for ln in lines[i:i + len(want)]] == want]
    if len(hits) != 1:
        return None
    i = hits[0]
    have = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
    quoted = old_def[0][:len(old_def[0]) - len(old_def[0].lstrip())]
    shifted = [have + ln[len(quoted):] if ln.strip() and ln.startswith(quoted) else ln for ln in new_def] \
        if len(have) >= len(quoted) else new_def
    return "\n".join(lines[:i] + shifted + lines[i + len(want):]).encode("utf-8")


def apply_lines(data: bytes, first: int, last: int, new_def: list[str]) -> bytes:
    lines = data.decode("utf-8").split("\n")
    return "\n".join(lines[:first] + new_def + lines[last + 1:]).encode("utf-8")


def run_format(svc, rel, sym, data, kind) -> dict[str, str]:
    lines, first, last = split(data, sym)
    old = lines[first:last + 1]
    new = changed(old)
    if new is None:
        return {}
    dev = deviate(kind, old, new)
    if dev is None:
        return {}
    quoted, written = dev
    expected = "\n".join(lines[:first] + new + lines[last + 1:]).encode("utf-8")
    now = STALE + data if kind == "stale" else data  # what the editor holds when the answer lands
    if kind == "stale":
        expected = STALE + expected
    read = lambda r: now if r == rel else None  # noqa: E731
    results = {
        "symbol": _safe(lambda: apply_symbol(svc, rel, sym, written, read)),
        "search": _safe(lambda: apply_search(now, quoted, written)),
        "lines": _safe(lambda: apply_lines(now, first, last, written)),
    }
    same = _spaces if kind == "spaces" else (lambda b: b)  # the model's re-spacing is its to make
    outcome = {}
    for f, out in results.items():
        if out is None:
            outcome[f] = "refused"
        elif same(out) == same(expected):
            outcome[f] = "correct"
            if f == "symbol":  # the check must say nothing of a correct edit
                alarms = check_texts(svc, {rel: out}, lambda r: now if r == rel else None).problems
                if alarms:
                    outcome["false alarm"] = f"{rel}: {alarms[0].message}"
        else:  # silent damage, unless the edit check (on the text as it was) catches it
            before = lambda r: now if r == rel else None  # noqa: E731
            caught = check_texts(svc, {rel: out}, before).problems
            outcome[f] = "wrong, caught" if caught else "wrong"
    return outcome


def _spaces(data: bytes) -> bytes:
    return re.sub(rb"(?<=\S) {2,}(?=\S)", b" ", data)


def _safe(fn):
    try:
        return fn()
    except Exception:
        return None


def check_times(svc: MapService, rng: random.Random, n: int) -> list[float]:
    """The edit check's time for a one-line call-site edit (a trailing comment on a line with a
    call: what a map fix touches) in `n` random library files."""
    out = []
    files = [r for r in sorted(svc.ws.files) if library_file(r)]
    rng.shuffle(files)
    for rel in files[:n]:
        data = Path(svc.abspath(rel)).read_bytes()
        lines = data.split(b"\n")
        calls = [i for i, ln in enumerate(lines) if re.search(rb"\w\(.*\)\s*$", ln) and b"#" not in ln
                 and not ln.lstrip().startswith((b"def ", b"class ", b"@"))]
        if not calls:
            continue
        i = rng.choice(calls)
        after = b"\n".join(lines[:i] + [lines[i] + b"  # fixed"] + lines[i + 1:])
        t0 = time.perf_counter()
        result = check_texts(svc, {rel: after})
        out.append((time.perf_counter() - t0) * 1000)
        if result.problems:
            print(f"  false alarm on a comment edit: {rel}:{i + 1}: {result.problems[0].message}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--projects", nargs="*", default=["requests", "flask", "jinja2", "werkzeug", "marshmallow"])
    ap.add_argument("--per-project", type=int, default=60)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    total: dict[str, Counter] = {d: Counter() for d in DEVIATIONS}
    times: dict[str, list[float]] = {}
    alarms: list[str] = []  # the edit check on the symbol format's correct edits
    for project in args.projects:
        root = Path(args.corpus) / project
        svc = MapService(str(root), MapOptions(persist=False))
        svc.index()
        per: dict[str, Counter] = {d: Counter() for d in DEVIATIONS}
        for rel, sym in samples(svc, rng, args.per_project):
            data = Path(svc.abspath(rel)).read_bytes()
            for kind in DEVIATIONS:
                for fmt, outcome in run_format(svc, rel, sym, data, kind).items():
                    if fmt == "false alarm":
                        alarms.append(outcome)
                        continue
                    per[kind][(fmt, outcome)] += 1
                    total[kind][(fmt, outcome)] += 1
        times[project] = check_times(svc, rng, 30)
        print(f"{project}: " + "; ".join(f"{k}: " + ", ".join(
            f"{f} {per[k][(f, 'correct')]}/{sum(per[k][(f, o)] for o in ('correct', 'refused', 'wrong', 'wrong, caught'))}"
            for f in FORMATS) for k in DEVIATIONS))
    print("\nPart A: outcomes per deviation (correct / refused / wrong)")
    print("| deviation | " + " | ".join(FORMATS) + " |")
    print("|---|" + "---|" * len(FORMATS))
    for kind in DEVIATIONS:
        row = [f"{total[kind][(f, 'correct')]} / {total[kind][(f, 'refused')]} / "
               f"{total[kind][(f, 'wrong')] + total[kind][(f, 'wrong, caught')]} "
               f"({total[kind][(f, 'wrong, caught')]} caught by the check)" for f in FORMATS]
        print(f"| {kind} | " + " | ".join(row) + " |")
    correct = sum(total[k][("symbol", "correct")] for k in DEVIATIONS)
    print(f"\nThe edit check on the symbol format's {correct} correct edits: {len(alarms)} false alarms")
    for a in alarms[:10]:
        print("  ", a)
    print("\nPart B: the edit check on a one-line call-site edit (ms)")
    print("| project | files | median | p90 | max |")
    print("|---|---|---|---|---|")
    for project, ms in times.items():
        if ms:
            q = sorted(ms)
            print(f"| {project} | {len(ms)} | {statistics.median(q):.1f} | {q[int(0.9 * (len(q) - 1))]:.1f} | {q[-1]:.1f} |")


if __name__ == "__main__":
    main()
