"""The indexed fixture workspace (`svc`), shared with the edit check's tests."""

from tests.grounding.test_edit_check import svc  # noqa: F401
