"""JSON-RPC per the spec on top of pygls: every request with an id gets exactly one answer.

pygls 2 parses a body with `json.loads(object_hook=structure_message)` and hands what it got to
`handle_message`; anything off the happy path raised out of its read loop, was logged as
"Unable to handle message", shown to the user as a `window/showMessage` "Error in server: ..."
popup, and never answered: the client waited forever (a request with params of the wrong type,
without `method`, with an object as id, without `jsonrpc`, a batch, a body that is not JSON).
Here `handle_body` takes the raw bytes of one message (stdio.py frames them) and answers what
cannot be run with the error the specs name, logged once, never as a popup:

- -32700 (id null): the body is not UTF-8 or not JSON;
- -32600: not a request object (no `method`, `method` not a string, `jsonrpc` not "2.0", an
  id that is an object, array, fraction or null: answered with id null, it cannot be echoed),
  a second `initialize`, anything after `shutdown` (LSP);
- -32002: a request before `initialize` (LSP: ServerNotInitialized);
- -32601: a method the server has no handler for;
- -32602: params that do not fit the method's type (cattrs says where), or a scalar.

Notifications are never answered: the bad ones are dropped with one log line, and before
`initialize` or after `shutdown` every notification but `exit` is dropped (LSP).

Batches (a JSON array): JSON-RPC 2.0 answers a batch with an array holding one response per
request in it (none for notifications; a lone error with id null for an empty array). LSP defines
no batches, so their elements are not run: each request in the batch gets -32600 in that array.
Answering per element (rather than one error for the whole batch) is what keeps the rule "a
request with an id always gets a response": the client may be waiting on each id.

`exit` ends the process at once in every state, with code 0 after `shutdown` and 1 without
(process_exit.py says why `sys.exit` was not enough).
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import inspect
import json
import logging
from typing import Any, Optional, Union

from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.exceptions import FeatureNotificationError, JsonRpcException, JsonRpcRequestCancelled
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage

from .process_exit import end_process

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002

_UNSET = object()
# the `workDoneToken` of the `workspace/executeCommand` being run (features/progress.py reads it:
# a command handler only receives the command's arguments)
WORK_DONE_TOKEN: contextvars.ContextVar = contextvars.ContextVar("ssc_work_done_token", default=None)
INT_OR_STR = Union[int, str]  # noqa: UP007 - lsprotocol's annotations are typing.Union
# what custom methods share with LSP, checked against LSP's types
COMMON_PARTS = {"textDocument": types.TextDocumentIdentifier, "position": types.Position}


class RpcError(Exception):
    """A message that cannot be run: the code and message of its error response."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _valid_id(value: Any) -> bool:
    """LSP ids are integers or strings (JSON-RPC's fractional numbers and null are refused)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _params_error(method: str, err: Exception) -> str:
    """One line naming what in the params is wrong (cattrs' paths, e.g. `$.position.line`)."""
    if isinstance(err, ClassValidationError):
        try:
            from cattrs import transform_error

            where = "; ".join(transform_error(err, path="$")[:3])
            return f"invalid params for {method}: {where}"
        except Exception:  # noqa: BLE001 - the plain text below is fine
            pass
    return f"invalid params for {method}: {str(err).splitlines()[0] if str(err) else type(err).__name__}"


def _strict(kind: type, name: str):
    def structure(value: Any, target: Any) -> Any:
        if not (type(value) is kind or (kind is float and type(value) is int)):
            raise TypeError(f"expected {name}, got {type(value).__name__}")
        if target is not kind and isinstance(target, type) and issubclass(target, enum.Enum):
            try:  # an int or str enum: its member, or the value itself (LSP enums are open)
                return target(value)
            except ValueError:
                return value
        return value
    return structure


def strict_scalars(converter) -> None:
    """Refuse what is not of the declared JSON type. cattrs' default hooks *convert*: `str(None)`
    made `"text": null` in a didChange the text "None", `int("5")` and `int(1.9)` made lines of
    strings and fractions, so wrong params ran instead of being refused as -32602. (Registered
    by class, so they also receive the int and str enums, which they build as lsprotocol does.)"""
    for kind, name in ((str, "a string"), (int, "an integer"), (bool, "a boolean"),
                       (float, "a number")):
        converter.register_structure_hook(kind, _strict(kind, name))
    # ids and progress tokens: lsprotocol's hook for this union let anything through (a list
    # as a $/cancelRequest id reached a dict lookup: "unhashable type")
    converter.register_structure_hook(INT_OR_STR, _int_or_str)
    converter.register_structure_hook(Optional[INT_OR_STR], _int_or_str)  # noqa: UP045


def _int_or_str(value: Any, _target: Any) -> Any:
    if value is None and _target != INT_OR_STR:
        return None
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"expected an integer or a string, got {type(value).__name__}")


class RpcProtocol(LanguageServerProtocol):
    """pygls' protocol with the message layer above (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        strict_scalars(self._converter)

    # -- entry point: one framed body -----------------------------------------------------------
    def handle_body(self, body: bytes) -> None:
        """Parse one message body and run it, or answer why it cannot be run."""
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as e:
            self._refuse(None, PARSE_ERROR, f"the message is not UTF-8 ({e.reason} at byte {e.start})")
            return
        except ValueError as e:
            self._refuse(None, PARSE_ERROR, f"the message is not JSON ({e})")
            return
        if isinstance(data, list):
            self._batch(data)
            return
        try:
            self._one(data)
        except RpcError as e:
            self._refuse(_echo_id(data), e.code, e.message)

    def _batch(self, items: list) -> None:
        if not items:
            self._refuse(None, INVALID_REQUEST, "an empty batch")
            return
        answers = []
        for item in items:
            if isinstance(item, dict) and "method" in item and "id" not in item:
                continue  # a notification: never answered
            answers.append(_error_message(_echo_id(item), INVALID_REQUEST,
                                          "batches are not supported by LSP: send each message alone"))
        log.warning("a batch of %d messages refused (LSP has no batches)", len(items))
        if answers:
            self._send_data(answers)

    def _one(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise RpcError(INVALID_REQUEST, f"a message must be a JSON object, not {type(data).__name__}")
        has_id = "id" in data
        if has_id and not _valid_id(data["id"]):
            raise RpcError(INVALID_REQUEST, "the id must be an integer or a string")
        if "method" not in data:
            if has_id and ("result" in data or "error" in data):
                self._response(data)
                return
            raise RpcError(INVALID_REQUEST, "a request needs a method")
        method = data["method"]
        if not isinstance(method, str):
            raise RpcError(INVALID_REQUEST, "the method must be a string")
        if data.get("jsonrpc") != self.VERSION:
            raise RpcError(INVALID_REQUEST, 'the message must say "jsonrpc": "2.0"')
        params = data.get("params", _UNSET)
        if params is not _UNSET and params is not None and not isinstance(params, dict | list):
            raise RpcError(INVALID_PARAMS, "params must be an object or an array")
        if has_id:
            self._request(data, method)
        else:
            self._notification(data, method)

    # -- requests and notifications -------------------------------------------------------------
    def _request(self, data: dict, method: str) -> None:
        if method == types.EXIT:
            raise RpcError(INVALID_REQUEST, "exit is a notification")
        if not self.initialize_seen and method != types.INITIALIZE:
            raise RpcError(SERVER_NOT_INITIALIZED, f"{method} before initialize")
        if self._shutdown:
            raise RpcError(INVALID_REQUEST, f"{method} after shutdown")
        if method == types.INITIALIZE and self.initialize_seen:
            raise RpcError(INVALID_REQUEST, "initialize was already received")
        if not self._has_handler(method):
            raise RpcError(METHOD_NOT_FOUND, f"method not found: {method}")
        message = self._structure(data, method)
        if method == types.INITIALIZE:
            self.initialize_seen = True
        super().handle_message(message)

    def _notification(self, data: dict, method: str) -> None:
        if method == types.EXIT:
            self._exit()
        if not self.initialize_seen or self._shutdown:
            log.info("%s %s: dropped", method, "after shutdown" if self._shutdown else "before initialize")
            return
        if method != types.CANCEL_REQUEST and not self._has_handler(method):
            if not method.startswith("$/"):  # `$/` notifications may be ignored (LSP)
                log.info("notification %s: no handler, ignored", method)
            return
        try:
            message = self._structure(data, method)
        except RpcError as e:
            log.warning("%s: dropped", e.message)
            return
        super().handle_message(message)

    def _check_common_parts(self, method: str, params: Any) -> None:
        """Custom methods (`ssc/*`) have no lsprotocol type; the parts they share with LSP
        (`textDocument`, `position`) are checked against LSP's types, so a negative line is
        -32602 here rather than a ValueError (-32603) in the handler."""
        if not isinstance(params, dict):
            return
        for key, kind in COMMON_PARTS.items():
            if key in params:
                try:
                    self._converter.structure(params[key], kind)
                except Exception as e:  # noqa: BLE001
                    raise RpcError(INVALID_PARAMS, _params_error(f"{method} ({key})", e)) from None

    def _response(self, data: dict) -> None:
        try:
            message = self.structure_message(data)
            super().handle_message(message)
        except Exception as e:  # noqa: BLE001 - a malformed answer to one of our requests
            log.warning("a response from the client could not be read: %s", e)

    def _has_handler(self, method: str) -> bool:
        return method in self.fm.builtin_features or method in self.fm.features

    def _structure(self, data: dict, method: str):
        """The message as pygls' typed object; RpcError(-32602) when the params do not fit."""
        data = dict(data)
        if data.get("params", _UNSET) is None:
            del data["params"]  # `params: null` is no params (the types default them)
        kind = self.get_message_type(method)
        if kind is None:  # a custom method: params as they came, their common parts checked
            kind = JsonRPCRequestMessage if "id" in data else JsonRPCNotification
            data.setdefault("params", None)
            self._check_common_parts(method, data["params"])
        try:
            return self._converter.structure(data, kind)
        except Exception as e:  # noqa: BLE001 - whatever cattrs raised, the params caused it
            raise RpcError(INVALID_PARAMS, _params_error(method, e)) from None

    def refuse_request(self, msg_id: Any, reason: str) -> None:
        """A message the reader would not take (over its size limit): -32600, id null when the
        reader could not see the id."""
        self._refuse(msg_id, INVALID_REQUEST, reason)

    # -- answers --------------------------------------------------------------------------------
    def _refuse(self, msg_id: Any, code: int, message: str) -> None:
        """Answer an error (requests: those with an id) and log it once, at WARNING."""
        log.warning("refused (%d): %s", code, message)
        if msg_id is _UNSET:
            return  # a notification: nothing to answer
        self._send_data(_error_message(msg_id, code, message))

    def _send_handler_result(self, future, *, msg_id):
        """pygls', without the traceback at ERROR and the popup for an error the handler chose to
        answer (a refused rename, invalid params): those are answers, logged on one line."""
        exc = None if future.cancelled() else future.exception()
        if isinstance(exc, JsonRpcException) and not isinstance(exc, JsonRpcRequestCancelled):
            self._request_futures.pop(msg_id, None)
            log.info("request %s answered with error %d: %s", msg_id, exc.code, exc.message)
            self._send_response(msg_id, error=exc.to_response_error())
            return
        super()._send_handler_result(future, msg_id=msg_id)

    def _send_data(self, data: Any) -> None:
        """pygls', except that an answer that cannot be written still answers: pygls logged the
        error and sent nothing, and the client waited for ever."""
        if not data or self.writer is None:
            return
        try:
            body = json.dumps(data, default=self._serialize_message)
        except Exception as e:  # noqa: BLE001
            log.exception("a message could not be written")
            msg_id = getattr(data, "id", None)
            if msg_id is None or not (hasattr(data, "result") or hasattr(data, "error")):
                return
            body = json.dumps(_error_message(msg_id, INTERNAL_ERROR, f"the answer could not be written: {e}"))
        payload = body.encode(self.CHARSET)
        header = f"Content-Length: {len(payload)}\r\n\r\n".encode() if self._include_headers else b""
        try:
            written = self.writer.write(header + payload)
            if inspect.isawaitable(written):  # the TCP writer
                asyncio.ensure_future(written)
        except BrokenPipeError:
            raise
        except Exception:  # noqa: BLE001
            log.exception("error sending data")

    # -- documents: one copy, the map's ---------------------------------------------------------
    # pygls kept a second copy of every open document (its Workspace) that no feature reads,
    # applied every change to it as well, and raised KeyError on a change to a document it did
    # not hold (a change before didOpen). The handlers in features/sync.py are the only ones.
    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _user_handler(self, method: str, params):
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args):
        """pygls', cancelling what is in flight over a copy of the table: cancelling a request's
        future answers it at once, which removes it from the table pygls was iterating
        ("dictionary changed size during iteration": shutdown answered with an error while a
        command waited on the model)."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True

    # -- commands: the token of their progress, and cancellation that reaches them ---------------
    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params):
        # set in this message's own context (asyncio runs each callback in a copy): the
        # command's task inherits it, nothing else sees it
        WORK_DONE_TOKEN.set(params.work_done_token)
        return (yield from super().lsp_workspace__execute_command(params))

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        """pygls', with a generator's sub-handler tied to its request both ways. pygls runs a
        command as a generator (`workspace/executeCommand`) whose handler is a separate task
        under a made-up id: a `$/cancelRequest` cancelled only the request's outer future (the
        command ran on, its model request with it), and a command task cancelled from inside
        (the user cancelling its progress) raised out of pygls' callback and left the request
        unanswered for ever. Here either cancels the other (the client gets RequestCancelled),
        and the finished task leaves `_request_futures`."""
        parent = getattr(callback, "keywords", {}).get("result_future") \
            if getattr(callback, "func", None) == self._run_generator else None
        if parent is not None:
            inner = callback

            def callback(future):
                self._request_futures.pop(msg_id, None)
                if not future.cancelled():
                    inner(future)
                elif not parent.done():
                    parent.cancel()
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        child = self._request_futures.get(msg_id) if parent is not None else None
        if child is not None:
            parent.add_done_callback(lambda f: child.cancel() if f.cancelled() else None)

    def _check_handler_result(self, future) -> None:
        """pygls', with the traceback in the log (it reported the message only)."""
        if not future.cancelled() and (exc := future.exception()) is not None:
            log.error("a notification handler failed", exc_info=exc)
            self._server._report_server_error(exc, FeatureNotificationError)

    # -- exit -----------------------------------------------------------------------------------
    @lsp_method(types.EXIT)
    def lsp_exit(self, *args) -> None:
        self._exit()

    def _exit(self) -> None:
        end_process(0 if self._shutdown else 1, "exit" if self._shutdown else "exit without shutdown")


def _echo_id(data: Any) -> Any:
    """The id to answer with: the request's own, null when it has an unusable one, or _UNSET for
    a notification (no answer)."""
    if not isinstance(data, dict):
        return None
    if "id" not in data:
        return _UNSET if isinstance(data.get("method"), str) else None
    return data["id"] if _valid_id(data["id"]) else None


def _error_message(msg_id: Any, code: int, message: str) -> dict:
    if msg_id is _UNSET:
        msg_id = None
    return {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}

