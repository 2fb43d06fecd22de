"""The OpenAI-compatible HTTP provider (OpenAI, llama.cpp server, vLLM, Ollama, LM Studio...).

Why the ``openai`` package: every local and hosted server worth supporting
speaks its wire format, and the package already does SSE parsing, retries
with exponential backoff on 408/409/429/5xx (honouring ``Retry-After``) and
timeouts.  We add what an editor needs on top: a concurrency limit, real
cancellation, typed key-free errors, and a ``probe`` for ``doctor``.

What an endpoint can do to the server is bounded here (the package's own
timeout bounds each read, not the request): one deadline per request over
the wait for a slot, the model lookup, every retry and every streamed piece
(``LLMSettings.deadline_s``); every answer's bytes (transport.py, which
also refuses redirects) and its text (``max_answer_chars``); and a stream
that stops without its end (no ``finish_reason``) is an error, never a
suggestion.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

import openai
from openai import AsyncOpenAI

from .cache import cache_key
from .errors import LLMError
from .prompting import build_chat_messages, build_fim_prompt, merged_stop
from .redaction import Secret, display_url, redact
from .request import Completion, CompletionRequest
from .settings import MAX_ANSWER_BYTES, LLMSettings, resolve_api_key
from .templates import FimTemplate, fim_template
from .transport import (
    AnswerTooLarge,
    BoundedTransport,
    TransportError,
    TransportTimeout,
    http_client,
    location_of,
)

log = logging.getLogger(__name__)

#: Sent as the key when none is configured: local servers ignore it, and the
#: openai package refuses to build a client without one.
NO_KEY = "none"


@dataclass
class ProbeReport:
    """What ``doctor`` learned about an endpoint.  ``None`` means "not checked"."""

    endpoint: str
    api: str
    model: str = ""
    reachable: bool = False
    models: list[str] = field(default_factory=list)
    chat: bool | None = None
    completions: bool | None = None
    streaming: bool | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Usable as configured: reachable, the configured API works, and it streams."""
        works = self.chat if self.api == "chat" else self.completions
        return bool(self.reachable and works and self.streaming)

    def lines(self) -> list[str]:
        """Human-readable lines for a ``doctor`` report."""

        def mark(value: bool | None) -> str:
            return {True: "yes", False: "no", None: "not checked"}[value]

        shown = ", ".join(self.models[:8]) + (" ..." if len(self.models) > 8 else "")
        out = [
            f"endpoint: {self.endpoint}",
            f"reachable: {mark(self.reachable)}",
            f"models: {shown or '(none listed)'}",
            f"model used: {self.model or '(none)'}",
            f"chat completions: {mark(self.chat)}",
            f"text completions: {mark(self.completions)}",
            f"streaming ({self.api}): {mark(self.streaming)}",
        ]
        out += [f"problem: {p}" for p in self.problems]
        return out


class OpenAIProvider:
    """Talks to one OpenAI-compatible endpoint.

    Construct it inside the event loop that will use it (the concurrency
    semaphore and the HTTP connection pool belong to that loop).
    """

    name = "openai"

    def __init__(self, settings: LLMSettings, *, environ: Mapping[str, str] | None = None) -> None:
        if not settings.base_url:
            raise LLMError("config", "the openai provider needs base_url (or SSC_LLM_BASE_URL)")
        if settings.api not in ("chat", "completions"):
            raise LLMError("config", f"api must be 'chat' or 'completions', not {settings.api!r}")
        self.settings = settings
        self._key = Secret(resolve_api_key(settings, os.environ if environ is None else environ))
        self._endpoint = display_url(settings.base_url)
        self._fim: FimTemplate | None = None
        if settings.api == "completions":
            try:
                self._fim = fim_template(settings.fim_template, settings.custom_fim_template)
            except ValueError as err:
                raise LLMError("config", str(err)) from None
        self._http = http_client(MAX_ANSWER_BYTES, settings.read_timeout_s)
        self._client = AsyncOpenAI(
            base_url=settings.base_url,
            api_key=self._key.reveal() or NO_KEY,
            timeout=settings.read_timeout_s,
            max_retries=settings.retries,
            default_headers=dict(settings.extra_headers) or None,
            http_client=self._http,
        )
        self._semaphore = asyncio.Semaphore(settings.concurrency)
        self._model: str | None = settings.model or None

    # -- identity ---------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"OpenAIProvider(endpoint={self._endpoint!r}, model={self.settings.model!r}, "
            f"api={self.settings.api!r}, api_key={self._key!r})"
        )

    def describe(self) -> str:
        model = self._model or self.settings.model or "(first listed)"
        via = f"FIM {self._fim.name}" if self._fim else "chat"
        key = "key set" if self._key else "no key"
        return f"OpenAI-compatible {self._endpoint}, model {model}, {via}, {key}"

    @property
    def bytes_read(self) -> int:
        """Answer bytes received so far, all requests together (benchmarks, tests)."""
        transport = self._http._transport
        return transport.bytes_read if isinstance(transport, BoundedTransport) else 0

    def count_tokens(self, text: str) -> int:
        """An estimate (about 4 characters a token): the remote tokenizer is unknown."""
        return math.ceil(len(text) / 4) if text else 0

    # -- building requests --------------------------------------------------

    def _payload(self, request: CompletionRequest) -> dict:
        """The model-independent part of the request body (also the cache payload)."""
        s = self.settings
        body: dict = {
            "max_tokens": request.max_tokens or s.max_tokens,
            "temperature": s.temperature if request.temperature is None else request.temperature,
        }
        if self._fim is not None:
            body["prompt"] = build_fim_prompt(request, self._fim)
            stop = merged_stop(s.stop, self._fim.stop, request.stop)
        else:
            body["messages"] = build_chat_messages(request)
            stop = merged_stop(s.stop, request.stop)
        if stop:
            body["stop"] = stop
        return body

    def request_key(self, request: CompletionRequest) -> str:
        return cache_key(self._payload(request), self.settings.cache_identity())

    async def _resolve_model(self) -> str:
        """The configured model, else the endpoint's first listed model.

        Why: single-model servers (llama.cpp, LM Studio) are commonly run
        without the user knowing the id; asking once is cheaper than a
        configuration error.
        """
        if self._model:
            return self._model
        try:
            page = await self._client.with_options(max_retries=0).models.list()
            ids = [m.id for m in page.data if getattr(m, "id", None)]
        except Exception as err:  # noqa: BLE001 - any failure: fall back, the real call reports
            log.debug("model list failed (%s); using 'default'", type(err).__name__)
            ids = []
        self._model = ids[0] if ids else "default"
        return self._model

    # -- errors -------------------------------------------------------------

    def _error(self, err: BaseException) -> LLMError:
        """Translate any failure into a key-free LLMError."""
        secrets = [self._key.reveal()]
        where = self._endpoint
        if isinstance(err, LLMError):
            return err
        if not isinstance(err, AnswerTooLarge) and isinstance(err.__cause__, AnswerTooLarge):
            err = err.__cause__  # wrapped on its way through the package
        if isinstance(err, AnswerTooLarge):
            return LLMError("too_large", f"{where} sent an answer of more than {err.limit} bytes: "
                            "stopped reading it")
        if isinstance(err, openai.APITimeoutError | TransportTimeout):
            seconds = self.settings.timeout_ms / 1000.0
            return LLMError(
                "timeout", f"{where} did not answer within {seconds:g} s", retryable=True
            )
        if isinstance(err, openai.APIConnectionError | TransportError):
            cause = err.__cause__ or err.__context__
            detail = f": {type(cause).__name__}: {cause}" if cause else ""
            return LLMError(
                "connect", f"cannot reach {where}{detail}", retryable=True, secrets=secrets
            )
        if isinstance(err, openai.APIStatusError) and 300 <= err.status_code < 400:
            target = display_url(location_of(err.response)) or "(no Location)"
            return LLMError(
                "status",
                f"{where} answered HTTP {err.status_code}, a redirect to {target}: redirects are "
                "not followed (the prompt and the key would go there); set llm.baseUrl to the "
                "address that answers",
                status=err.status_code,
                secrets=secrets,
            )
        if isinstance(err, openai.APIStatusError):
            body = _short_body(err)
            code = err.status_code
            return LLMError(
                "status",
                f"{where} answered HTTP {code}{': ' + body if body else ''}",
                status=code,
                retryable=code in (408, 409, 429) or code >= 500,
                secrets=secrets,
            )
        if isinstance(
            err, (openai.APIResponseValidationError, json.JSONDecodeError, ValueError, KeyError)
        ):
            return LLMError(
                "protocol",
                f"{where} sent a response that is not OpenAI-compatible: "
                f"{type(err).__name__}: {str(err)[:200]}",
                secrets=secrets,
            )
        if isinstance(err, openai.APIError):
            return LLMError(
                "protocol", f"{where} reported an error: {str(err)[:200]}", secrets=secrets
            )
        return LLMError(
            "protocol",
            f"unexpected failure talking to {where}: {type(err).__name__}: {str(err)[:200]}",
            secrets=secrets,
        )

    # -- completion ---------------------------------------------------------

    async def _within(self, awaitable, until: float):
        """``await awaitable``, given up (cancelled, which closes its HTTP request) at the
        request's deadline ``until`` (loop time)."""
        try:
            if hasattr(asyncio, "timeout_at"):  # 3.11+: no task per await
                limit = asyncio.timeout_at(until)
                try:
                    async with limit:
                        return await awaitable
                except TimeoutError:
                    if not limit.expired():
                        raise LLMError("timeout", f"{self._endpoint} timed out") from None
                    raise
            remaining = max(until - asyncio.get_running_loop().time(), 0.0)
            return await asyncio.wait_for(awaitable, remaining)
        except asyncio.TimeoutError:
            seconds = self.settings.deadline_s
            raise LLMError(
                "timeout",
                f"{self._endpoint} took longer than {seconds:g} s for one answer (retries "
                "included; llm.requestTimeoutMs): stopped",
                retryable=True,
            ) from None

    async def _events(self, request: CompletionRequest) -> AsyncIterator[tuple[str, str | None]]:
        """Yield ``(text, finish_reason)`` per streamed chunk.

        The stream is closed in ``finally``: on normal end, on error, on
        ``aclose()`` and on task cancellation alike.  Closing a response whose
        body was not read to the end closes its connection, which is what
        makes a cancelled completion stop costing the server anything.

        Every await runs under the request's one deadline. A stream that ends
        without a ``finish_reason`` was cut (a proxy or a crashed server closed
        it): raised as ``truncated``, since half an answer looks like a whole one.
        """
        until = asyncio.get_running_loop().time() + self.settings.deadline_s
        body = self._payload(request)
        extra_body = dict(self.settings.extra_body) or None
        max_chars = self.settings.max_answer_chars(request.max_tokens)
        await self._within(self._semaphore.acquire(), until)
        try:
            model = await self._within(self._resolve_model(), until)
            log.debug(
                "llm request: %s model=%s api=%s max_tokens=%s",
                self._endpoint,
                model,
                self.settings.api,
                body["max_tokens"],
            )
            try:
                if self._fim is not None:
                    create = self._client.completions.create(
                        model=model, stream=True, extra_body=extra_body, **body
                    )
                else:
                    create = self._client.chat.completions.create(
                        model=model, stream=True, extra_body=extra_body, **body
                    )
                stream = await self._within(create, until)
            except LLMError:
                raise
            except Exception as err:  # noqa: BLE001 - translated
                raise self._error(err) from None
            chunks = chars = 0
            finished = False
            try:
                pieces = stream.__aiter__()
                while True:
                    try:
                        chunk = await self._within(pieces.__anext__(), until)
                    except StopAsyncIteration:
                        break
                    choices = getattr(chunk, "choices", None)
                    if not choices:
                        continue
                    choice = choices[0]
                    if self._fim is not None:
                        text = getattr(choice, "text", None) or ""
                    else:
                        delta = getattr(choice, "delta", None)
                        text = (getattr(delta, "content", None) or "") if delta else ""
                    chunks += 1
                    chars += len(text)
                    if chars > max_chars:
                        raise LLMError(
                            "too_large",
                            f"{self._endpoint} sent more than {max_chars} characters for "
                            f"{body['max_tokens']} tokens: stopped reading",
                        )
                    finish = getattr(choice, "finish_reason", None)
                    finished = finished or bool(finish)  # some servers send "" until the end
                    yield text, finish
            except LLMError:
                raise
            except Exception as err:  # noqa: BLE001 - translated
                error = self._error(err)
                if error.kind == "connect":  # it was reached: the answer was cut off
                    error = LLMError("truncated", f"{self._endpoint} cut the answer off "
                                     f"({error.message.rpartition(': ')[2]}): not shown")
                raise error from None
            finally:
                await stream.close()
            if chunks == 0:
                raise LLMError("protocol", f"{self._endpoint} streamed no completion chunks")
            if not finished:
                raise LLMError(
                    "truncated",
                    f"{self._endpoint} ended the answer without finishing it (no finish_reason: "
                    "the connection was cut): not shown",
                )
        finally:
            self._semaphore.release()

    async def stream_completion(self, request: CompletionRequest) -> AsyncIterator[str]:
        """Yield completion text as it arrives (see Provider.stream_completion)."""
        async with contextlib.aclosing(self._events(request)) as events:
            async for text, _finish in events:
                if text:
                    yield text

    async def complete(self, request: CompletionRequest) -> Completion:
        """Collect the stream into a Completion, with timings."""
        started = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        finish: str | None = None
        async with contextlib.aclosing(self._events(request)) as events:
            async for text, finish_reason in events:
                if text:
                    if first is None:
                        first = (time.perf_counter() - started) * 1000
                    parts.append(text)
                finish = finish_reason or finish
        return Completion(
            text="".join(parts),
            finish_reason=finish,
            model=self._model or "",
            provider=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            first_token_ms=first,
        )

    # -- doctor ---------------------------------------------------------------

    async def probe(self) -> ProbeReport:
        """Check the endpoint without retries: models, chat, completions, streaming.

        Each check is independent, so one unsupported feature does not hide
        the others.  Nothing here raises; problems are listed in the report.
        """
        report = ProbeReport(endpoint=self._endpoint, api=self.settings.api)
        client = self._client.with_options(max_retries=0)

        def until() -> float:  # each check gets the deadline of one request
            return asyncio.get_running_loop().time() + self.settings.deadline_s

        try:
            page = await self._within(client.models.list(), until())
            report.models = [m.id for m in page.data if getattr(m, "id", None)]
            report.reachable = True
        except Exception as err:  # noqa: BLE001 - reported
            e = self._error(err)
            report.reachable = e.kind in ("status", "protocol")
            report.problems.append(f"listing models: {e.message}")
        if not report.reachable:
            return report
        report.model = self.settings.model or (report.models[0] if report.models else "default")
        self._model = self._model or report.model
        model = report.model
        try:
            await self._within(client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=2
            ), until())
            report.chat = True
        except Exception as err:  # noqa: BLE001 - reported
            report.chat = False
            report.problems.append(f"chat completions: {self._error(err).message}")
        try:
            await self._within(
                client.completions.create(model=model, prompt="def add(a, b):", max_tokens=2),
                until(),
            )
            report.completions = True
        except Exception as err:  # noqa: BLE001 - reported
            report.completions = False
            report.problems.append(f"text completions: {self._error(err).message}")
        try:
            probe_request = CompletionRequest(prefix="def add(a, b):\n    return ", max_tokens=2)
            async with contextlib.aclosing(self._events(probe_request)) as events:
                async for _ in events:
                    pass
            report.streaming = True
        except LLMError as err:
            report.streaming = False
            report.problems.append(f"streaming: {err.message}")
        return report

    async def aclose(self) -> None:
        await self._client.close()


def _short_body(err: openai.APIStatusError) -> str:
    """The server's error message, briefly (bodies can be whole HTML pages)."""
    body = err.body
    message = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        message = message or body.get("detail") or body.get("message")
    if message is None:
        try:
            message = err.response.text
        except Exception:  # noqa: BLE001 - a stream that was never read
            message = ""
    return redact(" ".join(str(message).split()))[:200]
