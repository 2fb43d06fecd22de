"""The server sends a client only what that client declared it takes.

The real server runs over stdio and is driven through one editing session (initialize, open,
hover, completion with a scripted model, resolve, document symbols, a change that breaks a call,
diagnostics, code actions, definition, references, rename, the server's commands, shutdown) once
per recorded client: VS Code and Neovim 0.11 as pytest-lsp recorded them, Emacs/eglot, VS Code
with inline completion declared (what vscode-languageclient 9 with its proposed features sends),
and a bare client that declares nothing. Every message from the server (requests,
notifications, and the results of our requests) is taken off the wire as raw JSON before pygls
reads it and checked against the declared capabilities by `violations()`:

- requests: `window/workDoneProgress/create` only with `window.workDoneProgress`,
  `client/registerCapability` only for methods whose `dynamicRegistration` is declared,
  `workspace/configuration`, `workspace/applyEdit`, `window/showDocument`, the `*/refresh`
  requests only when declared; nothing else.
- notifications: `$/progress` only for a token the server created; `publishDiagnostics` only
  for a client that declared it and does not pull, with `version` / `tags` /
  `relatedInformation` / `codeDescription` / `data` only when declared; log and show messages.
- results: the initialize answer (UTF-16 positions, which the server computes; code action
  options only with literal support; inline completion only when declared), completion items
  (no snippets without `snippetSupport`, markdown documentation only where declared, commit
  characters, label details, insert/replace edits, tags, kinds in the declared value set),
  hover (markdown only where declared), document symbols (hierarchical only where declared,
  kinds), code actions (literals only with `codeActionLiteralSupport`, `isPreferred`,
  `disabled`, `data`), locations (no links without `linkSupport`), workspace edits
  (`documentChanges`, change annotations, resource operations only where declared).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import sys
import time
from pathlib import Path

import attrs
import pytest
from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from tests.fake_openai import FakeOpenAI, Reply

# -- the clients ------------------------------------------------------------------------------------


def _vscode_inline() -> types.ClientCapabilities:
    base = client_capabilities("visual-studio-code")
    td = attrs.evolve(base.text_document,
                      inline_completion=types.InlineCompletionClientCapabilities())
    return attrs.evolve(base, text_document=td)


CLIENTS = {
    "visual-studio-code": lambda: client_capabilities("visual-studio-code"),
    "neovim@v0.11.0": lambda: client_capabilities("neovim@v0.11.0"),
    "emacs@v29.1": lambda: client_capabilities("emacs@v29.1"),
    "vscode-languageclient-9-inline": _vscode_inline,
    "bare": types.ClientCapabilities,
}

# -- the checks -------------------------------------------------------------------------------------

# Completion item kinds and symbol kinds a client takes when it declares no value set.
BASE_COMPLETION_KINDS = set(range(1, 19))  # Text .. Reference
BASE_SYMBOL_KINDS = set(range(1, 19))  # File .. Array
REFRESH = {
    "workspace/diagnostic/refresh": "workspace.diagnostics.refreshSupport",
    "workspace/semanticTokens/refresh": "workspace.semanticTokens.refreshSupport",
    "workspace/inlayHint/refresh": "workspace.inlayHint.refreshSupport",
    "workspace/inlineValue/refresh": "workspace.inlineValue.refreshSupport",
    "workspace/codeLens/refresh": "workspace.codeLens.refreshSupport",
    "workspace/foldingRange/refresh": "workspace.foldingRange.refreshSupport",
}


def get(obj, path: str, default=None):
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return default
        obj = obj[part]
    return obj


def registration_capability(method: str) -> str:
    """The client capability whose `dynamicRegistration` allows registering `method`."""
    scope, _, name = method.partition("/")
    if scope == "workspace" and name == "didChangeWatchedFiles":
        return "workspace.didChangeWatchedFiles"
    if scope == "workspace":
        return f"workspace.{name}"
    if scope == "textDocument" and name in ("didOpen", "didChange", "didClose", "didSave",
                                            "willSave", "willSaveWaitUntil"):
        return "textDocument.synchronization"
    return f"{scope}.{name}"


class Checker:
    """Collects what a client would object to, message by message."""

    def __init__(self, caps: dict):
        self.caps = caps
        self.problems: list[str] = []
        self.tokens: set = set()

    def has(self, path: str) -> bool:
        return bool(get(self.caps, path))

    def bad(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def need(self, where: str, path: str) -> None:
        if not self.has(path):
            self.bad(where, f"sent without `{path}` declared")

    # requests and notifications from the server ------------------------------------------------
    def request(self, method: str, params) -> None:
        where = f"request {method}"
        if method == "window/workDoneProgress/create":
            self.need(where, "window.workDoneProgress")
            self.tokens.add(get(params, "token"))
        elif method in ("client/registerCapability", "client/unregisterCapability"):
            key = "registrations" if method == "client/registerCapability" else "unregisterations"
            for reg in get(params, key) or []:
                self.need(f"{where} {reg.get('method')}",
                          registration_capability(reg.get("method", "")) + ".dynamicRegistration")
        elif method == "workspace/configuration":
            self.need(where, "workspace.configuration")
        elif method == "workspace/applyEdit":
            self.need(where, "workspace.applyEdit")
            self.workspace_edit(where, get(params, "edit"))
        elif method == "window/showDocument":
            self.need(where, "window.showDocument.support")
        elif method == "workspace/workspaceFolders":
            self.need(where, "workspace.workspaceFolders")
        elif method in REFRESH:
            self.need(where, REFRESH[method])
        elif method == "window/showMessageRequest":
            pass
        else:
            self.bad(where, "not a request this client can be expected to answer")

    def notification(self, method: str, params) -> None:
        where = f"notification {method}"
        if method == "$/progress":
            self.need(where, "window.workDoneProgress")
            if get(params, "token") not in self.tokens:
                self.bad(where, f"token {get(params, 'token')!r} was never created")
        elif method == "textDocument/publishDiagnostics":
            self.need(where, "textDocument.publishDiagnostics")
            if "diagnostic" in (get(self.caps, "textDocument") or {}):
                self.bad(where, "pushed to a client that pulls diagnostics")
            if get(params, "version") is not None:
                self.need(where + " version", "textDocument.publishDiagnostics.versionSupport")
            for d in get(params, "diagnostics") or []:
                self.diagnostic(where, d)
        elif method in ("window/showMessage", "window/logMessage", "telemetry/event"):
            pass
        else:
            self.bad(where, "not a notification this client declared")

    def diagnostic(self, where: str, d: dict) -> None:
        pd = "textDocument.publishDiagnostics"
        if d.get("tags"):
            allowed = get(self.caps, f"{pd}.tagSupport.valueSet") or []
            if not set(d["tags"]) <= set(allowed):
                self.bad(where, f"diagnostic tags {d['tags']} not in {allowed}")
        for key, cap in (("relatedInformation", "relatedInformation"),
                         ("codeDescription", "codeDescriptionSupport"), ("data", "dataSupport")):
            if key in d:
                self.need(f"{where} diagnostic.{key}", f"{pd}.{cap}")

    # results of our requests -------------------------------------------------------------------
    def result(self, method: str, result) -> None:
        where = f"result of {method}"
        check = {
            "initialize": self.initialize,
            "textDocument/completion": self.completion,
            "completionItem/resolve": lambda w, r: self.completion_item(w, r),
            "textDocument/hover": self.hover,
            "textDocument/documentSymbol": self.document_symbols,
            "textDocument/codeAction": self.code_actions,
            "textDocument/rename": self.workspace_edit,
            "textDocument/definition": self.locations,
            "textDocument/inlineCompletion": self.inline_completion,
            "textDocument/signatureHelp": self.signature_help,
        }.get(method)
        if check is not None and result is not None:
            check(where, result)

    def initialize(self, where: str, result: dict) -> None:
        caps = result.get("capabilities") or {}
        encoding = caps.get("positionEncoding", "utf-16")
        if encoding != "utf-16":
            self.bad(where, f"positionEncoding {encoding!r}: the server counts UTF-16 units")
        if isinstance(caps.get("codeActionProvider"), dict):
            self.need(where + " codeActionProvider options",
                      "textDocument.codeAction.codeActionLiteralSupport")
        if caps.get("inlineCompletionProvider") is not None:
            if "inlineCompletion" not in (get(self.caps, "textDocument") or {}):
                self.bad(where, "inlineCompletionProvider for a client without inlineCompletion")
        if isinstance(caps.get("renameProvider"), dict):
            self.need(where + " renameProvider options", "textDocument.rename.prepareSupport")

    def completion(self, where: str, result) -> None:
        items = result.get("items", []) if isinstance(result, dict) else result
        if isinstance(result, dict) and result.get("itemDefaults"):
            self.need(where + " itemDefaults", "textDocument.completion.completionList.itemDefaults")
        for item in items:
            self.completion_item(where, item)

    def completion_item(self, where: str, item: dict) -> None:
        ci = "textDocument.completion.completionItem"
        where = f"{where} item {item.get('label')!r}"
        if item.get("insertTextFormat") == 2:
            self.need(where + " snippet", f"{ci}.snippetSupport")
        doc = item.get("documentation")
        if isinstance(doc, dict) and doc.get("kind") == "markdown":
            if "markdown" not in (get(self.caps, f"{ci}.documentationFormat") or []):
                self.bad(where, "markdown documentation for a client that did not declare it")
        if item.get("commitCharacters"):
            self.need(where + " commitCharacters", f"{ci}.commitCharactersSupport")
        if item.get("labelDetails"):
            self.need(where + " labelDetails", f"{ci}.labelDetailsSupport")
        if isinstance(item.get("textEdit"), dict) and "insert" in item["textEdit"]:
            self.need(where + " InsertReplaceEdit", f"{ci}.insertReplaceSupport")
        if item.get("tags"):
            allowed = get(self.caps, f"{ci}.tagSupport.valueSet") or []
            if not set(item["tags"]) <= set(allowed):
                self.bad(where, f"tags {item['tags']} not in {allowed}")
        if item.get("deprecated"):
            self.need(where + " deprecated", f"{ci}.deprecatedSupport")
        if item.get("preselect"):
            self.need(where + " preselect", f"{ci}.preselectSupport")
        if "insertTextMode" in item:
            allowed = get(self.caps, f"{ci}.insertTextModeSupport.valueSet") or []
            if item["insertTextMode"] not in allowed:
                self.bad(where, f"insertTextMode {item['insertTextMode']} not in {allowed}")
        if "kind" in item:
            kinds = get(self.caps, "textDocument.completion.completionItemKind.valueSet")
            if item["kind"] not in (set(kinds) if kinds else BASE_COMPLETION_KINDS):
                self.bad(where, f"kind {item['kind']} is not among the client's kinds")

    def hover(self, where: str, result: dict) -> None:
        contents = result.get("contents")
        # MarkupContent says its kind; a MarkedString (a string, {language, value}, a list of
        # them) is markdown.
        markdown = not isinstance(contents, dict) or "language" in contents or \
            contents.get("kind") == "markdown"
        if markdown and "markdown" not in (get(self.caps, "textDocument.hover.contentFormat") or []):
            self.bad(where, "markdown for a client that did not declare it")

    def signature_help(self, where: str, result: dict) -> None:
        si = "textDocument.signatureHelp.signatureInformation"
        for s in result.get("signatures") or []:
            doc = s.get("documentation")
            if isinstance(doc, dict) and doc.get("kind") == "markdown" and \
                    "markdown" not in (get(self.caps, f"{si}.documentationFormat") or []):
                self.bad(where, "markdown documentation for a client that did not declare it")
            if "activeParameter" in s:
                self.need(where + " SignatureInformation.activeParameter", f"{si}.activeParameterSupport")
            if any(isinstance(p.get("label"), list) for p in s.get("parameters") or []):
                self.need(where + " label offsets", f"{si}.parameterInformation.labelOffsetSupport")

    def document_symbols(self, where: str, result: list) -> None:
        ds = "textDocument.documentSymbol"
        kinds = get(self.caps, f"{ds}.symbolKind.valueSet")
        allowed = set(kinds) if kinds else BASE_SYMBOL_KINDS

        def walk(items: list) -> None:
            for s in items:
                if "selectionRange" in s:
                    self.need(f"{where} {s.get('name')!r} DocumentSymbol",
                              f"{ds}.hierarchicalDocumentSymbolSupport")
                    walk(s.get("children") or [])
                if s.get("kind") not in allowed:
                    self.bad(where, f"{s.get('name')!r} has kind {s.get('kind')} not declared")
                if s.get("tags"):
                    self.need(f"{where} {s.get('name')!r} tags", f"{ds}.tagSupport")

        walk(result)

    def code_actions(self, where: str, result: list) -> None:
        ca = "textDocument.codeAction"
        for a in result:
            if isinstance(a.get("command"), str):
                continue  # a plain Command: every client takes those
            self.need(f"{where} CodeAction {a.get('title')!r}", f"{ca}.codeActionLiteralSupport")
            kinds = get(self.caps, f"{ca}.codeActionLiteralSupport.codeActionKind.valueSet") or []
            if a.get("kind") and not any(a["kind"] == k or a["kind"].startswith(k + ".")
                                         for k in kinds if k):
                self.bad(where, f"kind {a['kind']!r} is not among {kinds}")
            for key, cap in (("isPreferred", "isPreferredSupport"), ("disabled", "disabledSupport"),
                             ("data", "dataSupport")):
                if key in a:
                    self.need(f"{where} CodeAction.{key}", f"{ca}.{cap}")
            if a.get("edit"):
                self.workspace_edit(where, a["edit"])

    def workspace_edit(self, where: str, edit: dict) -> None:
        we = "workspace.workspaceEdit"
        if edit.get("documentChanges") is not None:
            self.need(where + " documentChanges", f"{we}.documentChanges")
            ops = {c.get("kind") for c in edit["documentChanges"] if "kind" in c}
            allowed = set(get(self.caps, f"{we}.resourceOperations") or [])
            if not ops <= allowed:
                self.bad(where, f"resource operations {sorted(ops)} not in {sorted(allowed)}")
        if edit.get("changeAnnotations"):
            self.need(where + " changeAnnotations", f"{we}.changeAnnotationSupport")

    def locations(self, where: str, result) -> None:
        items = result if isinstance(result, list) else [result]
        if any("targetUri" in x for x in items):
            self.need(where + " LocationLink", "textDocument.definition.linkSupport")

    def inline_completion(self, where: str, result) -> None:
        if "inlineCompletion" not in (get(self.caps, "textDocument") or {}):
            self.bad(where, "answered for a client that did not declare inline completion")


def violations(caps: dict, messages: list[dict], sent: dict) -> list[str]:
    checker = Checker(caps)
    for msg in messages:
        if "method" in msg and "id" in msg:
            checker.request(msg["method"], msg.get("params"))
        elif "method" in msg:
            checker.notification(msg["method"], msg.get("params"))
        elif "id" in msg and "result" in msg:
            checker.result(sent.get(msg["id"], "?"), msg["result"])
    return checker.problems


# -- recording the wire -------------------------------------------------------------------------------


class Wire:
    """Every message the server sends, as raw JSON, and which method each of our ids asked."""

    def __init__(self, client: LanguageClient):
        self.messages: list[dict] = []
        self.sent: dict = {}
        proto = client.protocol
        structure, send = proto.structure_message, proto._send_data

        def on_receive(data):
            if isinstance(data, dict) and "jsonrpc" in data:
                self.messages.append(copy.deepcopy(data))
            return structure(data)

        def on_send(data):
            method, msg_id = getattr(data, "method", None), getattr(data, "id", None)
            if method is not None and msg_id is not None:
                self.sent[msg_id] = method
            return send(data)

        proto.structure_message = on_receive  # json.loads(object_hook=...) looks it up per message
        proto._send_data = on_send

    def methods(self) -> list[str]:
        return [m["method"] for m in self.messages if "method" in m]

    def notifications(self, method: str) -> list[dict]:
        return [m.get("params") for m in self.messages if m.get("method") == method and "id" not in m]


# -- the session ------------------------------------------------------------------------------------

UTIL = 'def helper(x):\n    """Return twice x."""\n    return x * 2\n'
# A line with non-ASCII text before a name: 😀 is 2 UTF-16 units, 4 UTF-8 bytes, 1 code point.
MAIN = (
    "from pkg.util import helper\n"
    "\n"
    'GREETING = "héllo 😀"; ANSWER = helper(1)\n'
    "\n"
    "\n"
    "def main():\n"
    "    return helper(21)\n"
    "\n"
    "\n"
    "def other():\n"
    "    return hel\n"
    "\n"
    "\n"
    "def third():\n"
    "    return GRE\n"
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def pos_of(text: str, needle: str, offset: int = 0, after: bool = False) -> types.Position:
    at = text.index(needle) + (len(needle) if after else offset)
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return types.Position(line, utf16(text[start:at]))


def make_workspace(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "caps-fixture"\nversion = "0"\n')
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/util.py").write_text(UTIL)
    (root / "main.py").write_text(MAIN, encoding="utf-8")
    return root


async def ask(client: LanguageClient, method: str, params):
    """Send a request; the answer as JSON-like dicts and lists (whatever pygls made of it)."""
    return js(await asyncio.wait_for(client.protocol.send_request_async(method, params), 30))


def js(obj):
    if attrs.has(type(obj)):
        return get_converter().unstructure(obj)
    if hasattr(obj, "_asdict"):
        obj = obj._asdict()
    if isinstance(obj, dict):
        return {k: js(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [js(v) for v in obj]
    return obj


async def until(predicate, timeout: float = 15.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        got = await predicate()
        if got or time.monotonic() > deadline:
            return got
        await asyncio.sleep(step)


async def wait_ready(client: LanguageClient) -> None:
    async def ready():
        return (await ask(client, "ssc/status", {}))["ready"]

    assert await until(ready, 60), "the map did not become ready"


@contextlib.asynccontextmanager
async def started(root: Path, tmp: Path, caps: types.ClientCapabilities, settings: dict):
    client = make_test_lsp_client()
    client.set_configuration({"ssc": settings})
    # what an editor does with a registration; answered whether or not the client declared it
    client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    wire = Wire(client)
    env = dict(os.environ)
    env["SSC_LSP_CACHE_DIR"] = str(tmp / "cache")
    env["SSC_LSP_DATA_DIR"] = str(tmp / "data")
    for var in ("SSC_LLM_BASE_URL", "SSC_LLM_MODEL", "SSC_LLM_API", "SSC_LLM_API_KEY"):
        env.pop(var, None)
    await client.start_io(sys.executable, "-m", "ssc_lsp", env=env)
    try:
        yield client, wire
    finally:
        server = client._server
        if server is not None and server.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.shutdown_session(), 10)
        if server is not None and server.returncode is None:
            server.kill()  # a failed test must not leave a server, or hang on one
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.stop(), 10)


@pytest.mark.parametrize("name", list(CLIENTS))
async def test_the_server_sends_only_what_the_client_declared(name, tmp_path):
    caps = CLIENTS[name]()
    declared = get_converter().unstructure(caps, types.ClientCapabilities)
    td = declared.get("textDocument") or {}
    root = make_workspace(tmp_path / "ws")
    main_uri, util_uri = from_fs_path(str(root / "main.py")), from_fs_path(str(root / "pkg/util.py"))
    doc = types.TextDocumentIdentifier

    with FakeOpenAI(default=Reply(text="per(2)")) as fake:  # "hel" + "per(2)"
        settings = {"llm": {"baseUrl": fake.base_url, "model": "fake-coder", "api": "chat",
                            "retries": 0},
                    "completion": {"debounceMs": 0}, "diagnostics": {"debounceMs": 50}}
        async with started(root, tmp_path, caps, settings) as (client, wire):
            init = await client.initialize_session(types.InitializeParams(
                capabilities=caps, root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
                initialization_options=settings))
            await wait_ready(client)

            client.text_document_did_open(types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=main_uri, language_id="python", version=1,
                                                     text=MAIN)))

            # hover after the non-ASCII text: the server's columns are UTF-16, as it says
            at = pos_of(MAIN, "helper(1)", offset=2)
            hover = (await ask(client, "textDocument/hover", types.HoverParams(
                text_document=doc(uri=main_uri), position=at)))
            assert hover is not None and "helper" in str(hover["contents"])
            word = hover["range"]
            assert (word["start"]["character"], word["end"]["character"]) == \
                (pos_of(MAIN, "helper(1)").character, pos_of(MAIN, "helper(1)").character + 6)
            kind = hover["contents"]["kind"]
            assert kind == ("markdown" if "markdown" in get(td, "hover.contentFormat", []) else
                            "plaintext")

            # signature help inside a call, after the non-ASCII text
            sig = await ask(client, "textDocument/signatureHelp", types.SignatureHelpParams(
                text_document=doc(uri=main_uri), position=pos_of(MAIN, "helper(1)", offset=len("helper("))))
            assert sig["signatures"][0]["label"] == "helper(x)" and sig["activeParameter"] == 0

            # completion: the map's items at once, the model's merged when it has answered
            hel = pos_of(MAIN, "return hel\n", offset=len("return hel"))
            params = types.CompletionParams(text_document=doc(uri=main_uri), position=hel)

            async def with_model():
                got = (await ask(client, "textDocument/completion", params))
                items = got["items"] if isinstance(got, dict) else got or []
                return items if any((i.get("data") or {}).get("ssc") == "llm" for i in items) \
                    else None

            items = await until(with_model, 15, 0.1)
            assert items, "the model's suggestion never reached the completion list"
            labels = [i["label"] for i in items]
            assert "helper" in labels and "helper(2)" in labels
            # a client that does not resolve documentation later gets the check's verdict now
            lazy = "documentation" in get(td, "completion.completionItem.resolveSupport.properties", [])
            doc_now = str(items[labels.index("helper(2)")].get("documentation") or "")
            assert ("Checked against the map" in doc_now) == (not lazy), doc_now
            for item in (items[labels.index("helper")], items[labels.index("helper(2)")]):
                await ask(client, "completionItem/resolve",
                          get_converter().structure(item, types.CompletionItem))

            # a constant: a kind outside the original 18 for clients that declare no value set
            gre = pos_of(MAIN, "return GRE\n", offset=len("return GRE"))
            got = await ask(client, "textDocument/completion", types.CompletionParams(
                text_document=doc(uri=main_uri), position=gre))
            assert "GREETING" in [i["label"] for i in got["items"]]

            if "inlineCompletion" in td:
                blank = pos_of(MAIN, "    return helper(21)\n", offset=len("    return helper(21)"))
                got = await ask(client, "textDocument/inlineCompletion", types.InlineCompletionParams(
                    text_document=doc(uri=main_uri), position=blank,
                    context=types.InlineCompletionContext(
                        trigger_kind=types.InlineCompletionTriggerKind.Invoked)))
                assert got is not None

            symbols = await ask(client, "textDocument/documentSymbol",
                                types.DocumentSymbolParams(text_document=doc(uri=main_uri)))
            assert {"GREETING", "main", "other", "third"} <= {s["name"] for s in symbols}

            definition = (await ask(client, "textDocument/definition", types.DefinitionParams(
                text_document=doc(uri=main_uri), position=at)))
            assert [d["uri"] for d in definition] == [util_uri]

            # a change that breaks both calls: helper(x) -> helper(x, factor)
            client.text_document_did_open(types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=util_uri, language_id="python", version=1,
                                                     text=UTIL)))
            end = pos_of(UTIL, "(x", after=True)
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=util_uri, version=2),
                content_changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(end, end), text=", factor")]))

            pulls = "diagnostic" in td
            if pulls:
                async def pulled():
                    report = (await ask(client, "textDocument/diagnostic",
                                             types.DocumentDiagnosticParams(
                                                 text_document=doc(uri=main_uri))))
                    return report.get("items")
                diagnostics = await until(pulled)
            else:
                async def pushed():
                    return client.diagnostics.get(main_uri)
                diagnostics = await until(pushed, 5 if "publishDiagnostics" in td else 1.5)
                diagnostics = [get_converter().unstructure(d) for d in diagnostics or []]
            if pulls or "publishDiagnostics" in td:
                assert len(diagnostics) == 2, diagnostics
            call = next(d for d in diagnostics
                        if d["range"]["start"] == {"line": 6, "character": 11}) \
                if diagnostics else None
            rng = types.Range(types.Position(6, 11), types.Position(6, 20))
            actions = (await ask(client, "textDocument/codeAction", types.CodeActionParams(
                text_document=doc(uri=main_uri), range=rng,
                context=types.CodeActionContext(diagnostics=[
                    get_converter().structure(call, types.Diagnostic)] if call else []))))
            if get(td, "codeAction.codeActionLiteralSupport"):  # (refactors on the selection too)
                quick = [a["title"] for a in actions if a.get("kind") == "quickfix"]
                assert quick[0] == "Add the missing argument placeholder `factor=...`"  # the map's
                # the model's, for the diagnostic the client sent (a client with none sends none); to a
                # client without resolve it is a command action, which the test client reads as a
                # bare Command (its kind lost): counted by title
                fixes = [a["title"].split(":")[0] for a in actions if a["title"].startswith("Fix with ssc")]
                assert fixes == (["Fix with ssc"] if call else []), actions
            else:
                assert not actions

            # the server's commands
            listed = init.capabilities.execute_command_provider.commands
            assert {"ssc.reindex", "ssc.showContext", "ssc.acceptCompletion", "ssc.changeSignature",
                    "ssc.moveSymbol"} <= set(listed)
            assert {"ssc.refactor", "ssc.explain", "ssc.extractFunction", "ssc.extractVariable",
                    "ssc.inline", "ssc.suggestNames", "ssc.applyAction", "ssc.previewEdit"} <= set(listed)
            md = await ask(client, "workspace/executeCommand", types.ExecuteCommandParams(
                command="ssc.showContext",
                arguments=[{"textDocument": {"uri": main_uri}, "position": {"line": 6, "character": 13}}]))
            assert md.startswith("# ssc context at main.py:7") and "def helper" in md
            started_ = (await ask(client, "workspace/executeCommand",
                                       types.ExecuteCommandParams(command="ssc.reindex")))
            assert started_["started"] == [str(root)]
            await wait_ready(client)

            # rename, with the references it edits
            renamed = (await ask(client, "textDocument/rename", types.RenameParams(
                text_document=doc(uri=main_uri), position=at, new_name="twice")))
            files = renamed.get("changes") or {c["textDocument"]["uri"]: c["edits"]
                                               for c in renamed.get("documentChanges") or []}
            assert set(files) == {main_uri, util_uri}
            assert len(files[main_uri]) == 3  # the import and both calls

            await asyncio.wait_for(client.shutdown_session(), 10)

    problems = violations(declared, wire.messages, wire.sent)
    assert not problems, "\n".join(problems)
    # progress: exactly for clients that declared it (the first index and the re-index)
    begins = [p for p in wire.notifications("$/progress") if p["value"].get("kind") == "begin"]
    assert len(begins) == (2 if get(declared, "window.workDoneProgress") else 0), wire.methods()
    # pushed diagnostics: exactly for clients that take them and do not pull
    pushed_main = [p for p in wire.notifications("textDocument/publishDiagnostics")
                   if p["uri"] == main_uri and p["diagnostics"]]
    assert bool(pushed_main) == ("publishDiagnostics" in td and "diagnostic" not in td)
    # inline completion is offered exactly to clients that declared it
    assert bool(init.capabilities.inline_completion_provider) == ("inlineCompletion" in td)



# -- the checker itself ------------------------------------------------------------------------------


def test_the_checker_sees_what_a_client_did_not_declare():
    bare: dict = {}
    neovim = get_converter().unstructure(client_capabilities("neovim@v0.11.0"))
    snippet = {"label": "x", "insertTextFormat": 2, "documentation": {"kind": "markdown", "value": "v"}}
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "window/workDoneProgress/create", "params": {"token": "t"}},
        {"jsonrpc": "2.0", "method": "$/progress", "params": {"token": "t", "value": {"kind": "begin"}}},
        {"jsonrpc": "2.0", "method": "$/progress", "params": {"token": "u", "value": {"kind": "end"}}},
        {"jsonrpc": "2.0", "id": 2, "method": "client/registerCapability", "params": {"registrations": [
            {"id": "w", "method": "workspace/didChangeWatchedFiles"}]}},
        {"jsonrpc": "2.0", "id": 3, "method": "workspace/configuration", "params": {"items": []}},
        {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
         "params": {"uri": "file:///a.py", "version": 3, "diagnostics": []}},
        {"jsonrpc": "2.0", "id": "c", "result": {"isIncomplete": False, "items": [snippet]}},
        {"jsonrpc": "2.0", "id": "h", "result": {"contents": {"kind": "markdown", "value": "v"}}},
        {"jsonrpc": "2.0", "id": "s", "result": [{"name": "f", "kind": 12, "range": {},
                                                  "selectionRange": {}}]},
        {"jsonrpc": "2.0", "id": "a", "result": [{"title": "fix", "kind": "quickfix",
                                                  "isPreferred": True}]},
        {"jsonrpc": "2.0", "id": "r", "result": {"documentChanges": []}},
        {"jsonrpc": "2.0", "id": "i", "result": {"capabilities": {
            "positionEncoding": "utf-8", "inlineCompletionProvider": {},
            "codeActionProvider": {"codeActionKinds": ["quickfix"]}}}},
        {"jsonrpc": "2.0", "method": "workspace/somethingElse", "params": {}},
    ]
    sent = {"c": "textDocument/completion", "h": "textDocument/hover",
            "s": "textDocument/documentSymbol", "a": "textDocument/codeAction",
            "r": "textDocument/rename", "i": "initialize"}
    found = violations(bare, messages, sent)
    for expected in ["window/workDoneProgress/create", "token 'u' was never created",
                     "workspace.didChangeWatchedFiles.dynamicRegistration",
                     "request workspace/configuration", "textDocument.publishDiagnostics` declared",
                     "snippetSupport", "markdown documentation", "result of textDocument/hover",
                     "hierarchicalDocumentSymbolSupport", "codeActionLiteralSupport",
                     "isPreferredSupport", "documentChanges", "positionEncoding 'utf-8'",
                     "inlineCompletionProvider", "codeActionProvider options",
                     "workspace/somethingElse"]:
        assert any(expected in p for p in found), (expected, found)
    # Neovim declares all of that, except dynamic watcher registration, and it pulls diagnostics
    found = violations(neovim, messages, sent)
    assert any("didChangeWatchedFiles.dynamicRegistration" in p for p in found)
    assert any("pushed to a client that pulls diagnostics" in p for p in found)
    assert not any("snippetSupport" in p or "hierarchical" in p or "markdown" in p for p in found)
