"""`ssc.previewEdit`: an edit as a unified diff in markdown, what the check found on top.

For clients that cannot preview a `WorkspaceEdit` (no change annotations, no refactor preview):
they show this first and apply after. The one object argument is either
- `{edit: WorkspaceEdit}`: the edit is checked (as `ssc/checkEdit`) and shown; or
- `{command, arguments}`: one of the server's commands is run with `apply: false` added to its
  object argument, and the edit it answers is shown with the findings it answered (its
  summary, problems and notes).
Answers `{"markdown": ..., "problems": [...], "summary": ...}`. Nothing is applied.
"""

from __future__ import annotations

import asyncio
import inspect

from lsprotocol import converters, types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.feature_manager import is_thread_function
from pygls.protocol.language_server import _prepare_command_arguments

from ..grounding.diff import unified
from .check_edit import check_workspace_edit, plan_of

PREVIEW_EDIT = "ssc.previewEdit"
SHOWN_FINDINGS = 20  # problems listed one per line; the rest are counted
_converter = converters.get_converter()


def _where(item: dict) -> str:
    start = (item.get("range") or {}).get("start") or {}
    line = start.get("line")
    return f"{item.get('path')}:{line + 1}" if isinstance(line, int) else str(item.get("path"))


def findings_markdown(problems: list[dict], notes: list[str] = ()) -> list[str]:
    """The check's findings and the engine's notes as markdown lines."""
    out = []
    for item in problems[:SHOWN_FINDINGS]:
        out.append(f"- `{_where(item)}` {item.get('kind')}: {item.get('message')}")
    if len(problems) > SHOWN_FINDINGS:
        out.append(f"- … and {len(problems) - SHOWN_FINDINGS} more")
    out.extend(f"- note: {n}" for n in notes)
    return out


def diff_of(ls, edit: types.WorkspaceEdit) -> str:
    """The edit as `git diff` text, per file in path order (paths relative to their folder)."""
    plan = plan_of(ls, edit)
    parts = []
    for svc, after in plan.after.items():
        for rel in sorted(after):
            old, new = plan.before(svc, rel), after[rel]
            if old != new:
                parts.append(unified(rel, old, new))
    return "".join(parts)


def markdown(ls, title: str, summary: str, edit: types.WorkspaceEdit | None,
             problems: list[dict], notes: list[str] = (), error: str | None = None) -> str:
    lines = [f"**{title}** — {summary}"]
    if error:
        lines.append(f"\n{error}")
    found = findings_markdown(problems, notes)
    if found:
        lines += ["", *found]
    text = diff_of(ls, edit) if edit is not None else ""
    if text:
        fence = "````" if "```" in text else "```"
        lines += ["", f"{fence}diff", text.rstrip("\n"), fence]
    elif edit is not None:
        lines += ["", "(the edit changes nothing)"]
    return "\n".join(lines) + "\n"


def _summary_of(problems: list[dict]) -> str:
    if not problems:
        return "checked: no problems"
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


async def run_command(ls, name: str, arguments: list) -> object:
    """One of the server's commands, run as `workspace/executeCommand` would run it."""
    handler = ls.protocol.fm.commands.get(name)
    if handler is None or name == PREVIEW_EDIT:
        raise JsonRpcInvalidParams(f"{PREVIEW_EDIT}: no command {name!r} to preview")
    params = types.ExecuteCommandParams(command=name, arguments=arguments)
    try:
        args, kwargs = _prepare_command_arguments(handler, params, ls.protocol._converter)
    except Exception as e:
        raise JsonRpcInvalidParams(f"{name}: {e}") from None
    if is_thread_function(handler):
        result = await asyncio.get_running_loop().run_in_executor(None, lambda: handler(*args, **kwargs))
    else:
        result = handler(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


async def preview(ls, arg: dict) -> dict:
    if isinstance(arg.get("edit"), dict):
        try:
            edit = _converter.structure(arg["edit"], types.WorkspaceEdit)
        except Exception as e:
            raise JsonRpcInvalidParams(f"{PREVIEW_EDIT}: not a WorkspaceEdit ({e})") from None
        problems = check_workspace_edit(ls, edit)
        summary = _summary_of(problems)
        return {"markdown": markdown(ls, "Edit", summary, edit, problems), "summary": summary,
                "problems": problems}
    name, arguments = arg.get("command"), arg.get("arguments") or []
    if not isinstance(name, str) or not isinstance(arguments, list):
        raise JsonRpcInvalidParams(f"{PREVIEW_EDIT} takes {{edit: WorkspaceEdit}} or {{command, arguments}}")
    if arguments and isinstance(arguments[0], dict):
        arguments = [{**arguments[0], "apply": False}, *arguments[1:]]
    result = await run_command(ls, name, arguments)
    if not isinstance(result, dict) or "edit" not in result:
        raise JsonRpcInvalidParams(f"{name} answers no edit to preview")
    edit = _converter.structure(result["edit"], types.WorkspaceEdit) if result["edit"] else None
    problems = list(result.get("problems") or [])
    summary = str(result.get("summary") or _summary_of(problems))
    text = markdown(ls, str(result.get("title") or name), summary, edit, problems,
                    [str(n) for n in result.get("notes") or []], result.get("error"))
    return {"markdown": text, "summary": summary, "problems": problems}


def register(server) -> None:
    @server.command(PREVIEW_EDIT)
    async def preview_edit(ls, *args) -> dict:
        if len(args) != 1 or not isinstance(args[0], dict):
            raise JsonRpcInvalidParams(f"{PREVIEW_EDIT} takes one object argument")
        return await preview(ls, args[0])
