"""Which files of a workspace the map reads: .gitignore, .sscignore and configured excludes.

Files over the size limit, links out of the workspace and anything not a regular file are
skipped and reported (binary content is found when read, `source.read_source`). Anything that looks
like a secret is never mapped either, so it can never reach a model through the map.
"""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pathspec

from .languages import is_source
from .source import check_source

log = logging.getLogger(__name__)

ALWAYS_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".ruff_cache",
                              ".pytest_cache", ".tox", ".nox", "node_modules", ".venv", "venv",
                              ".eggs", ".hypothesis", ".ssc"})
MAX_IGNORE_FILE = 1_000_000  # characters of one ignore file read
SECRET_PATTERNS = (".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx", "id_rsa*", "id_dsa*",
                   "id_ecdsa*", "id_ed25519*", "credentials", "credentials.*", "*.keystore",
                   ".netrc", ".pgpass", "secrets.*", "*secret*.json")


def looks_secret(relpath: str) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, p) for p in SECRET_PATTERNS)


@dataclass(frozen=True, slots=True)
class FoundFile:
    relpath: str
    abspath: str
    size: int
    mtime_ns: int


class IgnoreRules:
    """gitignore-style rules from .gitignore / .sscignore files and configured globs.

    A pattern pathspec cannot compile (a lone `!`) is skipped with one log line naming the file
    and line, and kept in `problems`; the other lines of its file still apply.
    """

    def __init__(self, root: str, excludes: list[str] | tuple[str, ...] = ()):
        self.root = root
        self.problems: dict[str, str] = {}  # "path:line" -> why the pattern was skipped
        self.extra = self._compile([(line, "map.exclude", i) for i, line in enumerate(excludes)])
        self.specs: dict[str, pathspec.GitIgnoreSpec] = {}  # dir relpath -> spec

    def _compile(self, lines: list[tuple[str, str, int]]) -> pathspec.GitIgnoreSpec:
        """Compile (pattern, file, 0-based line) at once; line by line only when that fails."""
        try:
            return pathspec.GitIgnoreSpec.from_lines([p for p, _, _ in lines])
        except Exception:
            pass
        good = []
        for pattern, where, i in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([pattern])
            except Exception as e:
                key = f"{where}:{i + 1}"
                if key not in self.problems:
                    log.warning("%s: invalid ignore pattern %r skipped (%s)", key, pattern, e)
                self.problems[key] = f"invalid ignore pattern {pattern!r}"
                continue
            good.append(pattern)
        return pathspec.GitIgnoreSpec.from_lines(good)

    def load_dir(self, reldir: str, absdir: str) -> None:
        lines: list[tuple[str, str, int]] = []
        for name in (".gitignore", ".sscignore"):
            p = os.path.join(absdir, name)
            if os.path.isfile(p):  # a regular file (or a link to one): never a FIFO
                try:
                    with open(p, encoding="utf-8", errors="replace") as f:
                        text = f.read(MAX_IGNORE_FILE)
                except OSError:
                    continue
                rel = f"{reldir}/{name}" if reldir else name
                lines.extend((line, rel, i) for i, line in enumerate(text.splitlines()))
        if lines:
            self.specs[reldir] = self._compile(lines)

    def ignored(self, relpath: str, is_dir: bool = False) -> bool:
        probe = relpath + "/" if is_dir else relpath
        if self.extra.match_file(probe):
            return True
        for reldir, spec in self.specs.items():
            if reldir == "":
                sub = probe
            elif probe.startswith(reldir + "/"):
                sub = probe[len(reldir) + 1:]
            else:
                continue
            if spec.match_file(sub):
                return True
        return False

    def ignores(self, relpath: str) -> bool:
        """Whether one workspace file is ignored, by itself or by a folder above it, with the
        ignore files of every folder above loaded first (the crawl prunes folders as it walks;
        a single file asked about later has no walk behind it)."""
        self.load_ancestors(relpath)
        parts = relpath.split("/")
        return any(self.ignored("/".join(parts[:i]), is_dir=True) for i in range(1, len(parts))) \
            or self.ignored(relpath)

    def load_ancestors(self, relpath: str) -> None:
        """Load the ignore files of every folder above `relpath` (for single-file checks)."""
        parts = relpath.split("/")[:-1]
        for i in range(len(parts) + 1):
            reldir = "/".join(parts[:i])
            if reldir not in self.specs:
                self.load_dir(reldir, os.path.join(self.root, reldir))


@dataclass(frozen=True, slots=True)
class Scope:
    """Which part of a root the map reads: folders (relative, "" = the root), each either whole
    or only its own files. A workspace folder is read whole; a project found around a file
    outside every folder (map/project_root.py) may be read in part (never the home directory
    whole)."""

    dirs: tuple[tuple[str, bool], ...] = (("", True),)  # (folder, recursive)

    @property
    def whole(self) -> bool:
        return ("", True) in self.dirs

    def covers(self, relpath: str) -> bool:
        """Whether a file (relative to the root) is inside the scope."""
        folder = relpath.rsplit("/", 1)[0] if "/" in relpath else ""
        return any(folder == d or (deep and (d == "" or folder.startswith(d + "/")))
                   for d, deep in self.dirs)

    def covers_dir(self, reldir: str) -> bool:
        """Whether a whole folder (relative to the root) is inside the scope."""
        return any(deep and (d == "" or reldir == d or reldir.startswith(d + "/"))
                   for d, deep in self.dirs)

    def enters(self, reldir: str) -> bool:
        """Whether the walk must go into a folder: it is in the scope or leads to a part of it."""
        return self.covers_dir(reldir) or any(d.startswith(reldir + "/") or d == reldir
                                              for d, _ in self.dirs)

    def union(self, other: Scope) -> Scope:
        if self.whole or other.whole:
            return Scope()
        return Scope(tuple(sorted(set(self.dirs) | set(other.dirs))))


WHOLE = Scope()


def crawl(root: str, excludes: list[str] | tuple[str, ...] = (), max_size: int = 1_000_000,
          rules: IgnoreRules | None = None, skipped: dict[str, str] | None = None) -> list[FoundFile]:
    return list(walk(root, excludes, max_size, rules, skipped=skipped))


def walk(root: str, excludes: list[str] | tuple[str, ...] = (), max_size: int = 1_000_000,
         rules: IgnoreRules | None = None, skipped: dict[str, str] | None = None,
         scope: Scope = WHOLE) -> Iterator[FoundFile]:
    """The source files to map, found lazily (a caller with a file-count limit stops the walk).
    What is skipped for a reason the user may not expect (too large, not a regular file, a link
    out of the workspace, a loop) goes to `skipped` (relpath -> reason; the service logs and
    reports them); ignored and secret-looking files are skipped silently. Directory links are
    not followed (no loops, nothing outside), binary content is found when read."""
    rules = rules or IgnoreRules(root, excludes)
    skipped = skipped if skipped is not None else {}

    def unreadable(e: OSError) -> None:
        rel = os.path.relpath(e.filename or root, root).replace(os.sep, "/")
        skipped[rel] = f"cannot list: {e.strerror or e}"
        log.debug("skipping %s: %s", rel, skipped[rel])

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        reldir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        reldir = "" if reldir == "." else reldir
        rules.load_dir(reldir, dirpath)
        keep = []
        for d in sorted(dirnames):
            rel = f"{reldir}/{d}" if reldir else d
            if d in ALWAYS_SKIP_DIRS or rules.ignored(rel, is_dir=True) or not scope.enters(rel):
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not is_source(name):
                continue
            rel = f"{reldir}/{name}" if reldir else name
            if rules.ignored(rel) or looks_secret(rel) or not scope.covers(rel):
                continue
            abspath = os.path.join(dirpath, name)
            st, reason = check_source(abspath, max_size, root, parents_inside=True)
            if st is None:
                log.debug("skipping %s: %s", rel, reason)
                skipped[rel] = reason or "?"
                continue
            yield FoundFile(rel, abspath, st.st_size, st.st_mtime_ns)
