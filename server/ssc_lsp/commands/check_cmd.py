"""`ssc-lsp check`: judge a unified diff on the map before it lands.

The diff is judged against the root's files as they are *before* it: with `--diff FILE` (or `-`
for stdin) the files on disk; by default `git diff HEAD` of the working tree, whose "before" is
HEAD (the working tree is read and the diff undone on it). Exit 0: no problem; 1: problems;
2: the diff does not apply, or bad usage (the reason on stderr).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ..grounding.diff import DiffError, apply, parse
from ..grounding.edit_check import EditCheck, to_json
from ..map.document import build_filemap
from ..map.history import History
from ..map.languages import language_for_path
from ..map.service import MapOptions, MapService

OK, PROBLEMS, UNUSABLE = 0, 1, 2


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="judge a unified diff on the map before it lands "
                       "(default: git diff of the working tree against HEAD)")
    p.add_argument("--root", default=".", help="the workspace folder the diff's paths are relative to")
    p.add_argument("--diff", metavar="FILE", help="a unified diff (a/ b/ prefixes); '-' for stdin")
    p.add_argument("--json", action="store_true",
                   help='print {"problems": [{path, line, column, kind, message, symbol}]}')
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the SQLite cache")
    p.add_argument("--exclude", action="append", default=[], help="gitignore-style glob to skip")
    p.set_defaults(run=run)


def _fail(reason: str) -> int:
    print(f"ssc-lsp check: {reason}", file=sys.stderr)
    return UNUSABLE


def _git_diff(root: str) -> bytes:
    try:
        done = subprocess.run(["git", "diff", "--no-color", "--no-ext-diff", "--relative",
                               "--src-prefix=a/", "--dst-prefix=b/", "HEAD", "--"],
                              cwd=root, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise DiffError(f"cannot run git: {e}") from None
    if done.returncode != 0:
        raise DiffError("git diff failed: " + done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


def _reader(root: str):
    def read(rel: str) -> bytes | None:
        full = os.path.join(root, *rel.split("/"))
        if not os.path.isfile(full):
            return None
        with open(full, "rb") as f:
            return f.read()
    return read


def run(args) -> int:
    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        return _fail(f"{args.root} is not a folder")
    disk = _reader(root)
    try:
        if args.diff is None:
            patches = parse(_git_diff(root))
            before = apply(patches, disk, reverse=True)  # undone on the working tree: HEAD
            after = {p: disk(p) for p in before}
        else:
            if args.diff == "-":
                raw = sys.stdin.buffer.read()
            else:
                try:
                    with open(args.diff, "rb") as f:
                        raw = f.read()
                except OSError as e:
                    return _fail(f"cannot read {args.diff}: {e.strerror}")
            patches = parse(raw)
            after = apply(patches, disk)
            before = None
    except DiffError as e:
        return _fail(f"the diff does not apply: {e}")
    svc = MapService(root, MapOptions(exclude=args.exclude, persist=not args.no_cache))
    try:
        svc.index()
        if before is not None:
            _rewind(svc, before)
        read_before = (lambda rel: before.get(rel) if rel in before else disk(rel)) if before is not None else disk
        result = EditCheck(svc, read_before).check(after)
    finally:
        svc.close_store()
    items = [to_json(p, after[p.path] if p.path in after else disk(p.path)) for p in result.problems]
    if args.json:
        print(json.dumps({"problems": items}, indent=2))
    else:
        for it in items:
            print(f"{it['path']}:{it['line']}:{it['column']}: {it['kind']}: {it['message']}")
        files = len({it["path"] for it in items})
        print(f"{len(items)} problem{'s' if len(items) != 1 else ''} in {files} "
              f"file{'s' if files != 1 else ''} ({len(after)} edited, {len(result.checked)} checked, "
              f"{result.ms:.0f} ms)", file=sys.stderr)
    return PROBLEMS if items else OK


def _rewind(svc: MapService, before: dict[str, bytes | None]) -> None:
    """The map of the working tree, with the diff's files as they were before it (HEAD).

    The workspace gets a throwaway history: going back to HEAD is not a change to remember."""
    svc.ws.history = History()
    for rel, data in before.items():
        if rel not in svc.ws.files and data is None:
            continue
        if data is None:
            svc.ws.remove(rel)
        elif (lang := language_for_path(rel)) is not None and (rel in svc.ws.files or svc.is_mapped(rel)):
            svc.ws.put(build_filemap(lang, rel, svc.ws.module_name(rel), data,
                                     svc.parsers.get(lang).parse(data)), record=False)
