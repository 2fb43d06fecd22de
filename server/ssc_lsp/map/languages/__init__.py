"""The registry of the map's languages: which language a file is, by its name.

Adding a language is adding a module under this package (a `Language` and its `.scm` queries)
and one line in `_REGISTERED`; nothing else in the package lists languages or file suffixes.
See docs/ARCHITECTURE.md, "Adding a language".
"""

from __future__ import annotations

from .base import CallSyntax, Language, ParserCache, UnitSpec
from .go import GO
from .java import JAVA
from .python import PYTHON
from .rust import RUST
from .typescript import LANGUAGES as _JS_LANGUAGES

__all__ = ["CallSyntax", "Language", "ParserCache", "UnitSpec", "all_languages", "all_suffixes", "by_name",
           "is_source", "language_for_path", "register", "watch_globs"]

_REGISTERED: list[Language] = [PYTHON, GO, JAVA, RUST, *_JS_LANGUAGES]
_BY_SUFFIX: dict[str, Language] = {}
_SUFFIXES: tuple[str, ...] = ()


def _rebuild() -> None:
    global _SUFFIXES
    _BY_SUFFIX.clear()
    for lang in _REGISTERED:
        for s in lang.suffixes:
            if _BY_SUFFIX.setdefault(s, lang) is not lang:
                raise ValueError(f"{s} is both {_BY_SUFFIX[s].name} and {lang.name}")
    # longest first, so a compound suffix (`.d.ts`) wins over its tail (`.ts`)
    _SUFFIXES = tuple(sorted(_BY_SUFFIX, key=len, reverse=True))


def register(lang: Language) -> None:
    """Add a language (a name already registered is replaced)."""
    _REGISTERED[:] = [x for x in _REGISTERED if x.name != lang.name] + [lang]
    _rebuild()


def unregister(name: str) -> None:
    _REGISTERED[:] = [x for x in _REGISTERED if x.name != name]
    _rebuild()


def all_languages() -> tuple[Language, ...]:
    return tuple(_REGISTERED)


def all_suffixes() -> tuple[str, ...]:
    """Every suffix some language maps (what the crawl and the watchers look for)."""
    return _SUFFIXES


def watch_globs() -> tuple[str, ...]:
    """The same, as LSP file-watcher globs."""
    return tuple(f"**/*{s}" for s in _SUFFIXES)


def language_for_path(path: str) -> Language | None:
    """The language of a file by its name, or None when no language maps it."""
    if not path.endswith(_SUFFIXES):
        return None
    for s in _SUFFIXES:
        if path.endswith(s):
            return _BY_SUFFIX[s]
    return None


def is_source(path: str) -> bool:
    """Whether some language maps this file name."""
    return path.endswith(_SUFFIXES)


def by_name(name: str) -> Language | None:
    return next((x for x in _REGISTERED if x.name == name), None)


_rebuild()
