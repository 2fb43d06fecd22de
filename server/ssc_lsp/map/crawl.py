"""Which files of a workspace the map reads: .gitignore, .sscignore and configured excludes.

Binary files and files over the size limit are skipped with one log line each. Anything that
looks like a secret is never mapped either, so it can never reach a model through the map.
"""

from __future__ import annotations

import fnmatch
import logging
import os
from dataclasses import dataclass

import pathspec

log = logging.getLogger(__name__)

ALWAYS_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".ruff_cache",
                              ".pytest_cache", ".tox", ".nox", "node_modules", ".venv", "venv",
                              ".eggs", ".hypothesis", ".ssc"})
SOURCE_SUFFIXES = (".py", ".pyi")
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


def _spec(lines: list[str]) -> pathspec.GitIgnoreSpec:
    """The rules of an ignore file; a line that is not a valid pattern (`!` alone) is skipped,
    as git skips it, instead of failing the whole crawl."""
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:  # pathspec's GitIgnorePatternError is a ValueError
        return pathspec.GitIgnoreSpec.from_lines([ln for ln in lines if _valid(ln)])


def _valid(line: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([line])
        return True
    except ValueError:
        return False


class IgnoreRules:
    """gitignore-style rules from .gitignore / .sscignore files and configured globs."""

    def __init__(self, root: str, excludes: list[str] | tuple[str, ...] = ()):
        self.root = root
        self.extra = pathspec.GitIgnoreSpec.from_lines(list(excludes))
        self.specs: dict[str, pathspec.GitIgnoreSpec] = {}  # dir relpath -> spec

    def load_dir(self, reldir: str, absdir: str) -> None:
        lines: list[str] = []
        for name in (".gitignore", ".sscignore"):
            p = os.path.join(absdir, name)
            if os.path.isfile(p):
                try:
                    with open(p, encoding="utf-8", errors="replace") as f:
                        lines.extend(f.read().splitlines())
                except OSError:
                    pass
        if lines:
            self.specs[reldir] = _spec(lines)

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

    def load_ancestors(self, relpath: str) -> None:
        """Load the ignore files of every folder above `relpath` (for single-file checks)."""
        parts = relpath.split("/")[:-1]
        for i in range(len(parts) + 1):
            reldir = "/".join(parts[:i])
            if reldir not in self.specs:
                self.load_dir(reldir, os.path.join(self.root, reldir))


def is_binary(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return b"\0" in f.read(8192)
    except OSError:
        return True


def crawl(root: str, excludes: list[str] | tuple[str, ...] = (), max_size: int = 1_000_000,
          rules: IgnoreRules | None = None) -> list[FoundFile]:
    rules = rules or IgnoreRules(root, excludes)
    out: list[FoundFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        reldir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        reldir = "" if reldir == "." else reldir
        rules.load_dir(reldir, dirpath)
        keep = []
        for d in sorted(dirnames):
            rel = f"{reldir}/{d}" if reldir else d
            if d in ALWAYS_SKIP_DIRS or rules.ignored(rel, is_dir=True):
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            rel = f"{reldir}/{name}" if reldir else name
            if rules.ignored(rel) or looks_secret(rel):
                continue
            abspath = os.path.join(dirpath, name)
            try:
                st = os.stat(abspath)
            except OSError:
                continue
            if st.st_size > max_size:
                log.info("skipping %s: %d bytes is over the %d-byte limit", rel, st.st_size, max_size)
                continue
            if is_binary(abspath):
                log.info("skipping %s: binary content", rel)
                continue
            out.append(FoundFile(rel, abspath, st.st_size, st.st_mtime_ns))
    return out
