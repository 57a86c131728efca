"""Access and refresh tokens (security/tokens.py): issued and read back, refused when bad, the bearer header."""

from __future__ import annotations

import dataclasses
import uuid

import jwt
import pytest

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
    assert dataclasses.replace(read, token_id="", issued_at=0, expires_at=0) == principal
    assert read.token_id and read.issued_at > 0


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
