"""`ssc/stats`: the map's size, and what the suggestions and their check did.

The map's figures (`files`, `symbols`, per folder) are what status bars show; `completion`
counts requests, cache hits, typing through, cancellations and acceptances; `check` counts
suggested, passed, repaired and dropped suggestions and why (grounding/stats.py); `llm` says
which model answers, or why none does; `actions` counts the code actions and refactor
commands: offered, resolved, applied, declined, checked clean or with problems, repaired,
refused, cancelled, model errors by kind (refactor/stats.py).
"""

from __future__ import annotations

from ..refactor import stats as action_stats
from ..suggest.assistant import assistant_of

STATS = "ssc/stats"


def register(server) -> None:
    assistant = assistant_of(server)

    @server.feature(STATS)
    def ssc_stats(ls, params=None) -> dict:
        folders = []
        for svc in ls.maps:
            files = list(svc.ws.files.values())
            folders.append({"root": svc.root, "state": svc.state, "files": len(files),
                            "symbols": sum(len(fm.symbols) for fm in files)})
        out = {"files": sum(f["files"] for f in folders),
               "symbols": sum(f["symbols"] for f in folders), "folders": folders}
        out.update(assistant.stats_json())
        out["actions"] = action_stats.of(assistant).to_json()
        return out
