"""The project of a file outside every workspace folder: root, scope, the file-count limit."""

from __future__ import annotations

from pathlib import Path

from ssc_lsp.map.crawl import Scope, crawl, walk
from ssc_lsp.map.project_root import find_project, too_broad
from ssc_lsp.map.service import MapOptions, MapService


def make(root: Path, rels: list[str]) -> Path:
    for rel in rels:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n")
    return root


def test_a_package_is_mapped_from_above_its_topmost_folder(tmp_path):
    root = make(tmp_path / "dl", ["pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/m.py", "top.py"])
    p = find_project(str(root / "pkg/sub/m.py"), home=str(tmp_path / "elsewhere"))
    assert p.root == str(root)
    assert p.scope.dirs == (("", False), ("pkg", True))
    assert p.packages == ("pkg", "pkg/sub")


def test_a_plain_folder_is_mapped_whole(tmp_path):
    root = make(tmp_path / "scripts", ["run.py", "lib/__init__.py", "lib/x.py"])
    p = find_project(str(root / "run.py"), home=str(tmp_path / "elsewhere"))
    assert (p.root, p.scope, p.packages) == (str(root), Scope(), ())


def test_a_folder_without_init_between_packages_ends_the_chain(tmp_path):
    root = make(tmp_path, ["a/__init__.py", "a/ns/m.py"])
    p = find_project(str(root / "a/ns/m.py"), home=str(tmp_path / "elsewhere"))
    assert (p.root, p.scope) == (str(root / "a/ns"), Scope())


def test_never_the_home_directory_or_a_filesystem_root_whole(tmp_path):
    home = make(tmp_path / "home", ["script.py", "pkg/__init__.py", "pkg/m.py"])
    p = find_project(str(home / "script.py"), home=str(home))
    assert (p.root, p.scope.dirs) == (str(home), (("", False),))
    p = find_project(str(home / "pkg/m.py"), home=str(home))
    assert (p.root, p.scope.dirs) == (str(home), (("pkg", True),))  # the package, not home
    assert too_broad("/", home=str(home))
    assert too_broad(str(tmp_path), home=str(home))  # above home
    assert not too_broad(str(home / "pkg"), home=str(home))


def test_scope_covers_enters_and_union():
    s = Scope((("", False), ("pkg", True)))
    assert s.covers("a.py") and s.covers("pkg/x/y.py") and not s.covers("other/a.py")
    assert s.enters("pkg") and not s.enters("other")
    assert Scope((("a/b", True),)).enters("a") and not Scope((("a/b", True),)).covers("a/f.py")
    assert s.union(Scope((("", False),))) == s
    assert s.union(Scope()) == Scope()
    assert s.union(Scope((("lib", True),))).dirs == (("", False), ("lib", True), ("pkg", True))


def test_walk_honours_the_scope_and_crawl_the_whole_root(tmp_path):
    make(tmp_path, ["a.py", "pkg/b.py", "pkg/deep/c.py", "other/d.py"])
    part = sorted(f.relpath for f in walk(str(tmp_path), scope=Scope((("", False), ("pkg", True)))))
    assert part == ["a.py", "pkg/b.py", "pkg/deep/c.py"]
    assert len(crawl(str(tmp_path))) == 4


def test_the_file_count_limit_is_noted_and_the_scope_decides_what_is_mapped(tmp_path):
    make(tmp_path, [f"m{i}.py" for i in range(5)] + ["sub/s.py"])
    svc = MapService(str(tmp_path), MapOptions(persist=False, max_files=3, scope=Scope((("", False),))))
    stats = svc.index()
    assert sorted(svc.ws.files) == ["m0.py", "m1.py", "m2.py"]
    assert stats.note is not None and "only the first 3 Python files" in stats.note
    assert svc.is_mapped("m4.py") and not svc.is_mapped("sub/s.py")
    whole = MapService(str(tmp_path), MapOptions(persist=False, max_files=6))
    assert whole.index().note is None and len(whole.ws.files) == 6


def test_a_closed_map_is_not_indexed(tmp_path):
    make(tmp_path, ["a.py"])
    svc = MapService(str(tmp_path), MapOptions(persist=False))
    svc.close_store()
    assert svc.index().files == 0 and not svc.ws.files


def test_installed_code_gets_its_own_folder_only(tmp_path):
    site = make(tmp_path / "lib/python3.11/site-packages",
                ["six.py", "dj/__init__.py", "dj/db/__init__.py", "dj/db/query.py", "dj/db/sql/x.py"])
    p = find_project(str(site / "dj/db/query.py"), home=str(tmp_path / "elsewhere"))
    assert (p.root, p.scope.dirs, p.packages) == (str(site), (("dj/db", False),), ("dj", "dj/db"))
    p = find_project(str(site / "six.py"), home=str(tmp_path / "elsewhere"))
    assert (p.root, p.scope.dirs) == (str(site), (("", False),))
