"""The one place that reads a source file from disk (which files are source: map/languages).

A workspace is hostile input: a `.py` can be a FIFO (opening it blocks), a symlink to
`/dev/urandom` (reading never ends), a link out of the workspace (its text must never reach a
model), a loop of links, a file deleted between the crawl and the read, binary, or written in a
PEP 263 encoding. Every disk read of a source file goes through `read_source`, which reads only
regular files whose real path is inside the root, never blocks, never reads past the size
limit, and returns UTF-8 bytes (what tree-sitter and the map's byte offsets expect) or a reason.
Open buffers come from the editor (`MapService.docs`), not from here.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from functools import lru_cache

BINARY_PROBE = 8192  # a NUL byte in this many first bytes: binary
READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Source:
    """What a read gave: UTF-8 bytes, or the reason there are none."""

    data: bytes | None
    reason: str | None = None
    size: int = 0  # on disk, as stat says (the store keys on it)
    mtime_ns: int = 0


@lru_cache(maxsize=64)
def _real_root(root: str) -> str:
    return os.path.realpath(root).rstrip(os.sep) + os.sep


def inside(root: str, path: str) -> bool:
    """Whether `path`, all symlinks resolved, is `root` (resolved) or below it."""
    return (os.path.realpath(path) + os.sep).startswith(_real_root(root))


def check_source(path: str, max_size: int, root: str | None = None, parents_inside: bool = False
                 ) -> tuple[os.stat_result | None, str | None]:
    """Stat-level checks, no read: a regular file, inside `root`, within `max_size`.

    `parents_inside`: the folders above `path` are known to be inside `root` and no links (the
    crawl walks without following links), so only a link needs resolving: one lstat a file
    instead of a realpath (which cost the crawl of 10,000 files 5 s)."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or (root is not None and not parents_inside):
            real = os.path.realpath(path)
            if root is not None and not inside(root, real):
                return None, f"outside the workspace (its real path is {real})"
            st = os.stat(real)
    except OSError as e:
        return None, _os_reason(e)
    if not stat.S_ISREG(st.st_mode):
        return None, "not a regular file"
    if st.st_size > max_size:
        return None, f"{st.st_size} bytes is over the {max_size}-byte limit"
    return st, None


def read_source(path: str, max_size: int, root: str | None = None, parents_inside: bool = False
                ) -> Source:
    """The file's text as UTF-8 bytes, or why it cannot be mapped. Never blocks or overreads."""
    st, reason = check_source(path, max_size, root, parents_inside)
    if st is None:
        return Source(None, reason)
    try:
        # O_NONBLOCK: a file swapped for a FIFO after the stat must not block the open
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        return Source(None, _os_reason(e))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return Source(None, "not a regular file")
        chunks: list[bytes] = []
        got = 0
        while got <= max_size:
            chunk = os.read(fd, min(READ_CHUNK, max_size + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as e:
        return Source(None, _os_reason(e))
    finally:
        os.close(fd)
    if got > max_size:
        return Source(None, f"grew over the {max_size}-byte limit while read")
    raw = b"".join(chunks)
    if b"\0" in raw[:BINARY_PROBE]:
        return Source(None, "binary content")
    data, reason = to_utf8(raw)
    return Source(data, reason, st.st_size, st.st_mtime_ns)


def to_utf8(raw: bytes) -> tuple[bytes | None, str | None]:
    """Source bytes as UTF-8, decoded as Python would (PEP 263 declaration, BOM), or a reason."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as e:  # tokenize says "invalid or missing" for a first line not UTF-8
        if "missing" in str(e):
            return None, "not UTF-8 and no coding declaration"
        return None, f"bad coding declaration: {e}"
    if encoding in ("utf-8", "utf-8-sig"):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return None, f"not UTF-8 and no coding declaration (byte {e.start})"
        return raw, None
    try:
        return raw.decode(encoding).encode("utf-8"), None
    except (UnicodeDecodeError, LookupError) as e:
        return None, f"cannot decode as {encoding}: {e}"


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ENOENT:
        return "missing (deleted while indexing, or a dangling link)"
    if e.errno == errno.ELOOP:
        return "symlink loop"
    return e.strerror or str(e)
