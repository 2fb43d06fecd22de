"""The Go standard library's members as go_std.py reads them, against Go's own API lists.

GOROOT/api/go1*.txt list every exported package-level name of every release (per platform
where they differ: `pkg syscall (windows-386), func CreateFile(...)`); except.txt the ones Go
removed since; and each type's declared methods, fields and interface methods. A listed name or
member go_std.py does not find (of a type it decides) (and except.txt does not excuse) would be
a false alarm of the completions' check:

    python bench/go_std_api.py
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from ssc_lsp.grounding import go_std

_API = re.compile(r"^pkg ([\w/.]+)(?: \([^)]*\))?, (?:func|type|var|const) (\w+)")
# a type's member: `method (*T) M(...)`, `type T struct, F int`, `type I interface, M(...)`
_MEMBER = re.compile(r"^pkg ([\w/.]+)(?: \([^)]*\))?, (?:method \(\*?(\w+)(?:\[[^\]]*\])?\) (\w+)"
                     r"|type (\w+) (?:struct|interface \{[^}]*\}|interface), (?:embedded )?\*?(?:\w+\.)?(\w+))")


def api_names(folder: Path, pattern: str) -> dict[str, set[str]]:
    """Package -> its listed names, and `pkg.T` -> the listed members of its type T."""
    out: dict[str, set[str]] = defaultdict(set)
    for f in sorted(folder.glob(pattern)):
        for line in f.read_text(errors="replace").splitlines():
            m = _API.match(line)
            if m:
                out[m.group(1)].add(m.group(2))
            m = _MEMBER.match(line)
            if m:
                member = m.group(3) or m.group(5)
                if member != "unexported":  # `type Decl interface, unexported methods`
                    out[f"{m.group(1)}#{m.group(2) or m.group(4)}"].add(member)
    return out


def main() -> int:
    root = go_std.goroot()
    if root is None:
        raise SystemExit("no Go toolchain (`go env GOROOT`)")
    api = Path(root.path, "api")
    listed, removed = api_names(api, "go1*.txt"), api_names(api, "except.txt")
    t0 = time.perf_counter()
    names = missing = 0
    undecided = []
    types = decided = 0
    for pkg, want in sorted(listed.items()):
        if "#" in pkg:
            path, _, name = pkg.partition("#")
            got = go_std.type_members(path, name)
            types += 1
            decided += got is not None
            if got is None:
                continue
        else:
            got = go_std.package_members(pkg)
            if got is None:
                undecided.append(pkg)
                continue
        for n in sorted(want - removed.get(pkg, set())):
            names += 1
            if n not in got:
                missing += 1
                print(f"MISSING {pkg}.{n}")
    print(f"go{root.version[0]}.{root.version[1]} ({root.path}): {len(listed) - types} packages, "
          f"{types} types with members listed ({decided} decided), {names} listed names and members, "
          f"{missing} not found, {len(undecided)} packages not decided {undecided}; "
          f"read in {time.perf_counter() - t0:.1f} s")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
