"""The project of a file opened outside every workspace folder (single-file mode).

Editors start the server without a folder when they find no root marker (Neovim's
`root_markers`, VS Code opening a single file): the file still has neighbours, and relative
and sibling imports must reach them. The project is found from the file alone:

- in a package (its folder holds an `__init__.py`): walk up while the parent folder holds one
  too; the root is the folder above the topmost package, so module names are `pkg.util` as
  Python sees them; mapped: the package whole, and the root's own files (not its subfolders:
  the root is often a downloads or projects folder).
- in a plain folder: the root is that folder, mapped whole (sibling imports `import util`,
  and packages below it).
- never the home directory, a folder above it or a filesystem root whole: there only the
  folder's own files are mapped.
- installed code (under `site-packages`, `dist-packages` or the standard library; usually
  reached through go-to-definition): only the file's own folder, its package chain still
  naming the modules (a jump into Django must not index Django).

Either way the walk stops after LOOSE_MAX_FILES files (said once). The usual rules apply
(ignore files, secrets, the size limit). No LSP here: the server decides what to do with it.
"""

from __future__ import annotations

import os
import sysconfig
from dataclasses import dataclass

from .crawl import Scope

LOOSE_MAX_FILES = 2_000  # files of a project found around a file outside every folder


@dataclass(frozen=True, slots=True)
class Project:
    root: str  # absolute; module names are relative to it
    scope: Scope  # the part of the root that is mapped
    packages: tuple[str, ...]  # package folders (relative) known before the crawl


def _has_init(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "__init__.py"))


INSTALLED_DIRS = frozenset({"site-packages", "dist-packages"})


def installed(path: str) -> bool:
    """Code installed in an environment, or the interpreter's standard library."""
    path = os.path.abspath(path)
    if INSTALLED_DIRS & set(path.split(os.sep)):
        return True
    stdlib = sysconfig.get_paths().get("stdlib")
    return bool(stdlib) and path.startswith(os.path.abspath(stdlib) + os.sep)


def too_broad(folder: str, home: str | None = None) -> bool:
    """The home directory, a folder above it, or a filesystem root: never mapped whole."""
    folder = os.path.normcase(os.path.abspath(folder))
    home = os.path.normcase(os.path.abspath(home if home is not None else os.path.expanduser("~")))
    if os.path.dirname(folder) == folder:
        return True
    return home == folder or home.startswith(folder.rstrip(os.sep) + os.sep)


def find_project(path: str, home: str | None = None) -> Project:
    """The project around `path` (a file), as the module docstring says."""
    folder = os.path.dirname(os.path.abspath(path))
    if _has_init(folder):
        top = folder
        while True:
            parent = os.path.dirname(top)
            if parent == top or not _has_init(parent):
                break
            top = parent
        root = os.path.dirname(top)
        if not too_broad(top, home):
            name = os.path.basename(top)
            inner = os.path.relpath(folder, top).replace(os.sep, "/")
            chain = [name]
            for part in ([] if inner == "." else inner.split("/")):
                chain.append(f"{chain[-1]}/{part}")
            if installed(path):
                dirs: tuple[tuple[str, bool], ...] = ((chain[-1], False),)
            elif too_broad(root, home):
                dirs = ((name, True),)
            else:
                dirs = (("", False), (name, True))
            return Project(root, Scope(dirs), tuple(chain))
    if too_broad(folder, home) or installed(path):
        return Project(folder, Scope((("", False),)), ())
    return Project(folder, Scope(), ())
