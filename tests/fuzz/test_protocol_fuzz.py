"""Protocol fuzzing over raw stdio against the real server (tests/fuzz/protocol.py says what is
sent and what the oracle is). Bounded and deterministic: SSC_FUZZ_EXAMPLES raises the count
(bench/fuzz_bench.py runs thousands), SSC_FUZZ_SEED changes the seed."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fuzz.protocol import ALLOWED_CODES, registered_methods, run

EXAMPLES = int(os.environ.get("SSC_FUZZ_EXAMPLES", "250"))
SEED = int(os.environ.get("SSC_FUZZ_SEED", "20261201"))


def test_every_registered_method_is_fuzzed():
    methods = registered_methods()
    assert "textDocument/definition" in methods and "ssc/context" in methods


def test_protocol_fuzz(tmp_path: Path):
    report = run(tmp_path, EXAMPLES, SEED)
    summary = report.summary()
    assert report.failures() == [], (summary, report.stderr_tail)
    assert report.crashes == 0 and not report.unanswered
    assert report.sent >= EXAMPLES // 2
    assert set(report.answered) <= ALLOWED_CODES | {"result"}
    assert report.answered["result"] > 0 and report.answered[-32602] > 0
    assert report.exit_codes == [0]
    assert report.exit_seconds[0] < 5.0  # a hang guard; bench/fuzz_bench.py measures
