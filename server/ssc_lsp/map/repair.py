"""The map of a brace-language file that ends inside open blocks (a file cut at the cursor).

tree-sitter parses `class A { void f(Map m) { if (m.` as one ERROR: the Java file keeps no
definition, so nothing encloses the cursor and nothing types `m` (a Go or Rust file loses the
function the cursor is in). Parsed again with a placeholder name and its open brackets closed
after the end (`__);}}`, on the last line, so every row of the map is a row of the text), the
definitions before the end come back. Python needs none of this: indentation closes its blocks
(`Language.blocks == "indent"`).

The repair is on the request path, and a full extraction of a 4,000-line Java prefix takes
~100 ms. So each file's last repair is kept (`_Last`): the same text again is answered from it,
and a new text reuses its units: the tree is parsed incrementally from the last one (fresh
when it has errors and the language asks for that, `Language.fresh_parse_on_error`), and a
unit whose bytes, kind and enclosing class are a recent repair's and which holds no syntax
error (in either tree) takes the last repair's records, moved; only the others are extracted.
While typing, that is the cursor's member; across cuts of one file, what lies after the
shorter one. bench/repair_latency.py checks the result against a full extraction.
"""

from __future__ import annotations

import copy
import re
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from itertools import accumulate

import tree_sitter as ts

from .document import _say_gave_up, build_filemap
from .extract import extract_units, unit_of
from .filemap import FileMap, content_hash
from .languages import Language
from .positions import point_in
from .records import Unit

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
    return _scan(text, js, _Mark(0, ()))[0]


MARK_EVERY = 8192  # characters between the places a later scan of the same file may resume at


@dataclass(frozen=True, slots=True)
class _Mark:
    """Where `closers`' scan may resume: a line start that no skipped token spans, with the
    brackets open there."""

    at: int
    stack: tuple[str, ...]


def _scan(text: str, js: bool, start: _Mark) -> tuple[str | None, list[_Mark]]:
    """`closers(text)` with the scan resumed at `start` (whose stack holds for `text[:start.at]`),
    and marks (after `start`) where a scan of a text that shares a prefix with `text` may resume:
    a line start every MARK_EVERY characters and the last line's start."""
    stack = list(start.stack)
    marks: list[_Mark] = []
    last_line = text.rfind("\n") + 1
    places = []  # line starts to mark, if no token spans them
    i = start.at + MARK_EVERY
    while (j := text.find("\n", i, max(last_line - 1, 0))) >= 0:
        places.append(j + 1)
        i = j + 1 + MARK_EVERY
    if last_line > start.at:
        places.append(last_line)
    k = 0
    in_line_comment = False
    for m in (_TOKEN_JS if js else _TOKEN).finditer(text, start.at):
        begin, end = m.span()
        while k < len(places) and places[k] <= begin:
            marks.append(_Mark(places[k], tuple(stack)))
            k += 1
        while k < len(places) and places[k] < end:  # inside this token (a comment, a string)
            k += 1
        in_line_comment = m.group("line") is not None and end == len(text)
        br = m.group("br")
        if br is not None:
            if br in _CLOSE:
                stack.append(br)
            elif stack and _CLOSE[stack[-1]] == br:
                stack.pop()
        elif end == len(text) and m.group("line") is None \
                and m.group()[0] in "/\"`'" and not any(m.groupdict().get(g) for g in ("bc", "sc", "tc", "qc")):
            return None, marks  # the text ends inside a block comment or a string
    marks.extend(_Mark(at, tuple(stack)) for at in places[k:])  # no token after them
    if not stack:
        return None, marks
    out = ["\n" if in_line_comment else "", PLACEHOLDER]
    for open_ in reversed(stack):
        out.append(";}" if open_ == "{" else _CLOSE[open_])
    return "".join(out), marks


def closers_after(text: str, js: bool, last: str, marks: list[_Mark]) -> tuple[str | None, list[_Mark]]:
    """`closers(text, js)`, the scan resumed at the last of `marks` (those `_scan` gave for the
    text `last`) that lies in the prefix `text` shares with `last`; and `text`'s marks."""
    same = _common_prefix(text, last, min(len(text), len(last)))
    kept = [k for k in marks if k.at <= same]
    suffix, more = _scan(text, js, kept[-1] if kept else _Mark(0, ()))
    return suffix, kept + more


def closed_filemap(fm: FileMap, text: str, reuse: bool = True) -> FileMap | None:
    """The map of `text` (the file `fm` maps) with its open blocks closed; None for a language
    whose blocks are indentation, or when nothing is open. `reuse`: start from the file's last
    repair (the same map as without, faster; False scans and extracts everything, the
    baseline bench/repair_latency.py compares with)."""
    lang = fm.language
    if lang.blocks == "indent":
        return None
    js = lang.name in _JS
    if not reuse:
        suffix = closers(text, js)
        if suffix is None:
            return None
        data = (text + suffix).encode("utf-8")
        return build_filemap(lang, fm.path, fm.module, data, lang.parser().parse(data))
    key = (fm.path, fm.module, lang.name)
    with _LOCK:
        last = _LAST.get(key)
        if last is not None and last.text == text:
            return last.fm
        suffix, marks = closers_after(text, js, last.text, last.marks) if last else _scan(text, js, _Mark(0, ()))
        if suffix is None:
            return None
        made = _repair(lang, fm.path, fm.module, (text + suffix).encode("utf-8"), last)
        made.text, made.marks = text, marks
        _LAST[key] = made
        _LAST.move_to_end(key)
        while len(_LAST) > KEEP_FILES:
            _LAST.popitem(last=False)
        return made.fm


KEEP_FILES = 8  # files whose last repair is kept (a few open documents; each holds a tree and a map)
KEEP_UNITS = 256  # units of earlier repairs kept beyond twice the last one's (for reuse only)


@dataclass(slots=True)
class _Last:
    """A file's last repair: its text (before the closers) and where their scan may resume,
    the closed bytes, their tree and map, and the units without syntax errors by (bytes, kind,
    enclosing class), this repair's and some of the ones before."""

    data: bytes
    tree: ts.Tree
    fm: FileMap
    clean: dict[tuple[bytes, str, str], Unit]
    text: str = ""
    marks: list[_Mark] = field(default_factory=list)


_LAST: OrderedDict[tuple[str, str, str], _Last] = OrderedDict()
_LOCK = threading.Lock()


class _Errors:
    """The byte spans of a tree's ERROR and MISSING nodes (only subtrees with errors walked),
    asked whether a range touches one in O(log n): a file of unclosed brackets has thousands."""

    def __init__(self, root: ts.Node):
        spans: list[tuple[int, int]] = []
        stack = [root] if root.has_error else []
        while stack:
            n = stack.pop()
            if n.is_error or n.is_missing:
                spans.append((n.start_byte, n.end_byte))
                continue
            stack.extend(c for c in n.children if c.has_error)
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.reach = list(accumulate((e for _, e in spans), max))  # the furthest end so far

    def touch(self, sb: int, eb: int) -> bool:
        """Whether an error span meets [sb, eb]."""
        i = bisect_right(self.starts, eb) - 1
        return i >= 0 and self.reach[i] >= sb


def _parse(lang: Language, data: bytes, last: _Last | None) -> ts.Tree:
    """`data` parsed incrementally from the last repair's tree (one edit: what lies between the
    two texts' common prefix and suffix), or from scratch when there is none or the result has
    errors in a language whose incremental error recovery differs from a fresh parse."""
    parser = lang.parser()
    if last is None:
        return parser.parse(data)
    old = last.data
    n = min(len(old), len(data))
    p = _common_prefix(old, data, n)
    s = _common_prefix(old[::-1], data[::-1], n - p)
    tree = last.tree.copy()
    tree.edit(p, len(old) - s, len(data) - s, point_in(old, p), point_in(old, len(old) - s),
              point_in(data, len(data) - s))
    new = parser.parse(data, tree)
    if new.root_node.has_error and lang.fresh_parse_on_error:
        return parser.parse(data)
    return new


def _common_prefix(a: bytes | str, b: bytes | str, n: int) -> int:
    """The length of the common prefix of a[:n] and b[:n] (a binary search over slice
    comparisons: memcmp, not a Python loop over bytes)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _repair(lang: Language, path: str, module: str, data: bytes, last: _Last | None) -> _Last:
    tree = _parse(lang, data, last)
    root = tree.root_node
    errors = _Errors(root)
    units: list[Unit] = []
    fresh: list[Unit] = []
    clean: dict[tuple[bytes, str, str], Unit] = {}
    for spec in lang.unit_specs(root):
        sb, eb, sr, er, ec, ctx, kind, _doc = spec
        ok = not errors.touch(sb, eb)
        key = (data[sb:eb], kind, ctx)
        old = last.clean.get(key) if ok and last is not None else None
        if old is not None and (old.start_byte, old.start_row) == (sb, sr):
            u = replace(old, end_row=er, end_col=ec)  # where it was: finalize rewrites the same rows
        elif old is not None:  # moved: finalize sets its symbols' rows, the last map keeps its own
            u = replace(old, start_byte=sb, end_byte=eb, start_row=sr, end_row=er, end_col=ec,
                        symbols=[copy.copy(s) for s in old.symbols])
        else:
            u = unit_of(spec)
            fresh.append(u)
        units.append(u)
        if ok:
            clean[key] = u
    _say_gave_up(path, extract_units(lang, fresh, root))
    if last is not None:  # units an error hides now (a keystroke's ERROR) come back with the next
        for k, u in last.clean.items():
            if len(clean) >= 2 * len(units) + KEEP_UNITS:
                break
            clean.setdefault(k, u)
    fm = FileMap(path=path, module=module, units=units, hash=content_hash(data),
                 lines=data.count(b"\n") + 1, language=lang)
    fm.finalize()
    return _Last(data, tree, fm, clean)
