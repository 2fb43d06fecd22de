import os
import sqlite3
import time

from ssc_lsp.map.service import MapOptions, MapService
from ssc_lsp.map.store import SCHEMA_VERSION, Store


def make(tmp_path, ws):
    return MapService(str(ws), MapOptions(db_path=str(tmp_path / "map.sqlite")))


def test_warm_start_parses_only_changed_files(tmp_path, ws_copy):
    first = make(tmp_path, ws_copy)
    s1 = first.index()
    assert s1.parsed == s1.files and s1.loaded == 0
    snap = {p: fm.snapshot() for p, fm in first.ws.files.items()}
    first.close_store()

    target = ws_copy / "util" / "money.py"
    target.write_text(target.read_text() + "\n\ndef new_helper():\n    return 1\n")
    os.utime(target, (time.time() + 5, time.time() + 5))
    second = make(tmp_path, ws_copy)
    s2 = second.index()
    assert (s2.parsed, s2.loaded) == (1, s1.files - 1)
    assert "util/money.py::new_helper" in second.ws.files["util/money.py"].by_id
    for p, fm in second.ws.files.items():
        if p != "util/money.py":
            assert fm.snapshot() == snap[p]
    # the history survives the restart: the new function was recorded as added
    assert second.history.latest("util/money.py::new_helper").kind == "added"
    second.close_store()
    third = make(tmp_path, ws_copy)
    assert third.history.latest("util/money.py::new_helper").kind == "added"


def test_touched_but_unchanged_file_is_not_reparsed(tmp_path, ws_copy):
    make(tmp_path, ws_copy).index()
    target = ws_copy / "util" / "money.py"
    os.utime(target, (time.time() + 50, time.time() + 50))
    s = make(tmp_path, ws_copy).index()
    assert s.parsed == 0


def test_deleted_files_leave_the_map(tmp_path, ws_copy):
    make(tmp_path, ws_copy).index()
    (ws_copy / "util" / "money.py").unlink()
    svc = make(tmp_path, ws_copy)
    s = svc.index()
    assert s.removed == 1 and "util/money.py" not in svc.ws.files


def test_corrupt_database_is_rebuilt(tmp_path, ws_copy):
    db = tmp_path / "map.sqlite"
    db.write_bytes(b"this is not sqlite" * 100)
    svc = make(tmp_path, ws_copy)
    assert svc.index().parsed > 0
    assert sqlite3.connect(db).execute("select value from meta").fetchone()[0] == str(SCHEMA_VERSION)


def test_old_schema_is_rebuilt(tmp_path, ws_copy):
    make(tmp_path, ws_copy).index()
    conn = sqlite3.connect(tmp_path / "map.sqlite")
    conn.execute("update meta set value='1' where key='schema'")
    conn.commit()
    conn.close()
    store = Store(tmp_path / "map.sqlite")
    assert store.file_index() == {}


def test_damaged_row_costs_one_reparse(tmp_path, ws_copy):
    make(tmp_path, ws_copy).index()
    conn = sqlite3.connect(tmp_path / "map.sqlite")
    conn.execute("update files set data=x'00ff' where path='util/money.py'")
    conn.commit()
    conn.close()
    svc = make(tmp_path, ws_copy)
    s = svc.index()
    assert s.parsed == 1 and "util/money.py::round_cents" in svc.ws.files["util/money.py"].by_id
