"""SQLite persistence: one database per workspace, keyed by path and content hash.

Each file's units are stored as one encoded blob with the name of the language that made them,
so a warm start is a read of blobs whose hash still matches the file on disk (and whose language
is still the one the registry gives its name). History events are rows. The schema carries a
version; an old schema or a corrupt file is removed and rebuilt, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import platformdirs

from . import codec
from .history import Event
from .languages import all_languages, language_for_path
from .records import Unit

log = logging.getLogger(__name__)

def _extractor_fingerprint() -> str:
    """A digest of every language's queries and extractor, and of the generic extraction: stored
    units are only valid for the code that made them, so changing extraction (or adding a
    language) invalidates every cache by itself."""
    from importlib import resources

    here = resources.files("ssc_lsp.map")
    h = hashlib.blake2b(digest_size=6)
    for name in ("extract.py", "records.py", "codec.py"):
        h.update(here.joinpath(name).read_bytes())
    for lang in all_languages():
        h.update(lang.name.encode())
        for data in lang.fingerprint_bytes():
            h.update(data)
    return h.hexdigest()


# the table layout (hundreds: 2, files.language), the blob format, and the extractors that
# filled the blobs; a store of another version is deleted and rebuilt (see Store._open)
SCHEMA_VERSION = f"{200 + codec.FORMAT}-{_extractor_fingerprint()}"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, hash TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    lines INTEGER NOT NULL, data BLOB NOT NULL, language TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, symbol TEXT NOT NULL, path TEXT NOT NULL,
    kind TEXT NOT NULL, time REAL NOT NULL, version INTEGER, name TEXT NOT NULL, detail TEXT);
CREATE INDEX IF NOT EXISTS history_symbol ON history(symbol);
"""
HISTORY_KEEP = 50_000


def _language_of(path: str) -> str:
    """The name of the language that maps `path` now ("" when none does)."""
    lang = language_for_path(path)
    return lang.name if lang is not None else ""


def default_db_path(root: str, cache_dir: str | None = None) -> Path:
    """Under `cache_dir`, $SSC_LSP_CACHE_DIR or the user cache dir, named by the workspace path."""
    base = cache_dir or os.environ.get("SSC_LSP_CACHE_DIR") or platformdirs.user_cache_dir("ssc-lsp")
    digest = hashlib.sha256(os.path.abspath(root).encode()).hexdigest()[:16]
    return Path(base) / f"map-{digest}.sqlite"


class Store:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.lock = threading.Lock()
        self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._connect()
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                conn.close()
                return self._recreate()  # a new database
            if row[0] != SCHEMA_VERSION:
                log.info("map database %s has schema %s, want %s: rebuilding", self.path,
                         row[0] if row else None, SCHEMA_VERSION)
                conn.close()
                return self._recreate()
            conn.execute("SELECT count(*) FROM files").fetchone()
            return conn
        except sqlite3.DatabaseError as e:
            log.warning("map database %s is unreadable (%s): rebuilding", self.path, e)
            return self._recreate()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        return conn

    def _recreate(self) -> sqlite3.Connection:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(str(self.path) + suffix)
            except FileNotFoundError:
                pass
        conn = self._connect()
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        return conn

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # -- files ----------------------------------------------------------------------------
    def file_index(self) -> dict[str, tuple[str, int, int]]:
        """path -> (hash, size, mtime_ns) of every stored file its language still maps."""
        with self.lock:
            rows = self.conn.execute("SELECT path, hash, size, mtime_ns, language FROM files").fetchall()
        return {p: (h, s, m) for p, h, s, m, lang in rows if _language_of(p) == lang}

    def load_files(self, paths: Iterable[str]) -> Iterator[tuple[str, str, int, list[Unit]]]:
        """(path, hash, lines, units) for stored files; unreadable blobs are skipped."""
        wanted = set(paths)
        with self.lock:
            rows = self.conn.execute("SELECT path, hash, lines, data, language FROM files").fetchall()
        for path, h, lines, data, lang in rows:
            if path not in wanted or _language_of(path) != lang:
                continue
            try:
                units = codec.decode(data)
            except Exception as e:  # a damaged row costs one re-parse, nothing more
                log.warning("stored map of %s unreadable (%s): re-parsing", path, e)
                continue
            yield path, h, lines, units

    def save_files(self, rows: Iterable[tuple[str, str, int, int, int, list[Unit] | bytes]]) -> None:
        """Rows of (path, hash, size, mtime_ns, lines, units or their encoded bytes)."""
        data = [(p, h, s, m, n, u if isinstance(u, bytes) else codec.encode(u), _language_of(p))
                for p, h, s, m, n, u in rows]
        with self.lock:
            self.conn.execute("BEGIN")
            self.conn.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?)", data)
            self.conn.execute("COMMIT")

    def delete_files(self, paths: Iterable[str]) -> None:
        with self.lock:
            self.conn.executemany("DELETE FROM files WHERE path=?", [(p,) for p in paths])

    # -- history --------------------------------------------------------------------------
    def save_events(self, events: list[Event]) -> None:
        if not events:
            return
        rows = [(e.symbol, e.path, e.kind, e.time, e.version, e.name, json.dumps(e.detail))
                for e in events]
        with self.lock:
            self.conn.execute("BEGIN")
            self.conn.executemany(
                "INSERT INTO history (symbol, path, kind, time, version, name, detail) "
                "VALUES (?,?,?,?,?,?,?)", rows)
            self.conn.execute(
                "DELETE FROM history WHERE id <= (SELECT max(id) FROM history) - ?", (HISTORY_KEEP,))
            self.conn.execute("COMMIT")

    def load_events(self) -> list[Event]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT symbol, path, kind, time, version, name, detail FROM history ORDER BY id"
            ).fetchall()
        return [Event(s, p, k, t, v, n, json.loads(d) if d else {}) for s, p, k, t, v, n, d in rows]
