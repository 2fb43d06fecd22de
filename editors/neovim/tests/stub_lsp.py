#!/usr/bin/env python3
"""A tiny stand-in for ssc-lsp, used only to self-test the editor test harnesses.

It is NOT the ssc server. It speaks LSP over stdio (pygls) and answers, with
naive whole-word text matching over the workspace's *.py files:
definition, references, rename, completion, plus the ssc/* custom requests and
the ssc.* commands with canned results. It reports a short "ssc: indexing"
work-done progress after `initialized`, like the real server.

    python stub_lsp.py            # behave
    python stub_lsp.py --hang     # read stdin, never answer: a server that does not attach
    python stub_lsp.py --wrong    # attach, but answer definition/references/rename/completion wrongly
    python stub_lsp.py --without ssc.inline,ssc.explain   # do not offer these commands

The refactor commands of issue 11 (ssc.changeSignature, ssc.moveSymbol, ssc.extractFunction,
ssc.extractVariable, ssc.inline, ssc.suggestNames, ssc.refactor, ssc.explain, ssc.previewEdit)
take ONE object argument as the real server does; a wrong shape is an error (so a client sending
the old positional arguments fails its test). Edit commands answer like the real server's
`deliver`: {title, summary, problems, notes, edit, applied}, applying a no-op edit through
workspace/applyEdit when `apply` is not false; ssc.moveSymbol reports one problem and
ssc.refactor one note, so a client that hides them fails its test.

The harnesses (editors/neovim/tests/e2e.lua, editors/vscode/test/lsp.e2e.test.ts)
must pass against the first and fail against the others.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def hang() -> int:
    # Consume input so the client does not block on a full pipe; never reply. The end of
    # input is the client gone: end too (sleeping on left an orphan for an hour per run).
    while sys.stdin.buffer.read(4096):
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hang", action="store_true", help="never answer initialize")
    parser.add_argument("--wrong", action="store_true", help="give wrong answers")
    parser.add_argument("--without", default="", help="commands not to offer (comma-separated)")
    args = parser.parse_args()
    if args.hang:
        return hang()

    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer
    from pygls.uris import from_fs_path, to_fs_path

    server = LanguageServer(
        "ssc-stub",
        "0",
        text_document_sync_kind=t.TextDocumentSyncKind.Full,
    )
    state: dict = {"init_options": None, "configuration": None, "did_change_configuration": []}

    def root() -> Path | None:
        path = server.workspace.root_path
        return Path(path) if path else None

    def sources() -> dict[str, str]:
        """uri -> text of every *.py file in the workspace (open documents win)."""
        out: dict[str, str] = {}
        base = root()
        if base is not None:
            for path in sorted(base.rglob("*.py")):
                if any(part.startswith(".") for part in path.relative_to(base).parts):
                    continue
                uri = from_fs_path(str(path))
                if uri:
                    try:
                        out[uri] = path.read_text(encoding="utf-8")
                    except OSError:
                        pass
        for uri, doc in server.workspace.text_documents.items():
            if uri.endswith(".py"):
                out[uri] = doc.source
        return out

    def codec():
        """Positions in the encoding pygls negotiated; the stub works in code points."""
        return server.workspace.position_codec

    def word_at(uri: str, pos: t.Position) -> str | None:
        doc = server.workspace.get_text_document(uri)
        lines = doc.source.splitlines()
        if pos.line >= len(lines):
            return None
        pos = codec().position_from_client_units(lines, pos)
        line = lines[pos.line]
        for m in WORD.finditer(line):
            if m.start() <= pos.character <= m.end():
                return m.group(0)
        return None

    def occurrences(name: str) -> list[t.Location]:
        pattern = re.compile(rf"\b{re.escape(name)}\b")
        locs = []
        for uri, text in sources().items():
            lines = text.splitlines()
            for i, line in enumerate(lines):
                for m in pattern.finditer(line):
                    rng = t.Range(
                        start=t.Position(line=i, character=m.start()),
                        end=t.Position(line=i, character=m.end()),
                    )
                    locs.append(
                        t.Location(uri=uri, range=codec().range_to_client_units(lines, rng))
                    )
        return locs

    def definition_of(name: str) -> list[t.Location]:
        pattern = re.compile(rf"^\s*(?:async\s+def|def|class)\s+{re.escape(name)}\b")
        out = []
        for loc in occurrences(name):
            text = sources()[loc.uri].splitlines()[loc.range.start.line]
            if pattern.match(text):
                out.append(loc)
        return out

    @server.feature(t.INITIALIZE)
    def on_initialize(params: t.InitializeParams) -> None:
        state["init_options"] = params.initialization_options
        print(f"stub: initializationOptions={params.initialization_options!r}", file=sys.stderr)

    @server.feature(t.INITIALIZED)
    async def on_initialized(params: t.InitializedParams) -> None:
        caps = server.client_capabilities.workspace
        if caps is not None and caps.configuration:
            try:
                got = await server.workspace_configuration_async(
                    t.ConfigurationParams(items=[t.ConfigurationItem(section="ssc")])
                )
                state["configuration"] = got[0] if got else None
            except Exception as exc:
                print(f"stub: workspace/configuration failed: {exc}", file=sys.stderr)
        token = "ssc-indexing"
        try:
            await server.work_done_progress.create_async(token)
        except Exception as exc:  # the client may not support it
            print(f"stub: no progress: {exc}", file=sys.stderr)
            return
        server.work_done_progress.begin(
            token, t.WorkDoneProgressBegin(title="ssc: indexing", percentage=0)
        )
        files = len(sources())
        server.work_done_progress.report(
            token, t.WorkDoneProgressReport(message=f"{files} files", percentage=50)
        )
        server.work_done_progress.end(token, t.WorkDoneProgressEnd(message="done"))

    @server.feature(t.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def on_did_change_configuration(params: t.DidChangeConfigurationParams) -> None:
        state["did_change_configuration"].append(params.settings)

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def on_definition(params: t.DefinitionParams):
        if args.wrong:  # the position itself: never the definition
            return t.Location(
                uri=params.text_document.uri,
                range=t.Range(start=params.position, end=params.position),
            )
        name = word_at(params.text_document.uri, params.position)
        return definition_of(name) if name else None

    @server.feature(t.TEXT_DOCUMENT_REFERENCES)
    def on_references(params: t.ReferenceParams):
        name = word_at(params.text_document.uri, params.position)
        if not name or args.wrong:
            return None
        locs = occurrences(name)
        if not params.context.include_declaration:
            defs = {(d.uri, d.range.start.line) for d in definition_of(name)}
            locs = [loc for loc in locs if (loc.uri, loc.range.start.line) not in defs]
        return locs

    @server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
    def on_prepare_rename(params: t.PrepareRenameParams):
        name = word_at(params.text_document.uri, params.position)
        if not name:
            return None
        for loc in occurrences(name):
            if loc.uri == params.text_document.uri and loc.range.start.line == params.position.line:
                if (
                    loc.range.start.character
                    <= params.position.character
                    <= loc.range.end.character
                ):
                    return loc.range
        return None

    @server.feature(t.TEXT_DOCUMENT_RENAME)
    def on_rename(params: t.RenameParams):
        name = word_at(params.text_document.uri, params.position)
        if not name:
            return None
        if args.wrong:  # renames only the occurrences in the current file
            return t.WorkspaceEdit(
                changes={
                    loc.uri: [t.TextEdit(range=loc.range, new_text=params.new_name)]
                    for loc in occurrences(name)
                    if loc.uri == params.text_document.uri
                }
            )
        changes: dict[str, list[t.TextEdit]] = {}
        for loc in occurrences(name):
            changes.setdefault(loc.uri, []).append(
                t.TextEdit(range=loc.range, new_text=params.new_name)
            )
        return t.WorkspaceEdit(changes=changes)

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=["."]))
    def on_completion(params: t.CompletionParams):
        doc = server.workspace.get_text_document(params.text_document.uri)
        lines = doc.source.splitlines()
        line = lines[params.position.line] if params.position.line < len(lines) else ""
        m = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", line[: params.position.character])
        prefix = m.group(0) if m else ""
        words = sorted({w for text in sources().values() for w in WORD.findall(text)})
        items = [
            t.CompletionItem(label=w, kind=t.CompletionItemKind.Text)
            for w in words
            if w.startswith(prefix) and w != prefix and not args.wrong
        ]
        return t.CompletionList(is_incomplete=False, items=items[:100])

    @server.feature("ssc/stats")
    def on_stats(params):
        text = sources()
        return {
            "files": len(text),
            "symbols": sum(len(WORD.findall(s)) for s in text.values()),
            "stub": True,
            "initializationOptions": state["init_options"],
            "configuration": state["configuration"],
            "didChangeConfiguration": state["did_change_configuration"],
        }

    @server.feature("ssc/context")
    def on_context(params):
        uri = params.textDocument.uri
        text = server.workspace.get_text_document(uri).source
        path = to_fs_path(uri) or uri
        base = root()
        rel = os.path.relpath(path, base) if base else path
        item = {  # the shape of the real server's items (context/items.py)
            "path": rel,
            "start_line": 0,
            "end_line": max(0, len(text.splitlines()) - 1),
            "kind": "file",
            "name": rel,
            "form": "whole",
            "score": 1.0,
            "why": ["the current file (stub)"],
            "chars": len(text),
            "text": text,
        }
        return {"items": [item], "markdown": f"# context (stub)\n\n`{rel}`\n"}

    @server.feature("ssc/symbol")
    def on_symbol(params):
        name = word_at(params.textDocument.uri, params.position)
        return {"name": name, "relations": [], "history": [], "stub": True}

    without = {c for c in args.without.split(",") if c}

    def offer(name: str):
        """@server.command(name) unless --without names it (then the server does not list it)."""
        return (lambda fn: fn) if name in without else server.command(name)

    def one_object(name: str, got: tuple, *need: str) -> dict:
        if len(got) != 1 or not isinstance(got[0], dict):
            raise ValueError(f"{name} takes one object argument, got {got!r}")
        arg = got[0]
        missing = [k for k in ("textDocument", *need) if k not in arg]
        if missing or not isinstance(arg["textDocument"], dict) or "uri" not in arg["textDocument"]:
            raise ValueError(f"{name}: missing {missing or ['textDocument.uri']} in {arg!r}")
        return arg

    async def outcome(arg: dict, title: str, problems=(), notes=()) -> dict:
        uri = arg["textDocument"]["uri"]
        zero = {"line": 0, "character": 0}
        edit = {"changes": {uri: [{"range": {"start": zero, "end": zero}, "newText": ""}]}}
        applied = False
        if arg.get("apply", True):
            answer = await server.workspace_apply_edit_async(t.ApplyWorkspaceEditParams(
                edit=t.WorkspaceEdit(changes={uri: [t.TextEdit(range=t.Range(
                    start=t.Position(line=0, character=0), end=t.Position(line=0, character=0)),
                    new_text="")]}), label=title))
            applied = bool(answer and answer.applied)
        summary = (f"{len(problems)} problem{'s' if len(problems) != 1 else ''}: "
                   + "; ".join(p["message"] for p in problems)) if problems else "checked: no problems"
        if notes:
            summary += f" ({len(notes)} note{'s' if len(notes) != 1 else ''})"
        return {"title": title, "summary": summary, "problems": list(problems), "notes": list(notes),
                "edit": edit, "applied": applied, "modelMade": False}

    # pygls answers workspace/executeCommand itself and advertises these names.
    @offer("ssc.explain")
    def cmd_explain(*got):
        one_object("ssc.explain", got, "range")
        return {"markdown": "**stub explanation**"}

    @server.command("ssc.showContext")
    def cmd_show_context(*args):
        return "# context (stub)"

    @offer("ssc.refactor")
    async def cmd_refactor(*got):
        arg = one_object("ssc.refactor", got, "instruction")
        return await outcome(arg, f"stub refactor: {arg['instruction']}",
                             notes=["stub note: 1 caller could not be updated"])

    @offer("ssc.changeSignature")
    async def cmd_change_signature(*got):
        arg = one_object("ssc.changeSignature", got, "position", "changes")
        ops = " ".join(c.get("op", "?") + ":" + str(c.get("name") or c.get("order")) for c in arg["changes"])
        return await outcome(arg, f"stub changeSignature {ops}")

    @offer("ssc.moveSymbol")
    async def cmd_move_symbol(*got):
        arg = one_object("ssc.moveSymbol", got, "position", "target")
        problem = {"uri": arg["textDocument"]["uri"], "path": "main.py", "kind": "unresolved",
                   "message": "stub problem: name 'helper' no longer resolves", "symbol": "helper",
                   "range": {"start": {"line": 4, "character": 11}, "end": {"line": 4, "character": 17}}}
        return await outcome(arg, f"stub move to {arg['target']}", problems=[problem])

    @offer("ssc.extractFunction")
    async def cmd_extract_function(*got):
        arg = one_object("ssc.extractFunction", got, "range")
        return await outcome(arg, f"stub extractFunction {arg.get('name', '(model names it)')}")

    @offer("ssc.extractVariable")
    async def cmd_extract_variable(*got):
        arg = one_object("ssc.extractVariable", got, "range")
        return await outcome(arg, f"stub extractVariable {arg.get('name', '(model names it)')}")

    @offer("ssc.inline")
    async def cmd_inline(*got):
        arg = one_object("ssc.inline", got, "position")
        return await outcome(arg, "stub inline")

    @offer("ssc.suggestNames")
    def cmd_suggest_names(*got):
        one_object("ssc.suggestNames", got, "position")
        return {"names": [{"name": "twice", "reason": "stub: says what it returns"},
                          {"name": "double", "reason": "stub: shorter"}]}

    @offer("ssc.previewEdit")
    def cmd_preview_edit(*got):
        if len(got) != 1 or not isinstance(got[0], dict) or not ("edit" in got[0] or "command" in got[0]):
            raise ValueError(f"ssc.previewEdit takes {{edit}} or {{command, arguments}}, got {got!r}")
        what = got[0].get("command", "the edit")
        return {"markdown": f"# stub preview of {what}\n\n```diff\n--- a/main.py\n+++ b/main.py\n```\n\nchecked: no problems\n"}

    @server.command("ssc.reindex")
    def cmd_reindex(*args):
        return {"started": [str(root())], "busy": []}

    @server.command("ssc.acceptCompletion")
    def cmd_accept(*args):
        return None

    server.start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
