"""`ssc.suggestNames`: the model proposes better names for a symbol; the map's rename decides
which can be applied.

The model gets the definition, a few uses from the map's references and the file's naming
style. Each name it proposes is validated the way a rename would be: a valid identifier, not a
keyword, not a builtin's name, and accepted by the map's rename plan (map/rename.plan_rename:
free in the symbol's scope and in every scope a use sits in, in every file that imports it by
name, subclasses included). What the plan refuses is returned under `refused` with its reason,
never offered. Applying a name is a textDocument/rename (features/rename.rename_edit).
"""

from __future__ import annotations

import json

from ..map.navigation import uses
from ..map.rename import RenameRefused, Source, plan_rename
from ..map.service import MapService
from ..map.workspace import Located
from .extract import NoName
from .model import ask, redacted, refused
from .naming import bad_identifier, naming_style

MAX_NAMES = 5  # proposals kept from one answer
USES_SHOWN = 5  # uses of the symbol put in the prompt
DEFINITION_LINES = 40  # of the definition put in the prompt
ANSWER_TOKENS = 300

SYSTEM = "You suggest clearer names for Python symbols. Answer with one JSON object and nothing else."


def symbol_info(loc: Located) -> dict:
    sym = loc.symbol
    return {"name": sym.name, "qualname": sym.qualname, "kind": sym.kind, "path": loc.file.path,
            "line": sym.name_range[0] + 1}


async def suggest(assistant, svc: MapService, loc: Located, source: Source) -> dict:
    """{"symbol", "names": [{"name", "reason"}], "refused": [{"name", "reason"}]}: the model's
    names that the map's rename accepts, and the others with why. Raises NoName on an answer
    with no names, LLMError when the model fails, RenameRefused when the definition's file is
    one the privacy gate keeps from the model."""
    path = loc.file.path
    gate = refused(svc, path)
    if gate is not None:
        raise RenameRefused(f"No model request for {path}: {gate}.")
    answer = await ask(assistant, _prompt(svc, loc, source), system=SYSTEM, max_tokens=ANSWER_TOKENS)
    good: list[dict] = []
    bad: list[dict] = []
    for name, reason in parse_names(answer)[:MAX_NAMES]:
        why = _why_not(svc, loc, name, source)
        if why is None and all(g["name"] != name for g in good):
            good.append({"name": name, "reason": reason})
        elif why is not None:
            bad.append({"name": name, "reason": why})
    return {"symbol": symbol_info(loc), "names": good, "refused": bad}


def _why_not(svc: MapService, loc: Located, name: str, source: Source) -> str | None:
    if name == loc.symbol.name:
        return "is the current name"
    bad = bad_identifier(name)
    if bad is not None:
        return f"`{name}` {bad}"
    try:
        plan_rename(svc.ws, svc.resolver, loc, name, source)
    except RenameRefused as e:
        return str(e)
    return None


def _prompt(svc: MapService, loc: Located, source: Source) -> str:
    sym, fm = loc.symbol, loc.file
    data = source(fm.path) or b""
    lines = data.decode("utf-8", errors="replace").splitlines()
    r = sym.range
    definition = "\n".join(lines[r[0]:min(r[2] + 1, r[0] + DEFINITION_LINES)])
    shown: list[str] = []
    for use in uses(svc.ws, svc.resolver, loc, include_binds=False):
        if len(shown) >= USES_SHOWN:
            break
        if refused(svc, use.file.path) is not None:
            continue
        text = source(use.file.path)
        if text is None:
            continue
        use_lines = text.decode("utf-8", errors="replace").splitlines()
        if use.row < len(use_lines):
            line = redacted(svc, use.file.path, use_lines[use.row].strip())
            shown.append(f"{use.file.path}:{use.row + 1}: {line}")
    uses_text = "\n".join(shown) or "(no uses in the workspace)"
    return (f"Suggest up to {MAX_NAMES} clearer names for the {sym.kind} `{sym.name}` "
            f"({sym.qualname} in {fm.path}). The file names things in {naming_style(fm)}.\n\n"
            f"Definition:\n```python\n{redacted(svc, fm.path, definition)}\n```\n\n"
            f"Some uses:\n{uses_text}\n\n"
            'Answer with JSON only: {"names": [{"name": "...", "reason": "why it is clearer"}]}')


def parse_names(text: str) -> list[tuple[str, str]]:
    """(name, reason) pairs from the model's answer: {"names": [...]} or a bare list, each an
    object with `name` (and `reason`) or a string; NoName when there are none."""
    body = text.strip().strip("`").strip()
    if body.startswith("json"):
        body = body[4:].strip()
    found = None
    for lo, hi in ((body.find("{"), body.rfind("}")), (body.find("["), body.rfind("]"))):
        if 0 <= lo < hi:
            try:
                found = json.loads(body[lo:hi + 1])
                break
            except ValueError:
                continue
    items = found.get("names") if isinstance(found, dict) else found
    out: list[tuple[str, str]] = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, str) and item.strip():
            out.append((item.strip(), ""))
        elif isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            reason = item.get("reason")
            out.append((item["name"].strip(), reason.strip() if isinstance(reason, str) else ""))
    if not out:
        shown = " ".join(text.split())[:80]
        raise NoName(f"The model's answer holds no names ({shown!r}).")
    return out
