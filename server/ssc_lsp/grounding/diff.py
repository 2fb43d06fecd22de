"""Unified diffs as `git diff` writes them: parsed, and applied (or reversed) with every line of
context verified.

Why a parser of our own: the edit check must say *why* a diff does not apply (which file, which
hunk, which line differs), and must never guess. A hunk applies at the line its header names, or,
when the file moved under it, at the nearest place where all its old lines match exactly (as
`git apply` does without fuzz); otherwise the whole diff is refused with `DiffError`.

Paths are relative to the diff's root, with git's `a/` and `b/` prefixes (or none); `/dev/null`
stands for a file created or deleted. Renames and mode lines of git's extended headers are read;
binary patches are refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NULL = "/dev/null"


class DiffError(ValueError):
    """The diff cannot be read or does not apply; the message says where and why."""


@dataclass
class Hunk:
    old_start: int  # 1-based; 0 with an empty old side
    new_start: int
    lines: list[bytes] = field(default_factory=list)  # each with its ' ', '-' or '+' marker
    old_eol: bool = True  # False after "\ No newline at end of file" on the old side
    new_eol: bool = True

    @property
    def old(self) -> list[bytes]:
        return [ln[1:] for ln in self.lines if ln[:1] in (b" ", b"-")]

    @property
    def new(self) -> list[bytes]:
        return [ln[1:] for ln in self.lines if ln[:1] in (b" ", b"+")]


@dataclass
class FilePatch:
    """One file's part of a diff. `old_path`/`new_path` are None for a created/deleted file."""

    old_path: str | None
    new_path: str | None
    hunks: list[Hunk] = field(default_factory=list)
    binary: bool = False

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


def _strip(raw: str, prefix: str) -> str | None:
    raw = raw.split("\t", 1)[0].strip()
    if raw.startswith('"') and raw.endswith('"'):
        raw = raw[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape") \
            .encode("latin-1").decode("utf-8", "replace")
    if raw == NULL:
        return None
    return raw[len(prefix):] if raw.startswith(prefix) else raw


def parse(data: bytes) -> list[FilePatch]:
    """Every file patch of a unified diff, in order (raises DiffError on a malformed one)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out: list[FilePatch] = []
    cur: FilePatch | None = None
    i = 0
    while i < len(lines):
        line = lines[i].rstrip(b"\r") if not lines[i].startswith((b" ", b"+", b"-")) else lines[i]
        text = line.decode("utf-8", "replace")
        if text.startswith("diff --git "):
            m = re.match(r"diff --git (\S+) (\S+)$", text)
            cur = FilePatch(_strip(m.group(1), "a/") if m else None, _strip(m.group(2), "b/") if m else None)
            out.append(cur)
        elif text.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith(b"+++ "):
            old = _strip(text[4:], "a/")
            new = _strip(lines[i + 1].decode("utf-8", "replace")[4:], "b/")
            if cur is None or cur.hunks or cur.binary:
                cur = FilePatch(old, new)
                out.append(cur)
            else:
                cur.old_path, cur.new_path = old, new
            i += 1
        elif cur is not None and text.startswith(("new file mode", "deleted file mode")):
            if text.startswith("new"):
                cur.old_path = None
            else:
                cur.new_path = None
        elif cur is not None and text.startswith("rename from "):
            cur.old_path = text[len("rename from "):]
        elif cur is not None and text.startswith("rename to "):
            cur.new_path = text[len("rename to "):]
        elif cur is not None and (text.startswith("Binary files ") or text == "GIT binary patch"):
            cur.binary = True
        elif line.startswith(b"@@"):
            if cur is None:
                raise DiffError(f"line {i + 1}: a hunk before any file header")
            i = _read_hunk(lines, i, cur)
            continue
        i += 1
    return out


def _read_hunk(lines: list[bytes], i: int, fp: FilePatch) -> int:
    m = _HUNK.match(lines[i])
    if m is None:
        raise DiffError(f"line {i + 1}: malformed hunk header {lines[i][:60]!r}")
    old_n = int(m.group(2)) if m.group(2) is not None else 1
    new_n = int(m.group(4)) if m.group(4) is not None else 1
    h = Hunk(int(m.group(1)), int(m.group(3)))
    fp.hunks.append(h)
    i += 1
    seen_old = seen_new = 0
    last = b""
    while i < len(lines) and (seen_old < old_n or seen_new < new_n or lines[i].startswith(b"\\")):
        ln = lines[i]
        if ln.startswith(b"\\"):
            if last == b"-":
                h.old_eol = False
            elif last == b"+":
                h.new_eol = False
            else:
                h.old_eol = h.new_eol = False
            i += 1
            continue
        marker = ln[:1] or b" "  # some tools drop the space of an empty context line
        if marker not in (b" ", b"-", b"+"):
            break
        body = ln[1:] if ln else b""
        h.lines.append(marker + body)
        seen_old += marker in (b" ", b"-")
        seen_new += marker in (b" ", b"+")
        last = marker
        i += 1
    if seen_old != old_n or seen_new != new_n:
        raise DiffError(f"{fp.path}: hunk @@ -{h.old_start},{old_n} +{h.new_start},{new_n} @@ "
                        f"is cut short ({seen_old} old and {seen_new} new lines)")
    while i < len(lines) and lines[i].startswith(b"\\"):
        i += 1
    return i


def _split(data: bytes) -> tuple[list[bytes], bool]:
    """Lines without their newline, and whether the last one had one."""
    if not data:
        return [], True
    eol = data.endswith(b"\n")
    parts = data.split(b"\n")
    if eol:
        parts.pop()
    return parts, eol


def _match(lines: list[bytes], at: int, want: list[bytes]) -> bool:
    if at < 0 or at + len(want) > len(lines):
        return False
    return all(lines[at + k].rstrip(b"\r") == w.rstrip(b"\r") for k, w in enumerate(want))


def apply_hunks(path: str, data: bytes, hunks: list[Hunk], reverse: bool = False) -> bytes:
    """`data` with the hunks applied (or undone), every old line verified."""
    lines, eol = _split(data)
    out: list[bytes] = []
    pos = 0  # next line of `lines` not yet copied
    for n, h in enumerate(hunks, 1):
        old, new = (h.new, h.old) if reverse else (h.old, h.new)
        start = (h.new_start if reverse else h.old_start) - 1
        if not old:
            start += 1  # an empty old side names the line *before* the insertion
        at = _locate(lines, start, old, pos)
        if at is None:
            shown = (old[0] if old else b"").decode("utf-8", "replace")[:60]
            raise DiffError(f"{path}: hunk {n} (line {start + 1}) does not apply: the file "
                            f"does not have its lines there (first: {shown!r})")
        out.extend(lines[pos:at])
        out.extend(new)
        pos = at + len(old)
        if pos == len(lines):
            eol = h.old_eol if reverse else h.new_eol
    out.extend(lines[pos:])
    if not out:
        return b""
    return b"\n".join(out) + (b"\n" if eol else b"")


def _locate(lines: list[bytes], start: int, old: list[bytes], floor: int) -> int | None:
    """Where a hunk's old lines are: at `start`, else the nearest exact match after `floor`."""
    start = max(start, 0)
    if _match(lines, start, old):
        return start
    if not old:
        return min(start, len(lines)) if start >= floor else None
    for d in range(1, len(lines) + 1):
        for at in (start - d, start + d):
            if at >= floor and _match(lines, at, old):
                return at
        if start - d < floor and start + d > len(lines):
            break
    return None


Reader = Callable[[str], bytes | None]


def apply(patches: list[FilePatch], read: Reader, reverse: bool = False) -> dict[str, bytes | None]:
    """The text of every file the diff touches after it (None: deleted), keyed by path.

    `read(path)` gives a file's current text (None when it does not exist). With `reverse`, the
    files are read as they are *after* the diff and the result is what they were before.
    """
    out: dict[str, bytes | None] = {}
    for fp in patches:
        src, dst = (fp.new_path, fp.old_path) if reverse else (fp.old_path, fp.new_path)
        if fp.binary:
            raise DiffError(f"{fp.path}: a binary patch cannot be judged")
        if src is None:
            if read(dst or "") is not None and not reverse:
                raise DiffError(f"{dst}: the diff creates it, but it already exists")
            data = b""
        else:
            data = read(src) if src not in out else out[src]
            if data is None:
                raise DiffError(f"{src}: no such file")
        result = apply_hunks(fp.path, data, fp.hunks, reverse)
        if src is not None and src != dst:
            out[src] = None
        if dst is not None:
            out[dst] = result
    return out


# -- the other way: from two texts ---------------------------------------------------------------


def byte_edits(old: bytes, new: bytes) -> list[tuple[int, int, bytes]]:
    """The edits that turn `old` into `new`: (start, end, replacement), byte offsets in `old`,
    in order, one per run of changed lines (whole lines, ends kept: the lines concatenate back to
    the text exactly, with or without a final newline). An edit is usually small; the common head
    and tail are taken off before difflib, which is quadratic in what it compares."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    starts_a, starts_b = _offsets(a), _offsets(b)
    return [(starts_a[i1], starts_a[i2], new[starts_b[j1]:starts_b[j2]])
            for tag, i1, i2, j1, j2 in line_opcodes(a, b) if tag != "equal"]


def line_opcodes(a: list[bytes], b: list[bytes]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes turning the lines `a` into the lines `b`. The common head and tail are
    taken off first (an edit is usually small, difflib is quadratic in what it compares) and come
    back as one "equal" opcode each."""
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    ops = [("equal", 0, head, 0, head)] if head else []
    mid = difflib.SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail], autojunk=False)
    ops += [(t, i1 + head, i2 + head, j1 + head, j2 + head) for t, i1, i2, j1, j2 in mid.get_opcodes()]
    if tail:
        ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return ops


def _offsets(lines: list[bytes]) -> list[int]:
    out = [0]
    for ln in lines:
        out.append(out[-1] + len(ln))
    return out


def unified(path: str, old: bytes | None, new: bytes | None, context: int = 3) -> str:
    """`git diff`'s text for one file (`a/`, `b/` prefixes; /dev/null for a created or deleted
    file), decoded for display."""
    a = (old or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    b = (new or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, NULL if old is None else f"a/{path}",
                                 NULL if new is None else f"b/{path}", n=context)
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n"
                   for ln in lines)
