"""A proposal's result written out and mapped from scratch: what map/checks.py finds there."""

from __future__ import annotations

from pathlib import Path

from ssc_lsp.map.checks import check_file
from ssc_lsp.map.resolve import Resolver
from ssc_lsp.map.service import MapOptions, MapService


def write(root: Path, after: dict[str, bytes | None]) -> None:
    for rel, data in after.items():
        path = root / rel
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def problems_from_scratch(root: Path) -> list[str]:
    """Every continuity problem of the workspace at `root`, mapped by a fresh MapService."""
    svc = MapService(str(root), MapOptions(persist=False))
    svc.index()
    r = Resolver(svc.ws)
    out = []
    for path, fm in sorted(svc.ws.files.items()):
        out.extend(f"{path}:{p.range[0] + 1}: {p.message}" for p in check_file(svc.ws, r, fm))
    svc.close_store()
    return out
