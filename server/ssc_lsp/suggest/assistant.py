"""The suggestion pipeline and what a session shares around it.

One suggestion: capture the document at the cursor (spot.py); answer at once when the user is
typing through the last suggestion or the LRU cache has the prompt; else assemble the context in
a worker thread while the debounce runs; stream the model's answer, stopping (and so closing
the HTTP request) as soon as it leaves the cursor's block; post-process; check it against the
map and give it one repair round (grounding/); cache it.

Cancellation: each document has at most one job in flight. A newer request for the document, or
a didChange to a newer version (`on_document_changed`, a change hook), cancels it; the
provider's stream is closed by `contextlib.aclosing`, which aborts the HTTP request. A
`$/cancelRequest` cancels the request's task, which cancels the job it awaits.

Nothing here knows LSP: features/ shape the results, the CLI prints them, the benchmarks time
them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..config import Config
from ..context.engine import ContextOptions, engine_for
from ..context.items import ContextResult
from ..context.privacy import refusal
from ..context.tokens import Budget
from ..grounding import Checker, CheckStats, Externals, Grounded, ground, repair_hints
from ..grounding.check import Verdict
from ..grounding.inplace import Placed
from ..grounding.stats import DROPPED
from ..llm import (
    Completion,
    CompletionCache,
    CompletionRequest,
    LLMError,
    Provider,
    Suggestion,
    typing_through,
)
from ..map.records import IMPORT
from ..map.service import MapService
from .feedback import FeedbackLog, prompt_of
from .postprocess import Around, block_ended, postprocess
from .providers import Providers
from .spot import Spot
from .symbols import where_at

log = logging.getLogger(__name__)

EXTERNAL_WAIT = 0.25  # seconds the check waits for jedi's answers about installed modules
RECENT = 256  # outcomes kept for acceptance, resolve and feedback
# the failures ssc/stats counts apart (besides `errors`): answers that were cut off, too large or
# too slow are the endpoint misbehaving, which a user needs to tell from a dead endpoint
ERROR_COUNTERS = {"truncated": "truncated", "too_large": "tooLarge", "timeout": "timeouts"}


@dataclass
class Outcome:
    """One suggestion's story, for the editor, the CLI, the log and the benchmarks."""

    id: str
    text: str = ""
    source: str = "model"  # model, cache, typing, none (no provider), loading, error, private
    grounded: Grounded | None = None
    raw: str = ""  # the model's first answer, before post-processing
    context: ContextResult | None = None
    request: CompletionRequest | None = None
    error: str | None = None
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    listed: bool = False  # served in a completion list (counted as shown once)

    @property
    def verdict(self) -> Verdict | None:
        return self.grounded.first if self.grounded else None

    @property
    def rejected(self) -> list[tuple[str, list[str]]]:
        if self.grounded is None:
            return []
        return [(t, v.reasons) for t, v in self.grounded.rejected]

    def to_json(self) -> dict:
        g = self.grounded
        return {"id": self.id, "text": self.text, "source": self.source, "raw": self.raw,
                "outcome": g.outcome if g else None,
                "check": g.first.to_json() if g else None,
                "repairCheck": g.last.to_json() if g and g.last is not g.first else None,
                "rejected": [{"text": t, "reasons": r} for t, r in self.rejected],
                "error": self.error, "model": self.model,
                "timings": {k: round(v, 3) for k, v in self.timings.items()},
                "context": self.context.to_json(with_text=False) if self.context else None}


@dataclass
class Job:
    task: asyncio.Task
    version: int | None
    superseded: bool = False


@dataclass
class ListJob:
    """A one-line suggestion for the completion list, keyed by where the word started: the
    client asks again at every keystroke of the word (the list was incomplete) and gets the
    suggestion merged once it is there."""

    key: tuple[str, str, int, int]  # root, rel, row, word start (byte column)
    spot: Spot
    task: asyncio.Task
    served: bool = False


class Assistant:
    """Per-session state: provider, cache, last suggestions, jobs, checkers, counters."""

    def __init__(self, config: Callable[[], Config], tell: Callable[[str], None] | None = None,
                 *, feedback: FeedbackLog | None = None, environ=None,
                 provider_factory=None) -> None:
        self.config = config
        self.providers = Providers(tell, environ, **(
            {"factory": provider_factory} if provider_factory is not None else {}))
        self.cache = CompletionCache(256)
        self.stats = CheckStats()
        self.counters: Counter = Counter()
        self.feedback = feedback or FeedbackLog(lambda: self.config().feedback.enabled)
        self._tell = tell or (lambda m: log.info("%s", m))
        self._last: dict[tuple[str, str], Suggestion] = {}
        self._jobs: dict[tuple[str, str], Job] = {}
        self._checkers: dict[str, Checker] = {}
        self._recent: OrderedDict[str, Outcome] = OrderedDict()
        self._list_job: ListJob | None = None
        self.last_timings: dict[str, float] = {}  # of the last suggestion (ssc/stats, benchmarks)
        self._warmed = False

    # -- per workspace -----------------------------------------------------------------------
    def checker(self, svc: MapService) -> Checker:
        c = self._checkers.get(svc.root)
        if c is None or c.svc is not svc:  # a map of the same root replaced it (projects.py)
            c = Checker(svc, Externals(svc.root, ws=svc.ws))
            self._checkers[svc.root] = c
        return c

    def warm(self) -> None:
        """Build the provider now and start loading the embedded model, once (call in the loop):
        the first suggestion then does not wait 15 s for it."""
        if self._warmed:
            return
        self._warmed = True
        provider = self.providers.get(self.config().llm)
        if provider is not None:
            self.providers.ready(provider)

    # -- jobs --------------------------------------------------------------------------------
    def start(self, spot: Spot, **options) -> Job:
        """Run `suggest` as the document's one job in flight (the previous one is cancelled)."""
        old = self._jobs.get(spot.key)
        if old is not None and not old.task.done():
            old.superseded = True
            old.task.cancel()
            self.counters["superseded"] += 1
        job = Job(asyncio.ensure_future(self.suggest(spot, **options)), spot.version)
        self._jobs[spot.key] = job
        job.task.add_done_callback(lambda _t, k=spot.key, j=job: self._forget(k, j))
        return job

    def busy(self) -> bool:
        """A suggestion is being computed (background work should wait for it)."""
        if any(not j.task.done() for j in self._jobs.values()):
            return True
        return self._list_job is not None and not self._list_job.task.done()

    def _forget(self, key: tuple[str, str], job: Job) -> None:
        if self._jobs.get(key) is job:
            del self._jobs[key]

    def on_document_changed(self, svc: MapService, rel: str) -> None:
        """Change hook: a newer version of a document cancels the job computed for an older one."""
        job = self._jobs.get((svc.root, rel))
        doc = svc.docs.get(rel)
        if job is None or job.task.done():
            return
        if doc is None or (doc.version is not None and job.version is not None
                           and doc.version > job.version) or job.version is None:
            job.superseded = True
            job.task.cancel()
            self.counters["superseded"] += 1
            log.debug("suggestion for %s cancelled: the document changed", rel)

    def list_suggestion(self, spot: Spot, word_start: int) -> tuple[str | None, Outcome | None, bool]:
        """For the completion list: (text from the word start, its outcome, still pending).

        Never waits: the first request for a word starts a job and says "pending"; later
        requests for the same word merge its answer when it has arrived, as long as what was
        typed since agrees with it.
        """
        key = (spot.svc.root, spot.rel, spot.row, word_start)
        if self.private(spot.svc, spot.rel) is not None:
            return None, None, False
        job = self._list_job
        if job is None or job.key != key:
            if job is not None and not job.task.done():
                job.task.cancel()
            self._list_job = None
            provider = self.providers.get(self.config().llm)
            if provider is None or not self.providers.ready(provider):
                return None, None, False
            debounce = self.config().completion.debounce_ms / 1000
            task = asyncio.ensure_future(self.suggest(spot, debounce=debounce, single_line=True,
                                                      kind="list"))
            task.add_done_callback(_retrieve)
            self._list_job = ListJob(key, spot, task)
            return None, None, True
        if not job.task.done():
            return None, None, True
        if job.task.cancelled() or job.task.exception() is not None:
            return None, None, False
        out: Outcome = job.task.result()
        if not out.text:
            return None, out, False
        line = spot.index.line_bytes(spot.row)
        then = job.spot.index.line_bytes(job.spot.row)
        full = then[word_start:job.spot.col].decode("utf-8", "replace") + out.text
        typed = line[word_start:spot.col].decode("utf-8", "replace")
        if not full.startswith(typed) or full == typed:
            return None, out, False
        return full, out, False

    # -- the pipeline ------------------------------------------------------------------------
    async def suggest(self, spot: Spot, *, debounce: float = 0.0, single_line: bool = False,
                      kind: str = "inline", use_context: bool = True, repair: bool = True,
                      external_wait: float = EXTERNAL_WAIT, use_cache: bool = True,
                      settle_all: bool = False) -> Outcome:
        """One suggestion at `spot` (see the module doc). `settle_all` waits (up to
        `external_wait`) for every question the check puts to jedi, not only those asked while
        the model wrote: for the CLI and the benchmarks, where a second matters less."""
        t0 = time.perf_counter()
        out = Outcome(uuid.uuid4().hex[:16])
        self.counters["requests"] += 1
        self.counters[kind] += 1
        why = self.private(spot.svc, spot.rel)
        if why is not None:
            out.source, out.error = "private", why
            return out
        cfg = self.config()
        provider = self.providers.get(cfg.llm)
        if provider is None:
            out.source, out.error = "none", self.providers.reason
            return out
        prefix, suffix = spot.prefix, spot.suffix
        rest = typing_through(self._last.get(spot.key), prefix) if use_cache else None
        if rest is not None and (not single_line or "\n" not in rest):
            self.counters["typingThrough"] += 1
            out.text, out.source = rest, "typing"
            out.timings["total"] = (time.perf_counter() - t0) * 1000
            return self._remember(out)
        if not self.providers.ready(provider):
            out.source = "loading"
            return out
        try:
            return self._remember(await self._run(spot, provider, out, prefix, suffix, t0,
                                                   debounce=debounce, single_line=single_line,
                                                   use_context=use_context, repair=repair,
                                                   external_wait=external_wait,
                                                   use_cache=use_cache, settle_all=settle_all))
        except LLMError as e:
            self.counters["errors"] += 1
            if e.kind in ERROR_COUNTERS:
                self.counters[ERROR_COUNTERS[e.kind]] += 1
            out.source, out.error = "error", e.message
            self._tell(f"LLM request failed: {e.message}")
            return out
        except asyncio.CancelledError:
            self.counters["cancelled"] += 1
            raise

    async def _run(self, spot: Spot, provider: Provider, out: Outcome, prefix: str, suffix: str,
                   t0: float, *, debounce: float, single_line: bool, use_context: bool,
                   repair: bool, external_wait: float, use_cache: bool,
                   settle_all: bool) -> Outcome:
        cfg = self.config()
        timings = out.timings
        checker = self.checker(spot.svc)
        self._prefetch_imports(spot, checker)
        ctx_job = asyncio.ensure_future(asyncio.to_thread(
            self._context, spot, cfg.context.budget_chars)) if use_context else None
        slept = 0.0
        if debounce > 0:
            t = time.perf_counter()
            await asyncio.sleep(debounce)
            slept = time.perf_counter() - t
            timings["debounce"] = slept * 1000
        t = time.perf_counter()
        ctx = await ctx_job if ctx_job is not None else None
        timings["contextWait"] = (time.perf_counter() - t) * 1000
        if ctx is not None:
            timings["context"] = ctx.ms
        out.context = ctx
        sent_prefix, sent_suffix = spot.model_text()
        request = CompletionRequest(prefix=sent_prefix, suffix=sent_suffix,
                                    context=ctx.text if ctx is not None else "", path=spot.rel)
        out.request = request
        key = provider.request_key(request) + (":1" if single_line else "")
        cached = self.cache.get(key) if use_cache else None
        around = Around.of(prefix, suffix, spot.fm.language)
        chat = getattr(getattr(provider, "settings", None), "api", "") == "chat" and \
            provider.name == "openai"
        out.model = getattr(getattr(provider, "settings", None), "model", "") or provider.name
        if cached is not None:
            self.counters["cacheHits"] += 1
            out.text, out.source = cached.text, "cache"
            timings["total"] = (time.perf_counter() - t0) * 1000
            self._last[spot.key] = Suggestion(prefix, out.text)
            return out
        model_ms = 0.0
        timings["check"] = timings["post"] = timings["jediWait"] = 0.0

        async def ask(req: CompletionRequest) -> str:
            nonlocal model_ms
            raw, ms = await self._ask(provider, req, around, single_line)
            model_ms += ms
            t = time.perf_counter()
            text = postprocess(raw, around, chat=chat, single_line=single_line)
            timings["post"] += (time.perf_counter() - t) * 1000
            if not out.raw:
                out.raw = raw
            return text

        async def check(text: str) -> tuple[Verdict, Placed | None]:
            t = time.perf_counter()
            verdict, placed = _check_now(checker, spot, text)
            if verdict.pending and checker.externals is not None:
                timings["check"] += (time.perf_counter() - t) * 1000
                # wait only for what was asked while the model wrote (the file's imports, the
                # receiver before the cursor); a new question is started for the next time
                started = checker.externals.in_flight(verdict.pending)
                asked = checker.ask_pending(verdict)
                wait_for = asked if settle_all else started
                if wait_for and external_wait > 0:
                    t = time.perf_counter()
                    await checker.externals.wait_async(wait_for, external_wait)
                    timings["jediWait"] += (time.perf_counter() - t) * 1000
                    t = time.perf_counter()
                    verdict, placed = _check_now(checker, spot, text)
                else:
                    t = time.perf_counter()
            timings["check"] += (time.perf_counter() - t) * 1000
            return verdict, placed

        def hints(placed: Placed, verdict: Verdict):
            return repair_hints(spot.svc.ws, placed, verdict.issues,
                                allowed=engine_for(spot.svc).gate.allowed)

        text = await ask(request)
        if text.strip():
            grounded = await ground(text, request, check, ask, hints, repair=repair)
            self.stats.record(grounded.first, grounded.outcome, grounded.last, grounded.why)
            out.grounded = grounded
            out.text = grounded.text
        timings["model"] = model_ms
        timings["total"] = (time.perf_counter() - t0) * 1000
        # the debounce is a wait on purpose, not work: what it took (timer lateness included)
        timings["overhead"] = timings["total"] - model_ms - slept * 1000
        if use_cache:
            self.cache.put(key, Completion(text=out.text, provider=provider.name))
        if out.text:
            self._last[spot.key] = Suggestion(prefix, out.text)
        return out

    async def _ask(self, provider: Provider, request: CompletionRequest, around: Around,
                   single_line: bool) -> tuple[str, float]:
        """Stream one answer; stop (closing the stream) as soon as it runs past the block.
        Returns the raw text and the milliseconds spent inside the model's stream."""
        parts: list[str] = []
        inside = 0.0
        t = time.perf_counter()
        async with contextlib.aclosing(provider.stream_completion(request)) as stream:
            async for piece in stream:
                inside += time.perf_counter() - t
                parts.append(piece)
                if "\n" in piece and block_ended("".join(parts), around, single_line=single_line):
                    break
                t = time.perf_counter()
        inside += time.perf_counter() - t  # the stream's end (and its closing)
        return "".join(parts), inside * 1000

    def _context(self, spot: Spot, budget: int) -> ContextResult | None:
        """The context engine's answer (in a worker thread); none when it fails."""
        try:
            return engine_for(spot.svc).assemble(spot.rel, spot.row, spot.col,
                                                 ContextOptions(budget=Budget(budget)))
        except Exception:
            log.exception("context assembly failed for %s", spot.rel)
            return None

    def _prefetch_imports(self, spot: Spot, checker: Checker) -> None:
        """Ask jedi about the file's installed imports, and about the members of the receiver
        before the cursor (`x.`) when the map cannot type it, while the model writes."""
        if checker.externals is None:
            return
        self._prefetch_receiver(spot, checker.externals)
        mods = set()
        for s in spot.fm.symbols:
            if s.kind == IMPORT and s.target and not s.target[0].startswith("."):
                if spot.svc.ws.file_of_module(s.target[0].split(".")[0]) is None:
                    mods.add(s.target[0])
        if mods:
            checker.externals.prefetch(sorted(mods))

    def _prefetch_receiver(self, spot: Spot, externals: Externals) -> None:
        text = spot.data.decode("utf-8", errors="replace")
        where = where_at(spot.fm, text.split("\n"), spot.row, spot.col)
        if where.receiver is None or \
                spot.svc.resolver.value_of_expr(spot.fm, where.scope, where.receiver) is not None:
            return  # nothing before the cursor, or the map types it
        line = spot.index.line_bytes(spot.row)
        col = len(line[:where.word_start].decode("utf-8", errors="replace"))
        byte = spot.index.byte_of_point(spot.row, where.word_start)
        at = Externals.members_at(spot.svc.abspath(spot.rel), spot.data, byte, spot.row + 1, col)
        externals.ask_members(at, text)

    def private(self, svc: MapService, rel: str) -> str | None:
        """Why no suggestion may be asked for in this document (nothing of it is sent), said
        once per file; None when it may. The handlers ask it too for documents the map does
        not hold (a `.env` the editor calls Python), so the user learns why nothing comes."""
        why = refusal(svc, rel)
        if why is None:
            return None
        self.counters["private"] += 1
        message = f"no suggestions in {rel}: {why}; nothing of it is sent to a model"
        self._tell(message)
        return message

    # -- bookkeeping -------------------------------------------------------------------------
    def _remember(self, out: Outcome) -> Outcome:
        self.last_timings = {k: round(v, 3) for k, v in out.timings.items()}
        self._recent[out.id] = out
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return out

    def recent(self, sid: str) -> Outcome | None:
        return self._recent.get(sid)

    def shown(self, out: Outcome, kind: str, items: list[str]) -> None:
        self.counters["shown"] += 1
        if out.request is None or out.source in ("typing",):
            return
        r = out.request
        ctx = r.context
        self.feedback.shown(out.id, kind, prompt_of(r.path, r.prefix, r.suffix, ctx), items,
                            out.rejected, out.model)

    def accepted(self, sid: str, index: int = 0) -> None:
        self.counters["accepted"] += 1
        self.feedback.accepted(sid, index)

    def stats_json(self) -> dict:
        return {"completion": dict(self.counters), "check": self.stats.to_json(),
                "cache": {"entries": len(self.cache), "hits": self.cache.hits,
                          "misses": self.cache.misses},
                "llm": self.providers.describe(), "lastTimings": dict(self.last_timings)}

    def dropped_summary(self) -> str:
        return self.stats.summary()

    async def aclose(self) -> None:
        for job in list(self._jobs.values()):
            job.task.cancel()
        for c in self._checkers.values():
            if c.externals is not None:
                c.externals.close()
        await self.providers.aclose()


def _retrieve(task: asyncio.Task) -> None:
    """Mark a background job's failure as seen (it is reported through the outcome)."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("suggestion job failed: %r", task.exception())


def _check_now(checker: Checker, spot: Spot, text: str) -> tuple[Verdict, Placed | None]:
    """Check against the document as it is now: the captured version, or, when the user has
    typed the start of the suggestion since, the current version at the advanced cursor."""
    here, rest = spot, text
    if not spot.current():
        followed = spot.follow(text)
        if followed is None:
            raise asyncio.CancelledError  # the document moved on: the suggestion is moot
        here, rest = followed
    return checker.check(here.fm, here.data, here.offset, rest, here.tree, here.index)


def assistant_of(server) -> Assistant:
    """The server's one Assistant, created on first use with the server's config and messages."""
    a = getattr(server, "assistant", None)
    if a is None:
        from lsprotocol import types

        a = Assistant(lambda: server.config,
                      lambda m: server.tell(m, types.MessageType.Warning, once=True))
        server.assistant = a
        server.events.changed.subscribe(a.on_document_changed)
        server.events.edited.subscribe(a.on_document_changed)  # at once: reads only the version
        getattr(server, "foreground", []).append(a.busy)
    return a


__all__ = ["DROPPED", "Assistant", "Job", "Outcome", "assistant_of"]
