"""Settings flow through one place: a later `map.exclude` reaches the running map, and
`ssc.reindex` rebuilds the crawl rules from the current settings, not a stale copy."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from tests.features.conftest import session


async def _names(client, query: str) -> set[str]:
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    return {s.name for s in found or ()}


async def _until_names(client, query: str, want: bool, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (query in await _names(client, query)) != want:
        if loop.time() > deadline:
            raise TimeoutError(f"{query} {'never appeared' if want else 'never went away'}")
        await asyncio.sleep(0.1)


async def test_later_exclude_reaches_the_running_map_and_reindex(ws_copy):
    async with session(ws_copy) as client:
        assert "round_cents" in await _names(client, "round_cents")

        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"ssc": {"map": {"exclude": ["util/"]}}}))
        await _until_names(client, "round_cents", want=False)

        # a re-index reads the rules from the settings in force, so util/ stays out
        await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="ssc.reindex", arguments=[]))
        await asyncio.sleep(0.5)
        assert "round_cents" not in await _names(client, "round_cents")
        assert "format_money" not in await _names(client, "format_money")

        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"ssc": {"map": {"exclude": []}}}))
        await _until_names(client, "round_cents", want=True)
