"""No secret reaches a context: canaries planted where they could leak, and every context checked.

The workspace is written at run time (nothing secret-looking is committed): secret files by
name (.env, id_rsa, *.pem, *.key, credentials.json), files ignored by .gitignore and .sscignore
(one of them even opened in the editor), and secrets inside ordinary code and docs. Contexts are
assembled at every line of every mapped file with a large budget; no canary may appear in any
item, and no item may come from an ignored or secret file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ssc_lsp.context.engine import ContextEngine, ContextOptions
from ssc_lsp.context.privacy import IGNORED, NOT_REGULAR, OUTSIDE, SECRET, PathGate, refusal
from ssc_lsp.context.tokens import Budget
from ssc_lsp.map.service import MapOptions, MapService

CANARY = "CANARY" + "7f3a9c"  # every secret below contains it
AWS = "wJalrXUtnFEMI/K7MDENG/" + CANARY + "EXAMPLEKEY9"
PEM = f"MIIEvQIBADANBgkqhkiG9w0B{CANARY}AQEFAASCBKcwggSjAgEAAoIBAQC7"
BEARER = f"tok_{CANARY}_8d9e0f1a2b3c"


def _write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


@pytest.fixture
def canary_ws(tmp_path: Path) -> Path:
    root = tmp_path / "canary"
    _write(root, ".gitignore", "ignored/\nlocal_settings.py\n")
    _write(root, ".sscignore", "private/\n")
    _write(root, ".env", f"AWS_SECRET_ACCESS_KEY={AWS}\n")
    _write(root, ".env.local", f"TOKEN={BEARER}\n")
    _write(root, "id_rsa", f"-----BEGIN RSA PRIVATE KEY-----\n{PEM}\n-----END RSA PRIVATE KEY-----\n")
    _write(root, "server.pem", f"-----BEGIN PRIVATE KEY-----\n{PEM}\n-----END PRIVATE KEY-----\n")
    _write(root, "deploy.key", f"{CANARY}\n")
    _write(root, "credentials.json", f'{{"secret": "{CANARY}"}}\n')
    _write(root, "ignored/leak.py", f'def leaked():\n    return "{CANARY} from ignored"\n')
    _write(root, "private/leak.py", f'def private_helper():\n    return "{CANARY} from private"\n')
    _write(root, "local_settings.py", f'DB_PASSWORD = "{CANARY}"\n')
    _write(root, "app/__init__.py", "")
    _write(root, "app/settings.py", f'''"""Settings.

Call the API with `Authorization: Bearer {BEARER}`.
"""

AWS_SECRET_ACCESS_KEY = "{AWS}"
password = "{CANARY}-pw"
SIGNING_KEY = """-----BEGIN PRIVATE KEY-----
{PEM}
-----END PRIVATE KEY-----"""
HEADERS = {{"Authorization": "Bearer {BEARER}"}}
REGION = "eu-west-1"


def client_config() -> dict:
    """Everything a client needs; the key is {AWS}."""
    return {{"key": AWS_SECRET_ACCESS_KEY, "region": REGION, "password": password}}
''')
    _write(root, "app/main.py", '''from app import settings
from app.settings import client_config


def run():
    cfg = client_config()
    region = settings.REGION
    headers = settings.HEADERS
    return cfg, region, headers
''')
    _write(root, "README.md", f"# Canary\n\nTest with `curl -H 'Authorization: Bearer {BEARER}'`.\n\n"
                              f"## Setup\n\nSet AWS_SECRET_ACCESS_KEY={AWS} in your shell.\n")
    _write(root, "docs/setup.md", f"# Setup\n\npassword: {CANARY}-doc\n")
    _write(root, ".ssc/guidelines.md", f"# Guidelines\n\nNever log the token {BEARER}.\n")
    return root


def test_no_canary_reaches_any_context(canary_ws: Path):
    svc = MapService(str(canary_ws), MapOptions(persist=False, workers=1))
    svc.index()
    # the editor opens an ignored file and a secret-looking one: they must still not leak
    svc.open("ignored/leak.py", (canary_ws / "ignored/leak.py").read_text(), 1)
    svc.open("private/leak.py", (canary_ws / "private/leak.py").read_text(), 1)
    engine = ContextEngine(svc)
    engine.warm()
    engine.settle()
    opts = ContextOptions(budget=Budget(50_000), jedi_deadline=None, wait_for_indexes=True)
    checked = 0
    forbidden = ("ignored/", "private/", "local_settings.py", ".env", "id_rsa", ".pem", ".key",
                 "credentials")
    try:
        for rel in sorted(svc.ws.files):
            lines = svc.text_of(rel).split("\n")
            for row, line in enumerate(lines):
                for col in sorted({0, len(line.encode())}):
                    res = engine.assemble(rel, row, col, opts)
                    checked += 1
                    text = res.text
                    assert CANARY not in text, f"canary leaked at {rel}:{row}:{col}:\n{text}"
                    for it in res.items:
                        assert CANARY not in it.text
                        assert not any(f in it.path for f in forbidden), f"{it.path} at {rel}:{row}"
                        assert CANARY not in " ".join(it.why)
    finally:
        engine.close()
    assert checked > 40
    # and the contexts did contain the files the canaries sit in, redacted
    res = engine.assemble("app/main.py", 6, len("    region = settings."), opts)
    assert any(it.path == "app/settings.py" for it in res.items)
    assert "[redacted]" in res.text


def test_a_new_ignore_rule_applies_at_once(tmp_path: Path):
    root = tmp_path / "w"
    _write(root, "app/__init__.py", "")
    _write(root, "app/util.py", "def helper():\n    return 1\n")
    _write(root, "app/main.py", "from app.util import helper\n\n\ndef run():\n    return helper()\n")
    svc = MapService(str(root), MapOptions(persist=False, workers=1))
    svc.index()
    engine = ContextEngine(svc)
    engine.warm()
    opts = ContextOptions(budget=Budget(4000), use_jedi=False, wait_for_indexes=True)
    try:
        before = engine.assemble("app/main.py", 4, len("    return helper()"), opts)
        assert any(it.path == "app/util.py" for it in before.items)
        # the user ignores util.py; the map's sync replaces its rules (features/sync.py does this)
        _write(root, ".sscignore", "app/util.py\n")
        svc.rules = type(svc.rules)(svc.root, svc.options.exclude)
        after = engine.assemble("app/main.py", 4, len("    return helper()"), opts)
        assert not any(it.path == "app/util.py" for it in after.items)
    finally:
        engine.close()


def test_the_gate_follows_symlinks_and_takes_only_regular_files(tmp_path: Path):
    root, outside = tmp_path / "w", tmp_path / "outside"
    _write(root, "app/main.py", "def run():\n    return 1\n")
    _write(outside, "passwd.py", f'ROOT = "{CANARY}"\n')
    _write(outside, "lib/util.py", "def helper():\n    return 2\n")
    (root / "passwd.py").symlink_to(outside / "passwd.py")  # a file outside
    (root / "vendored").symlink_to(outside / "lib")  # a folder outside
    (root / "alias.py").symlink_to(root / "app/main.py")  # inside: fine
    os.mkfifo(root / "pipe.py")
    _write(root, ".gitignore", "local.py\n")
    svc = MapService(str(root), MapOptions(persist=False, workers=1))
    gate = PathGate(svc)
    assert refusal(svc, "passwd.py") == OUTSIDE and not gate.allowed("passwd.py")
    assert refusal(svc, "vendored/util.py") == OUTSIDE
    assert refusal(svc, "pipe.py") == NOT_REGULAR
    assert refusal(svc, "local.py") == IGNORED
    assert refusal(svc, "app/.env.py") == SECRET
    assert refusal(svc, "alias.py") is None and gate.allowed("app/main.py")
    assert refusal(svc, "app/new_unsaved.py") is None  # an editor's new buffer: nothing on disk
