"""Redaction of keys, tokens and passwords from item texts."""

from __future__ import annotations

import pytest

from ssc_lsp.context.redact import entropy, looks_random, redact

# Built at run time so that no scanner mistakes this file for a leak.
AWS_ID = "AKIA" + "Q3EXAMPLE7TESTKEY1"[:16]
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzEXAMPLEKEY"
GH = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"


@pytest.mark.parametrize("text, secret", [
    (f'AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"', AWS_SECRET),
    (f'key_id = "{AWS_ID}"', AWS_ID),
    (f"token = '{GH}'", GH),
    ('password = "hunter22"', "hunter22"),
    ('db = {"password": "s3cr3t-pw"}', "s3cr3t-pw"),
    ('connect(passwd="p4ss!word")', "p4ss!word"),
    ('SECRET_KEY = "django-insecure-0123456789abcdef"', "django-insecure-0123456789abcdef"),
    ('headers = {"Authorization": "Bearer abc.def.ghi123"}', "abc.def.ghi123"),
    ('curl -H "Authorization: Basic dXNlcjpwYXNz"', "dXNlcjpwYXNz"),
    ("url = 'postgres://bob:pa55w0rd@db.internal/x'", "pa55w0rd"),
    ('API_TOKEN: str = "f3b8a9c2d4e5f60718293a4b5c6d7e8f"', "f3b8a9c2d4e5f60718293a4b5c6d7e8f"),
    (f'KEY = """-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n-----END PRIVATE KEY-----"""', PEM_BODY),
    (f"-----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_BODY}", PEM_BODY),  # cut before its END line
    ("client = OpenAI(api_key='sk-proj-abcdefghijklmnop')", "sk-proj-abcdefghijklmnop"),
    ("jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU'",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU"),
])
def test_secrets_are_redacted(text, secret):
    out = redact(text)
    assert secret not in out
    assert "[redacted]" in out


@pytest.mark.parametrize("text", [
    'CACHE_KEY = "user:%s"',
    'token_type = "bearer"',
    'key = "name"',
    'password_field = form.cleaned_data["password"]',
    "def get_token(self, request): ...",
    'SORT_KEY = "created_at"',
    'url = "https://example.com/path"',
])
def test_ordinary_code_survives(text):
    assert redact(text) == text


def test_entropy_measures():
    assert entropy("aaaa") == 0.0
    assert looks_random("f3b8a9c2d4e5f60718293a4b5c6d7e8f")
    assert not looks_random("a sentence with spaces in it")
    assert not looks_random("user:%s:profile:settings")


def test_prose_mode_reads_unquoted_values():
    doc = "Set password: hunter22 and API_KEY=f3b8a9c2d4e5f60718293a4b5c6d7e8f in your shell."
    out = redact(doc, prose=True)
    assert "hunter22" not in out and "f3b8a9c2d4e5f60718293a4b5c6d7e8f" not in out
    code = "connect(password=password, token=token)"
    assert redact(code) == code
