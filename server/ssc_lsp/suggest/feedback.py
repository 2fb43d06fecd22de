"""Feedback: which suggestions were shown and which accepted, in a local JSONL file (opt-in), and
their export as preference pairs for fine-tuning.

Why local and opt-in: the events hold code. They are written only when `feedback.enabled` is
true, only to the user data dir (`$SSC_LSP_DATA_DIR` overrides it), never sent anywhere, and
the code in them passes the context engine's secret redaction first.

Why preference pairs: what a user accepted next to what they were shown and did not take (or
what the check rejected: a call to a function that does not exist) is exactly the (chosen,
rejected) data that preference tuning (DPO and its kin) consumes. docs/feedback.md documents
both formats.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

DATA_ENV = "SSC_LSP_DATA_DIR"
VERSION = 1
PROMPT_PREFIX_CHARS = 3000
PROMPT_SUFFIX_CHARS = 1000
PROMPT_CONTEXT_CHARS = 6000


def data_dir() -> Path:
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("ssc-lsp", appauthor=False))


def events_path() -> Path:
    return data_dir() / "feedback" / "events.jsonl"


def _redact(text: str) -> str:
    from ..context.redact import redact

    return redact(text)


def prompt_of(path: str, prefix: str, suffix: str, context: str) -> dict:
    """The prompt as stored: redacted, the prefix's tail and the suffix's head."""
    return {"path": path, "language": "python",
            "prefix": _redact(prefix[-PROMPT_PREFIX_CHARS:]),
            "suffix": _redact(suffix[:PROMPT_SUFFIX_CHARS]),
            "context": _redact(context[:PROMPT_CONTEXT_CHARS])}


class FeedbackLog:
    """Appends events when `enabled()`; never raises (a full disk costs one log line)."""

    def __init__(self, enabled: Callable[[], bool], path: Path | None = None) -> None:
        self.enabled = enabled
        self._path = path
        self._lock = threading.Lock()
        self._failed = False

    @property
    def path(self) -> Path:
        return self._path or events_path()

    def shown(self, sid: str, kind: str, prompt: dict, items: list[str],
              rejected: Iterable[tuple[str, list[str]]] = (), model: str = "") -> None:
        self._write({"event": "shown", "v": VERSION, "id": sid, "time": _now(), "kind": kind,
                     "model": model, "prompt": prompt, "items": [_redact(i) for i in items],
                     "rejected": [{"text": _redact(t), "reasons": r} for t, r in rejected]})

    def accepted(self, sid: str, index: int = 0) -> None:
        self._write({"event": "accepted", "v": VERSION, "id": sid, "index": index,
                     "time": _now()})

    def _write(self, event: dict) -> None:
        if not self.enabled():
            return
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(event, ensure_ascii=False) + "\n")
        except OSError as e:
            if not self._failed:
                log.warning("cannot write feedback to %s: %s", self.path, e)
                self._failed = True


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def read_events(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError:
                log.warning("%s:%d: not JSON, skipped", path, n)


def preference_pairs(events: Iterable[dict]) -> Iterator[dict]:
    """(prompt, accepted, rejected) for every accepted suggestion.

    Rejected are the other items shown with it, and what the check rejected before it (the
    suggestion that used a name that does not exist, when the repair round fixed it).
    """
    shown: dict[str, dict] = {}
    accepted: dict[str, int] = {}
    for ev in events:
        if ev.get("event") == "shown" and isinstance(ev.get("id"), str):
            shown[ev["id"]] = ev
        elif ev.get("event") == "accepted" and isinstance(ev.get("id"), str):
            accepted[ev["id"]] = int(ev.get("index") or 0)
    for sid, index in accepted.items():
        ev = shown.get(sid)
        if ev is None:
            continue
        items = ev.get("items") or []
        if not 0 <= index < len(items):
            continue
        chosen = items[index]
        base = {"id": sid, "prompt": ev.get("prompt"), "accepted": chosen}
        for j, other in enumerate(items):
            if j != index and other != chosen and not chosen.startswith(other):
                yield {**base, "rejected": other, "source": "not-chosen", "reasons": []}
        for r in ev.get("rejected") or []:
            if r.get("text") and r["text"] != chosen:
                yield {**base, "rejected": r["text"], "source": "failed-check",
                       "reasons": list(r.get("reasons") or [])}
