"""The real server with one model-backed code action and one command added, for the delivery
tests and the action benchmark's smoke test (run as `python -m tests.e2e.model_probe`).

Why: the delivery layer (progress, cancellation, stats, preview) is shared by every model
action, and must be tested whichever actions exist on the branch. The probe is a consumer of the
real APIs a feature module uses (`add_source`, `refactor.model.ask`, `progress`, `deliver`),
not a stand-in for any of them: the server, the model's HTTP endpoint (tests/fake_openai.py)
and the check are the real ones.

- code action "Rewrite with the model (probe)" (`refactor.rewrite`, source `probe`, model-made);
- command `ssc.test.rewrite` `{textDocument, apply?}`.
Both ask the model for the whole new text of the file (its first fenced block).
"""

from __future__ import annotations

import sys

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

PROBE_COMMAND = "ssc.test.rewrite"
PROBE_SOURCE = "probe"
PROBE_TITLE = "Rewrite with the model (probe)"


def register(server) -> None:
    from ssc_lsp.features.code_actions import ActionSource, add_source
    from ssc_lsp.features.deliver import deliver
    from ssc_lsp.features.locate import RequestFailed
    from ssc_lsp.features.progress import progress
    from ssc_lsp.llm.errors import LLMError
    from ssc_lsp.refactor import model
    from ssc_lsp.refactor.proposal import Proposal
    from ssc_lsp.suggest.assistant import assistant_of

    async def rewrite(ls, uri: str) -> Proposal:
        found = ls.service_for(uri)
        if found is None:
            raise JsonRpcInvalidParams(f"{uri} is not in the workspace")
        svc, rel = found
        p = Proposal(title=PROBE_TITLE, kind="refactor.rewrite", svc=svc, after={}, model_made=True)
        old = (p.svc.text_now(rel) or b"").decode("utf-8")
        answer = await model.ask(assistant_of(ls), "Rewrite this file:\n```python\n"
                                 f"{model.redacted(svc, rel, old)}```", action=PROBE_COMMAND)
        p.after[rel] = model.code_of(answer).encode("utf-8")
        return p

    def offer(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
        return [types.CodeAction(title=PROBE_TITLE, kind=types.CodeActionKind.RefactorRewrite,
                                 data={"uri": params.text_document.uri})]

    async def resolve(ls, action: types.CodeAction) -> Proposal:
        return await rewrite(ls, action.data["uri"])

    add_source(server, ActionSource(PROBE_SOURCE, [types.CodeActionKind.RefactorRewrite], offer,
                                    resolve, model=True))

    @server.command(PROBE_COMMAND)
    async def probe_command(ls, *args) -> dict:
        arg = args[0] if len(args) == 1 and isinstance(args[0], dict) else None
        if arg is None or not isinstance(arg.get("textDocument"), dict):
            raise JsonRpcInvalidParams(f"{PROBE_COMMAND} takes {{textDocument, apply?}}")
        async with progress(ls, "ssc: rewriting with the model", params=arg):
            try:
                p = await rewrite(ls, arg["textDocument"]["uri"])
            except LLMError as e:
                raise RequestFailed(f"the model failed: {e.message}") from None
        return await deliver(ls, p, bool(arg.get("apply", True)), action=PROBE_COMMAND)


def main() -> int:
    from ssc_lsp.cli import build_parser, configure_logging
    from ssc_lsp.server import create_server
    from ssc_lsp.stdio import serve_stdio

    configure_logging(build_parser().parse_args([]))
    server = create_server()
    register(server)
    serve_stdio(server)
    return 0


if __name__ == "__main__":  # index workers spawned by the server import this module as __mp_main__
    sys.exit(main())
