"""Background passes wait for a completion in flight, but not forever."""

from __future__ import annotations

import asyncio
import time

from ssc_lsp.server import SscServer


async def test_a_background_step_waits_while_a_completion_is_computed():
    server = SscServer()
    done = asyncio.Event()
    server.foreground.append(lambda: not done.is_set())
    asyncio.get_running_loop().call_later(0.2, done.set)
    t = time.monotonic()
    await server.yield_to_foreground(limit=5.0)
    assert done.is_set()  # it returned only once the request was over
    assert time.monotonic() - t < 5.0


async def test_a_request_that_never_ends_does_not_starve_background_work():
    server = SscServer()
    server.foreground.append(lambda: True)
    t = time.monotonic()
    await server.yield_to_foreground(limit=0.2)
    assert 0.2 <= time.monotonic() - t < 5.0


async def test_nothing_in_flight_costs_one_turn_of_the_loop():
    server = SscServer()
    server.foreground.append(lambda: False)
    ran = []
    asyncio.get_running_loop().call_soon(ran.append, 1)
    await server.yield_to_foreground(limit=5.0)
    assert ran == [1]  # other callbacks got their turn
