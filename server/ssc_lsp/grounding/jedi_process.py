"""The check's jedi process: what installed modules define and what receivers have, answered
over stdin/stdout, one JSON object a line.

Why a process of its own: jedi keeps one subprocess per environment for compiled modules, shared
by everything in the process that uses jedi; two threads asking at once (the check, and any
other part of the server) get each other's answers (`itertools` without `groupby`) or deadlock.
Here jedi is single-threaded and alone, its caches live between questions, its CPU time does
not hold the server's GIL, and it exits when its stdin closes.

Requests: {"op": "module", "root", "roots", "module"}
          {"op": "members", "root", "roots", "path", "code", "line", "col"}
(`roots`: the workspace's source roots; the project is map/jedi_env.py's, the server's one jedi
environment, so the check and the context engine see the same modules.)
Replies:  {"exists": bool, "members": [names] | null}
          {"members": [names] | null, "types": [names]}
          {"error": "..."}
"""

from __future__ import annotations

import importlib.util
import json
import sys

from ssc_lsp.map.jedi_env import project as _project

_modules: dict[str, tuple[bool, frozenset[str] | None]] = {}


def module_info(project, module: str) -> tuple[bool, frozenset[str] | None]:
    """(exists, member names or None when they cannot be listed or are computed)."""
    import jedi

    if module in _modules:
        return _modules[module]
    code = f"import {module} as _m\n_m."
    script = jedi.Script(code=code, project=project)
    if not script.goto(1, len(f"import {module}") - 1):
        answer: tuple[bool, frozenset[str] | None] = (not _absent(project, module), None)
    else:
        names = frozenset(c.name for c in script.complete(2, 3)) | frozenset(
            c.name for c in jedi.Script(code=code + "_", project=project).complete(2, 4))
        answer = (True, None if not names or "__getattr__" in names else names)
    _modules[module] = answer
    return answer


def _absent(project, module: str) -> bool:
    """A module jedi did not find is absent when importlib agrees (a top level: it does not
    import anything to say so), or when its parent exists and lists its members without it."""
    if "." in module:
        parent, _, last = module.rpartition(".")
        exists, members = module_info(project, parent)
        return exists and members is not None and last not in members
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def members(project, path: str, code: str, line: int, col: int) -> dict:
    """The members of the receiver ending just before the `.` at (line, col - 1)."""
    import jedi

    lines = code.split("\n")
    if line - 1 >= len(lines) or col < 1 or lines[line - 1][col - 1:col] != ".":
        return {"members": None, "types": []}
    head = "\n".join(lines[:line - 1] + [lines[line - 1][:col]])
    script = jedi.Script(code=head, path=path, project=project)
    types = script.infer(line, max(0, col - 2))  # the receiver's last character
    # `Optional[X]`: the None side is what the code guards against, not a type to check
    types = [t for t in types if t.name != "NoneType"] or types
    kinds = [t.name for t in types]
    # builtins are where jedi's inference most often guesses (a `None` default, an unannotated
    # return): only classes of real modules are trusted
    if not types or any(t.type not in ("instance", "class", "module")
                        or t.module_name in ("builtins", "typing", "types") for t in types):
        return {"members": None, "types": kinds}
    names = {c.name for c in script.complete(line, col)}
    names |= {c.name for c in jedi.Script(code=head + "__", path=path,
                                          project=project).complete(line, col + 2)}
    if not names or "__getattr__" in names:
        return {"members": None, "types": kinds}  # members computed at run time
    return {"members": sorted(names), "types": kinds}


def answer(req: dict) -> dict:
    project = _project(req["root"], req.get("roots") or ())
    if req["op"] == "module":
        exists, names = module_info(project, req["module"])
        return {"exists": exists, "members": sorted(names) if names is not None else None}
    if req["op"] == "members":
        return members(project, req["path"], req["code"], req["line"], req["col"])
    return {"error": f"unknown op {req['op']!r}"}


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = answer(json.loads(line))
        except Exception as e:  # one bad question must not end the process
            out = {"error": f"{type(e).__name__}: {e}"[:300]}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
