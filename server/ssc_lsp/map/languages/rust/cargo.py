"""Cargo.toml, as far as the map needs it: the crate's name and its crate roots.

Pure functions over the manifest's bytes and workspace-relative paths (the resolver reads the
file). A package has a library root (`[lib] path`, default `src/lib.rs`) and binary roots
(`src/main.rs`, `[[bin]] path`, `src/bin/*.rs`); each file directly in tests/, examples/ and
benches/ is a crate root of its own (Cargo's target auto-discovery).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tomllib

_AUTO_ROOT_DIRS = ("src/bin", "tests", "examples", "benches")


@dataclass(frozen=True)
class Package:
    folder: str  # the manifest's folder below the workspace root ("" at the root)
    name: str  # the library's name as code writes it (`-` -> `_`)
    lib: str  # workspace-relative path of the library root
    bins: tuple[str, ...] = field(default=())  # declared binary roots

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


def parse_manifest(folder: str, data: bytes) -> Package | None:
    """The package a Cargo.toml declares, or None (a virtual workspace manifest, bad TOML)."""
    try:
        doc = tomllib.loads(data.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return None
    pkg = doc.get("package")
    if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
        return None
    lib = doc.get("lib") if isinstance(doc.get("lib"), dict) else {}
    name = lib.get("name") if isinstance(lib.get("name"), str) else pkg["name"]
    base = Package(folder, name.replace("-", "_"), "")
    lib_path = lib.get("path") if isinstance(lib.get("path"), str) else "src/lib.rs"
    bins = tuple(base.rel(_norm(b["path"])) for b in doc.get("bin", []) if isinstance(b, dict)
                 and isinstance(b.get("path"), str))
    return Package(folder, base.name, base.rel(_norm(lib_path)), bins)


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
