#!/usr/bin/env python3
"""Run editors/emacs/tests/ssc-e2e.el (ssc.el through eglot) against a language server.

    python editors/emacs/tests/run_emacs_e2e.py [--server-cmd CMD] [--emacs emacs]

Uses the fixture of the Neovim runner. Needs Emacs 29+ (eglot built in) or Emacs 28
with the elpa-eglot package. Exit status: emacs's; 2 when emacs/eglot is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "neovim" / "tests"))
from run_nvim_e2e import make_fixture, server_argv  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emacs", default=os.environ.get("SSC_EMACS", "emacs"))
    parser.add_argument("--server-cmd", default=os.environ.get("SSC_LSP_CMD", "ssc-lsp"))
    parser.add_argument("--timeout", type=int, default=180)
    args = parser.parse_args()

    emacs = shutil.which(args.emacs)
    if not emacs:
        print(f"ERROR: {args.emacs} not found", file=sys.stderr)
        return 2
    probe = subprocess.run(
        [
            emacs,
            "-Q",
            "--batch",
            "--eval",
            '(progn (dolist (d (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))'
            " (add-to-list 'load-path d)) (require 'eglot))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        print(
            f"ERROR: eglot is not available to {emacs}: {probe.stderr.strip()[-200:]}",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="ssc-emacs-e2e-") as tmp:
        fixture = make_fixture(Path(tmp) / "ws")
        subprocess.run(["git", "init", "-q", str(fixture)], check=False)  # an eglot project root
        env = dict(
            os.environ,
            SSC_LSP_CMD=json.dumps(server_argv(args.server_cmd)),
            SSC_FIXTURE=str(fixture),
            HOME=tmp,
            SSC_LSP_CACHE_DIR=str(Path(tmp) / "cache"),
        )
        argv = [emacs, "-Q", "--batch", "-L", str(HERE.parent), "-l", str(HERE / "ssc-e2e.el")]
        print("$ " + " ".join(argv), flush=True)
        try:
            return subprocess.run(
                argv,
                env=env,
                cwd=fixture,
                timeout=args.timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            print(f"FAIL: emacs did not finish within {args.timeout} s")
            return 124


if __name__ == "__main__":
    sys.exit(main())
