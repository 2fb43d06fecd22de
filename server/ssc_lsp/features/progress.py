"""Work-done progress while a request waits on the model, cancellable by the user.

    async with progress(ls, "ssc: asking the model", params=params) as report:
        report("reading the callers")        # optional: a WorkDoneProgressReport message
        answer = await model.ask(...)

Why one helper: every command and code action that waits on the model must show the same
thing and stop the same way. The token is the client's own when it sent one
(`workDoneToken` in the request's params: a typed params object, a dict of command arguments,
or, for `workspace/executeCommand`, the one the rpc layer kept in `rpc.WORK_DONE_TOKEN`), else
one the server creates with `window/workDoneProgress/create` when the client declares
`window.workDoneProgress`, else none: the block runs without progress. The progress is
`cancellable`: a `window/workDoneProgress/cancel` for its token cancels the task running the
block, as a `$/cancelRequest` does (the model's HTTP request is closed by the cancellation;
the request is answered RequestCancelled). `end` is always sent, also on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import uuid
from collections.abc import AsyncIterator, Callable

from lsprotocol import types

from ..rpc import WORK_DONE_TOKEN
from .locate import client_supports

log = logging.getLogger(__name__)

CREATE_TIMEOUT_S = 2.0  # a client that never answers `create` gets no progress, not a hang
Report = Callable[..., None]
_CURRENT: contextvars.ContextVar[Report | None] = contextvars.ContextVar("ssc_progress", default=None)


def client_token(params: object) -> types.ProgressToken | None:
    """The `workDoneToken` the client sent with `params` (typed or a dict), else the one of the
    `workspace/executeCommand` being run."""
    token = params.get("workDoneToken") if isinstance(params, dict) else \
        getattr(params, "work_done_token", None)
    if isinstance(token, str | int) and not isinstance(token, bool):
        return token
    return WORK_DONE_TOKEN.get()


async def _server_token(ls) -> types.ProgressToken | None:
    if not client_supports(ls, "window.work_done_progress"):
        return None
    token = f"ssc-model-{uuid.uuid4()}"
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), CREATE_TIMEOUT_S)
    except Exception as e:  # noqa: BLE001 - the work goes on without progress
        log.info("no work-done progress (%s)", e or type(e).__name__)
        ls.work_done_progress.tokens.pop(token, None)
        return None
    return token


def _notify(fn, token, value) -> None:
    try:
        fn(token, value)
    except Exception as e:  # noqa: BLE001 - a notification that cannot be written loses nothing
        log.info("progress notification failed: %s", e)


@contextlib.asynccontextmanager
async def progress(ls, title: str, *, params: object = None, message: str | None = None,
                   cancellable: bool = True) -> AsyncIterator[Report]:
    """Progress around the block (see the module doc); yields `report(message, percentage=None)`.
    Inside another progress block of the same task (a resolve the aggregator already shows), the
    outer one goes on: its `report` is yielded, no second bar is begun."""
    outer = _CURRENT.get()
    if outer is not None:
        outer(message or title)
        yield outer
        return
    token = client_token(params)
    if token is None:
        token = await _server_token(ls)
    if token is None:
        yield lambda *a, **k: None
        return
    wdp = ls.work_done_progress
    _notify(wdp.begin, token, types.WorkDoneProgressBegin(title=title, message=message,
                                                          cancellable=cancellable))
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    by_user = []

    def on_cancel(future) -> None:  # pygls cancels the token's future on workDoneProgress/cancel
        if future.cancelled() and task is not None and not task.done():
            by_user.append(True)
            loop.call_soon_threadsafe(task.cancel)

    watched = wdp.tokens.get(token)
    if cancellable and watched is not None:
        watched.add_done_callback(on_cancel)

    def report(text: str | None = None, percentage: int | None = None) -> None:
        _notify(wdp.report, token, types.WorkDoneProgressReport(message=text, percentage=percentage))

    end = "done"
    mine = _CURRENT.set(report)
    try:
        yield report
    except asyncio.CancelledError:
        end = "cancelled"
        raise
    except Exception as e:
        end = f"failed: {e}"
        raise
    finally:
        _CURRENT.reset(mine)
        if by_user:
            log.info("%s: cancelled by the user", title)
        wdp.tokens.pop(token, None)
        _notify(wdp.end, token, types.WorkDoneProgressEnd(message=end))
