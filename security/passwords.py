"""Password hashing (argon2id) and the password policy.

argon2-cffi: the maintained binding of the reference Argon2 implementation; its
``PasswordHasher`` defaults to argon2id with RFC 9106's low-memory profile and tells us when a
stored hash was made with older parameters (``check_needs_rehash``).
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MIN_CLASSES = 3  # of upper case, lower case, digits, symbols

POLICY_MESSAGE = (
    "密码至少10位，且须包含大写字母、小写字母、数字、符号中的至少三类 "
    "(password must have at least 10 characters and 3 of: upper case, lower case, digits, symbols)"
)

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. A missing hash (no password set) still costs one
    verification, against a dummy hash, so the response time does not tell an unknown user."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def policy_violation(password: str) -> str | None:
    """None when ``password`` satisfies the policy, else the message to show (中文 + English)."""
    classes = sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() and not c.isspace() for c in password),  # symbols
        )
    )
    if len(password) < MIN_LENGTH or classes < MIN_CLASSES:
        return POLICY_MESSAGE
    return None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("dcms-no-such-user")
