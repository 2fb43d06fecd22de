"""The Go standard library's package members, read from the installed toolchain's sources, for
the completions' check (rules/go.py): `fmt.Printn` is caught, `fmt.Println` passes.

Why the sources and not a list: they are what the user's `go` builds against, found the way `go`
finds them (`go env GOROOT`, asked once per process with a deadline; no `go` on PATH, nothing is
decided). Why every file of a package: a name declared only for another platform
(`syscall.CreateFile` in a `_windows.go` file) still exists; only `_test.go` files are left out
(their names are not the package's to importers). Precision first, so also: a package's members
are decided only when its directory is under GOROOT/src (an import path with no dot in its
first element and no such directory is unknown), and never when the module's `go` directive
names a newer Go than the toolchain's (a name added since would be a false alarm).

Each package is read once per process (a tree-sitter pass over its files, the map's own
extraction of package-level names), within a size cap; a package over it is not decided.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass

import tree_sitter as ts

from ..map.languages.common import node_text as _text
from ..map.languages.go import GO
from ..map.languages.go.extract import package_level_names

log = logging.getLogger(__name__)

GO_ENV_SECONDS = 10.0  # `go env` slower than this: no toolchain (asked once per process)
MAX_PACKAGE_FILES = 1000  # a package with more non-test files is not decided
MAX_PACKAGE_BYTES = 16 << 20  # nor one with more source (syscall, the largest, is 4.7 MB)

_VERSION = re.compile(r"go(\d+)\.(\d+)")
_GO_DIRECTIVE = re.compile(rb"^\s*go\s+(\d+)\.(\d+)", re.M)


@dataclass(frozen=True)
class Goroot:
    """An installed toolchain: its GOROOT and its Go version (major, minor)."""

    path: str
    version: tuple[int, int]


@dataclass
class _Type:
    """What a package's declarations of one type say about its members (every declaration:
    per-platform ones are merged, a member in any of them exists)."""

    own: set[str]  # fields, interface methods, methods declared on it
    embedded: set[str]  # embedded types of the same package, by name
    open: bool = False  # members come from where this reading does not look (alias, `type T U`,
    # an embedded type of another package, a constraint's type set)


@dataclass(frozen=True)
class _Package:
    names: frozenset[str]
    types: dict[str, _Type]


_lock = threading.Lock()
_goroot: list[Goroot | None] = []  # asked once: [] before, [answer] after
_packages: dict[str, _Package | None] = {}
_directives: dict[str, tuple[tuple[int, int], tuple[int, int] | None]] = {}  # go.mod -> (stamp, version)
_newer_logged: set[str] = set()


def goroot() -> Goroot | None:
    """The toolchain `go` on PATH uses, or None (no `go`, no sources, no version)."""
    with _lock:
        if not _goroot:
            _goroot.append(_find_goroot())
        return _goroot[0]


def _find_goroot() -> Goroot | None:
    exe = shutil.which("go")
    if exe is None:
        return None
    # from `/` with GOTOOLCHAIN=local: a go.mod asking for a newer Go must not make `go`
    # fetch a toolchain (Go 1.21+), nor a GOFLAGS of the user's fail the query
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": ""}
    try:
        out = subprocess.run([exe, "env", "GOROOT", "GOVERSION"], capture_output=True, text=True,
                             timeout=GO_ENV_SECONDS, cwd="/", env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        log.info("go std members not checked: `go env GOROOT` failed: %s", e)
        return None
    lines = out.stdout.splitlines()
    if out.returncode != 0 or not lines or not os.path.isdir(os.path.join(lines[0], "src")):
        log.info("go std members not checked: no GOROOT sources (`go env GOROOT`: %r)", out.stdout.strip())
        return None
    version = _version_file(lines[0]) or _parse_version(lines[1] if len(lines) > 1 else "")
    if version is None:
        log.info("go std members not checked: no Go version for GOROOT %s", lines[0])
        return None
    log.info("go std members from %s (go%d.%d)", lines[0], *version)
    return Goroot(lines[0], version)


def _version_file(root: str) -> tuple[int, int] | None:
    try:
        with open(os.path.join(root, "VERSION"), encoding="utf-8", errors="replace") as f:
            return _parse_version(f.readline())
    except OSError:
        return None


def _parse_version(text: str) -> tuple[int, int] | None:
    m = _VERSION.match(text.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def is_std_path(path: str) -> bool:
    """Whether an import path may name a standard package (no dot in its first element, as the
    Go command tells them from module paths); `C` is cgo's, never one."""
    first = path.partition("/")[0]
    return bool(first) and "." not in first and path != "C" and ".." not in path.split("/")


def package_members(path: str) -> frozenset[str] | None:
    """The package-level names of the standard package `path` in the toolchain's sources, or
    None when they cannot be listed (no toolchain, no such directory, over the size cap)."""
    pkg = _package(path)
    return pkg.names if pkg is not None else None


def type_members(path: str, name: str) -> frozenset[str] | None:
    """Every field and method a value of the standard package's type `name` has (its own, and
    those promoted from types it embeds), or None when that is not certain: the type is an
    alias or defined from another type, or embeds one from another package."""
    pkg = _package(path)
    if pkg is None or name not in pkg.types:
        return None
    out: set[str] = set()
    todo, seen = [name], set()
    while todo:
        t = pkg.types.get(todo.pop())
        if t is None or t.open:
            return None
        out |= t.own | t.embedded  # an embedded field is selected by its type's name
        todo.extend(e for e in t.embedded if e not in seen)
        seen.update(t.embedded)
    return frozenset(out)


def _package(path: str) -> _Package | None:
    root = goroot()
    if root is None or not is_std_path(path):
        return None
    with _lock:
        if path not in _packages:
            _packages[path] = _read_package(os.path.join(root.path, "src", *path.split("/")))
        return _packages[path]


def _read_package(folder: str) -> _Package | None:
    try:
        files = sorted(e.path for e in os.scandir(folder)
                       if e.name.endswith(".go") and not e.name.endswith("_test.go") and e.is_file())
    except OSError:
        return None  # not installed (or not a standard package)
    if not files or len(files) > MAX_PACKAGE_FILES:
        return None
    parser = GO.parser()
    names: set[str] = set()
    types: dict[str, _Type] = {}
    total = 0
    for f in files:
        try:
            with open(f, "rb") as fh:
                data = fh.read(MAX_PACKAGE_BYTES + 1 - total)
        except OSError:
            return None  # a file that cannot be read may declare anything
        total += len(data)
        if total > MAX_PACKAGE_BYTES:
            log.info("go std package %s over %d bytes: its members are not checked", folder, MAX_PACKAGE_BYTES)
            return None
        tree = parser.parse(data).root_node
        names |= package_level_names(tree)
        _read_types(tree, types)
    return _Package(frozenset(names), types)


_NAMED = ("type_identifier", "generic_type", "pointer_type")
_ELEMENTS = frozenset({"func_type", "slice_type", "map_type", "channel_type", "array_type"})


def _read_types(root: ts.Node, types: dict[str, _Type]) -> None:
    """The members one file declares for its package's types (see `_Type`)."""
    for decl in root.named_children:
        if decl.type == "method_declaration":
            recv, name = decl.child_by_field_name("receiver"), decl.child_by_field_name("name")
            params = [c for c in recv.named_children if c.type == "parameter_declaration"] if recv else []
            base = _type_name(params[0].child_by_field_name("type")) if params else None
            if base is not None and name is not None:
                _type(types, base).own.add(_text(name))
            continue
        if decl.type != "type_declaration":
            continue
        for spec in decl.named_children:
            name = spec.child_by_field_name("name")
            if name is None:
                continue
            t = _type(types, _text(name))
            body = spec.child_by_field_name("type")
            if spec.type != "type_spec" or body is None:
                t.open = True  # an alias (or a form this reading does not know)
            elif body.type == "struct_type":
                _read_struct(body, t)
            elif body.type == "interface_type":
                _read_interface(body, t)
            elif body.type not in _ELEMENTS:
                t.open = True  # `type T U`: U's fields (a struct's) without its methods


def _read_struct(body: ts.Node, t: _Type) -> None:
    for field in (f for lst in body.named_children for f in lst.named_children
                  if f.type == "field_declaration"):
        names = field.children_by_field_name("name")
        if names:
            t.own.update(_text(n) for n in names)
            continue
        embedded = _type_name(field.child_by_field_name("type"))
        if embedded is None:
            t.open = True  # `io.Reader`: another package's type
        else:
            t.embedded.add(embedded)


def _read_interface(body: ts.Node, t: _Type) -> None:
    for elem in body.named_children:
        if elem.type == "method_elem":
            name = elem.child_by_field_name("name")
            if name is not None:
                t.own.add(_text(name))
        elif elem.type == "type_elem" and len(elem.named_children) == 1 and \
                elem.named_children[0].type in _NAMED:
            embedded = _type_name(elem.named_children[0])
            if embedded is None:
                t.open = True
            else:
                t.embedded.add(embedded)
        elif elem.type != "comment":
            t.open = True  # a qualified interface, or a constraint's type set


def _type_name(node: ts.Node | None) -> str | None:
    """`T`, `*T`, `T[K]` of this package: the type's name (None for another package's)."""
    while node is not None and node.type in ("pointer_type", "generic_type"):
        node = next((c for c in node.named_children if c.type != "type_arguments"), None)
    return _text(node) if node is not None and node.type == "type_identifier" else None


def _type(types: dict[str, _Type], name: str) -> _Type:
    return types.setdefault(name, _Type(set(), set()))


def version_fits(gomod: str | None) -> bool:
    """Whether the toolchain is at least as new as the `go` directive of the go.mod at `gomod`
    (None: no go.mod, no directive: nothing to be newer). Logged once per go.mod when not."""
    root = goroot()
    if root is None:
        return False
    wanted = _directive(gomod) if gomod is not None else None
    if wanted is None or wanted <= root.version:
        return True
    with _lock:
        if gomod not in _newer_logged:
            _newer_logged.add(gomod)
            log.info("%s asks for go%d.%d, newer than the toolchain's go%d.%d (%s): standard "
                     "library members are not checked", gomod, *wanted, *root.version, root.path)
    return False


def _directive(gomod: str) -> tuple[int, int] | None:
    """The (major, minor) of the go.mod's `go` directive, re-read when the file changes."""
    try:
        st = os.stat(gomod)
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    with _lock:
        held = _directives.get(gomod)
    if held is not None and held[0] == stamp:
        return held[1]
    try:
        with open(gomod, "rb") as f:
            m = _GO_DIRECTIVE.search(f.read(65536))
    except OSError:
        return None
    version = (int(m.group(1)), int(m.group(2))) if m else None
    with _lock:
        _directives[gomod] = (stamp, version)
    return version
