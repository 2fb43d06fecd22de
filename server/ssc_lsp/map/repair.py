"""The map of a brace-language file that ends inside open blocks (a file cut at the cursor).

tree-sitter parses `class A { void f(Map m) { if (m.` as one ERROR: the Java file keeps no
definition, so nothing encloses the cursor and nothing types `m` (a Go or Rust file loses the
function the cursor is in). Parsed again with a placeholder name and its open brackets closed
after the end (`__);}}`, on the last line, so every row of the map is a row of the text), the
definitions before the end come back. Python needs none of this: indentation closes its blocks
(`Language.blocks == "indent"`).
"""

from __future__ import annotations

from .document import build_filemap
from .filemap import FileMap

PLACEHOLDER = "__"  # a name, so that a cut `m.` or `return` reads as a finished expression
_CLOSE = {"(": ")", "[": "]", "{": "}"}


def closers(text: str) -> str | None:
    """What closes every bracket left open at the end of `text` (`//` and `/* */` comments,
    "..." and `...` strings and 'x' char literals skipped; a Rust lifetime `'a` is no literal),
    None when nothing is open or the text ends inside a string or a block comment."""
    stack: list[str] = []
    i, n = 0, len(text)
    in_line_comment = False
    while i < n:
        ch = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            if j < 0:
                in_line_comment = True
                break
            i = j + 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return None
            i = j + 2
            continue
        if ch in "\"`":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                return None
            i = j + 1
            continue
        if ch == "'" and (text[i + 2:i + 3] == "'" or text[i + 1:i + 2] == "\\"):
            j = text.find("'", i + 2 if text[i + 1:i + 2] != "\\" else i + 3)
            if j < 0:
                return None
            i = j + 1
            continue
        if ch in _CLOSE:
            stack.append(ch)
        elif ch in ")]}":
            if stack and _CLOSE[stack[-1]] == ch:
                stack.pop()
        i += 1
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
    suffix = closers(text)
    if suffix is None:
        return None
    data = (text + suffix).encode("utf-8")
    return build_filemap(lang, fm.path, fm.module, data, lang.parser().parse(data))
