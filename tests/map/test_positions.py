from ssc_lsp.map.positions import LineIndex, apply_lsp_change, lsp_col_of_text, point_in

TEXT = "a = 1\ns = 'é😀x'\nlast"


def test_utf16_round_trip_through_astral_characters():
    idx = LineIndex(TEXT.encode("utf-8"))
    # 'x' on line 1: code points s,space,=,space,',é,😀 -> 7; UTF-16 units: 😀 counts twice -> 8
    byte = idx.byte_of_lsp(1, 8)
    assert TEXT.encode("utf-8")[byte:byte + 1] == b"x"
    assert idx.lsp_of_byte(byte) == (1, 8)
    assert idx.jedi_of_byte(byte) == (2, 7)
    assert idx.byte_of_jedi(2, 7) == byte
    assert lsp_col_of_text("s = 'é😀x'", 7) == 8


def test_positions_past_the_end_clamp():
    idx = LineIndex(TEXT.encode("utf-8"))
    assert idx.byte_of_lsp(0, 99) == 5
    assert idx.byte_of_lsp(99, 0) == len(TEXT.encode("utf-8"))


def test_apply_change_gives_tree_sitter_edit():
    data = TEXT.encode("utf-8")
    idx = LineIndex(data)
    out, e, new_idx = apply_lsp_change(data, idx, (1, 5), (1, 8), "Z\nY")
    assert new_idx.starts == LineIndex(out).starts
    assert out.decode() == "a = 1\ns = 'ZYx'\nlast".replace("ZY", "Z\nY")
    assert e.start_point == (1, 5)
    assert e.old_end_point == (1, 5 + len("é😀".encode()))
    assert e.new_end_point == (2, 1)
    assert e.new_end_byte - e.start_byte == 3


def test_patched_line_index_equals_a_fresh_one():
    import random

    rng = random.Random(3)
    data = b"a\nbb\n\nccc\nd"
    idx = LineIndex(data)
    for _ in range(500):
        start = rng.randint(0, len(data))
        end = rng.randint(start, min(len(data), start + 5))
        new = rng.choice([b"", b"x", b"\n", b"y\nz\n", b"\n\n"])
        data2 = data[:start] + new + data[end:]
        idx = idx.edited(data2, start, end, new)
        data = data2
        assert idx.starts == LineIndex(data).starts


def test_point_in_is_the_line_index_point_of_every_byte():
    data = "a\nßx\n\n€ y\r\nz".encode()
    index = LineIndex(data)
    assert [point_in(data, i) for i in range(len(data) + 1)] == \
        [index.point_of_byte(i) for i in range(len(data) + 1)]
