"""Single-file mode: how long a file opened with no workspace folder waits for its neighbours.

For each project of the corpus (`bash /work/shared/bench/corpus.sh DIR`), one file of its
package that imports a name from a sibling module (`from .x import name` or `from pkg.x import
name`, `name` defined in x.py) is opened in the real server over stdio, and the imported name is asked for its
definition every 20 ms until the answer is in the other file (a client with VS Code's
capabilities, driven by tests/e2e/lsp.py). Timed from the answer to
`initialize` (`initialized` and `didOpen` follow at once), in three setups of the same run:

- **loose cold**: no `rootUri`, no folders (an editor that found no root marker); fresh cache.
- **loose warm**: the same again on that cache (the project's map is persisted per root).
- **folder cold** (the baseline): the project's sdist folder as the workspace folder, as an
  editor with a root marker starts it; fresh cache.

Before single-file mode the loose setup never answered the other file (the import line itself).
Also: files mapped in each setup (`ssc/status`).

    python bench/single_file_bench.py --corpus DIR [--reps 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))
sys.path.insert(0, str(HERE.parent))  # tests/e2e/lsp.py: the one way to drive the server

from lsprotocol import types  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from tests.e2e.lsp import running, wait_ready  # noqa: E402

DEADLINE_S = 60.0  # a hang guard, not a figure


def target(project: Path) -> tuple[Path, int, int, Path] | None:
    """The first file (sorted) of the package with `from .x import name` (or `from pkg.x import
    name`), name defined in x."""
    for path in sorted(project.glob("src/*/*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        pattern = rf"^from (?:\.|{path.parent.name}\.)(\w+) import (\w+)$"
        for m in re.finditer(pattern, text, re.M):
            other = path.parent / f"{m[1]}.py"
            if other.exists() and re.search(rf"^(def|class) {m[2]}\b", other.read_text(), re.M):
                line = text.count("\n", 0, m.start(2))
                col = m.start(2) - (text.rfind("\n", 0, m.start(2)) + 1)
                return path, line, col, other
    return None


async def once(root: Path | None, cache: Path, path: Path, line: int, col: int, other: Path) -> dict:
    async with running(root, cache, ready=False) as client:  # VS Code's capabilities
        t0 = time.perf_counter()
        uri = from_fs_path(str(path))
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=path.read_text())))
        want = from_fs_path(str(other))
        while True:
            got = await client.text_document_definition_async(types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, col)))
            got = got if isinstance(got, list) else [got] if got else []
            if any(getattr(g, "uri", None) == want for g in got):
                reached = time.perf_counter() - t0
                break
            if time.perf_counter() - t0 > DEADLINE_S:
                reached = float("nan")
                break
            await asyncio.sleep(0.02)
        status = await wait_ready(client, DEADLINE_S)
        return {"definition_s": reached, "ready_s": time.perf_counter() - t0,
                "files": sum(f["files"] for f in status["folders"])}


async def project(name: str, root: Path, reps: int) -> dict | None:
    found = target(root)
    if found is None:
        return None
    path, line, col, other = found
    runs: dict[str, list[dict]] = {"loose_cold": [], "loose_warm": [], "folder_cold": []}
    for _ in range(reps):
        cache = Path(tempfile.mkdtemp(prefix="ssc-sf-bench-"))
        try:
            runs["loose_cold"].append(await once(None, cache, path, line, col, other))
            runs["loose_warm"].append(await once(None, cache, path, line, col, other))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        cache = Path(tempfile.mkdtemp(prefix="ssc-sf-bench-"))
        try:
            runs["folder_cold"].append(await once(root, cache, path, line, col, other))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    out = {"file": str(path.relative_to(root)), "other": str(other.relative_to(root))}
    for setup, rs in runs.items():
        out[setup] = {k: round(statistics.median(r[k] for r in rs), 3) for k in rs[0]}
    out["definition_loose_over_folder"] = round(
        out["loose_cold"]["definition_s"] / out["folder_cold"]["definition_s"], 2)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder of projects (corpus.sh)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = {}
    for root in sorted(p for p in args.corpus.iterdir() if p.is_dir()):
        got = asyncio.run(project(root.name, root, args.reps))
        if got is None:
            print(f"{root.name}: no file with `from .x import name`", flush=True)
            continue
        results[root.name] = got
        print(json.dumps({root.name: got}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
