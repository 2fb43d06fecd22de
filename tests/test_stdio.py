"""The stdio reader: messages split or joined anyhow by the pipe come out whole, EOF ends it."""

from __future__ import annotations

import asyncio
import os

from ssc_lsp.stdio import BufferedStdinReader


def message(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def read_message(reader: BufferedStdinReader) -> bytes | None:
    length = 0
    while True:
        line = await reader.readline()
        if not line:
            return None
        if line.startswith(b"Content-Length:"):
            length = int(line.split(b":")[1])
        elif line == b"\r\n":
            return await reader.readexactly(length)


async def test_messages_cut_anywhere_by_the_pipe_are_read_whole():
    r, w = os.pipe()
    bodies = [b'{"a": 1}', "{\"é\": \"\\n\"}".encode(), b"x" * 200_000]  # larger than a chunk
    stream = b"".join(message(b) for b in bodies)
    with open(r, "rb", buffering=0) as rf:
        reader = BufferedStdinReader(rf, asyncio.get_running_loop())

        def write() -> None:
            for i in range(0, 98, 7):  # 7-byte writes: headers and bodies split anywhere
                os.write(w, stream[i:i + 7])
            os.write(w, stream[98:])  # then more than one read's worth at once
            os.close(w)

        writer = asyncio.get_running_loop().run_in_executor(None, write)
        got = [await read_message(reader) for _ in bodies]
        await writer
        assert got == bodies
        assert await read_message(reader) is None  # EOF
        assert await reader.readline() == b""
