"""Which files of a Go package build together: file-name suffixes (`_windows.go`,
`_linux_arm64.go`) and `//go:build` lines, for one target (the Go command's defaults on the host
people run the server on most: linux/amd64 with cgo). A package-level name defined in several
files under exclusive constraints (`newFD` in fd_unix.go and fd_windows.go) then resolves to the
one that builds, as gopls does with its default environment.
"""

from __future__ import annotations

import re
from functools import lru_cache

GOOS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd "
                 "plan9 solaris wasip1 windows zos".split())
GOARCH = frozenset("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le "
                   "mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 "
                   "wasm".split())
UNIX = frozenset("aix android darwin dragonfly freebsd hurd illumos ios linux netbsd openbsd "
                 "solaris".split())
TARGET = ("linux", "amd64")
_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_.]+)")


def tags(goos: str = TARGET[0], goarch: str = TARGET[1]) -> frozenset[str]:
    """The build tags satisfied on a target (release tags `go1.N` are checked apart)."""
    out = {goos, goarch, "gc", "cgo"}
    if goos in UNIX:
        out.add("unix")
    return frozenset(out)


def name_matches(path: str, goos: str = TARGET[0], goarch: str = TARGET[1]) -> bool:
    """The file-name rule: `*_GOOS`, `*_GOARCH`, `*_GOOS_GOARCH` (before `_test.go`)."""
    stem = path.rpartition("/")[2].removesuffix(".go").removesuffix("_test")
    parts = stem.split("_")[1:]
    if len(parts) >= 2 and parts[-2] in GOOS and parts[-1] in GOARCH:
        return parts[-2] == goos and parts[-1] == goarch
    if parts and parts[-1] in GOOS:
        return parts[-1] == goos
    if parts and parts[-1] in GOARCH:
        return parts[-1] == goarch
    return True


def expr_matches(expr: str, goos: str = TARGET[0], goarch: str = TARGET[1]) -> bool:
    """A `//go:build` expression on the target (`||`, `&&`, `!`, parentheses, tags); one that
    does not parse counts as true (say nothing rather than drop a file)."""
    have = tags(goos, goarch)
    toks: list[str] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            return True
        toks.append(m.group(1))
        pos = m.end()
    try:
        value, rest = _or(toks, have)
    except (IndexError, ValueError):
        return True
    return value if not rest else True


def _or(toks: list[str], have: frozenset[str]) -> tuple[bool, list[str]]:
    value, toks = _and(toks, have)
    while toks and toks[0] == "||":
        right, toks = _and(toks[1:], have)
        value = value or right
    return value, toks


def _and(toks: list[str], have: frozenset[str]) -> tuple[bool, list[str]]:
    value, toks = _not(toks, have)
    while toks and toks[0] == "&&":
        right, toks = _not(toks[1:], have)
        value = value and right
    return value, toks


def _not(toks: list[str], have: frozenset[str]) -> tuple[bool, list[str]]:
    tok = toks[0]
    if tok == "!":
        value, rest = _not(toks[1:], have)
        return not value, rest
    if tok == "(":
        value, rest = _or(toks[1:], have)
        if not rest or rest[0] != ")":
            raise ValueError("unclosed (")
        return value, rest[1:]
    if tok in ("&&", "||", ")"):
        raise ValueError(tok)
    return tok in have or re.fullmatch(r"go1\.\d+", tok) is not None, toks[1:]


@lru_cache(maxsize=4096)
def file_builds(path: str, expr: str | None) -> bool:
    return name_matches(path) and (expr is None or expr_matches(expr))
