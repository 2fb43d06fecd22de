"""Project documentation as context: README, CONTRIBUTING, docs/, and `.ssc/guidelines.md`.

Documents are cut into sections at their headings (Markdown `#` lines, reStructuredText
underlines) and indexed with BM25 like code. `.ssc/guidelines.md` is the user's own instructions
for the assistant: it is always a candidate, with its own weight. Every file passes the privacy
gate, and the index is rebuilt when a document's size or mtime changes.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

from ..map.source import read_source
from . import weights as W
from .lexical import Chunk, ChunkIndex, code_tokens
from .privacy import PathGate

GUIDELINES = ".ssc/guidelines.md"
ROOT_DOCS = re.compile(r"(?i)^(readme|contributing|hacking|architecture|design|conventions)(\.(md|rst|txt))?$")
DOC_SUFFIXES = (".md", ".rst", ".txt")
DOCS_DIRS = ("docs", "doc")
MAX_DOC_FILES = 300
MAX_DOC_BYTES = 400_000
RECHECK_S = 5.0  # a request looks at the documents' mtimes at most this often
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")


@dataclass(frozen=True, slots=True)
class Section:
    path: str
    start: int
    end: int
    title: str
    text: str  # at most DOC_SECTION_MAX_CHARS, ends with a newline


def _doc_files(root: str, gate: PathGate) -> list[str]:
    out: list[str] = []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return out
    for name in names:
        if ROOT_DOCS.match(name) and os.path.isfile(os.path.join(root, name)):
            out.append(name)
    if os.path.isfile(os.path.join(root, GUIDELINES)):
        out.append(GUIDELINES)
    for d in DOCS_DIRS:
        base = os.path.join(root, d)
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(x for x in dirnames if not x.startswith(("_", ".")))
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            for f in sorted(filenames):
                if f.endswith(DOC_SUFFIXES):
                    out.append(f"{rel_dir}/{f}")
            if len(out) >= MAX_DOC_FILES:
                break
    return [p for p in out[:MAX_DOC_FILES] if gate.allowed(p)]


def sections_of(path: str, text: str) -> list[Section]:
    """Cut a document at its headings; each section keeps its title line."""
    lines = text.split("\n")
    starts = [0]
    for i, line in enumerate(lines):
        if i and line.startswith("#") and line.lstrip("#").startswith(" "):
            starts.append(i)
        elif i >= 1 and _RST_UNDERLINE.match(line) and lines[i - 1].strip() and i - 1 > 0:
            starts.append(i - 1)
    starts = sorted(set(starts))
    out: list[Section] = []
    for k, s in enumerate(starts):
        e = (starts[k + 1] - 1) if k + 1 < len(starts) else len(lines) - 1
        while e > s and not lines[e].strip():
            e -= 1
        body = lines[s:e + 1]
        if not any(b.strip() for b in body):
            continue
        shown: list[str] = []
        size = 0
        last = s
        for j, b in enumerate(body):
            if size + len(b) + 1 > W.DOC_SECTION_MAX_CHARS and shown:
                break
            shown.append(b.rstrip())
            size += len(b) + 1
            last = s + j
        title = next((b.strip("# =-~").strip() for b in body if b.strip("# =-~").strip()), path)
        out.append(Section(path, s, last, title[:80], "\n".join(shown) + "\n"))
    return out


class DocsIndex:
    def __init__(self, root: str, gate: PathGate):
        self.root = root
        self.gate = gate
        self.sections: dict[str, Section] = {}
        self.index: ChunkIndex | None = None
        self._stamp: tuple = ()
        self._checked = 0.0
        self._lock = threading.Lock()

    def _stamps(self, files: list[str]) -> tuple:
        out = []
        for p in files:
            try:
                st = os.stat(os.path.join(self.root, p))
            except OSError:
                continue
            out.append((p, st.st_size, st.st_mtime_ns))
        return tuple(out)

    def refresh(self, force: bool = False) -> None:
        """Re-read the documents if any changed; checked at most every RECHECK_S seconds."""
        now = time.monotonic()
        if not force and self.index is not None and now - self._checked < RECHECK_S:
            return
        self._checked = now
        files = _doc_files(self.root, self.gate)
        stamp = self._stamps(files)
        with self._lock:
            if stamp == self._stamp and self.index is not None:
                return
            sections: dict[str, Section] = {}
            chunks: list[Chunk] = []
            tokens: list[list[str]] = []
            for p, _, _ in stamp:
                data = read_source(os.path.join(self.root, p), MAX_DOC_BYTES, self.root).data
                if data is None:  # too large, not a regular file, outside, binary, undecodable
                    continue
                text = data.decode("utf-8")
                for sec in sections_of(p, text):
                    key = f"{p}#{sec.start}-{sec.end}"
                    sections[key] = sec
                    chunks.append(Chunk(key, p, sec.start, sec.end, ""))
                    tokens.append(code_tokens(sec.text))
            self.sections = sections
            self.index = ChunkIndex(chunks, tokens)
            self._stamp = stamp

    def guidelines(self) -> list[Section]:
        return [s for k, s in sorted(self.sections.items()) if s.path == GUIDELINES]

    def search(self, query: list[str], top: int) -> list[tuple[Section, float]]:
        if self.index is None:
            return []
        return [(self.sections[c.key], score) for c, score in self.index.search(query, top)]
