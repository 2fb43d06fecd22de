"""Module specifiers of TypeScript and JavaScript, resolved as tsc and Node resolve them.

Pure functions over workspace-relative paths (forward slashes): which module (a path without its
extension, the key of the map's module table) an `import`/`export ... from`/`require()`
specifier names, given a test of which modules exist and the project's configuration
(tsconfig `baseUrl`/`paths`/`extends`, workspace packages' `package.json` `name`/`main`/
`exports`). `load_config` reads that configuration from disk; everything else is pure and
unit-tested without a disk.

Only what the rules make certain: a specifier that names nothing in the workspace (a package in
`node_modules`, a `.css` file, a target that does not exist) resolves to None, never to a guess.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# the suffixes the map gives TS/JS files, longest first (a declaration's `.d.ts` before `.ts`)
SUFFIXES = (".d.mts", ".d.cts", ".d.ts", ".tsx", ".mts", ".cts", ".jsx", ".mjs", ".cjs", ".ts", ".js")
DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
# `exports` conditions read, in order: types first (what tsc reads), then the runtimes'
CONDITIONS = ("types", "import", "require", "node", "default")
MAX_EXTENDS = 8  # tsconfig `extends` chains longer than this are cut (a loop, most likely)

Exists = Callable[[str], bool]


def strip_suffix(path: str) -> str:
    """`src/a.ts` -> `src/a`; `src/a.d.ts` -> `src/a` (a declaration names its module)."""
    for s in SUFFIXES:
        if path.endswith(s) and len(path) > len(s):
            return path[: -len(s)]
    return path


def module_name(relpath: str, package_dirs: set[str] | None = None) -> str:
    """The module of a file: its path without the extension (`src/index.ts` -> `src/index`).

    `index` stays in the name: `./dir` finds `dir/index` by probing (`probe`), as Node does, so
    one file has one name."""
    return strip_suffix(relpath)


@dataclass(frozen=True)
class Package:
    """A workspace package: its folder and what its package.json says of its entry points."""

    name: str
    folder: str  # relative to the root, "" for the root
    main: str | None = None
    types: str | None = None
    exports: object = None  # as read: a string, a dict of subpaths or conditions, or None


@dataclass(frozen=True)
class TsConfig:
    """The options of one tsconfig that decide resolution (after `extends`), paths relative to
    the root: `base_url` is a folder or None; `paths` maps a pattern to its targets, each target
    already joined to the folder it is relative to."""

    folder: str
    base_url: str | None = None
    paths: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass
class ProjectConfig:
    """Every tsconfig and package of the workspace, by folder (relative to the root)."""

    tsconfigs: dict[str, TsConfig] = field(default_factory=dict)
    packages: dict[str, Package] = field(default_factory=dict)  # name -> package

    def tsconfig_for(self, relpath: str) -> TsConfig | None:
        """The nearest tsconfig above a file, as tsc finds it."""
        folder = posixpath.dirname(relpath)
        while True:
            cfg = self.tsconfigs.get(folder)
            if cfg is not None:
                return cfg
            if not folder:
                return None
            folder = posixpath.dirname(folder)


def _norm(path: str) -> str | None:
    """A normalized relative path, or None when it leaves the root."""
    p = posixpath.normpath(path) if path else ""
    if p in (".", ""):
        return ""
    if p == ".." or p.startswith("../") or p.startswith("/"):
        return None
    return p


def probe(path: str, exists: Exists, packages_by_folder: dict[str, Package] | None = None) -> str | None:
    """The module a path names, with Node's and tsc's probing: an extension written
    (`./x.js`, the TS `node16` style) names the module `x` whichever source holds it (`x.ts`);
    no extension tries the file, then the folder's package.json entry, then `index`."""
    p = _norm(path)
    if p is None:
        return None
    stem = strip_suffix(p)
    if stem != p:  # an extension written
        return stem if stem and exists(stem) else None
    if p and exists(p):
        return p
    pkg = (packages_by_folder or {}).get(p)
    if pkg is not None:
        found = package_entry(pkg, ".", exists)
        if found is not None:
            return found
    index = f"{p}/index" if p else "index"
    return index if exists(index) else None


def _condition(target: object) -> str | None:
    """The path an `exports` value means: a string, or the first condition we read."""
    if isinstance(target, str):
        return target
    if isinstance(target, list):
        for t in target:
            found = _condition(t)
            if found is not None:
                return found
        return None
    if isinstance(target, dict):
        for c in CONDITIONS:
            if c in target:
                found = _condition(target[c])
                if found is not None:
                    return found
    return None


def _exports_target(exports: object, subpath: str) -> str | None:
    """The target `exports` gives a subpath (`.` or `./x`), `*` patterns included."""
    if isinstance(exports, (str, list)) or (isinstance(exports, dict) and not any(k.startswith(".") for k in exports)):
        return _condition(exports) if subpath == "." else None
    if not isinstance(exports, dict):
        return None
    if subpath in exports:
        return _condition(exports[subpath])
    best: tuple[int, str] | None = None
    for key, value in exports.items():
        if "*" not in key:
            continue
        head, _, tail = key.partition("*")
        if subpath.startswith(head) and subpath.endswith(tail) and len(subpath) >= len(head) + len(tail):
            star = subpath[len(head): len(subpath) - len(tail)]
            target = _condition(value)
            if target is not None and (best is None or len(head) > best[0]):
                best = (len(head), target.replace("*", star))
    return best[1] if best else None


def package_entry(pkg: Package, subpath: str, exists: Exists) -> str | None:
    """The module a workspace package's subpath (`.` or `./x`) names: `exports` when the package
    has them (and nothing else then, as Node), else `types`/`main` for `.` and the folder's
    files for a subpath. A target in a build folder that the workspace does not hold is None."""
    def under(rel: str) -> str:
        return posixpath.join(pkg.folder, rel) if pkg.folder else rel

    if pkg.exports is not None:
        target = _exports_target(pkg.exports, subpath)
        return probe(under(target), exists) if target is not None else None
    if subpath == ".":
        for entry in (pkg.types, pkg.main):
            if entry:
                found = probe(under(entry), exists)
                if found is not None:
                    return found
        return probe(under("index"), exists)
    return probe(under(subpath), exists)


def _split_package(spec: str) -> tuple[str, str]:
    """`@scope/pkg/a/b` -> (`@scope/pkg`, `./a/b`); `pkg` -> (`pkg`, `.`)."""
    parts = spec.split("/")
    n = 2 if spec.startswith("@") else 1
    name = "/".join(parts[:n])
    rest = "/".join(parts[n:])
    return name, f"./{rest}" if rest else "."


def _match_paths(cfg: TsConfig, spec: str) -> Iterable[str]:
    """The targets tsconfig `paths` gives a specifier: the longest matching prefix wins."""
    best: tuple[int, tuple[str, ...], str] | None = None
    for pattern, targets in cfg.paths:
        if "*" in pattern:
            head, _, tail = pattern.partition("*")
            if spec.startswith(head) and spec.endswith(tail) and len(spec) >= len(head) + len(tail):
                if best is None or len(head) > best[0]:
                    best = (len(head), targets, spec[len(head): len(spec) - len(tail)])
        elif pattern == spec:
            best = (1 << 30, targets, "")
            break
    if best is None:
        return ()
    return [t.replace("*", best[2]) for t in best[1]]


def resolve_specifier(spec: str, importer: str, exists: Exists, config: ProjectConfig | None = None) -> str | None:
    """The module `spec`, written in the file `importer`, names; None when the workspace does
    not hold it (a package of node_modules, a builtin, a non-source file)."""
    if not spec:
        return None
    config = config or ProjectConfig()
    folders = {p.folder: p for p in config.packages.values()}
    if spec.startswith("./") or spec.startswith("../") or spec in (".", ".."):
        return probe(posixpath.join(posixpath.dirname(importer), spec), exists, folders)
    if spec.startswith("/") or spec.startswith("node:") or ":" in spec.split("/")[0]:
        return None
    cfg = config.tsconfig_for(importer)
    if cfg is not None:
        for target in _match_paths(cfg, spec):
            found = probe(target, exists, folders)
            if found is not None:
                return found
        if cfg.base_url is not None:
            found = probe(posixpath.join(cfg.base_url, spec) if cfg.base_url else spec, exists, folders)
            if found is not None:
                return found
    name, subpath = _split_package(spec)
    pkg = config.packages.get(name)
    if pkg is not None:
        return package_entry(pkg, subpath, exists)
    return None


# -- reading the configuration ------------------------------------------------------------------
_JSONC = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def parse_jsonc(text: str) -> object:
    """JSON with comments and trailing commas (tsconfig's dialect); ValueError when broken."""
    stripped = _JSONC.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " ", text)
    return json.loads(_TRAILING_COMMA.sub(r"\1", stripped))


def _read_json(read: Callable[[str], str | None], relpath: str) -> dict | None:
    text = read(relpath)
    if text is None:
        return None
    try:
        data = parse_jsonc(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def read_tsconfig(read: Callable[[str], str | None], relpath: str) -> TsConfig | None:
    """One tsconfig with its relative `extends` chain applied (a child's options win; `paths`
    are relative to `baseUrl` when set, else to the config that holds them). `extends` of a
    package in node_modules is not followed: its options are not the workspace's."""
    chain: list[tuple[str, dict]] = []
    path: str | None = relpath
    while path is not None and len(chain) < MAX_EXTENDS:
        data = _read_json(read, path)
        if data is None:
            break
        chain.append((posixpath.dirname(path), data.get("compilerOptions") or {}))
        ext = data.get("extends")
        ext = ext[0] if isinstance(ext, list) and ext else ext
        path = None
        if isinstance(ext, str) and ext.startswith("."):
            target = _norm(posixpath.join(chain[-1][0], ext))
            if target is not None:
                path = target if target.endswith(".json") else target + ".json"
    if not chain:
        return None
    base_url: str | None = None
    paths: dict | None = None
    paths_folder = ""
    for folder, opts in reversed(chain):  # the root of the chain first, the child last
        if isinstance(opts.get("baseUrl"), str):
            base_url = _norm(posixpath.join(folder, opts["baseUrl"]))
        if isinstance(opts.get("paths"), dict):
            paths, paths_folder = opts["paths"], folder
    rel_to = base_url if base_url is not None else paths_folder
    table: list[tuple[str, tuple[str, ...]]] = []
    for pattern, targets in (paths or {}).items():
        if isinstance(targets, list):
            joined = tuple(t for t in (_norm(posixpath.join(rel_to, x)) for x in targets if isinstance(x, str))
                           if t is not None)
            table.append((pattern, joined))
    return TsConfig(folder=posixpath.dirname(relpath), base_url=base_url, paths=tuple(table))


def read_package(read: Callable[[str], str | None], relpath: str) -> Package | None:
    data = _read_json(read, relpath)
    if data is None or not isinstance(data.get("name"), str):
        return None
    main = data.get("main") if isinstance(data.get("main"), str) else None
    types = data.get("types") or data.get("typings")
    return Package(name=data["name"], folder=posixpath.dirname(relpath), main=main,
                   types=types if isinstance(types, str) else None, exports=data.get("exports"))


def load_config(root: str, folders: Iterable[str]) -> ProjectConfig:
    """The tsconfigs and packages of the folders that hold mapped files and of the folders
    above them (up to the root): what `resolve_specifier` reads."""
    def read(rel: str) -> str | None:
        try:
            with open(os.path.join(root, *rel.split("/")), encoding="utf-8") as f:
                return f.read(1 << 20)
        except (OSError, UnicodeDecodeError):
            return None

    seen: set[str] = set()
    for folder in folders:
        f = folder
        while f not in seen:
            seen.add(f)
            if not f:
                break
            f = posixpath.dirname(f)
    config = ProjectConfig()
    for f in sorted(seen):
        tsc = posixpath.join(f, "tsconfig.json") if f else "tsconfig.json"
        pkg = posixpath.join(f, "package.json") if f else "package.json"
        if os.path.isfile(os.path.join(root, *tsc.split("/"))):
            cfg = read_tsconfig(read, tsc)
            if cfg is not None:
                config.tsconfigs[f] = cfg
        if os.path.isfile(os.path.join(root, *pkg.split("/"))):
            p = read_package(read, pkg)
            if p is not None:
                config.packages.setdefault(p.name, p)
    return config
