"""Pick the provider the settings ask for, or explain why there is none.

Why a reason string: "no completions appear" is the most common support
question; the server shows this sentence in its log, status and ``doctor``
so the user learns what to install or configure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .client import OpenAIProvider
from .errors import LLMError
from .local import INSTALL_HINT, LocalProvider, local_status
from .provider import Provider
from .settings import LLMSettings, resolve_provider_kind

NOTHING_CONFIGURED = (
    "no LLM is configured: set base_url (or SSC_LLM_BASE_URL) to an OpenAI-compatible "
    f"endpoint, or install the embedded model with {INSTALL_HINT}"
)


def make_provider(
    settings: LLMSettings, environ: Mapping[str, str] | None = None
) -> tuple[Provider | None, str]:
    """Return ``(provider, description)`` or ``(None, reason)``.

    ``settings`` are used as given: apply :func:`apply_env_overrides` first.
    ``environ`` (default ``os.environ``) is read only for the API key.
    Must be called inside the event loop that will use the provider.
    """
    problems = settings.validate()
    if problems:
        return None, "LLM settings are invalid: " + "; ".join(problems)
    kind = resolve_provider_kind(settings)
    if kind == "none":
        if settings.provider == "none":
            return None, "the LLM is turned off (provider = none)"
        return None, NOTHING_CONFIGURED
    if kind == "openai":
        try:
            provider = OpenAIProvider(settings, environ=os.environ if environ is None else environ)
        except LLMError as err:
            return None, err.message
        return provider, provider.describe()
    status = local_status()
    if not status.available:
        return None, f"the embedded local model cannot run: {status.reason}"
    local = LocalProvider(settings)
    return local, local.describe()
