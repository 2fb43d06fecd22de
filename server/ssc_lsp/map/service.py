"""The map of one workspace folder, as the server and the CLI use it.

Ties together the crawl, the parallel cold index, the SQLite store, open documents with their
incremental updates, the history and the resolver. It knows nothing of LSP: paths are
workspace-relative strings, positions are tree-sitter rows and byte columns.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import codec
from .crawl import WHOLE, FoundFile, IgnoreRules, Scope, looks_secret, walk
from .document import Change, Document, Settled, Update, build_filemap
from .filemap import FileMap, content_hash
from .history import History
from .languages import ParserCache, is_source, language_for_path
from .resolve import Resolver
from .source import Source, inside, read_source
from .store import Store, default_db_path
from .workers import WorkerPool
from .workspace import Workspace, is_stub

log = logging.getLogger(__name__)

INLINE_LIMIT = 24  # fewer changed files than this are parsed in-process: no pool start-up cost
BATCH = 16  # files per worker task
# How long a request made before the crawl ended waits for it (the crawl lists files and reads
# no content: ~0.3 s on Django) before the file it asks about can be mapped on demand.
CRAWL_WAIT_S = 10.0


@dataclass
class MapOptions:
    exclude: list[str] = field(default_factory=list)
    max_file_size: int = 1_000_000
    db_path: str | None = None  # default: a file named by the root, under cache_dir
    cache_dir: str | None = None  # default: $SSC_LSP_CACHE_DIR or the user cache dir
    persist: bool = True
    workers: int = 0  # 0: one per core
    scope: Scope = WHOLE  # the part of the root that is mapped
    max_files: int = 0  # 0: no limit; else the first files the walk finds, said once


@dataclass
class IndexStats:
    files: int = 0
    parsed: int = 0
    loaded: int = 0
    removed: int = 0
    seconds: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)  # relpath -> why it is not mapped
    note: str | None = None  # for the user: the map is incomplete (the file-count limit)


ProgressFn = Callable[[int, int, str], None]


SHOWN_PROBLEMS = 10  # problems listed by name in reports (all are counted)

Extracted = tuple[str, str, int, bytes]  # relpath, content hash, lines, encoded units
Failed = tuple[str, str]  # relpath, reason


def _extract_batch(items: list[tuple[str, str, str]], root: str, max_size: int
                   ) -> tuple[list[Extracted], list[Failed]]:
    """Worker: (relpath, abspath, module) -> the extracted files, and the failed ones with why.

    Each file is read, parsed and extracted on its own: whatever one file does (vanishes, is
    binary, does not decode, breaks the extractor) costs that file only."""
    parsers = ParserCache()
    out: list[Extracted] = []
    failed: list[Failed] = []
    for rel, abspath, module in items:
        try:
            src = read_source(abspath, max_size, root, parents_inside=True)  # as the crawl found it
            if src.data is None:
                failed.append((rel, src.reason or "unreadable"))
                continue
            lang = language_for_path(rel)
            assert lang is not None  # the crawl found it by the registry's suffixes
            fm = build_filemap(lang, rel, module, src.data, parsers.get(lang).parse(src.data))
            out.append((rel, fm.hash, fm.lines, codec.encode(fm.units)))
        except Exception as e:  # noqa: BLE001 - any failure of one file is that file's
            failed.append((rel, f"failed to map: {type(e).__name__}: {e}"))
    return out, failed


class MapService:
    def __init__(self, root: str, options: MapOptions | None = None):
        # open documents with changes queued (`defer`) -> who to tell once applied; only the
        # thread that queued them applies them (`settle`); set first: `ws` below reads it
        self._pending: dict[str, Callable[[Update], object] | None] = {}
        self._pending_thread = 0
        self.root = os.path.abspath(root)
        self.options = options or MapOptions()
        self.history = History()
        self.ws = Workspace([self.root], self.history)
        self.resolver = Resolver(self.ws)
        self.docs: dict[str, Document] = {}
        self.parsers = ParserCache()  # the event loop's (documents, saved files)
        self.store: Store | None = None
        self.rules = IgnoreRules(self.root, self.options.exclude)
        # files not mapped and why (too large, not regular, outside, binary, undecodable,
        # failed to parse): relpath -> reason; with the ignore files' invalid patterns
        self.problems: dict[str, str] = {}
        self._said: set[tuple[str, str]] = set()
        self.refused: set[str] = set()  # open documents not mapped (too large, a link out)
        self.indexed = threading.Event()
        self.crawled = threading.Event()  # the file list and package table are known
        self._unmapped: dict[str, str] = {}  # module -> path, found by the crawl, not mapped yet
        self._demand_lock = threading.Lock()
        self._demand_parsers = ParserCache()  # the asking thread's, under _demand_lock
        self.ws.loader = self._map_module_on_demand
        self._index_lock = threading.Lock()  # one index at a time (a re-index waits its turn)
        self.closed = False  # the store is closed: nothing more is indexed
        self.state = "idle"
        self.last_error: str | None = None
        self._jedi = None
        if self.options.persist:
            self.store = Store(self.options.db_path or default_db_path(self.root, self.options.cache_dir))
            self.history.load(self.store.load_events())

    # -- the map as readers see it ------------------------------------------------------------
    # The one door to the map: every reader reaches the workspace, the resolver, the history
    # or an open document (`Document`'s state properties call `settle` too) through these, and
    # each applies the changes queued by `defer` first. A thread other than the one that queued
    # them (the context engine's workers, the index) reads the last settled state, whole.

    ws = Settled[Workspace]()
    resolver = Settled[Resolver]()
    history = Settled[History]()

    def _settle_first(self) -> None:
        if self._pending:
            self.settle()

    # -- paths -------------------------------------------------------------------------------
    def relpath(self, abspath: str) -> str | None:
        rel = os.path.relpath(os.path.abspath(abspath), self.root)
        if rel.startswith(".."):
            return None
        return rel.replace(os.sep, "/")

    def abspath(self, rel: str) -> str:
        return os.path.join(self.root, *rel.split("/"))

    def is_mapped(self, rel: str) -> bool:
        """Whether a workspace file belongs in the map (a mapped language, not ignored, not a secret, in
        the service's scope, its real path inside the workspace)."""
        if not is_source(rel) or looks_secret(rel) or not self.options.scope.covers(rel) or \
                not inside(self.root, self.abspath(rel)):
            return False
        return not self.rules.ignores(rel)

    def reload_rules(self) -> None:
        """Read the ignore files afresh (they changed on disk, or a re-index was asked for)."""
        self.rules = IgnoreRules(self.root, self.options.exclude)

    def reconfigure(self, exclude: list[str], max_file_size: int) -> bool:
        """Take new crawl settings; True when what is mapped may differ (a re-index is due).

        Persistence and the cache location stay as they were for this service's life: moving
        an open SQLite store under a running index is not worth its risks (said by the caller).
        """
        changed = list(exclude) != list(self.options.exclude) or \
            max_file_size != self.options.max_file_size
        self.options.exclude = list(exclude)
        self.options.max_file_size = max_file_size
        if changed:
            self.reload_rules()
        return changed

    # -- indexing -------------------------------------------------------------------------------
    def index(self, progress: ProgressFn | None = None) -> IndexStats:
        """Crawl, load what the store still has, parse the rest on all cores."""
        # Loading builds a few hundred thousand small objects that all live on: the cyclic
        # collector would walk them again and again for nothing.
        with self._index_lock:
            if self.closed:
                return IndexStats()
            gc.disable()
            try:
                return self._index(progress)
            finally:
                gc.enable()
                # The map lives as long as the server: keep the collector from walking it on
                # every full collection (a 0.2 s pause in the middle of typing on Django).
                gc.freeze()

    def read(self, rel: str) -> Source:
        """A workspace file from disk, through the one reader (`source.read_source`)."""
        return read_source(self.abspath(rel), self.options.max_file_size, self.root)

    def problem(self, rel: str, reason: str | None) -> None:
        """Record why `rel` is not mapped (logged once per file and reason), or that it is now."""
        if reason is None:
            self.problems.pop(rel, None)
            return
        self.problems[rel] = reason
        if (rel, reason) not in self._said:
            self._said.add((rel, reason))
            log.warning("not mapped: %s: %s", rel, reason)

    def problem_report(self) -> dict:
        """The problems for a status: how many, and the first few with their reasons."""
        first = sorted(self.problems.items())[:SHOWN_PROBLEMS]
        return {"count": len(self.problems), "first": [{"path": p, "reason": r} for p, r in first]}

    def _index(self, progress: ProgressFn | None) -> IndexStats:
        t0 = time.perf_counter()
        self.state = "indexing"
        stats = IndexStats()
        skipped: dict[str, str] = {}
        found = self._crawl(stats, skipped)
        self.problems = {r: p for r, p in self.problems.items() if r in self.refused}  # open ones stay
        self._said.update(self.rules.problems.items())  # the rules logged their own line
        for key, reason in {**self.rules.problems, **skipped}.items():
            self.problem(key, reason)
        stats.files = len(found)
        for f in found:
            self.ws.note_package(f.relpath)
        self._note_unmapped(found)
        stored = self.store.file_index() if self.store else {}
        fresh: list[FoundFile] = []
        hashes: dict[str, str] = {}
        reuse: list[str] = []
        for f in found:
            s = stored.get(f.relpath)
            if s is not None and s[1] == f.size and s[2] == f.mtime_ns:
                reuse.append(f.relpath)  # same size and mtime: trust the stored hash
                continue
            data = self.read(f.relpath).data if s is not None else None
            if data is not None and content_hash(data) == s[0]:
                reuse.append(f.relpath)
                hashes[f.relpath] = s[0]
                continue
            fresh.append(f)
        by_rel = {f.relpath: f for f in found}
        # a re-index: what the map already holds at the stored hash stays as it is (replacing it
        # would open a window in which requests answered from the map see the file half put)
        held = {p for p in reuse if (fm := self.ws.files.get(p)) is not None and fm.hash == stored[p][0]}
        stats.loaded += len(held)
        if self.store is not None and len(held) < len(reuse):
            for path, h, lines, units in self.store.load_files([p for p in reuse if p not in held]):
                if path in self.docs:
                    continue
                fm = FileMap(path=path, module=self.ws.module_name(path), units=units, hash=h, lines=lines)
                fm.finalize()
                self._put_indexed(fm, record=False)
                stats.loaded += 1
            missing = [by_rel[p] for p in reuse if p not in self.ws.files and p not in self.docs]
            fresh.extend(missing)
            touched = [(p, h, by_rel[p].size, by_rel[p].mtime_ns) for p, h in hashes.items()]
            if touched:  # content unchanged, mtime moved: remember the new mtime
                self._touch(touched)
        changed = [f.relpath for f in fresh if f.relpath in stored and f.relpath not in self.docs]
        if self.store is not None and changed:  # their old state, so the history sees the change
            for path, h, lines, units in self.store.load_files(changed):
                fm = FileMap(path=path, module=self.ws.module_name(path), units=units, hash=h, lines=lines)
                fm.finalize()
                with self.ws.lock:
                    now = self.ws.files.get(path)
                    if now is None:
                        self.ws.put(fm, record=False)
                    else:  # mapped on demand already: the history still sees the change
                        self.history.diff(fm, now, None)
        if progress:
            progress(stats.loaded, stats.files, f"{stats.loaded} files from the cache")
        rows = []
        failed: list[Failed] = []
        for rel, h, lines, blob in self._extract(fresh, progress, stats.loaded, stats.files, failed):
            if rel in self.docs:
                continue
            fm = FileMap(path=rel, module=self.ws.module_name(rel), units=codec.decode(blob),
                         hash=h, lines=lines)
            fm.finalize()
            self._put_indexed(fm, record=True)
            f = by_rel[rel]
            rows.append((rel, h, f.size, f.mtime_ns, lines, blob))
            stats.parsed += 1
        for rel, reason in failed:
            self.problem(rel, reason)
            by_rel.pop(rel, None)  # what the map or the store held for it is gone below
            if rel not in stored and rel in self.ws.files and rel not in self.docs:
                self.ws.remove(rel)
        stats.skipped = dict(self.problems)
        gone = [p for p in stored if p not in by_rel and p not in self.docs]
        for p in gone:
            self.ws.remove(p)
        stats.removed = len(gone)
        if self.store is not None:
            if rows:
                self.store.save_files(rows)
            if gone:
                self.store.delete_files(gone)
        self.flush_history()
        self._rename_open_documents()
        stats.seconds = time.perf_counter() - t0
        self.state = "ready"
        with self._demand_lock:
            self._unmapped.clear()
        self.indexed.set()
        return stats

    # -- mapping on demand while the index runs -----------------------------------------------
    # An editor asks for definitions as soon as it has sent `initialized`, long before a large
    # workspace is indexed. The crawl (a file list, no content) ends in a fraction of a second;
    # from then on the file a request is about, and every module resolution needs on the way
    # (`Workspace.file_of_module` calls `ws.loader`), is parsed here at once, in the asking
    # thread, ahead of the index. The index keeps what was mapped on demand (same hash).

    def _note_unmapped(self, found: list[FoundFile]) -> None:
        table: dict[str, str] = {}
        for f in sorted(found, key=lambda f: is_stub(f.relpath)):  # a source before its stub
            lang = language_for_path(f.relpath)
            if lang is not None:
                table.setdefault(lang.key_of(self.ws.module_name(f.relpath)), f.relpath)
        with self._demand_lock:
            self._unmapped = table
        self.crawled.set()

    def _put_indexed(self, fm: FileMap, record: bool) -> None:
        """Put what the index produced, unless the same content was mapped on demand meanwhile."""
        with self.ws.lock:
            now = self.ws.files.get(fm.path)
            if now is not None and now.hash == fm.hash:
                return
            self.ws.put(fm, record=record)

    def ensure(self, rel: str) -> FileMap | None:
        """The map of a workspace file, parsed now if the index has not reached it yet.

        None before the crawl has ended (a module name needs the whole package table: wait for
        `crawled` first, off the event loop, see `wait_crawled`) and for a file the index will
        not map (ignored, not Python, too large)."""
        fm = self.ws.files.get(rel)
        if fm is not None or self.indexed.is_set() or not self.crawled.is_set():
            return fm
        with self._demand_lock:
            known = rel in self._unmapped.values()
        return self._map_now(rel) if known else self.ws.files.get(rel)

    async def wait_crawled(self, limit: float = CRAWL_WAIT_S) -> bool:
        """Wait, without holding the event loop, until the crawl has listed the files (at most
        `limit` s); whether it has."""
        if self.crawled.is_set() or self.indexed.is_set():
            return True
        import asyncio

        return await asyncio.to_thread(self.crawled.wait, limit)

    def _map_module_on_demand(self, module: str) -> FileMap | None:
        """`ws.loader`: a module that resolution needs, mapped now if the index has not yet."""
        if self.indexed.is_set() or not self.crawled.is_set():
            return None
        with self._demand_lock:
            rel = self._unmapped.get(module)
        return self._map_now(rel) if rel is not None else None

    def _map_now(self, rel: str) -> FileMap | None:
        with self._demand_lock:
            fm = self.ws.files.get(rel)
            if fm is not None:
                return fm
            data = read_source(self.abspath(rel), self.options.max_file_size, self.root).data
            if data is None:
                return None
            lang = language_for_path(rel)
            if lang is None:
                return None
            fm = build_filemap(lang, rel, self.ws.module_name(rel), data,
                               self._demand_parsers.get(lang).parse(data))
            with self.ws.lock:
                if rel not in self.ws.files:
                    self.ws.put(fm, record=False)
                return self.ws.files.get(rel)

    def _crawl(self, stats: IndexStats, skipped: dict[str, str]) -> list[FoundFile]:
        o = self.options
        files = walk(self.root, o.exclude, o.max_file_size, self.rules, skipped, o.scope)
        if not o.max_files:
            return list(files)
        found = list(itertools.islice(files, o.max_files + 1))
        if len(found) > o.max_files:
            del found[o.max_files:]
            stats.note = (f"{self.root}: only the first {o.max_files} Python files are mapped "
                          "(the limit for a project outside every workspace folder); open its "
                          "folder as a workspace folder to map it all")
            log.warning("%s", stats.note)
        return found

    def _rename_open_documents(self) -> None:
        """Editors open a file before the first crawl has found every package: its module name
        came from an incomplete package table (`shop/services/billing.py` as `billing`), so its
        relative imports pointed outside the workspace. Name and extract those again."""
        for rel, doc in list(self.docs.items()):
            module = self.ws.module_name(rel)
            if doc.fm.module != module:
                with self.ws.lock:
                    doc.set_text(doc.data, module)
                    self.ws.put(doc.fm, version=doc.version, record=False)

    def _touch(self, rows: list[tuple[str, str, int, int]]) -> None:
        assert self.store is not None
        with self.store.lock:
            self.store.conn.executemany(
                "UPDATE files SET size=?, mtime_ns=? WHERE path=? AND hash=?",
                [(s, m, p, h) for p, h, s, m in rows])

    def _extract(self, files: list[FoundFile], progress: ProgressFn | None, done: int, total: int,
                 failed: list[Failed]):
        """Yield the files extracted; the ones that could not be go to `failed`."""
        items = [(f.relpath, f.abspath, self.ws.module_name(f.relpath)) for f in files]
        batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
        root, limit = self.root, self.options.max_file_size
        workers = self.options.workers or os.cpu_count() or 1
        if len(items) < INLINE_LIMIT or workers <= 1:
            for batch in batches:
                got, bad = _extract_batch(batch, root, limit)
                failed.extend(bad)
                done += len(batch)
                if progress:
                    progress(done, total, batch[-1][0])
                yield from got
            return
        with WorkerPool(workers) as pool:  # none outlives the server (workers.py)
            futures = [pool.submit(_extract_batch, batch, root, limit) for batch in batches]
            for batch, fut in zip(batches, futures, strict=True):
                try:
                    got, bad = fut.result()
                except Exception as e:  # noqa: BLE001 - a worker died: its batch is lost, not the index
                    got, bad = [], [(rel, f"the worker process failed: {type(e).__name__}: {e}")
                                    for rel, _, _ in batch]
                failed.extend(bad)
                done += len(batch)
                if progress:
                    progress(done, total, batch[-1][0])
                yield from got

    def flush_history(self) -> None:
        if self.store is not None:
            self.store.save_events(self.history.take_pending())

    # -- documents ------------------------------------------------------------------------------
    def open(self, rel: str, text: str, version: int | None) -> Document | None:
        """Map an editor's buffer, or refuse to (None, the reason in `problems`): one over the
        size limit (parsing 50 MB held the server for minutes and took 17 GB), or a link whose
        real path is outside the workspace (nothing from outside is mapped, so none of it can
        reach a model). A refused document is answered with nothing and its changes ignored
        until it is closed."""
        data = text.encode("utf-8")
        if len(data) > self.options.max_file_size:
            self._refuse_open(rel, f"open document of {len(data)} bytes is over the "
                                   f"{self.options.max_file_size}-byte limit")
            return None
        if not inside(self.root, self.abspath(rel)):
            self._refuse_open(rel, "a link out of the workspace (its real path is "
                                   f"{os.path.realpath(self.abspath(rel))})")
            return None
        self.refused.discard(rel)
        self.ws.note_package(rel)
        lang = language_for_path(rel)
        assert lang is not None  # is_mapped(rel)
        doc = Document(rel, self.ws.module_name(rel), data, version, self.parsers.get(lang), lang)
        doc.on_demand = self.settle
        self._pending.pop(rel, None)
        self.docs[rel] = doc
        self.ws.put(doc.fm, version=version)
        self.problem(rel, None)
        return doc

    def is_stale(self, rel: str, version: int | None) -> bool:
        """A change numbered at or below the open document's version (a lost or reordered one)."""
        doc = self.docs.get(rel)
        return doc is not None and version is not None and doc.version is not None and \
            version <= doc.version

    def _refuse_open(self, rel: str, reason: str) -> None:
        self.docs.pop(rel, None)
        self._pending.pop(rel, None)
        self.refused.add(rel)
        with self.ws.lock:
            if rel in self.ws.files:  # the disk's map would answer with the wrong positions
                self.ws.remove(rel)
        self.problem(rel, reason)

    def change(self, rel: str, changes: list[Change], version: int | None) -> Update | None:
        """Apply a didChange now (`defer` then `settle`): what the re-extraction replaced, or
        None when the change was refused."""
        if not self.defer(rel, changes, version):
            return None
        return self.settle().get(rel)

    def defer(self, rel: str, changes: list[Change], version: int | None,
              then: Callable[[Update], object] | None = None) -> bool:
        """Take a didChange, to be applied by the next `settle` (or read of the map): whether
        it was taken. Stale or out-of-order versions are refused, not applied; a document that
        grows over the size limit is unmapped (as if opened so). `then` is called once with the
        Update when the document's queued changes are applied (the last one given wins)."""
        doc = self.docs.get(rel)
        if doc is None:
            log.warning("change for %s, which is not open: ignored", rel)
            return False
        if self.is_stale(rel, version):
            log.warning("stale change for %s: version %s after %s, refused", rel, version, doc.version)
            return False
        size = doc.size_after(doc.pending + changes, self.options.max_file_size)
        if size > self.options.max_file_size:  # grew over the limit: unmapped, as if opened so
            self._refuse_open(rel, f"open document of {size} bytes is over the "
                                   f"{self.options.max_file_size}-byte limit")
            return False
        doc.defer(changes, version)
        self._pending[rel] = then
        self._pending_thread = threading.get_ident()
        return True

    def settle(self) -> dict[str, Update]:
        """Apply the queued changes of every open document (one incremental parse each) and
        patch the workspace and the history, then call each document's `then`: rel -> Update.
        Nothing on a thread other than the one that queued them."""
        if not self._pending or threading.get_ident() != self._pending_thread:
            return {}
        done: dict[str, tuple[Update, Callable[[Update], object] | None]] = {}
        try:
            while self._pending:  # one at a time: a failure leaves the others queued
                rel = next(iter(self._pending))
                then = self._pending.pop(rel)
                doc = self.docs.get(rel)
                if doc is None:
                    continue
                with self._ws.lock:
                    upd = doc.settle()
                    if upd is None:
                        continue
                    fm = doc.fm
                    self._ws.files[rel] = fm
                    self._ws.put_incremental(fm, upd.old_symbols, upd.new_symbols,
                                             upd.old_interface, doc.version)
                done[rel] = (upd, then)
        finally:  # told after all are applied: a subscriber reading the map finds it whole
            for upd, then in done.values():
                if then is not None:
                    then(upd)
        return {rel: upd for rel, (upd, _) in done.items()}

    def close(self, rel: str) -> None:
        """The editor's buffer goes away: the map returns to what is on disk."""
        doc = self.docs.pop(rel, None)
        self._pending.pop(rel, None)  # what was not applied goes with the buffer
        if doc is None and rel not in self.refused:
            return
        self.refused.discard(rel)
        self.problem(rel, None)
        self.file_changed_on_disk(rel)

    def save(self, rel: str) -> None:
        doc = self.docs.get(rel)
        if doc is None or self.store is None:
            return
        src = self.read(rel)
        fm = doc.fm
        if src.data is not None and content_hash(src.data) == fm.hash:
            self.store.save_files([(rel, fm.hash, src.size, src.mtime_ns, fm.lines, fm.units)])
        self.flush_history()

    def file_changed_on_disk(self, rel: str) -> FileMap | None:
        """A file created or changed outside the editor (watched files, close)."""
        if rel in self.docs or rel in self.refused:
            return None  # the editor's buffer is the truth while it is open
        if not os.path.lexists(self.abspath(rel)) or not self.is_mapped(rel):
            self.problem(rel, None)
            self.file_deleted(rel)
            return None
        src = self.read(rel)
        data = src.data
        if data is None:
            self.problem(rel, src.reason or "unreadable")
            self.file_deleted(rel)
            return None
        self.ws.note_package(rel)
        old = self.ws.files.get(rel)
        if old is not None and old.hash == content_hash(data):
            self.problem(rel, None)
            return old
        try:
            lang = language_for_path(rel)
            assert lang is not None  # is_mapped(rel)
            fm = build_filemap(lang, rel, self.ws.module_name(rel), data, self.parsers.get(lang).parse(data))
        except Exception as e:  # noqa: BLE001 - one file's failure is that file's
            self.problem(rel, f"failed to map: {type(e).__name__}: {e}")
            self.file_deleted(rel)
            return None
        self.problem(rel, None)
        self.ws.put(fm)
        if self.store is not None:
            self.store.save_files([(rel, fm.hash, src.size, src.mtime_ns, fm.lines, fm.units)])
        self.flush_history()
        return fm

    def file_deleted(self, rel: str) -> None:
        if rel in self.docs:
            return
        if rel in self.ws.files:
            self.ws.remove(rel)
            if self.store is not None:
                self.store.delete_files([rel])
            self.flush_history()

    @property
    def jedi(self):
        """The jedi bridge, created on first use (jedi is only for what the map cannot know)."""
        if self._jedi is None:
            from .jedi_bridge import JediBridge

            self._jedi = JediBridge(self.root, ws=self.ws)
        return self._jedi

    def deep_target(self, rel: str, row: int, col: int):
        """The map's answer for a position; jedi's when the map has none (slow: not for typing)."""
        fm = self.ws.files.get(rel)
        if fm is None:
            return None
        target = self.resolver.target_at(fm, row, col)
        if target is not None:
            return target
        if self.resolver.ref_at(fm, row, col) is None:
            return None
        text = self.text_of(rel)
        if text is None:
            return None
        from .jedi_bridge import to_target

        for hit in self.jedi.goto(text, self.abspath(rel), row, col):
            t = to_target(self.ws, self.root, hit)
            if t is not None:
                return t
        return None

    def text_now(self, rel: str) -> bytes | None:
        """The text the client holds for `rel`: its open buffer, else the file's bytes on disk
        (what an edit's ranges are counted in); None: no such file."""
        doc = self.docs.get(rel)
        if doc is not None:
            return doc.data
        try:
            with open(self.abspath(rel), "rb") as f:
                return f.read()
        except OSError:
            return None

    def text_of(self, rel: str) -> str | None:
        doc = self.docs.get(rel)
        if doc is not None:
            return doc.text
        if rel in self.refused:
            return None
        data = self.read(rel).data
        return data.decode("utf-8") if data is not None else None

    def close_store(self) -> None:
        self.closed = True
        self.flush_history()
        if self.store is not None:
            self.store.close()

    def close_when_idle(self) -> None:
        """Close the store once an index in progress has finished, without waiting for it
        (a map dropped while it is being indexed; closing under it would fail the index)."""
        def close() -> None:
            with self._index_lock:
                self.close_store()

        threading.Thread(target=close, name="ssc-close-map", daemon=True).start()
