"""Passwords (security/passwords.py): the policy and argon2id hashes."""

from __future__ import annotations

import pytest

from security.passwords import POLICY_MESSAGE, hash_password, policy_violation, verify_password

PASSWORD = "Dcms@2026test"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Dcms@2026demo", True),
        ("abcdefghij1!", True),  # lower, digit, symbol
        ("ABCDEFGHIJ1a", True),  # upper, digit, lower
        ("短密码Aa1!", False),  # 7 characters
        ("abcdefghijk1", False),  # two classes
        ("abcdefghijklmnop", False),  # one class
        ("Aa1!Aa1!A", False),  # 9 characters
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    assert (policy_violation(password) is None) is ok
    if not ok:
        assert policy_violation(password) == POLICY_MESSAGE
        assert "至少10位" in POLICY_MESSAGE and "at least 10 characters" in POLICY_MESSAGE


@pytest.mark.unit
def test_argon2id_hashes_verify() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)  # no password set: never matches
    assert not verify_password("not-a-hash", PASSWORD)
