"""The jedi process: answers inference questions over stdin/stdout, one JSON object a line.

jedi is pure Python and a cold inference takes 50 ms to seconds; in the server's own process it
would hold the GIL while the editor's next requests wait. In a process of its own it only costs a
core. It keeps jedi's caches between questions, and exits when its stdin closes (when the server
goes away, however it goes).

Requests: {"op": "infer", "root", "sys_path", "path", "code", "line", "column"}
          {"op": "external", "root", "sys_path", "module", "name"}
          {"op": "goto", "root", "sys_path", "path", "code", "positions": [[line, column]...]}
          {"op": "signatures", "root", "sys_path", "path", "code", "line", "column"}
Replies:  {"names": [{"module_path", "module_name", "full_name", "type", "name", "line",
                      "signatures", "doc"}]} or {"error": "..."}
          goto: {"hits": [[{"module_path", "line", "column", "name"}...] per position]}
          signatures: {"signatures": [{"label", "params": [text...], "index", "doc"}]}
"""

from __future__ import annotations

import json
import sys

_projects: dict[tuple, object] = {}


def _project(root: str, sys_path: list[str]):
    import jedi

    key = (root, tuple(sys_path))
    proj = _projects.get(key)
    if proj is None:
        proj = jedi.Project(root, sys_path=sys_path, smart_sys_path=False)
        _projects[key] = proj
    return proj


def _name(n, details: bool) -> dict:
    out = {"module_path": str(n.module_path) if n.module_path else "", "module_name": n.module_name or "",
           "full_name": n.full_name or "", "type": n.type, "name": n.name, "line": n.line or 0}
    if details:
        out["signatures"] = [s.to_string() for s in n.get_signatures()][:2]
        doc = (n.docstring(raw=True) or "").strip().split("\n\n", 1)[0].strip()
        out["doc"] = " ".join(doc.split())[:240]
    return out


def answer(req: dict) -> dict:
    import jedi

    proj = _project(req["root"], req["sys_path"])
    if req["op"] == "infer":
        script = jedi.Script(code=req["code"], path=req.get("path"), project=proj)
        return {"names": [_name(n, False) for n in script.infer(req["line"], req["column"])]}
    if req["op"] == "external":
        module, name = req["module"], req.get("name")
        head, _, rest = (name or "").partition(".")
        code = f"import {module}\n{module}" + (f".{name}" if name else "")
        if head and not rest:
            code = f"from {module} import {head}\n{head}"
        lines = code.split("\n")
        script = jedi.Script(code=code, project=proj)
        # goto lands on the definition (a classmethod's `def`, not the descriptor infer returns)
        found = script.goto(len(lines), len(lines[-1]), follow_imports=True) or \
            script.infer(len(lines), len(lines[-1]))
        return {"names": [_name(n, True) for n in found[:1]]}
    if req["op"] == "goto":  # one parse of the file for every position asked
        script = jedi.Script(code=req["code"], path=req.get("path"), project=proj)
        return {"hits": [_gotos(script, line, column) for line, column in req["positions"]]}
    if req["op"] == "signatures":
        script = jedi.Script(code=req["code"], path=req.get("path"), project=proj)
        return {"signatures": [_signature(s) for s in script.get_signatures(req["line"], req["column"])[:4]]}
    return {"error": f"unknown op {req['op']!r}"}


def _gotos(script, line: int, column: int) -> list[dict]:
    try:
        found = script.goto(line, column, follow_imports=True)
    except Exception:  # one position jedi cannot read: no answer for it, the others stand
        return []
    return [{"module_path": str(n.module_path) if n.module_path else "", "line": n.line or 0,
             "column": n.column or 0, "name": n.name} for n in found]


def _signature(sig) -> dict:
    doc = (sig.docstring(raw=True) or "").strip().split("\n\n", 1)[0].strip()
    return {"label": sig.to_string(), "params": [p.to_string() for p in sig.params],
            "index": sig.index, "doc": " ".join(doc.split())[:400]}


def main() -> int:
    for line in sys.stdin:
        try:
            reply = answer(json.loads(line))
        except Exception as e:  # jedi fails on odd code now and then: an empty answer
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
