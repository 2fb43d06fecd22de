from ssc_lsp.map.history import BODY_CHANGED, History
from ssc_lsp.map.service import MapOptions, MapService

SRC = "def send(a, b=1):\n    return a\n\n\ndef other():\n    return send(1)\n"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def open_svc(tmp_path, text=SRC):
    (tmp_path / "m.py").write_text(text)
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    clock = Clock()
    svc.history.clock = clock
    svc.index()
    svc.open("m.py", text, 1)
    return svc, clock


def edit(svc, version, line, col, end_line, end_col, text):
    from ssc_lsp.map.document import Change

    svc.change("m.py", [Change(text, ((line, col), (end_line, end_col)))], version)


def test_signature_change_is_recorded_with_added_parameter(tmp_path):
    svc, clock = open_svc(tmp_path)
    clock.now += 60
    edit(svc, 2, 0, 15, 0, 15, ", timeout=None")
    ev = svc.history.latest("m.py::send")
    assert ev.kind == "signature_changed"
    assert ev.detail["added"] == ["timeout"] and ev.version == 2
    assert ev.describe() == "signature changed: added `timeout`"
    assert [e.symbol for e in svc.history.query(since_seconds=30)] == ["m.py::send"]
    assert svc.history.query(since_seconds=30, path="other.py") == []


def test_rename_with_same_body_is_a_rename(tmp_path):
    svc, _ = open_svc(tmp_path)
    edit(svc, 2, 0, 4, 0, 8, "dispatch")
    ev = svc.history.latest("m.py::dispatch")
    assert ev.kind == "renamed" and ev.detail["old_name"] == "send"
    assert svc.history.renamed_to("m.py", "send", "").symbol == "m.py::dispatch"


def test_a_burst_of_queued_edits_is_recorded_as_one_change(tmp_path):
    """didChange queues its edit (`defer`): the history records what the burst did, at its last
    version, once the map is read; not one rename per keystroke of a name being typed."""
    from ssc_lsp.map.document import Change

    svc, _ = open_svc(tmp_path)
    for i, ch in enumerate("er"):  # def send| -> def sender
        assert svc.defer("m.py", [Change(ch, ((0, 8 + i), (0, 8 + i)))], 2 + i)
    assert len(svc.docs["m.py"].pending) == 2  # nothing applied before a read
    ev = svc.history.latest("m.py::sender")
    assert ev.kind == "renamed" and ev.detail["old_name"] == "send" and ev.version == 3
    assert svc.history.latest("m.py::sende") is None
    assert [e.kind for e in svc.history.query(path="m.py")] == ["renamed"]


def test_removal_and_addition(tmp_path):
    svc, _ = open_svc(tmp_path)
    edit(svc, 2, 3, 0, 6, 0, "")
    assert svc.history.latest("m.py::other").kind == "removed"
    edit(svc, 3, 3, 0, 3, 0, "class New:\n    pass\n")
    assert svc.history.latest("m.py::New").kind == "added"


def test_body_changes_coalesce_within_a_minute(tmp_path):
    svc, clock = open_svc(tmp_path)
    edit(svc, 2, 1, 11, 1, 12, "b")
    clock.now += 10
    edit(svc, 3, 1, 11, 1, 12, "c")
    events = svc.history.for_symbol("m.py::send")
    assert [e.kind for e in events] == [BODY_CHANGED]
    assert events[0].version == 3
    clock.now += 120
    edit(svc, 4, 1, 11, 1, 12, "d")
    assert [e.kind for e in svc.history.for_symbol("m.py::send")] == [BODY_CHANGED, BODY_CHANGED]


def test_history_is_bounded_per_symbol():
    from ssc_lsp.map.history import PER_SYMBOL, Event

    h = History()
    for i in range(PER_SYMBOL + 10):
        h.record(Event("s", "p", "added", float(i)))
    assert len(h.for_symbol("s")) == PER_SYMBOL
