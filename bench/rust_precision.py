"""Rust definition answers on a real crate, for hand-checking (no rust-analyzer here).

Indexes a crate (e.g. Debian's librust-anyhow-dev, extracted with `dpkg-deb -x`), resolves every
name and path reference, counts what is answered (a workspace definition, or outside: std and
other crates) and what is left unanswered, and prints a seeded random sample of the workspace
answers with their source line and the definition's line, to be checked by hand. Precision is
what the checker finds right in the sample; "answered" is not recall (no oracle says how many
references a complete resolver would answer).

    python bench/rust_precision.py CRATE_DIR [--sample 60] [--seed 1]
    python bench/rust_precision.py WORKSPACE_DIR --cross ...  # only answers in another package

In a Cargo workspace, "cross-package" counts the workspace answers whose definition is in
another package (nearest Cargo.toml with a [package]) than the use; `--cross` samples those.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from ssc_lsp.map.records import REF_ATTRIBUTE, REF_NAME
from ssc_lsp.map.resolve import LOCAL, External
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.workspace import Located


def package_folder(root: Path, path: str, cache: dict[str, str]) -> str:
    """The folder of the nearest Cargo.toml above `path` that declares a [package]."""
    folder = path.rpartition("/")[0]
    if folder not in cache:
        manifest = root / folder / "Cargo.toml"
        if manifest.is_file() and b"[package]" in manifest.read_bytes():
            cache[folder] = folder
        else:
            cache[folder] = package_folder(root, folder, cache) if folder else ""
    return cache[folder]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("crate")
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cross", action="store_true", help="sample only answers in another package")
    args = ap.parse_args()
    root = Path(args.crate)
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    counts: Counter[str] = Counter()
    answered: list[tuple[str, int, int, str, Located]] = []
    packages: dict[str, str] = {}
    for path in sorted(svc.ws.files):
        fm = svc.ws.files[path]
        if fm.language.name != "rust":
            continue
        for ref, unit in fm.iter_refs():
            if ref.kind not in (REF_NAME, REF_ATTRIBUTE):
                continue
            kind = "path" if (ref.receiver or "").endswith("::") else \
                "field/method" if ref.receiver else "name"
            t = svc.resolver.resolve_ref(fm, ref, unit)
            if isinstance(t, Located):
                counts[f"{kind}: workspace"] += 1
                cross = package_folder(root, path, packages) != package_folder(root, t.file.path, packages)
                counts["(of which cross-package)"] += cross
                if args.cross and not cross:
                    continue
                answered.append((path, ref.row + unit.start_row, ref.col, f"{ref.receiver or ''}{ref.name}", t))
            elif t is LOCAL:  # a closure's, match arm's, `if let`'s or `for`'s binding: no symbol
                counts[f"{kind}: local, no symbol"] += 1
            elif isinstance(t, External):
                counts[f"{kind}: outside"] += 1
            else:
                counts[f"{kind}: none"] += 1
    total = sum(n for k, n in counts.items() if not k.startswith("("))
    print(f"{len(svc.ws.files)} files, {total} references")
    for k in sorted(counts):
        print(f"  {k:28} {counts[k]:6}  {100 * counts[k] / total:5.1f}%")
    rng = random.Random(args.seed)
    lines = {p: (root / p).read_text(errors="replace").split("\n") for p in svc.ws.files}  # not splitlines: \x0c, U+2028... are no line ends for the map
    for path, row, col, text, t in sorted(rng.sample(answered, min(args.sample, len(answered)))):
        s = t.symbol
        at = s.name_range[0]
        print(f"\n{path}:{row + 1}:{col} {text}\n    {lines[path][row].strip()[:110]}\n"
              f"  -> {t.file.path}:{at + 1} {s.kind} {s.qualname}\n    {lines[t.file.path][at].strip()[:110]}")


if __name__ == "__main__":
    main()
