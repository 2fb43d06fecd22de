"""The model behind the suggestions: built from the settings when first needed, rebuilt when they
change, and the local model loaded in the background.

Why lazily: most sessions of the server (and every map-only test) never ask for a suggestion;
building a provider must not cost them anything, and loading the embedded model costs 12-15 s
of CPU. Why say the reason once: "why are there no suggestions?" is answered by that one
message (factory.py words it); repeating it per keystroke would drown the editor.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import Callable, Mapping

from ..llm import LLMSettings, Provider, apply_env_overrides, make_provider

log = logging.getLogger(__name__)

Tell = Callable[[str], None]
OFF = "LLM features are off"  # how the message saying why there is no provider starts
Factory = Callable[[LLMSettings, "Mapping[str, str] | None"], "tuple[Provider | None, str]"]


class Providers:
    """Holds the current provider for the current settings (one per server or CLI run)."""

    def __init__(self, tell: Tell | None = None, environ: Mapping[str, str] | None = None,
                 factory: Factory = make_provider) -> None:
        self.tell = tell or (lambda message: log.info("%s", message))
        self.environ = environ
        self.factory = factory  # tests and benchmarks put a scripted model here
        self._settings: LLMSettings | None = None
        self._provider: Provider | None = None
        self.reason = ""  # why there is no provider, or what the provider is
        self._warming: asyncio.Future | None = None

    def effective(self, settings: LLMSettings) -> LLMSettings:
        return apply_env_overrides(settings, self.environ if self.environ is not None else os.environ)

    def get(self, settings: LLMSettings) -> Provider | None:
        """The provider for these settings (built on first call; must run inside the event loop)."""
        wanted = self.effective(settings)
        if self._settings is not None and dataclasses.astuple(wanted) == dataclasses.astuple(self._settings):
            return self._provider
        old = self._provider
        if old is not None:
            asyncio.ensure_future(_close_quietly(old))
        self._settings = wanted
        self._warming = None
        env = self.environ if self.environ is not None else None
        self._provider, self.reason = self.factory(wanted, env)
        if self._provider is None and wanted.provider == "none":
            log.info("%s: %s", OFF, self.reason)  # the user's own choice: nothing to tell them
        elif self._provider is None:
            self.tell(f"{OFF}: {self.reason}")
        else:
            log.info("LLM: %s", self.reason)
        return self._provider

    def ready(self, provider: Provider) -> bool:
        """False while the embedded model is still loading (it is loaded in the background)."""
        warm_up = getattr(provider, "warm_up", None)
        if warm_up is None or getattr(provider, "loaded", True):
            return True
        if self._warming is None:
            self.tell("loading the embedded model in the background; suggestions start when it is "
                      "ready (real use wants a real code model: see llm.baseUrl)")
            self._warming = asyncio.ensure_future(self._warm(provider))
        return False

    async def _warm(self, provider) -> None:
        try:
            await provider.warm_up()
            log.info("local model ready: %s", provider.describe())
        except Exception as e:  # a failed load is remembered by the provider; say it once
            message = getattr(e, "message", str(e))
            self.tell(f"the embedded model cannot run: {message}")

    def describe(self) -> dict:
        p = self._provider
        return {"provider": getattr(p, "name", None), "describe": p.describe() if p else None,
                "reason": None if p else (self.reason or "not asked yet")}

    async def aclose(self) -> None:
        if self._provider is not None:
            await _close_quietly(self._provider)
        self._provider = None
        self._settings = None


async def _close_quietly(provider: Provider) -> None:
    with contextlib.suppress(Exception):
        await provider.aclose()
