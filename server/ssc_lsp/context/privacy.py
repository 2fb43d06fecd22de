"""Which files may reach a model at all: as a context item, or as the document being typed in.

The map never crawls ignored or secret-looking files, but it does hold every document the editor
opens, and the context also reads files the map does not (project docs). So every candidate's
path passes this gate, and so does the cursor's own document before anything of it is sent
(suggest/assistant.py): nothing from a file ignored by `.gitignore` / `.sscignore` / the
configured excludes, from a file that looks like a secret (`.env*`, `*.pem`, `*.key`, `id_rsa*`,
credentials files, see map/crawl.py), or from a file whose real path (symlinks followed) is not a
regular file inside the workspace folder (`passwd.py -> /etc/passwd`) ever reaches a model. The
crawl skips such symlinks too; this is the second line, for what the map got some other way
(an editor opening the link, a crawl rule that changed).
"""

from __future__ import annotations

import os
import stat

from ..map.crawl import ALWAYS_SKIP_DIRS, IgnoreRules, looks_secret
from ..map.service import MapService
from ..map.source import inside

SECRET = "it looks like a secret (.env, keys, credentials)"
IGNORED = "it is ignored (.gitignore, .sscignore or map.exclude)"
OUTSIDE = "its real path is outside the workspace folder"
NOT_REGULAR = "it is not a regular file"


def refusal(svc: MapService, rel: str, rules: IgnoreRules | None = None) -> str | None:
    """Why the workspace file `rel` must not reach a model, or None when it may."""
    if not rel or rel.startswith("/") or rel.startswith(".."):
        return OUTSIDE
    if looks_secret(rel):
        return SECRET
    parts = rel.split("/")
    if any(p in ALWAYS_SKIP_DIRS for p in parts[:-1]) and not rel.startswith(".ssc/"):
        return IGNORED
    if (rules or svc.rules).ignores(rel):
        return IGNORED
    return _where_it_really_is(svc.root, svc.abspath(rel))


def _where_it_really_is(root: str, path: str) -> str | None:
    """OUTSIDE or NOT_REGULAR for what `path` resolves to; None for a regular file inside
    `root` (both resolved), or for a path with nothing on disk (an editor's unsaved new file)."""
    if not inside(root, path):
        return OUTSIDE
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError:
        return NOT_REGULAR
    return None if stat.S_ISREG(mode) else NOT_REGULAR


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
        return refusal(self.svc, rel, self._rules) is None
