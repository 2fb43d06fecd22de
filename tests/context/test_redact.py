"""Redaction of keys, tokens and passwords from item texts."""

from __future__ import annotations

import pytest

from ssc_lsp.context.redact import entropy, looks_random, redact, redact_around

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


# -- around a cursor: the text of the document being typed in ----------------------------


@pytest.mark.parametrize("before, after, secret", [
    (f'KEY = "{AWS_ID[:8]}', f'{AWS_ID[8:]}"\nx = 1\n', AWS_ID),  # the cursor inside the key
    (f'KEY = "{AWS_ID}"; y = ', '2\n', AWS_ID),  # before the cursor, same line
    ('x = 1; url = ', "'postgres://bob:pa55w0rd@db.internal/x'\n", "pa55w0rd"),  # after it
    (f'K = """-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n-----END PRIVATE KEY-----"""\n\ndef f():\n    ',
     "\n    return 1\n", PEM_BODY),
])
def test_redaction_around_a_cursor_keeps_it_on_its_line(before, after, secret):
    left, right = redact_around(before, after)
    assert secret not in left + right and secret[:10] not in left and secret[-6:] not in right
    assert "[redacted]" in left + right
    assert left.count("\n") == before.count("\n") and right.count("\n") == after.count("\n")
    # a secret wholly on one side changes only that side
    if secret in after and AWS_ID[:4] not in before:
        assert left == before
    if secret in before:
        assert right == after


def test_text_without_secrets_is_split_where_it_was():
    assert redact_around("def f(a):\n    return a", " + 1\n") == ("def f(a):\n    return a", " + 1\n")
