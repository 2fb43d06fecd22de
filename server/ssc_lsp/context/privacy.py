"""Which files may contribute to a context at all.

The map never crawls ignored or secret-looking files, but it does hold every document the editor
opens, and the context also reads files the map does not (project docs). So every candidate's
path passes this gate: nothing from a file ignored by `.gitignore` / `.sscignore` / the configured
excludes, or from a file that looks like a secret (`.env*`, `*.pem`, `*.key`, `id_rsa*`,
credentials files, see map/crawl.py), ever enters a context.
"""

from __future__ import annotations

from ..map.crawl import ALWAYS_SKIP_DIRS, looks_secret
from ..map.service import MapService


class PathGate:
    """Answers `allowed(relpath)` for one workspace, remembering answers per path."""

    def __init__(self, svc: MapService):
        self.svc = svc
        self._known: dict[str, bool] = {}
        self._rules = svc.rules

    def allowed(self, rel: str) -> bool:
        if self.svc.rules is not self._rules:  # an ignore file changed: the map made new rules
            self._rules = self.svc.rules
            self._known.clear()
        known = self._known.get(rel)
        if known is None:
            known = self._check(rel)
            if len(self._known) > 50_000:
                self._known.clear()
            self._known[rel] = known
        return known

    def forget(self) -> None:
        """Answer afresh (the answers follow the map's ignore rules, replaced when they change)."""
        self._known.clear()

    def _check(self, rel: str) -> bool:
        if not rel or rel.startswith("/") or rel.startswith("..") or looks_secret(rel):
            return False
        parts = rel.split("/")
        if any(p in ALWAYS_SKIP_DIRS for p in parts[:-1]) and not rel.startswith(".ssc/"):
            return False
        rules = self._rules
        rules.load_ancestors(rel)
        for i in range(1, len(parts)):
            if rules.ignored("/".join(parts[:i]), is_dir=True):
                return False
        return not rules.ignored(rel)
