from ssc_lsp.map.crawl import crawl
from ssc_lsp.map.service import MapOptions, MapService


def test_gitignore_sscignore_secrets_size_and_binary(tmp_path, caplog):
    (tmp_path / ".gitignore").write_text("build/\n*.gen.py\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".sscignore").write_text("private.py\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "x.py").write_text("a = 1\n")
    (tmp_path / "a.gen.py").write_text("a = 1\n")
    (tmp_path / "sub" / "private.py").write_text("a = 1\n")
    (tmp_path / "sub" / "public.py").write_text("a = 1\n")
    (tmp_path / "big.py").write_text("x = 1\n" * 100)
    (tmp_path / "bin.py").write_bytes(b"\x00\x01binary")
    (tmp_path / "latin.py").write_bytes("s = 'caf\xe9'\n".encode("latin-1"))
    (tmp_path / "secrets.py").write_text("KEY = 1\n")
    (tmp_path / "id_rsa.py").write_text("k = 1\n")
    (tmp_path / "excluded").mkdir()
    (tmp_path / "excluded" / "e.py").write_text("a = 1\n")
    skipped: dict[str, str] = {}
    found = crawl(str(tmp_path), ["excluded/"], max_size=500, skipped=skipped)
    rels = sorted(f.relpath for f in found)
    # binary content is found when the file is read, not by the crawl
    assert rels == ["bin.py", "latin.py", "sub/public.py"]
    assert skipped == {"big.py": "600 bytes is over the 500-byte limit"}
    svc = MapService(str(tmp_path), MapOptions(exclude=["excluded/"], max_file_size=500, persist=False))
    with caplog.at_level("INFO"):
        stats = svc.index()
    assert sorted(svc.ws.files) == ["sub/public.py"]
    assert stats.skipped["bin.py"] == "binary content"
    assert stats.skipped["latin.py"].startswith("not UTF-8 and no coding declaration")
    assert svc.problem_report()["count"] == 3
    assert any("bin.py" in r.message and "binary" in r.message for r in caplog.records)


def test_coding_declaration_is_honoured_and_undeclared_non_utf8_skipped(tmp_path):
    (tmp_path / "latin.py").write_bytes("# -*- coding: latin-1 -*-\ndef caf\xe9():\n    pass\nx = 1\n"
                                        .encode("latin-1"))
    (tmp_path / "bad.py").write_bytes("def caf\xe9():\n    pass\n".encode("latin-1"))
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    names = {s.name for s in svc.ws.files["latin.py"].symbols}
    assert {"café", "x"} <= names
    assert "bad.py" not in svc.ws.files
    assert "no coding declaration" in svc.problems["bad.py"]
    # the text the map's positions refer to is the decoded text
    assert svc.text_of("latin.py").splitlines()[1] == "def café():"


def test_a_bad_line_in_a_gitignore_is_skipped_not_fatal(tmp_path):
    # black ships `.gitignore` files with a lone `!` as test data: the crawl went down with it
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / ".gitignore").write_text("!\nskipped.py\n")
    (tmp_path / "data" / "skipped.py").write_text("a = 1\n")
    (tmp_path / "data" / "kept.py").write_text("a = 1\n")
    assert sorted(f.relpath for f in crawl(str(tmp_path))) == ["data/kept.py"]
