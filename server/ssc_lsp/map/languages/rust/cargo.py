"""Cargo.toml, as far as the map needs it: the crate's name, its crate roots, the crates of
the workspace it depends on.

Pure functions over the manifest's bytes and workspace-relative paths (the resolver reads the
files). A package has a library root (`[lib] path`, default `src/lib.rs`) and binary roots
(`src/main.rs`, `[[bin]] path`, `src/bin/*.rs`); each file directly in tests/, examples/ and
benches/ is a crate root of its own (Cargo's target auto-discovery).

Other crates of the workspace are reached only through path dependencies (Cargo's rules: a
workspace member is no dependency by being a member): `foo = { path = "../foo" }` in
`[dependencies]`, `[dev-dependencies]`, `[build-dependencies]` or a `[target.*]` table, code
writing the key with `-` as `_` when it is renamed (`bar = { path = ..., package = "foo" }`),
else the library name of the package at that path; `foo = { workspace = true }` (or
`foo.workspace = true`) takes the entry of `[workspace.dependencies]` of the workspace root,
the nearest manifest above with a `[workspace]` whose `members` (globs) take the package and
whose `exclude` does not. A dependency with no path is a crate from a registry: outside.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import tomllib

_DEP_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")

_AUTO_ROOT_DIRS = ("src/bin", "tests", "examples", "benches")


@dataclass(frozen=True)
class Package:
    folder: str  # the manifest's folder below the workspace root ("" at the root)
    name: str  # the library's name as code writes it (`-` -> `_`)
    lib: str  # workspace-relative path of the library root
    bins: tuple[str, ...] = field(default=())  # declared binary roots
    deps: tuple[Dep, ...] = field(default=())  # its dependencies that may be workspace crates

    def rel(self, path: str) -> str:
        return f"{self.folder}/{path}" if self.folder else path

    def is_root(self, relpath: str) -> bool:
        """Whether a file is a crate root of this package."""
        if relpath == self.lib or relpath in self.bins or relpath == self.rel("src/main.rs"):
            return True
        folder, _, name = relpath.rpartition("/")
        return name.endswith(".rs") and any(folder == self.rel(d) for d in _AUTO_ROOT_DIRS)

    @property
    def main(self) -> str:
        return self.rel("src/main.rs")


@dataclass(frozen=True)
class Dep:
    key: str  # the dependency's key in the manifest
    path: str | None  # workspace-relative folder of a path dependency; None: from a registry
    renamed: bool = False  # `package = "..."`: code names it by its key
    inherited: bool = False  # `workspace = true`: the workspace root's entry says where

    @property
    def code_name(self) -> str:
        return self.key.replace("-", "_")


@dataclass(frozen=True)
class CargoWorkspace:
    folder: str  # the root manifest's folder
    members: tuple[str, ...]  # globs, relative to the folder
    exclude: tuple[str, ...]
    deps: dict[str, Dep]  # `[workspace.dependencies]`, paths made workspace-relative

    def has_member(self, folder: str) -> bool:
        """Whether the package in `folder` belongs to this workspace (the root package does)."""
        if folder == self.folder:
            return True
        prefix = self.folder + "/" if self.folder else ""
        if not folder.startswith(prefix):
            return False
        rel = folder[len(prefix):]
        if any(rel == e or rel.startswith(e.rstrip("/") + "/") for e in self.exclude):
            return False
        return any(_glob_match(rel, m) for m in self.members)


def _glob_match(path: str, pattern: str) -> bool:
    """A member glob: `*`, `?`, `[..]` within one path segment, `**` across any, as Cargo's
    glob crate."""
    pattern = _norm(pattern).rstrip("/")
    if "**" in pattern:
        return fnmatchcase(path, pattern.replace("**", "*"))
    parts, pats = path.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatchcase(a, b) for a, b in zip(parts, pats, strict=True))


def load_toml(data: bytes) -> dict | None:
    """A manifest's table, or None (bad TOML)."""
    try:
        return tomllib.loads(data.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return None


def parse_manifest(folder: str, data: bytes) -> Package | None:
    """The package a Cargo.toml declares, or None (a virtual workspace manifest, bad TOML)."""
    doc = load_toml(data)
    return package_of_doc(folder, doc) if doc is not None else None


def parse_workspace(folder: str, doc: dict) -> CargoWorkspace | None:
    """The `[workspace]` a manifest declares, or None."""
    ws = doc.get("workspace")
    if not isinstance(ws, dict):
        return None
    members = tuple(m for m in ws.get("members", ()) if isinstance(m, str)) \
        if isinstance(ws.get("members"), list) else ()
    exclude = tuple(_norm(m) for m in ws.get("exclude", ()) if isinstance(m, str)) \
        if isinstance(ws.get("exclude"), list) else ()
    table = ws.get("dependencies")
    deps = {d.key: d for d in _deps_of(folder, table)} if isinstance(table, dict) else {}
    return CargoWorkspace(folder, members, exclude, deps)


def package_of_doc(folder: str, doc: dict) -> Package | None:
    """The package of a parsed manifest, or None (a virtual workspace manifest)."""
    pkg = doc.get("package")
    if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
        return None
    lib = doc.get("lib") if isinstance(doc.get("lib"), dict) else {}
    name = lib.get("name") if isinstance(lib.get("name"), str) else pkg["name"]
    base = Package(folder, name.replace("-", "_"), "")
    lib_path = lib.get("path") if isinstance(lib.get("path"), str) else "src/lib.rs"
    bins = tuple(base.rel(_norm(b["path"])) for b in doc.get("bin", []) if isinstance(b, dict)
                 and isinstance(b.get("path"), str))
    tables = [doc.get(t) for t in _DEP_TABLES]
    targets = doc.get("target")
    if isinstance(targets, dict):  # [target.'cfg(unix)'.dependencies]: any platform's
        tables += [t.get(k) for t in targets.values() if isinstance(t, dict) for k in _DEP_TABLES]
    deps = tuple(d for t in tables if isinstance(t, dict) for d in _deps_of(folder, t))
    return Package(folder, base.name, base.rel(_norm(lib_path)), bins, deps)


def _deps_of(folder: str, table: dict) -> list[Dep]:
    """The entries of one dependency table that may name a workspace crate."""
    out = []
    for key, spec in table.items():
        if not isinstance(spec, dict):
            continue  # `foo = "1.0"`: a registry's
        renamed = isinstance(spec.get("package"), str) and spec["package"] != key
        if spec.get("workspace") is True:
            out.append(Dep(key, None, renamed, inherited=True))
        elif isinstance(spec.get("path"), str):
            path = posixpath.normpath(posixpath.join(folder, spec["path"])) if folder else \
                posixpath.normpath(spec["path"])
            if path == ".":
                path = ""
            if path != ".." and not path.startswith(("../", "/")):  # outside the workspace folder
                out.append(Dep(key, path, renamed))
    return out


def _norm(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def module_dir(relpath: str, is_root: bool) -> str:
    """The folder a file's `mod x;` items look in: a crate root's or a `mod.rs`'s own folder,
    else the folder named after the file (`src/a.rs` -> `src/a`)."""
    folder, _, name = relpath.rpartition("/")
    if is_root or name == "mod.rs":
        return folder
    return relpath[:-3] if relpath.endswith(".rs") else relpath


def child_files(relpath: str, is_root: bool, inline: list[str], name: str, path_attr: str | None) -> list[str]:
    """Where `mod name;` (inside inline modules `inline`) of file `relpath` may be, in order."""
    if path_attr is not None and not inline:
        folder = relpath.rpartition("/")[0]
        return [f"{folder}/{path_attr}" if folder else path_attr]
    base = "/".join(x for x in [module_dir(relpath, is_root), *inline] if x)
    stem = f"{base}/{name}" if base else name
    return [f"{stem}.rs", f"{stem}/mod.rs"]
