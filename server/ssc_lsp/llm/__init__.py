"""LLM access for ssc-lsp: settings, prompts, providers (HTTP and embedded), caching.

Usable on its own: nothing here imports the LSP layer or the symbol map.

The server's usual path::

    settings = apply_env_overrides(settings, os.environ)
    provider, why = make_provider(settings)
    if provider is None: log(why)
    ...
    async for piece in provider.stream_completion(CompletionRequest(prefix=..., suffix=...)):
        ...
"""

from .cache import CompletionCache, Suggestion, cache_key, typing_through
from .client import OpenAIProvider, ProbeReport
from .errors import LLMError
from .factory import make_provider
from .local import LocalProvider, LocalStatus, local_status
from .provider import Provider
from .request import Completion, CompletionRequest
from .settings import LLMSettings, apply_env_overrides, resolve_api_key, resolve_provider_kind
from .templates import FimTemplate, fim_template, fim_template_names

__all__ = [
    "Completion",
    "CompletionCache",
    "CompletionRequest",
    "FimTemplate",
    "LLMError",
    "LLMSettings",
    "LocalProvider",
    "LocalStatus",
    "OpenAIProvider",
    "ProbeReport",
    "Provider",
    "Suggestion",
    "apply_env_overrides",
    "cache_key",
    "fim_template",
    "fim_template_names",
    "local_status",
    "make_provider",
    "resolve_api_key",
    "resolve_provider_kind",
    "typing_through",
]
