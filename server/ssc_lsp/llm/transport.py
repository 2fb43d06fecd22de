"""The HTTP client under the ``openai`` package: no redirects, every answer bounded in size.

Why our own client: the package's default follows redirects (a 307 to another host would get
the prompt, the workspace's code, and the ``Authorization`` header's key) and reads whatever an
endpoint sends: a 10 MB answer, or a 10 MB line without a newline that its SSE decoder buffers
whole before we see a single event. Here a redirect is an answer like any other non-2xx one
(the package raises a status error for it, `client.py` words it), and every response body is
counted as it arrives off the socket: past ``limit`` bytes the read fails with
:class:`AnswerTooLarge` and the connection is closed, before the bytes are decoded or kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2 as httpx  # the HTTP library of the openai package from 3.0 on (our lower bound)

# What the transport raises itself, unwrapped by some openai versions when it happens while a
# stream is read (client.py words them as a timeout or a cut connection)
TransportTimeout = httpx.TimeoutException
TransportError = httpx.TransportError


class AnswerTooLarge(Exception):
    """A response body ran past the size limit (deliberately not an httpx error: the openai
    package would take one for a connection failure and retry, reading it all again)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer ran past {limit} bytes")
        self.limit = limit


class _Bounded(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, limit: int, meter: list[int]) -> None:
        self._inner = inner
        self._limit = limit
        self._meter = meter

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            self._meter[0] += len(chunk)
            if seen > self._limit:
                await self._inner.aclose()
                raise AnswerTooLarge(self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class BoundedTransport(httpx.AsyncBaseTransport):
    """The default transport, with each response body limited to ``limit`` bytes.

    ``bytes_read`` counts every body byte received (for the benchmark and the tests: a huge
    answer must be read once, and only up to the limit)."""

    def __init__(self, limit: int, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.limit = limit
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._meter = [0]

    @property
    def bytes_read(self) -> int:
        return self._meter[0]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        response.stream = _Bounded(response.stream, self.limit, self._meter)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def http_client(limit: int, timeout_s: float) -> httpx.AsyncClient:
    """The client an :class:`openai.AsyncOpenAI` is given: redirects off, bodies bounded."""
    return httpx.AsyncClient(transport=BoundedTransport(limit), follow_redirects=False,
                             timeout=timeout_s)


def location_of(response: object) -> str:
    """Where a 3xx answer points (its ``Location`` header), or ''."""
    headers = getattr(response, "headers", None)
    return (headers.get("location") or "") if headers is not None else ""
