"""Access and refresh tokens (security/tokens.py): issued and read back, refused when bad, the bearer header."""

from __future__ import annotations

import dataclasses
import time
import uuid

import jwt
import pytest

from security import tokens
from security.keys import TokenKeys
from security.principal import Principal
from security.tokens import InvalidToken, TokenType, bearer, issue_token, read_token

pytestmark = pytest.mark.unit


KEYS = TokenKeys.generate()


OTHER_KEYS = TokenKeys.generate()


def _principal() -> Principal:
    return Principal(
        user_id=uuid.uuid4(),
        username="cm_gz0101_1",
        roles=("CUSTOMER_MANAGER",),
        org_id=uuid.uuid4(),
        org_path="/a/b",
        tenant_id=uuid.uuid4(),
        role="CUSTOMER_MANAGER",
        session_id="s1",
    )


def test_token_round_trip() -> None:
    principal = _principal()
    read = read_token(issue_token(principal, KEYS), KEYS)
    # Without a role definition the token carries the role's default functions (security/functions.py).
    expected = dataclasses.replace(principal, functions=frozenset({"PII_FULL"}))
    assert dataclasses.replace(read, token_id="", issued_at=0, expires_at=0) == expected
    assert read.token_id and read.issued_at > 0


def test_token_carries_the_role_definition() -> None:
    """角色管理: the active role's functions (with the grants) in ``perms``, the gateway's scopes; the
    grants apart in ``grants``; the data scope in ``scope``."""
    principal = dataclasses.replace(
        _principal(),
        functions=frozenset({"ORDER_GRAB"}),
        data_scope="TENANT",
        permissions=frozenset({"PII_FULL"}),
    )
    token = issue_token(principal, KEYS)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["perms"] == ["ORDER_GRAB", "PII_FULL"]
    assert claims["grants"] == ["PII_FULL"] and claims["scope"] == "TENANT"
    read = read_token(token, KEYS)
    assert read.functions == {"ORDER_GRAB", "PII_FULL"} and read.permissions == {"PII_FULL"}
    assert read.data_scope == "TENANT"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        issue_token(_principal(), OTHER_KEYS),  # signed by another key
        issue_token(_principal(), KEYS, ttl_seconds=-10),  # expired
        issue_token(_principal(), KEYS, typ=TokenType.REFRESH),  # a refresh token is no access token
        jwt.encode({"sub": "x", "iss": "dcms"}, "a-shared-secret-of-32-bytes-or-more", algorithm="HS256"),
        jwt.encode(  # the right key id but no signature worth the name
            {"sub": "x", "iss": "dcms"}, "", algorithm="none", headers={"kid": KEYS.signing_key_id}
        ),
    ],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        read_token(token, KEYS)


def test_bearer_header() -> None:
    assert bearer("Bearer abc") == "abc"
    assert bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None
    assert bearer("Bearer ") is None
    assert bearer(None) is None


# -- verified once per process: the cache answers only what verified, and never past exp ----------


def test_a_verified_token_is_answered_from_memory_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = issue_token(_principal(), KEYS, ttl_seconds=1)
    first = read_token(token, KEYS)
    with monkeypatch.context() as patched:
        verifications: list[str] = []

        def counted(*args: object, **kwargs: object) -> dict[str, object]:
            verifications.append("ES256")
            return {}

        patched.setattr(tokens, "read_claims", counted)
        assert read_token(token, KEYS) is first and verifications == []  # no second ES256 check
    # Past its exp the cached principal is refused like the token itself (verified again: fails).
    time.sleep(max(0.0, first.expires_at - time.time()) + 0.01)
    with pytest.raises(InvalidToken):
        read_token(token, KEYS)
    assert token not in tokens._verified


def test_the_cache_counts_only_under_the_key_that_verified() -> None:
    token = issue_token(_principal(), KEYS)
    read_token(token, KEYS)
    # Another key set (a rotation dropped the key, or another deployment's keys): verified again.
    with pytest.raises(InvalidToken):
        read_token(token, OTHER_KEYS)
    same_kid_other_key = TokenKeys(
        public_keys={KEYS.signing_key_id: OTHER_KEYS.public_keys[OTHER_KEYS.signing_key_id]}
    )
    with pytest.raises(InvalidToken):
        read_token(token, same_kid_other_key)


def test_a_forged_token_is_never_cached_and_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    genuine = issue_token(_principal(), KEYS)
    header, payload, _ = genuine.split(".")
    forged_sig = issue_token(_principal(), OTHER_KEYS).split(".")[2]
    forged = f"{header}.{payload}.{forged_sig}"  # the genuine claims, another key's signature
    for _ in range(2):
        with pytest.raises(InvalidToken):
            read_token(forged, KEYS)
    assert forged not in tokens._verified
    monkeypatch.setattr(tokens, "CACHE_SIZE", 3)
    tokens._verified.clear()
    issued = [issue_token(_principal(), KEYS) for _ in range(5)]
    for token in issued:
        read_token(token, KEYS)
    assert list(tokens._verified) == issued[2:]  # the oldest went first
    with pytest.raises(InvalidToken):
        read_token(issue_token(_principal(), KEYS, typ=TokenType.REFRESH), KEYS)
    refresh = issue_token(_principal(), KEYS, typ=TokenType.REFRESH)
    assert read_token(refresh, KEYS, TokenType.REFRESH).session_id == "s1"
    assert refresh not in tokens._verified  # refresh tokens are verified every time
