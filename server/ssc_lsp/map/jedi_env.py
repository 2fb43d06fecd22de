"""The one jedi environment of the server: every jedi question (the context engine's receiver
types and third-party APIs, the check's modules and members, definition's and hover's fallback,
the in-process bridge) is asked of a `jedi.Project` made here, so two parts of the server
never answer the same question differently.

Decided once, and why:

- **sys path** = the workspace's source roots (the folders holding its top packages: `src/` in
  a src layout, the root otherwise), then the sys path of jedi's default environment (the
  active virtualenv, else the running Python: the standard library and the installed
  packages). The workspace comes first so an installed copy of the project (requests is a
  dependency of half of PyPI) never stands in for the code being edited.
- **smart_sys_path=True**: jedi also puts the project root first and, for a file outside any
  package (a test, a script), the folders between it and the root, as pytest's rootdir
  insertion and `python script.py` do: `tests/test_x.py` doing `from compat import y` finds
  `tests/compat.py`. This is jedi-language-server's default too.
- **environment**: jedi's default (`get_cached_default_environment`): `VIRTUAL_ENV` when set,
  else the interpreter the server runs in.

Use: `source_roots(ws, root)` in the server (it knows the package table), passed as plain
strings to a jedi process, which calls `project(root, roots)`. The project is cached per
(root, roots): jedi keeps its module caches on it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

from .workspace import Workspace


def source_roots(ws: Workspace, root: str) -> list[str]:
    """Folders to put first on jedi's path: the parents of the workspace's top packages (and
    `src/` when it exists, so a src layout is right before the crawl has found its packages)."""
    roots: set[str] = set()
    for d in list(ws.package_dirs):
        parent = d.rsplit("/", 1)[0] if "/" in d else ""
        if parent not in ws.package_dirs:
            roots.add(os.path.join(root, parent) if parent else root)
    src = os.path.join(root, "src")
    if os.path.isdir(src):
        roots.add(src)
    return sorted(roots)


@lru_cache(maxsize=8)
def _project(root: str, roots: tuple[str, ...]):
    import jedi

    env = jedi.get_default_environment()
    base = [p for p in env.get_sys_path() if p and p not in roots]
    return jedi.Project(root, sys_path=[*roots, *base], smart_sys_path=True)


def project(root: str, roots: Sequence[str] = ()):
    """The jedi.Project for a workspace root with its source roots first on the path."""
    return _project(os.path.abspath(root), tuple(roots))
