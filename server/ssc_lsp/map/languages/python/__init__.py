"""Python: `.py` sources and `.pyi` stubs, tree-sitter-python, jedi as the semantic backend.

Extraction is extract.py beside this module (with its query, map.scm); name resolution is the
workspace resolver's own rules (map/resolve.py) and the continuity checks map/checks.py: both
were written for Python first and are named here, as every language names its rules.
"""

from __future__ import annotations

import builtins as _builtins

import tree_sitter_python

from ..base import Language
from .extract import fill_unit, unit_specs

PACKAGE_FILES = ("__init__.py", "__init__.pyi")
# names always in scope: the builtins module's, and the module globals Python defines
BUILTINS = frozenset(dir(_builtins)) | {"__file__", "__name__", "__doc__", "__builtins__",
                                        "__spec__", "__loader__", "__package__", "__path__"}


def module_name(relpath: str, package_dirs: set[str]) -> str:
    """Dotted module name of a workspace file.

    Walks up while the folder is a package (has `__init__.py`), so `src/flask/helpers.py` is
    `flask.helpers` whether or not `src` is on a path; a lone `tests/test_x.py` is `test_x`.
    A folder without `__init__.py` inside a package is a namespace subpackage (PEP 420), as
    `src/flask/sansio/app.py` is `flask.sansio.app`: walking stops only above the outermost
    package folder.
    """
    parts = relpath.split("/")
    name = parts[-1]
    stem = name[:-3] if name.endswith(".py") else name.rsplit(".", 1)[0]
    mods = [] if stem == "__init__" else [stem]
    folders = parts[:-1]
    top = next((i for i in range(1, len(folders) + 1) if "/".join(folders[:i]) in package_dirs), None)
    while folders and top is not None and len(folders) >= top:
        mods.insert(0, folders[-1])
        folders = folders[:-1]
    return ".".join(mods) if mods else (folders[-1] if folders else stem)


def package_dir(relpath: str) -> str | None:
    """The folder an `__init__.py` (or `.pyi`) below the root makes a package."""
    folder, _, name = relpath.rpartition("/")
    return folder if folder and name in PACKAGE_FILES else None


def is_package(relpath: str) -> bool:
    return relpath.endswith(PACKAGE_FILES)


PYTHON = Language(
    name="python",
    suffixes=(".py", ".pyi"),
    stub_suffixes=(".pyi",),
    grammar=tree_sitter_python.language,
    package=__name__,
    queries={"map": "map.scm"},
    fingerprint=("extract.py",),
    unit_specs=unit_specs,
    fill_unit=fill_unit,
    module_name=module_name,
    package_dir=package_dir,
    is_package=is_package,
    module_key=lambda module: module,  # the first language: its module names are bare
    builtins=BUILTINS,
    resolver="ssc_lsp.map.resolve:Resolver",
    check="ssc_lsp.map.checks:python_steps",
    blocks="indent",
    semantic="jedi",
)
