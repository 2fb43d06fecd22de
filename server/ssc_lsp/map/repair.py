"""The map of a brace-language file that ends inside open blocks (a file cut at the cursor).

tree-sitter parses `class A { void f(Map m) { if (m.` as one ERROR: the Java file keeps no
definition, so nothing encloses the cursor and nothing types `m` (a Go or Rust file loses the
function the cursor is in). Parsed again with a placeholder name and its open brackets closed
after the end (`__);}}`, on the last line, so every row of the map is a row of the text), the
definitions before the end come back. Python needs none of this: indentation closes its blocks
(`Language.blocks == "indent"`).
"""

from __future__ import annotations

import re

from .document import build_filemap
from .filemap import FileMap

PLACEHOLDER = "__"  # a name, so that a cut `m.` or `return` reads as a finished expression
_CLOSE = {"(": ")", "[": "]", "{": "}"}


# what `closers` steps over (comments, strings, char literals; `*c` groups say one was closed)
# and the brackets it counts; a Rust lifetime `'a` matches nothing and is skipped
_SKIP = r"""(?P<line>//[^\n]*)|/\*(?:.*?(?P<bc>\*/)|.*)|"(?:\\.|[^"\\])*(?P<sc>")?|`(?:\\.|[^`\\])*(?P<tc>`)?"""
_TOKEN = re.compile(_SKIP + r"""|'(?:\\.|[^'\\\n])'|(?P<br>[()\[\]{}])""", re.S)
# JavaScript and TypeScript: '...' is a string, not a char literal
_TOKEN_JS = re.compile(_SKIP + r"""|'(?:\\.|[^'\\\n])*(?P<qc>')?|(?P<br>[()\[\]{}])""", re.S)
_JS = frozenset({"javascript", "typescript", "tsx"})


def closers(text: str, js: bool = False) -> str | None:
    """What closes every bracket left open at the end of `text` (`//` and `/* */` comments,
    "..." and `...` strings and 'x' char literals skipped; a Rust lifetime `'a` is no literal),
    None when nothing is open or the text ends inside a string or a block comment. `js`: '...'
    is a string (JavaScript, TypeScript)."""
    stack: list[str] = []
    in_line_comment = False
    for m in (_TOKEN_JS if js else _TOKEN).finditer(text):
        in_line_comment = m.group("line") is not None and m.end() == len(text)
        br = m.group("br")
        if br is not None:
            if br in _CLOSE:
                stack.append(br)
            elif stack and _CLOSE[stack[-1]] == br:
                stack.pop()
        elif m.end() == len(text) and m.group("line") is None \
                and m.group()[0] in "/\"`'" and not any(m.groupdict().get(g) for g in ("bc", "sc", "tc", "qc")):
            return None  # the text ends inside a block comment or a string
    if not stack:
        return None
    out = ["\n" if in_line_comment else "", PLACEHOLDER]
    for open_ in reversed(stack):
        out.append(";}" if open_ == "{" else _CLOSE[open_])
    return "".join(out)


def closed_filemap(fm: FileMap, text: str) -> FileMap | None:
    """The map of `text` (the file `fm` maps) with its open blocks closed; None for a language
    whose blocks are indentation, or when nothing is open."""
    lang = fm.language
    if lang.blocks == "indent":
        return None
    suffix = closers(text, js=lang.name in _JS)
    if suffix is None:
        return None
    data = (text + suffix).encode("utf-8")
    return build_filemap(lang, fm.path, fm.module, data, lang.parser().parse(data))
