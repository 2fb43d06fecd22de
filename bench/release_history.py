"""Continuity checks over release histories: false alarms on every release, breaks caught.

Two measures over many consecutive released versions of a few projects (sdists from PyPI):

1. Every release is mapped as a workspace and checked whole (map/checks.py): released code
   imports and calls itself correctly, so every diagnostic is a false alarm (goal: 0).
2. Between consecutive versions v1 -> v2, every function or class whose parameter list changed,
   and whose call in another file changed with it, gives a case: v2 with that one call's
   argument list put back as it was in v1. The check must flag that call. Cases are counted by
   kind of change (removed, renamed, added-required, keyword-only, reordered) and the misses
   by reason: the map could not tie the call to the callee (and why), or it tied it and said
   nothing (a bug).

    python bench/release_history.py [--cache DIR] [--projects attrs black ...] [--versions N]

Downloads go to --cache (default /work/cache/releases), outside git.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "server"))

# consecutive released versions, oldest first (minor lines, years apart end to end)
RELEASES: dict[str, list[str]] = {
    "attrs": ["19.3.0", "20.1.0", "20.2.0", "20.3.0", "21.2.0", "21.3.0", "21.4.0", "22.1.0",
              "22.2.0", "23.1.0", "23.2.0", "24.2.0", "24.3.0", "25.1.0", "25.3.0", "25.4.0"],
    "black": ["22.1.0", "22.3.0", "22.6.0", "22.8.0", "22.12.0", "23.1.0", "23.3.0", "23.7.0",
              "23.10.0", "23.12.1", "24.1.0", "24.4.2", "24.8.0", "24.10.0", "25.1.0"],
    "requests": ["2.18.4", "2.19.1", "2.20.0", "2.21.0", "2.22.0", "2.23.0", "2.24.0", "2.25.1",
                 "2.26.0", "2.27.1", "2.28.2", "2.29.0", "2.31.0", "2.32.3", "2.32.5"],
    "flask": ["0.12.5", "1.0.4", "1.1.4", "2.0.3", "2.1.3", "2.2.5", "2.3.3", "3.0.3", "3.1.0",
              "3.1.3"],
    "jinja2": ["2.9.6", "2.10.3", "2.11.3", "3.0.0", "3.0.3", "3.1.2", "3.1.4", "3.1.6"],
    "werkzeug": ["0.14.1", "0.15.6", "0.16.1", "1.0.1", "2.0.3", "2.1.2", "2.2.3", "2.3.8",
                 "3.0.6", "3.1.3", "3.1.9"],
    "marshmallow": ["3.0.0", "3.3.0", "3.5.0", "3.8.0", "3.10.0", "3.13.0", "3.15.0", "3.18.0",
                    "3.20.0", "3.22.0", "3.24.0", "3.26.1", "4.0.0", "4.1.0", "4.2.0"],
    # held out: not looked at while tuning
    "click": ["7.0", "7.1.2", "8.0.0", "8.0.4", "8.1.0", "8.1.3", "8.1.7", "8.2.0", "8.2.1",
              "8.3.0", "8.3.1"],
    "httpx": ["0.18.2", "0.19.0", "0.20.0", "0.21.3", "0.22.0", "0.23.3", "0.24.1", "0.25.2",
              "0.26.0", "0.27.2", "0.28.1"],
    "pluggy": ["0.12.0", "0.13.1", "1.0.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0", "1.6.0"],
}
TUNED = ("attrs", "black", "requests", "flask", "jinja2", "werkzeug", "marshmallow")


def fetch(name: str, version: str, cache: Path, python: str = sys.executable) -> Path | None:
    """The unpacked sdist of `name==version` under `cache` (downloaded once), or None.

    `python` runs pip: with `--no-build-isolation` pip still prepares the metadata, so it needs
    the build backends (setuptools, hatchling, flit_core...) installed beside it."""
    root = cache / f"{name}-{version}"
    if (root / ".complete").exists():
        return root
    dl = Path(tempfile.mkdtemp())
    try:
        r = subprocess.run([python, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--no-binary", ":all:", "--no-build-isolation", "-d", str(dl),
                            f"{name}=={version}"], capture_output=True, text=True)
        archives = list(dl.glob("*.tar.gz"))
        if not archives:
            print(f"{name}=={version}: no sdist ({r.stderr.strip()[-200:]})", file=sys.stderr)
            return None
        shutil.rmtree(root, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(dir=cache))
        with tarfile.open(archives[0]) as t:
            t.extractall(tmp, filter="data")
        (inner,) = list(tmp.iterdir())
        inner.rename(root)
        shutil.rmtree(tmp, ignore_errors=True)
        (root / ".complete").write_text("")
    finally:
        shutil.rmtree(dl, ignore_errors=True)
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/work/cache/releases"))
    ap.add_argument("--projects", nargs="*", default=list(RELEASES))
    ap.add_argument("--fetch-only", action="store_true")
    ap.add_argument("--pip-python", default=sys.executable,
                    help="the python whose pip downloads (with the build backends installed)")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    for name in args.projects:
        for v in RELEASES[name]:
            fetch(name, v, args.cache, args.pip_python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
