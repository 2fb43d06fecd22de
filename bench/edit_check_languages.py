"""The edit check in every language: correct multi-file renames pass, half-done ones are caught.

The protocol of check_bench.py ("Issue 11: the edit check"), per language, with the map's own
rename (map/rename.plan_rename: the plan textDocument/rename uses) instead of rope: in a real
project, pick functions, methods and types some *other* file uses, rename each (`Renamed`
appended; `_renamed` in Rust), turn the edits into a unified diff (grounding/diff.unified), and
judge it as `ssc-lsp check --diff` does (grounding/diff.py applies it, EditCheck judges it) on a
map indexed once. Expected: no problem (a problem is a **false alarm**). Then break each two ways,
caught only *at the right file and line*:

- drop: one hunk of a file other than the definition's is dropped (uses left with the old name);
- typo: the new name misspelt (its last letter doubled) in one changed line outside the
  definition's line.

Renames the map refuses, or that have uses it cannot decide (a member through a receiver it
cannot type: the editor asks about those), or that move a file (a Java public class), are
skipped: the edit would not be the map's own correct one. A flagged rename whose problems a
text oracle confirms (`rename_broken`: the new name is declared or exported nowhere it is
needed) is the rename's mistake, counted apart ("broken renames flagged"), not a false alarm.

Projects are check_languages.py's (dev, and held out: not looked at while tuning):

    python bench/edit_check_languages.py [--langs go,java,typescript,javascript,rust,python]
        [--n 40] [--cache DIR] [--dev-only] [--show]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_bench import Edit, drop_variant, files_naming, hunks_of, judge  # noqa: E402
from check_languages import LANGUAGES  # noqa: E402
from ssc_lsp.grounding.diff import unified  # noqa: E402
from ssc_lsp.grounding.edit_check import apply_map_edits  # noqa: E402
from ssc_lsp.map.records import CLASS, FUNCTION, METHOD  # noqa: E402
from ssc_lsp.map.rename import RenameRefused, file_move, plan_rename, uncertain_uses  # noqa: E402
from ssc_lsp.map.service import MapOptions, MapService  # noqa: E402
from ssc_lsp.map.workspace import Located  # noqa: E402

KINDS = (FUNCTION, METHOD, CLASS)
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class Tally:
    edits: int = 0
    skipped: int = 0  # refused, uncertain uses, a file move, one file only
    false_alarms: int = 0
    broken: int = 0  # flagged renames the text oracle shows broken (`rename_broken`)
    drops: int = 0
    drops_caught: int = 0
    typos: int = 0
    typos_caught: int = 0
    ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def new_name(lang: str, old: str) -> str:
    return f"{old}_renamed" if lang in ("rust", "python") else f"{old}Renamed"


def candidates(svc: MapService, lang: str, rng: random.Random) -> list[Located]:
    """Functions, methods and types of `lang` whose name some other file of the project uses."""
    by_name = files_naming(svc)
    out = []
    for path, fm in sorted(svc.ws.files.items()):
        if fm.language.name != lang:
            continue
        for s in fm.symbols:
            if s.kind in KINDS and len(s.name) >= 4 and not s.name.startswith("__") and "@" not in s.id \
                    and by_name.get(s.name, set()) - {path}:
                out.append(Located(fm, s))
    rng.shuffle(out)
    return out


_SUFFIXES = ("", ".js", ".ts", ".tsx", ".mjs", ".cjs", "/index.js", "/index.ts")


def declares(name: str) -> re.Pattern[str]:
    """A line declaring `name` (any of the languages' keywords, or a `require` destructuring)."""
    return re.compile(rf"\b(?:const|let|var|function\*?|class|import|type|interface|enum|fn|struct|func)\b"
                      rf"[^\n=]*\b{re.escape(name)}\b|\b{re.escape(name)}\s*[,}}][^\n]*=\s*require")


def rename_broken(root: Path, after: dict[str, bytes], old: str, new: str, probs: list[dict]) -> bool:
    """An oracle apart from the map, by text: every problem of a flagged rename says the new
    name is missing, and it is. `` `new` is not defined ``: the flagged file declares `new`
    nowhere (a `require` binding or default import kept its name while its uses were renamed);
    a use of `old` left after it was renamed: the flagged file declares `old` nowhere either
    (a shorthand property `{ old }` the rename did not change);
    `` `m` has no `new` ``: module `m`'s text exports no `new` (a CommonJS export property kept
    its name)."""
    exported = re.compile(rf"exports\.{re.escape(new)}\b|\bexport\b[^\n]*\b{re.escape(new)}\b|"
                          rf"module\.exports\s*=\s*\{{[^}}]*\b{re.escape(new)}\b")

    def text(rel: str) -> str | None:
        data = after.get(rel) if rel in after else ((root / rel).read_bytes() if (root / rel).is_file() else None)
        return data.decode("utf-8", "replace") if data is not None else None

    for p in probs:
        m = re.fullmatch(r"`(.+)` has no `(.+)`", p["message"])
        if p["kind"] == "name" and p["message"] == f"`{new}` is not defined":
            if declares(new).search(text(p["path"]) or ""):
                return False
        elif p["kind"] == "removed" and f"`{old}` was renamed to `{new}`" in p["message"]:
            if declares(old).search(text(p["path"]) or ""):
                return False  # (the flagged file still binds the old name itself)
        elif p["kind"] == "import" and m and m.group(2) == new:
            found = [t for t in (text(m.group(1) + s) for s in _SUFFIXES) if t is not None]
            if not found or exported.search(found[0]):
                return False
        else:
            return False
    return bool(probs)


def typo_variant(name: str, def_path: str, def_row: int, diffs: dict[str, list[str]], taken
                 ) -> tuple[dict[str, list[str]], tuple[str, list[int]]] | None:
    """The new name misspelt in one added line other than the definition's (`def_row`, 0-based,
    in the file after the edit); expected at that line."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    typo = name + name[-1]
    if taken(typo):
        return None
    spots = []
    for rel, lines in sorted(diffs.items()):
        _head, hunks = hunks_of(lines)
        for hi, h in enumerate(hunks):
            m = _HUNK.match(h[0])
            assert m
            row = int(m.group(3))  # 1-based, new file
            for li, ln in enumerate(h[1:], 1):
                if ln.startswith("+") and word.search(ln) and not (rel == def_path and row == def_row + 1):
                    spots.append((rel, hi, li, row))
                if ln.startswith((" ", "+")):
                    row += 1
    if not spots:
        return None
    rel, hi, li, row = spots[len(spots) // 2]
    head, hunks = hunks_of(diffs[rel])
    h = list(hunks[hi])
    pick = word.search(h[li])
    assert pick is not None
    h[li] = h[li][:pick.start()] + typo + h[li][pick.end():]
    hunks[hi] = h
    out = dict(diffs)
    out[rel] = head + [ln for x in hunks for ln in x]
    return out, (rel, [row])


def run_project(root: Path, lang: str, n: int, seed: int, show: bool) -> Tally:
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    rng = random.Random(f"{seed}:{lang}")
    t = Tally()

    def read(rel: str) -> bytes | None:
        p = root / rel
        return p.read_bytes() if p.is_file() else None

    for loc in candidates(svc, lang, rng):
        if t.edits >= n:
            break
        new = new_name(lang, loc.symbol.name)
        try:
            edits = plan_rename(svc.ws, svc.resolver, loc, new, read)
            moved = file_move(svc.resolver, loc, new, read)
        except RenameRefused:
            t.skipped += 1
            continue
        if moved is not None or len(edits) < 2 or uncertain_uses(svc.ws, svc.resolver, loc):
            t.skipped += 1
            continue
        after = {p: apply_map_edits(read(p) or b"", e) for p, e in edits.items()}
        diffs = {p: unified(p, read(p), d).splitlines(keepends=True) for p, d in sorted(after.items())}
        _, probs, ms = judge(root, svc, diffs)
        t.edits += 1
        t.ms.append(ms)
        where = f"{loc.symbol.id} -> {new} ({len(edits)} files)"
        if probs and rename_broken(root, after, loc.symbol.name, new, probs):
            t.broken += 1  # the map's rename is wrong there, and the check says so
            t.notes.append(f"BROKEN RENAME {where}: {probs[:3]}")
            continue
        if probs:
            t.false_alarms += 1
            t.notes.append(f"ALARM {where}: {probs[:3]}")
            continue
        edit = Edit("rename", loc.symbol.id, new, {loc.file.path}, {}, loc.symbol.name)
        for variant, got in (("drop", drop_variant(edit, diffs, rng)),
                             ("typo", typo_variant(new, loc.file.path, loc.symbol.name_range[0], diffs,
                                                   lambda c: c in svc.ws.names))):
            if got is None:
                continue
            mdiffs, expected = got
            _, mprobs, mms = judge(root, svc, mdiffs)
            t.ms.append(mms)
            caught = any(p["path"] == expected[0] and p["line"] in expected[1] for p in mprobs)
            if variant == "drop":
                t.drops += 1
                t.drops_caught += caught
            else:
                t.typos += 1
                t.typos_caught += caught
            if not caught:
                t.notes.append(f"MISSED {variant} {where} at {expected}: {mprobs[:2]}")
    if show:
        for note in t.notes:
            print("  " + note)
    return t


def fmt_row(lang: str, project: str, held: bool, t: Tally) -> str:
    med = statistics.median(t.ms) if t.ms else 0.0

    def frac(a: int, b: int) -> str:
        return f"{a}/{b}" if b else "-"

    return (f"| {lang} | {project}{' (held out)' if held else ''} | {t.edits} | {t.skipped} | "
            f"**{t.false_alarms}** | {t.broken} | {frac(t.drops_caught, t.drops)} | {frac(t.typos_caught, t.typos)} | "
            f"{med:.0f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--langs", default="go,java,typescript,javascript,rust")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "check_languages"))
    ap.add_argument("--dev-only", action="store_true")
    ap.add_argument("--held-only", action="store_true")
    ap.add_argument("--show", action="store_true", help="print every false alarm and miss (dev projects)")
    ap.add_argument("--show-held", action="store_true", help="the same for held-out projects (read only "
                    "after their figures are recorded: then they are held out no more)")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    rows = ["| language | project | renames | skipped | false alarms | broken renames flagged | "
            "drops caught (file+line) | typos caught (file+line) | check ms p50 |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in args.langs.split(","):
        lang = LANGUAGES[name]
        for held, (project, fetch) in ((False, lang.dev), (True, lang.held)):
            if (held and args.dev_only) or (not held and args.held_only):
                continue
            t = run_project(fetch(cache), name, args.n, args.seed, (args.show and not held) or (args.show_held and held))
            rows.append(fmt_row(name, project, held, t))
            print(rows[-1], flush=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
