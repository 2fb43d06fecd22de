"""The jedi process: answers inference questions over stdin/stdout, one JSON object a line.

jedi is pure Python and a cold inference takes 50 ms to seconds; in the server's own process it
would hold the GIL while the editor's next requests wait. In a process of its own it only costs a
core. It keeps jedi's caches between questions, and exits when its stdin closes (when the server
goes away, however it goes).

Requests: {"op": "infer", "root", "roots", "path", "code", "line", "column"}
          {"op": "external", "root", "roots", "module", "name"}
          {"op": "goto", "root", "roots", "path", "code", "line", "column"}
          {"op": "goto_many", "root", "roots", "path", "code", "positions": [[line, column]...]}
          {"op": "signatures", "root", "roots", "path", "code", "line", "column"}
          {"op": "refactor", "root", "roots", "path", "code", "kind", "line", "column",
           "until_line"?, "until_column"?, "new_name"?}  (kind: extract_function |
           extract_variable | inline: jedi's refactoring API)
Replies:  {"names": [{"module_path", "module_name", "full_name", "type", "name", "line",
                      "column", "signatures", "doc"}]} or {"error": "..."}
          goto_many: {"hits": [[{"module_path", "line", "column", "name"}...] per position]}
          signatures: {"signatures": [{"label", "params": [text...], "index", "doc"}]}
          refactor: {"changed": {abspath: new code}} or {"refused": jedi's reason}
(`roots`: the workspace's source roots; the project is map/jedi_env.py's, the server's one jedi
environment. goto's names carry the whole docstring, for hovers.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ssc_lsp.map.jedi_env import project

MAX_HOPS = 3  # re-exports stepped through by goto (`from .x import y` in a package's __init__)
DOC_CHARS = 4000  # of a docstring sent back for a hover


def _name(n, details: bool, full_doc: bool = False) -> dict:
    out = {"module_path": str(n.module_path) if n.module_path else "", "module_name": n.module_name or "",
           "full_name": n.full_name or "", "type": n.type, "name": n.name, "line": n.line or 0,
           "column": n.column or 0}
    if details:
        out["signatures"] = [s.to_string() for s in n.get_signatures()][:2]
        raw = (n.docstring(raw=True) or "").strip()
        if full_doc:
            out["doc"] = raw[:DOC_CHARS]
        else:
            doc = raw.split("\n\n", 1)[0].strip()
            out["doc"] = " ".join(doc.split())[:240]
    return out


def _on_import(path: Path, line: int) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").split("\n")[line - 1].lstrip()
    except (OSError, IndexError):
        return False
    return text.startswith(("from ", "import "))


def goto(proj, path: str | None, code: str, line: int, column: int) -> list:
    """Where the name at (line, column) is defined, imports followed, and re-exports stepped
    through where jedi stops on an import statement."""
    import jedi

    out = []
    for n in jedi.Script(code=code, path=path, project=proj).goto(line, column, follow_imports=True):
        hops = MAX_HOPS
        while hops and n.module_path and n.line and n.type != "module" and _on_import(Path(n.module_path), n.line):
            here = Path(n.module_path)
            nxt = [m for m in jedi.Script(code=here.read_text(encoding="utf-8", errors="replace"), path=str(here),
                                          project=proj).goto(n.line, n.column, follow_imports=True)
                   if (m.module_path, m.line, m.column) != (n.module_path, n.line, n.column)]
            if not nxt:
                break
            n, hops = nxt[0], hops - 1
        out.append(n)
    return out


def answer(req: dict) -> dict:
    import jedi

    proj = project(req["root"], req.get("roots") or ())
    if req["op"] == "goto":
        return {"names": [_name(n, True, True) for n in goto(proj, req.get("path"), req["code"], req["line"],
                                                            req["column"])[:4]]}
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
    if req["op"] == "goto_many":  # one parse of the file for every position asked
        script = jedi.Script(code=req["code"], path=req.get("path"), project=proj)
        return {"hits": [_gotos(script, line, column) for line, column in req["positions"]]}
    if req["op"] == "signatures":
        script = jedi.Script(code=req["code"], path=req.get("path"), project=proj)
        return {"signatures": [_signature(s) for s in script.get_signatures(req["line"], req["column"])[:4]]}
    if req["op"] == "refactor":
        return refactor(jedi.Script(code=req["code"], path=req.get("path"), project=proj), req)
    return {"error": f"unknown op {req['op']!r}"}


REFACTORINGS = ("extract_function", "extract_variable", "inline")


def refactor(script, req: dict) -> dict:
    """jedi's refactoring: every file it changes with its whole new text, or the reason jedi
    gives for refusing (RefactoringError: "Cannot inline a function", ...)."""
    from jedi.api.exceptions import RefactoringError

    kind = req["kind"]
    if kind not in REFACTORINGS:
        return {"error": f"unknown refactoring {kind!r}"}
    try:
        if kind == "inline":
            result = script.inline(req["line"], req["column"])
        else:
            result = getattr(script, kind)(req["line"], req["column"], new_name=req["new_name"],
                                           until_line=req["until_line"], until_column=req["until_column"])
        changed = {str(p): f.get_new_code() for p, f in result.get_changed_files().items()}
    except RefactoringError as e:
        return {"refused": str(e)}
    return {"changed": changed}


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
