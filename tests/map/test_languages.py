"""The language seam: the registry decides which files are mapped and by which language; a file
map carries its language into the store, the module table and the resolver; compiled queries
live as long as the process."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from lsprotocol import types

from ssc_lsp.features.locate import symbol_kind
from ssc_lsp.map import codec, languages
from ssc_lsp.map.document import Document
from ssc_lsp.map.languages import all_suffixes, by_name, language_for_path, watch_globs
from ssc_lsp.map.languages.python import PYTHON
from ssc_lsp.map.records import CLASS, SUBKINDS, Symbol, Unit
from ssc_lsp.map.resolve import Resolver
from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.store import SCHEMA_VERSION, Store


def write(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_the_registry_maps_each_suffix_to_one_language():
    assert language_for_path("pkg/mod.py") is PYTHON is by_name("python")
    assert language_for_path("pkg/mod.pyi") is PYTHON and PYTHON.is_stub("pkg/mod.pyi")
    for other in ("web/app.kt", "mod.pyc", "py", "notes.txt"):
        assert language_for_path(other) is None
    suffixes = [s for lang in languages.all_languages() for s in lang.suffixes]
    assert sorted(all_suffixes()) == sorted(set(suffixes)) and {".py", ".pyi"} <= set(suffixes)
    assert set(watch_globs()) == {f"**/*{s}" for s in suffixes}


def test_files_of_no_language_are_not_mapped(tmp_path):
    write(tmp_path, {"a.py": "def f():\n    return 1\n", "web/app.kt": "fun f() {}\n",
                     "notes.txt": "text\n", "mod.pyc": ""})
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    assert set(svc.ws.files) == {"a.py"}
    assert svc.ws.files["a.py"].language is PYTHON
    assert not svc.is_mapped("web/app.kt") and svc.is_mapped("a.py")


def test_the_store_keeps_each_files_language(tmp_path, ws_copy):
    db = tmp_path / "map.sqlite"
    MapService(str(ws_copy), MapOptions(db_path=str(db))).index()
    rows = sqlite3.connect(db).execute("select path, language from files").fetchall()
    assert rows and {lang for _, lang in rows} == {"python"}
    # a row made by another language than the one that maps the path now is not loaded
    conn = sqlite3.connect(db)
    conn.execute("update files set language='other' where path='util/money.py'")
    conn.commit()
    conn.close()
    again = MapService(str(ws_copy), MapOptions(db_path=str(db)))
    stats = again.index()
    assert (stats.parsed, stats.loaded) == (1, stats.files - 1)
    assert again.ws.files["util/money.py"].language is PYTHON


def test_a_store_of_the_layout_before_languages_is_rebuilt(tmp_path, ws_copy):
    db = tmp_path / "map.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE files (path TEXT PRIMARY KEY, hash TEXT NOT NULL, size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL, lines INTEGER NOT NULL, data BLOB NOT NULL);
        INSERT INTO meta VALUES ('schema', '103-0123456789ab');
        INSERT INTO files VALUES ('util/money.py', 'h', 1, 1, 1, x'00');
    """)
    conn.commit()
    conn.close()
    assert Store(db).file_index() == {}
    svc = MapService(str(ws_copy), MapOptions(db_path=str(db)))
    stats = svc.index()
    assert stats.parsed == stats.files > 0
    cols = {r[1] for r in sqlite3.connect(db).execute("pragma table_info(files)")}
    assert "language" in cols
    assert sqlite3.connect(db).execute("select value from meta").fetchone()[0] == SCHEMA_VERSION


class CloneResolver(Resolver):
    made = 0

    def __init__(self, ws):
        super().__init__(ws)
        CloneResolver.made += 1


@pytest.fixture
def clone():
    """A second language made of Python's parts under another name and suffix: what adding a
    language module does, without a second grammar."""
    lang = dataclasses.replace(PYTHON, name="pyclone", suffixes=(".pyclone",), stub_suffixes=(),
                               module_key=None, semantic=None,
                               resolver=lambda ws: CloneResolver(ws))
    CloneResolver.language = lang
    CloneResolver.made = 0
    languages.register(lang)
    try:
        yield lang
    finally:
        languages.unregister("pyclone")


def test_adding_a_language_is_registering_it(tmp_path, clone):
    write(tmp_path, {"a.py": "def f():\n    return 1\n",
                     "m.pyclone": "def g():\n    return 2\n\ng()\n"})
    assert ".pyclone" in all_suffixes() and "**/*.pyclone" in watch_globs()
    svc = MapService(str(tmp_path), MapOptions(db_path=str(tmp_path / "db.sqlite")))
    svc.index()
    fm = svc.ws.files["m.pyclone"]
    assert fm.language is clone and svc.ws.files["a.py"].language is PYTHON
    # module names do not meet across languages: the clone's are keyed by its name
    assert svc.ws.modules["pyclone:m"] == "m.pyclone" and svc.ws.modules["a"] == "a.py"
    # the workspace's resolver hands the clone's file to the clone's resolver, made once
    target = svc.resolver.target_at(fm, 3, 0)
    assert target is not None and target.symbol.id == "m.pyclone::g"
    assert svc.resolver.target_at(fm, 3, 0) is target and CloneResolver.made == 1
    # its language is stored with it, and a warm start takes it back
    svc.close_store()
    warm = MapService(str(tmp_path), MapOptions(db_path=str(tmp_path / "db.sqlite")))
    stats = warm.index()
    assert stats.parsed == 0 and warm.ws.files["m.pyclone"].language is clone
    # an open document takes its parser from its language
    doc = warm.open("m.pyclone", "def h():\n    pass\n", 1)
    assert doc.language is clone and {s.name for s in doc.fm.symbols} >= {"h"}


KEEP_ALIVE = textwrap.dedent("""
    import dataclasses, gc
    from ssc_lsp.map.languages.python import PYTHON
    from ssc_lsp.map.extract import extract_units, split_units

    first = PYTHON.query()
    kept = id(first)
    del first
    gc.collect()
    other = dataclasses.replace(PYTHON, name="probe")  # the same query text, compiled again
    second = other.query()
    assert second is not PYTHON.query() and id(PYTHON.query()) == kept, "a query was compiled again"
    data = open(PYTHON.query_text.__code__.co_filename, "rb").read()
    for round in range(30):
        for lang in (PYTHON, other):
            tree = lang.parser().parse(data)
            units = split_units(lang, tree.root_node)
            extract_units(lang, units, tree.root_node)
            del tree
            gc.collect()
    print("ok", len(units))
""")


def test_compiled_queries_live_as_long_as_the_process():
    """py-tree-sitter 0.26.1 can crash when a compiled query is freed and another is compiled
    after it: each query is compiled once and kept; run apart, so a crash fails the test."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", KEEP_ALIVE], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")


def test_a_subkind_travels_through_the_store_and_names_the_lsp_kind():
    """A language's own word for a definition (a Go struct is a CLASS by role) survives the
    codec, and the outline and workspace symbols show it; Python's symbols have none."""
    unit = Unit(0, 10, 0, 1, 0, "", "stmt",
                symbols=[Symbol("Point", CLASS, "Point", "Point", "", (0, 0, 1, 0), (0, 5, 0, 10),
                                subkind="struct")])
    back = codec.decode(codec.encode([unit]))[0].symbols[0]
    assert back.subkind == "struct" and "struct" in SUBKINDS
    assert symbol_kind(back.kind, back.subkind) == types.SymbolKind.Struct
    assert symbol_kind(CLASS, None) == types.SymbolKind.Class
    doc = Document("p.py", "p", b"class P:\n    x = 1\n")
    assert {s.subkind for s in doc.fm.symbols} == {None}
