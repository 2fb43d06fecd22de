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
    with caplog.at_level("INFO"):
        found = crawl(str(tmp_path), ["excluded/"], max_size=500)
    rels = sorted(f.relpath for f in found)
    assert rels == ["latin.py", "sub/public.py"]
    assert any("big.py" in r.message and "limit" in r.message for r in caplog.records)
    assert any("bin.py" in r.message and "binary" in r.message for r in caplog.records)


def test_non_utf8_file_is_mapped_with_replacement(tmp_path):
    (tmp_path / "latin.py").write_bytes("def caf\xe9():\n    pass\nx = 1\n".encode("latin-1"))
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.index()
    names = {s.name for s in svc.ws.files["latin.py"].symbols}
    assert "x" in names


def test_an_invalid_ignore_line_is_skipped_not_fatal(tmp_path):
    # black's own repository has such test data: `!` alone is not a pattern (git skips it)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / ".gitignore").write_text("!\nskipped.py\n")
    (tmp_path / "data" / "skipped.py").write_text("a = 1\n")
    (tmp_path / "data" / "kept.py").write_text("a = 1\n")
    assert sorted(f.relpath for f in crawl(str(tmp_path), [], max_size=500)) == ["data/kept.py"]
