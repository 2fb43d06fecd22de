"""The Go standard library's members in the completions' check (grounding/go_std.py), on copies
of the Go fixture workspace against the installed toolchain's sources: an invented member of a
standard package is caught, a real one passes, and nothing is decided where the toolchain cannot
be trusted (a package it does not have, a go.mod asking for a newer Go)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ssc_lsp.grounding import go_std
from ssc_lsp.grounding.check import ATTRIBUTE
from ssc_lsp.map.service import MapOptions, MapService
from tests.grounding.test_check_languages import GO_SERVER as SERVER
from tests.grounding.test_check_languages import check_in

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "go"

pytestmark = pytest.mark.skipif(go_std.goroot() is None, reason="no Go toolchain with its sources")


def workspace(tmp_path: Path, go: str, extra_import: str = "", append: str = "") -> MapService:
    """The fixture copied, its go.mod's directive set to `go`; `extra_import` (an import spec:
    `"os"`, `str "strings"`) added to server.go's imports, `append` to its end."""
    root = tmp_path / "ws"
    shutil.copytree(FIXTURE, root)
    gomod = root / "go.mod"
    gomod.write_text("\n".join(f"go {go}" if line.startswith("go ") else line
                               for line in gomod.read_text().splitlines()) + "\n")
    server = root / "server" / "server.go"
    server.write_text(server.read_text().replace('import (\n', f'import (\n\t{extra_import}\n', 1) + append)
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    return svc


def check(svc: MapService, suggestion: str):
    return check_in(svc, SERVER, suggestion)


def toolchain_go() -> str:
    root = go_std.goroot()
    assert root is not None
    return f"{root.version[0]}.{root.version[1]}"


def test_an_invented_std_member_is_caught(tmp_path):
    svc = workspace(tmp_path, toolchain_go())
    verdict = check(svc, '\tfmt.Printn("x")\n')
    assert [(i.kind, i.name) for i in verdict.issues] == [(ATTRIBUTE, "fmt.Printn")]
    assert "package `fmt` has no `Printn`" in verdict.issues[0].message


def test_real_std_members_pass(tmp_path):
    """Functions, types, variables and constants of the package; also a name declared only
    for another platform (`syscall.CreateFile`: syscall_windows.go)."""
    svc = workspace(tmp_path, toolchain_go(), extra_import='"syscall"')
    verdict = check(svc, '\tfmt.Println("x")\n\tvar s fmt.Stringer\n\t_ = s\n'
                         '\t_, _ = syscall.CreateFile, syscall.EINVAL\n')
    assert verdict.issues == [], [i.message for i in verdict.issues]
    assert verdict.checked >= 4 and not any(u.startswith(("fmt.", "syscall.")) for u in verdict.unknown)


def test_an_aliased_std_import_is_decided(tmp_path):
    svc = workspace(tmp_path, toolchain_go(), extra_import='str "strings"')
    verdict = check(svc, '\t_ = str.Join(nil, "") + str.Joinn(nil, "")\n')
    assert [i.name for i in verdict.issues] == ["str.Joinn"]


def test_a_std_path_the_toolchain_lacks_is_unknown(tmp_path):
    """No dot in the first element, as a standard package's path, but no directory under
    GOROOT/src: not decided."""
    svc = workspace(tmp_path, toolchain_go(), extra_import='"nosuchstd/widget"')
    verdict = check(svc, '\t_ = widget.Frobnicate()\n')
    assert verdict.issues == [] and "widget.Frobnicate" in verdict.unknown


def test_a_newer_go_directive_decides_nothing(tmp_path):
    """go.mod asks for a Go newer than the toolchain's: a name added since would be a false
    alarm, so the standard library's members are unknown."""
    major, minor = go_std.goroot().version
    svc = workspace(tmp_path, f"{major}.{minor + 1}")
    verdict = check(svc, '\tfmt.Printn("x")\n')
    assert verdict.issues == [] and "fmt.Printn" in verdict.unknown


HELPER = '\nfunc helper(t *testing.T, f os.FileInfo) {\n\tt.Log("x")\n}\n\nvar mu sync.Mutex\n'


def typed_workspace(tmp_path: Path) -> MapService:
    """The fixture with server.go importing sync, testing and os, a function taking a
    `*testing.T` and an `os.FileInfo` (an alias of `fs.FileInfo`), a package-level `sync.Mutex`."""
    return workspace(tmp_path, toolchain_go(), extra_import='"sync"\n\t"testing"\n\t"os"', append=HELPER)


def test_members_of_values_of_std_types(tmp_path):
    """A local, a parameter and a package variable declared with a standard type: invented
    members caught, real ones pass (`t.Helper` is promoted from the unexported `common`)."""
    svc = typed_workspace(tmp_path)
    verdict = check(svc, "\tvar wg sync.WaitGroup\n\twg.Add(1)\n\twg.Wai()\n\tmu.Lock()\n\tmu.Lockk()\n")
    assert [(i.name, i.message) for i in verdict.issues] == [
        ("wg.Wai", "`wg` (sync.WaitGroup) has no `Wai`"), ("mu.Lockk", "`mu` (sync.Mutex) has no `Lockk`")]
    verdict = check_in(svc, ("server/server.go", '\tt.Log("x")\n'), '\tt.Helper()\n\tt.Fatalff("x")\n')
    assert [i.name for i in verdict.issues] == ["t.Fatalff"]


def test_a_std_alias_type_is_not_decided(tmp_path):
    """`os.FileInfo` is an alias (of `fs.FileInfo`): its members are not read, so unknown."""
    svc = typed_workspace(tmp_path)
    verdict = check_in(svc, ("server/server.go", '\tt.Log("x")\n'), "\t_ = f.Nme()\n")
    assert verdict.issues == [] and "f.Nme" in verdict.unknown
