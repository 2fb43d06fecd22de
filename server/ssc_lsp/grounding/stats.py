"""Counters of what the check did, for `ssc/stats`, the log and the benchmarks.

Why counters and not only logs: "how often does the model invent names, and does the repair
help?" is the question the check exists to answer; the numbers must be one request away.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from .check import Verdict

log = logging.getLogger(__name__)

PASSED, REPAIRED, DROPPED = "passed", "repaired", "dropped"


@dataclass
class CheckStats:
    suggested: int = 0  # suggestions that reached the check
    passed: int = 0  # passed as the model wrote them
    repaired: int = 0  # failed, then the repair round passed
    dropped: int = 0  # failed, and the repair round did not fix them (or was not tried)
    flagged: Counter = field(default_factory=Counter)  # issue kinds seen in first checks
    dropped_why: Counter = field(default_factory=Counter)  # issue kinds of dropped suggestions
    checked_names: int = 0
    unknown_names: int = 0
    check_ms: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, first: Verdict, outcome: str, last: Verdict | None = None,
               why: str | None = None) -> None:
        """One suggestion's story: its first verdict and how it ended."""
        with self._lock:
            self.suggested += 1
            self.checked_names += first.checked
            self.unknown_names += len(first.unknown)
            self.check_ms += first.ms + (last.ms if last is not None and last is not first else 0)
            for kind in first.reasons:
                self.flagged[kind] += 1
            if outcome == PASSED:
                self.passed += 1
            elif outcome == REPAIRED:
                self.repaired += 1
            else:
                self.dropped += 1
                kinds = (last or first).reasons or [why or "repair-failed"]
                for kind in kinds:
                    self.dropped_why[kind] += 1
        if outcome != PASSED:
            names = ", ".join(i.name for i in first.issues)
            log.info("check: suggestion %s (%s); %s", outcome, names or why, self.summary())

    def to_json(self) -> dict:
        with self._lock:
            return {"suggested": self.suggested, "passed": self.passed,
                    "repaired": self.repaired, "dropped": self.dropped,
                    "flagged": dict(self.flagged), "droppedWhy": dict(self.dropped_why),
                    "checkedNames": self.checked_names, "unknownNames": self.unknown_names,
                    "checkMsTotal": round(self.check_ms, 3)}

    def summary(self) -> str:
        return (f"suggested={self.suggested} passed={self.passed} repaired={self.repaired} "
                f"dropped={self.dropped} why={dict(self.dropped_why)}")
