"""Every code action and refactor command against a real model: how many proposals passed the
check, were repaired, refused, or failed (issue 11).

The real server is driven over stdio (tests/e2e/lsp.py's harness) on a copy of each project of
the development corpus (../shared/bench/corpus.sh), for a seeded sample of top-level functions.
What runs is discovered, not listed here: every command of the initialize result's
`executeCommandProvider` (but the service commands in `NOT_ACTIONS`), with its argument made
by a recipe for the contract's commands (`RECIPES`) or the generic one
`{textDocument, position, range}`, always with `apply: false` (nothing is written); and every
code action the server offers over the function (resolved when it comes without an edit).

Each run is classified from the answer and the session's action counters (`ssc/stats` ->
`actions`, diffed around the run):
- passed: an edit (or, for a command that answers no edit, an answer) with no problem;
- repaired: the same, after a repair round (`repaired` counted during the run);
- failed: an edit shown with problems (the check's findings travel with it);
- refused: nothing offered: the server said why (refused, or the check failed and the repair
  round could not fix it), or the resolved action came back without an edit;
- error: the model failed (counted by kind) or the run passed `--timeout` (then cancelled);
- n/a: the recipe does not apply to the function (e.g. no local variable to inline).

The model: `--base-url`/`--model` or `SSC_BENCH_BASE_URL`/`SSC_BENCH_MODEL`, else the server's
own settings (`SSC_LLM_BASE_URL`, ...), else the embedded model when it can run (`pip install
'.[local]'`). With none, it says so and exits 0 without numbers.

    python bench/action_bench.py [--corpus DIR] [--projects a,b] [--n 4] [--seed 11]
        [--timeout 300] [--json OUT] [--server-command "python -m ssc_lsp"]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO / "server"), str(REPO)]

from lsprotocol import types  # noqa: E402
from pygls.exceptions import JsonRpcException  # noqa: E402
from tests.e2e.lsp import SERVER, plain, request, running  # noqa: E402

SHARED = REPO.parent / "shared" / "bench"
OUTCOMES = ("passed", "repaired", "failed", "refused", "error", "n/a")
# commands the server lists that are no code action: the index, the context view, completion
# feedback, the aggregator's own apply, the preview
NOT_ACTIONS = {"ssc.reindex", "ssc.showContext", "ssc.acceptCompletion", "ssc.applyAction",
               "ssc.previewEdit"}
MAX_LINES, MIN_LINES = 40, 3  # the functions sampled
LOADING = "still loading"  # what the server says while the embedded model loads
LOAD_WAIT_S = 300.0
REFACTOR_INSTRUCTION = "Simplify this function without changing its behaviour or its signature."


# -- sampling ---------------------------------------------------------------------------------------


class Target:
    """One top-level function of a file, and the places the recipes point at (LSP positions)."""

    def __init__(self, rel: str, text: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.rel, self.name = rel, node.name
        lines = text.splitlines()
        line = node.lineno - 1
        while not lines[line].lstrip().startswith(("def ", "async def ")):
            line += 1  # past decorators
        self.position = {"line": line, "character": lines[line].index(f"def {node.name}") + 4}
        self.whole = _range(node.lineno - 1, 0, node.end_lineno - 1, node.end_col_offset)
        body = node.body[1:] if _docstring(node) and len(node.body) > 1 else node.body
        self.body = _range(body[0].lineno - 1, body[0].col_offset, body[-1].end_lineno - 1,
                           body[-1].end_col_offset)
        calls = [n for s in body for n in ast.walk(s)
                 if isinstance(n, ast.Call) and n.lineno == n.end_lineno]
        self.expression = _range(calls[0].lineno - 1, calls[0].col_offset, calls[0].end_lineno - 1,
                                 calls[0].end_col_offset) if calls else None
        self.local = _inlinable(node, body)

    def label(self) -> str:
        return f"{self.rel}::{self.name}"


def _range(sl: int, sc: int, el: int, ec: int) -> dict:
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


def _docstring(node) -> bool:
    first = node.body[0]
    return isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
        and isinstance(first.value.value, str)


def _inlinable(node, body) -> dict | None:
    """A local variable assigned once and read later: where ssc.inline may point."""
    stores: Counter = Counter()
    first: dict[str, ast.Name] = {}
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            stores[n.id] += 1
            first.setdefault(n.id, n)
    for s in body:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            name = s.targets[0].id
            if stores[name] == 1:
                return {"line": s.lineno - 1, "character": s.col_offset}
    return None


def sample(project: Path, n: int, rng: random.Random) -> list[Target]:
    """`n` top-level functions of MIN_LINES..MAX_LINES lines, ASCII only (positions are then
    the same in every unit), outside the tests."""
    found = []
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project).as_posix()
        if "test" in rel or "/docs/" in f"/{rel}" or "/examples/" in f"/{rel}":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if not text.isascii():
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        found += [Target(rel, text, node) for node in tree.body
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                  and MIN_LINES <= node.end_lineno - node.lineno + 1 <= MAX_LINES]
    rng.shuffle(found)
    return found[:n]


# -- what runs --------------------------------------------------------------------------------------


def recipe(command: str, t: Target, uri: str) -> dict | None:
    """The argument of `command` for the function `t` (None: does not apply)."""
    doc = {"textDocument": {"uri": uri}, "apply": False}
    at = {**doc, "position": t.position}
    made = {
        "ssc.changeSignature": lambda: {**at, "changes": [{"op": "add", "name": "bench_extra",
                                                         "default": "None"}]},
        "ssc.moveSymbol": lambda: {**at, "target": "bench_moved.py"},
        "ssc.extractFunction": lambda: {**doc, "range": t.body},
        "ssc.extractVariable": lambda: {**doc, "range": t.expression} if t.expression else None,
        "ssc.inline": lambda: {**doc, "position": t.local} if t.local else None,
        "ssc.suggestNames": lambda: at,
        "ssc.refactor": lambda: {**doc, "range": t.whole, "instruction": REFACTOR_INSTRUCTION},
        "ssc.explain": lambda: {**doc, "range": t.whole},
    }
    return made[command]() if command in made else {**at, "range": t.whole}


def events(stats: dict) -> Counter:
    actions = stats.get("actions") or {}
    out = Counter({k: v for k, v in actions.items() if isinstance(v, int)})
    out["modelErrors"] = sum((actions.get("modelErrors") or {}).values())
    return out


def classify(answer: dict | None, problems: int | None, delta: Counter, failure: str | None) -> str:
    """One run's outcome (see the module doc)."""
    if failure is not None:
        return "error" if delta["modelErrors"] or failure.startswith("timeout") else "refused"
    if delta["modelErrors"]:
        return "error"
    if problems is None:  # no edit came back
        if answer is not None and "edit" not in answer and not answer.get("error"):
            return "passed"  # a command that answers something else (names, markdown)
        return "refused"
    if problems:
        return "failed"
    return "repaired" if delta["repaired"] else "passed"


class Run:
    def __init__(self) -> None:
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.samples: list[dict] = []

    def add(self, action: str, target: Target, outcome: str, seconds: float, why: str = "") -> None:
        self.outcomes[action][outcome] += 1
        if outcome != "n/a":
            self.seconds[action].append(seconds)
        self.samples.append({"action": action, "function": target.label(), "outcome": outcome,
                             "seconds": round(seconds, 2), "why": why[:300]})
        print(f"  {action:<28} {target.label():<60} {outcome:<8} {seconds:6.1f}s {why[:100]}",
              flush=True)

    def to_json(self) -> dict:
        return {"actions": {a: {**{o: c[o] for o in OUTCOMES},
                                "medianSeconds": round(statistics.median(self.seconds[a]), 2)
                                if self.seconds[a] else None}
                            for a, c in sorted(self.outcomes.items())},
                "runs": self.samples}


async def timed(client, method: str, params, timeout: float):
    """A request, cancelled (`$/cancelRequest`) when it runs past `timeout`."""
    msg_id = f"bench-{time.monotonic_ns()}"
    pending = asyncio.ensure_future(client.protocol.send_request_async(method, params, msg_id=msg_id))
    try:
        return await asyncio.wait_for(asyncio.shield(pending), timeout)
    except asyncio.TimeoutError:
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
        with contextlib.suppress(Exception):
            await asyncio.wait_for(pending, 30)
        raise


async def check_problems(client, edit) -> int:
    found = await request(client, "ssc/checkEdit", {"edit": edit})
    return len(found["problems"])


async def loaded(client, limit: float = LOAD_WAIT_S) -> None:
    """Wait while the embedded model loads (it starts loading on the first model request)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        said = json.dumps((await request(client, "ssc/stats", {})).get("llm"))
        if "loading" not in said and "not loaded" not in said:
            return
        await asyncio.sleep(2)


async def one(client, run: Run, action: str, target: Target, timeout: float, work) -> None:
    """Run `work()` -> (answer, problems or None); classify it with the counters around it. A
    run refused because the embedded model is still loading waits for it and runs again."""
    for attempt in (1, 2):
        before = events(await request(client, "ssc/stats", {}))
        start = time.monotonic()
        answer = problems = failure = None
        try:
            answer, problems = await work()
        except asyncio.TimeoutError:
            failure = f"timeout after {timeout:.0f} s (cancelled)"
        except JsonRpcException as e:
            failure = str(e)
        if attempt == 1 and LOADING in (failure or json.dumps(answer)):
            await loaded(client)
            continue
        break
    seconds = time.monotonic() - start
    delta = events(await request(client, "ssc/stats", {})) - before
    why = failure or (answer or {}).get("summary") or (answer or {}).get("error") or ""
    notes = (answer or {}).get("notes") or []
    if notes and not failure:
        why = f"{why} | notes: {'; '.join(map(str, notes))}"
    run.add(action, target, classify(answer, problems, delta, failure), seconds, str(why))


def command_of(action) -> str | None:
    """The command an offered action runs instead of an edit, or None. (pygls' client reads a
    CodeAction that carries a command as a `Command` whose `command` is the repr of that
    command's JSON.)"""
    if isinstance(action, types.Command):
        inner = action.command
        if inner.startswith("{"):
            with contextlib.suppress(ValueError, SyntaxError):
                inner = ast.literal_eval(inner).get("command", inner)
        return inner
    if action.edit is None and action.command is not None:
        return action.command.command
    return None


async def bench_project(project: Path, targets: list[Target], args, run: Run, options: dict,
                        tmp: Path) -> str:
    command = shlex.split(args.server_command) if args.server_command else SERVER
    async with running(project, tmp / "cache", options=options, command=command) as client:
        model = (await request(client, "ssc/stats", {})).get("llm")
        caps = client.init_result.capabilities
        commands = [c for c in (caps.execute_command_provider.commands
                                if caps.execute_command_provider else []) if c not in NOT_ACTIONS]
        print(f"{project.name}: commands {commands}", flush=True)
        for t in targets:
            path = project / t.rel
            uri = path.as_uri()
            client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=path.read_text())))
            for name in commands:
                arg = recipe(name, t, uri)
                if arg is None:
                    run.add(name, t, "n/a", 0.0)
                    continue

                async def work(name=name, arg=arg):
                    answer = plain(await timed(client, types.WORKSPACE_EXECUTE_COMMAND,
                                               types.ExecuteCommandParams(command=name, arguments=[arg]),
                                               args.timeout))
                    if not isinstance(answer, dict):
                        return {"value": answer}, None
                    if answer.get("edit"):
                        return answer, len(answer.get("problems") or [])
                    return answer, None
                await one(client, run, name, t, args.timeout, work)
            offered = await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(types.Position(**t.position), types.Position(**t.position)),
                context=types.CodeActionContext(diagnostics=[])))
            for action in offered or []:
                runs = command_of(action)
                if runs is not None:  # an action that runs a command: the listed ones ran above
                    if runs not in commands:
                        run.add(f"command:{runs}", t, "n/a", 0.0, "not run: an unlisted command")
                    continue
                data = action.data if isinstance(action.data, dict) else {}
                name = f"action:{data.get('source') or action.kind or 'unknown'}"

                async def resolve(action=action):
                    done = action
                    if done.edit is None and done.data is not None:
                        done = await timed(client, types.CODE_ACTION_RESOLVE, action, args.timeout)
                    if done.edit is None:
                        return {"error": "no edit"}, None
                    edit = types.WorkspaceEdit
                    as_json = client.protocol._converter.unstructure(done.edit, edit)
                    return {"summary": action.title}, await check_problems(client, as_json)
                await one(client, run, name, t, args.timeout, resolve)
            client.text_document_did_close(types.DidCloseTextDocumentParams(
                types.TextDocumentIdentifier(uri=uri)))
    return json.dumps(model)


# -- main -------------------------------------------------------------------------------------------


def model_options(args) -> tuple[dict | None, str]:
    """The `llm` settings to start the server with, and what they are; None: no model."""
    base = args.base_url or os.environ.get("SSC_BENCH_BASE_URL")
    if base:
        model = args.model or os.environ.get("SSC_BENCH_MODEL") or ""
        llm = {"baseUrl": base, "model": model, "retries": 0}
        if os.environ.get("SSC_BENCH_API_KEY"):
            llm["apiKey"] = os.environ["SSC_BENCH_API_KEY"]
        return {"llm": llm}, f"endpoint {base} model {model or '(its default)'}"
    if os.environ.get("SSC_LLM_BASE_URL"):
        return {}, f"the server's settings: {os.environ['SSC_LLM_BASE_URL']}"
    from ssc_lsp.llm.local import local_status

    status = local_status()
    if status.available:
        return {"llm": {"provider": "local"}}, f"the embedded model ({status.reason})"
    return None, status.reason


def corpus_dir(arg: str | None) -> Path:
    for d in ([Path(arg)] if arg else []) + [HERE / ".corpus" / "dev", REPO.parent.parent / "main" / "bench" / ".corpus" / "dev"]:
        if d.is_dir() and any(d.iterdir()):
            return d
    dest = Path(arg) if arg else HERE / ".corpus" / "dev"
    subprocess.run(["bash", str(SHARED / "corpus.sh"), str(dest)], check=True)
    return dest


async def main_async(args) -> int:
    options, what = model_options(args)
    if options is None:
        print(f"no model is configured (SSC_BENCH_BASE_URL, SSC_LLM_BASE_URL) and the embedded "
              f"model cannot run ({what}): nothing to measure")
        return 0
    print(f"model: {what}", flush=True)
    corpus = corpus_dir(args.corpus)
    projects = [corpus / p for p in args.projects.split(",")] if args.projects else \
        sorted(p for p in corpus.iterdir() if p.is_dir())
    rng = random.Random(args.seed)
    run = Run()
    described = ""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ssc-action-bench-") as tmp:
        for project in projects:
            copy = Path(tmp) / project.name
            shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git", "*.pyc"))
            targets = sample(copy, args.n, rng)
            described = await bench_project(copy, targets, args, run, options, Path(tmp))
    out = {"model": what, "server": described, "seed": args.seed, "n": args.n,
           "projects": [p.name for p in projects], "seconds": round(time.monotonic() - started, 1),
           **run.to_json()}
    print()
    print(f"| action | {' | '.join(OUTCOMES)} | median s |")
    print(f"| --- |{' --- |' * len(OUTCOMES)} --- |")
    for name, row in out["actions"].items():
        print(f"| {name} | {' | '.join(str(row[o]) for o in OUTCOMES)} | {row['medianSeconds']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="a folder of projects (default: the development corpus)")
    ap.add_argument("--projects", help="comma-separated project folders of the corpus (default: all)")
    ap.add_argument("--n", type=int, default=4, help="functions sampled per project")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per action, then cancelled")
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--server-command", help="the server to start (default: python -m ssc_lsp)")
    ap.add_argument("--json", help="write the figures and every run here")
    return asyncio.run(main_async(ap.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
