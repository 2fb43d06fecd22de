"""rope, the refactoring engine, run over a private copy of the workspace as the map holds it.

rope reads and writes files on disk. The user's workspace is never given to it: every mapped
`.py` file is written into a temporary folder with the text the map has (the open buffer where a
document is open, unsaved edits included; else the disk), rope's changes are *done* there, and
what differs afterwards is the result (`after`: root-relative path -> new text, None = deleted).
The folder is removed at the end.

The snapshot is taken on the caller's thread (the event loop owns the map's documents); rope runs
in a worker thread, bounded by `ROPE_TIMEOUT_S`: past it rope's task handle is stopped (rope checks
it between files) and the operation fails with a clear message.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..map.positions import LineIndex, text_offset_of_byte
from ..map.service import MapService
from ..map.workspace import Located

log = logging.getLogger(__name__)

# How long one rope operation may take. rope reads every file that mentions the name; a large
# workspace (Django: ~2,700 files) takes a few seconds; past this bound the command fails saying so.
ROPE_TIMEOUT_S = 60.0


class RefactorFailed(Exception):
    """The refactoring cannot be made: the message says why, for the user."""


@dataclass
class Stats:
    """For bench/: what rope did and what the map completed."""

    sites: int = 0
    completed: int = 0
    by_rope: int = 0
    unsure: int = 0
    rope_ms: float = 0.0
    total_ms: float = 0.0
    rope_after: dict[str, bytes | None] = field(default_factory=dict)  # the last result before the map's


def definition_at(svc: MapService, rel: str, row: int, col: int, ok: Callable[[Located], bool],
                  what: str) -> Located:
    """The workspace definition the cursor names (its name or a use, imports followed), if `ok`
    takes it; else RefactorFailed saying there is no `what` here."""
    fm = svc.ensure(rel)
    if fm is None:
        raise RefactorFailed("This file is not in the map.")
    target = svc.resolver.target_at(fm, row, col)
    if isinstance(target, Located) and target.symbol.kind == "import":
        target = svc.resolver.follow_import(target)
    if not isinstance(target, Located) or not ok(target):
        raise RefactorFailed(f"There is no {what} at the cursor.")
    if target.symbol.dynamic or "@" in target.symbol.id:
        raise RefactorFailed(f"`{target.symbol.name}` is defined more than once or conditionally; "
                             "the map cannot tell which definition the uses reach.")
    if not target.file.path.endswith(".py") or svc.ws.stub_declaration(target) is not None:
        raise RefactorFailed(f"`{target.symbol.name}` is declared in a stub (.pyi); rope changes only "
                             "the source, and the stub would fall out of step: not done.")
    return target


@dataclass
class Snapshot:
    """The texts rope is given: every mapped Python source, as the map holds it."""

    root: str
    texts: dict[str, bytes]
    source_folders: list[str]  # where top-level modules live (`src` for a src layout), as the map found


def source_folders(svc: MapService) -> list[str]:
    """The folders the map's package names start from (`src/requests/utils.py` is
    `requests.utils`: `src`), and the root, so rope resolves the workspace's packages, not
    installed copies of them."""
    out: set[str] = {""}
    for rel in list(svc.ws.files):
        module = svc.ws.module_name(rel)
        if "." not in module:
            continue  # a loose module: its folder says nothing of where packages start
        depth = module.count(".") + (1 if not rel.endswith("__init__.py") else 2)
        parts = rel.split("/")
        if depth <= len(parts):
            out.add("/".join(parts[:len(parts) - depth]))
    return sorted(out)


async def snapshot(svc: MapService) -> Snapshot:
    """Every mapped `.py` file's text: the open buffer where there is one (taken here, on the
    thread that owns the map's documents: the event loop), else the disk (read in a worker
    thread: thousands of files must not hold the loop)."""
    texts: dict[str, bytes] = {}
    rels = sorted(rel for rel in svc.ws.files if rel.endswith(".py"))
    for rel in rels:
        doc = svc.docs.get(rel)
        if doc is not None:
            texts[rel] = doc.data
    closed = [rel for rel in rels if rel not in texts]
    texts.update(await asyncio.to_thread(_read_all, svc, closed))
    return Snapshot(svc.root, texts, source_folders(svc))


def _read_all(svc: MapService, rels: list[str]) -> dict[str, bytes]:
    out = {}
    for rel in rels:
        data = svc.read(rel).data
        if data is not None:
            out[rel] = data
    return out


Job = Callable[[object, object, str], None]  # (rope Project, TaskHandle, overlay folder) -> None


def run_rope(snap: Snapshot, job: Job, cancel: threading.Event | None = None) -> dict[str, bytes | None]:
    """Run `job` on a rope project over a copy of `snap`; return what changed. Synchronous:
    call from a worker thread (`run_bounded`)."""
    from rope.base import exceptions as rope_errors
    from rope.base.project import Project
    from rope.base.taskhandle import TaskHandle

    folder = tempfile.mkdtemp(prefix="ssc-rope-")
    try:
        for rel, data in snap.texts.items():
            path = os.path.join(folder, *rel.split("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        project = Project(folder, ropefolder=None, save_objectdb=False, automatic_soa=False,
                          validate_objectdb=False, save_history=False,
                          source_folders=snap.source_folders)
        handle = TaskHandle("ssc")
        if cancel is not None:
            _stop_on(cancel, handle)
        try:
            job(project, handle, folder)
        except rope_errors.InterruptedTaskError:
            raise RefactorFailed("rope was stopped: the refactoring took too long") from None
        except rope_errors.RefactoringError as e:
            raise RefactorFailed(f"rope refused: {e}") from None
        except rope_errors.ModuleSyntaxError as e:
            raise RefactorFailed(f"rope cannot parse a module: {e}") from None
        except rope_errors.BadIdentifierError as e:
            raise RefactorFailed(f"rope: {e}") from None
        except RefactorFailed:
            raise
        except Exception as e:  # rope's own parsers fail on code they do not expect
            log.warning("rope failed", exc_info=True)
            first = str(e).splitlines()[0][:120] if str(e) else ""
            raise RefactorFailed(f"rope failed on this code ({type(e).__name__}: {first}); "
                                 "nothing was changed") from None
        finally:
            project.close()
        return _changed(folder, snap.texts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stop_on(cancel: threading.Event, handle) -> None:
    def watch() -> None:
        cancel.wait()
        handle.stop()

    threading.Thread(target=watch, name="ssc-rope-stop", daemon=True).start()


def _changed(folder: str, before: dict[str, bytes]) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    seen: set[str] = set()
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            if not name.endswith(".py"):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            seen.add(rel)
            with open(full, "rb") as f:
                data = f.read()
            if before.get(rel) != data:
                out[rel] = data
    for rel in before:
        if rel not in seen:
            out[rel] = None
    return out


async def run_bounded(snap: Snapshot, job: Job, timeout: float = ROPE_TIMEOUT_S) -> dict[str, bytes | None]:
    """`run_rope` in a worker thread, stopped after `timeout` s or when the caller is cancelled."""
    cancel = threading.Event()
    task = asyncio.ensure_future(asyncio.to_thread(run_rope, snap, job, cancel))
    try:
        return await asyncio.wait_for(asyncio.shield(task), timeout)
    except asyncio.TimeoutError:
        cancel.set()
        raise RefactorFailed(f"rope did not finish within {timeout:.0f} s; nothing was changed") from None
    except asyncio.CancelledError:
        cancel.set()
        raise
    finally:
        cancel.set()  # ends the watcher thread


def offset_of(text: bytes, row: int, byte_col: int) -> int:
    """rope's offset (code points from the start) of a map position (row, byte column)."""
    return text_offset_of_byte(text, LineIndex(text).byte_of_point(row, byte_col))
