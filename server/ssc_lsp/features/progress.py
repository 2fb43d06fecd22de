"""Work-done progress around a request that waits on jedi or the model (a refactor command),
for clients that declare `window.workDoneProgress`; nothing for the others. A client that fails
to create the token gets no progress, never a failed request."""

from __future__ import annotations

import logging
import uuid
from contextlib import asynccontextmanager

from lsprotocol import types

from .locate import client_supports

log = logging.getLogger(__name__)


@asynccontextmanager
async def waiting(ls, title: str):
    """`async with waiting(ls, "ssc: naming the new function"):` begin ... end."""
    token = None
    if client_supports(ls, "window.work_done_progress"):
        token = f"ssc-work-{uuid.uuid4()}"
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title, cancellable=False))
        except Exception as e:  # the client refused the token: the work goes on without
            log.info("no progress for %s: %s", title, e)
            token = None
    try:
        yield
    finally:
        if token is not None:
            try:
                ls.work_done_progress.end(token, types.WorkDoneProgressEnd())
            except Exception as e:
                log.info("progress end for %s: %s", title, e)
