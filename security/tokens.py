"""Access and refresh tokens: ES256 JWTs carrying the principal.

Signed with the private key (operations only), verified with the public key alone (every
subgraph and the gateway), see security/keys.py. An access token lives 15 minutes; a refresh
token lives until its login session ends (8 hours after login: rotating does not extend it) and
is good for one use. Both carry the session id (``sid``) that logout and reuse detection revoke
(security/sessions.py).

**Verified once per process.** ``read_token`` checks an access token's ES256 signature the first
time this process sees the token string and keeps the principal it names (bounded, ``CACHE_SIZE``
tokens, oldest out first); the same string again costs a dictionary look-up and an expiry check
instead of an ECDSA verification (about 1 µs instead of about 280 µs). Nothing is trusted that was
not verified here: the cache holds only tokens whose signature verified, a token string is the
whole signed token (same bytes, same verdict), a hit is refused once ``exp`` passes, and it counts
only while the key that verified it is still one of the keys in use (a key dropped after a
rotation takes its tokens with it). Refresh tokens are verified every time (``read_claims``).
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from uuid import UUID

import jwt

from security.functions import functions_of
from security.keys import TokenKeys
from security.principal import Principal

ALGORITHM = "ES256"
ISSUER = "dcms"
AUDIENCE = "dcms-graph"
ACCESS_TTL_SECONDS = 15 * 60
REFRESH_TTL_SECONDS = 8 * 3600
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "sid"]


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


class InvalidToken(Exception):
    """The token is missing, malformed, expired, of the wrong type or wrongly signed."""


@dataclass(frozen=True)
class TokenPair:
    """What login and refresh hand out."""

    access_token: str
    access_expires_at: int  # epoch seconds
    refresh_token: str
    refresh_expires_at: int
    refresh_token_id: str  # the refresh token's jti: the session store remembers it for rotation
    session_id: str


def now_ms() -> float:
    """The time in seconds, cut to whole milliseconds: the precision of a token's iat."""
    return math.floor(time.time() * 1000) / 1000


def new_id() -> str:
    return uuid.uuid4().hex


def issue_token(
    principal: Principal,
    keys: TokenKeys,
    ttl_seconds: int = ACCESS_TTL_SECONDS,
    *,
    typ: TokenType = TokenType.ACCESS,
    token_id: str | None = None,
    expires_at: int | None = None,
) -> str:
    """A signed token for ``principal``; its session is ``principal.session_id`` (new if empty)."""
    if keys.private_key is None:
        raise InvalidToken("no signing key here")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "typ": str(typ),
        "sub": str(principal.user_id),
        "name": principal.username,
        "roles": list(principal.roles),
        "role": principal.active_role,
        "grids": [str(g) for g in principal.grid_ids],
        # What the gateway's @requiresScopes reads: the active role's functions and the extra grants.
        "perms": sorted(functions_of(principal)),
        "grants": sorted(principal.permissions),
        "scope": principal.data_scope,
        "org": str(principal.org_id),
        "org_path": principal.org_path,
        "tenant": str(principal.tenant_id) if principal.tenant_id else None,
        "inst": str(principal.institution_id) if principal.institution_id else None,
        "jti": token_id or new_id(),
        "sid": principal.session_id or new_id(),
        # Milliseconds (a JWT NumericDate may have a fraction): a password change refuses tokens
        # issued before it, even within the same second.
        "iat": now_ms(),
        "exp": expires_at if expires_at is not None else now + ttl_seconds,
    }
    return jwt.encode(
        claims, keys.private_key, algorithm=ALGORITHM, headers={"kid": keys.signing_key_id, "typ": "JWT"}
    )


def issue_pair(
    principal: Principal,
    keys: TokenKeys,
    refresh_expires_at: int | None = None,
    refresh_id: str | None = None,
) -> TokenPair:
    """An access token and a refresh token of one session (``principal.session_id``, new if empty).
    ``refresh_expires_at`` keeps a rotated refresh token within its session's end."""
    now = int(time.time())
    session_id = principal.session_id or new_id()
    refresh_id = refresh_id or new_id()
    refresh_exp = refresh_expires_at if refresh_expires_at is not None else now + REFRESH_TTL_SECONDS
    access_exp = min(now + ACCESS_TTL_SECONDS, refresh_exp)
    scoped = replace(principal, session_id=session_id)
    return TokenPair(
        access_token=issue_token(scoped, keys, typ=TokenType.ACCESS, expires_at=access_exp),
        access_expires_at=access_exp,
        refresh_token=issue_token(
            scoped, keys, typ=TokenType.REFRESH, token_id=refresh_id, expires_at=refresh_exp
        ),
        refresh_expires_at=refresh_exp,
        refresh_token_id=refresh_id,
        session_id=session_id,
    )


def read_claims(token: str, keys: TokenKeys, typ: TokenType = TokenType.ACCESS) -> dict[str, Any]:
    """The verified claims: signature by a known public key (picked by ``kid``), ES256 only,
    issuer, audience, expiry and token type."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        key = keys.public_keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("unknown signing key")
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": _REQUIRED},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != typ:
        raise InvalidToken(f"not an {typ} token")
    return claims


# Access tokens this process verified: token → (kid, the key that verified it, its principal).
CACHE_SIZE = 4096
_verified: dict[str, tuple[str, object, Principal]] = {}


def read_token(token: str, keys: TokenKeys, typ: TokenType = TokenType.ACCESS) -> Principal:
    """The principal an (access, by default) token names; raises InvalidToken. An access token is
    verified once per process (see the module docstring), then answered from memory until it
    expires."""
    if typ is not TokenType.ACCESS:
        return principal_of(read_claims(token, keys, typ))
    hit = _verified.get(token)
    if hit is not None:
        kid, key, principal = hit
        if keys.public_keys.get(kid) is key and principal.expires_at > time.time():
            return principal
        # Expired, or verified by a key not in use here: verify again (and fail the same way).
        _verified.pop(token, None)
    claims = read_claims(token, keys, typ)
    principal = principal_of(claims)
    kid = jwt.get_unverified_header(token)["kid"]  # read_claims found a key by it
    if len(_verified) >= CACHE_SIZE:
        del _verified[next(iter(_verified))]  # the oldest: first in, first out
    _verified[token] = (kid, keys.public_keys[kid], principal)
    return principal


def principal_of(claims: dict[str, Any]) -> Principal:
    """The one mapping of a token's (verified) claims to the principal every resolver sees."""
    try:
        return Principal(
            user_id=UUID(claims["sub"]),
            username=claims["name"],
            roles=tuple(claims["roles"]),
            org_id=UUID(claims["org"]),
            org_path=claims["org_path"],
            tenant_id=UUID(claims["tenant"]) if claims.get("tenant") else None,
            institution_id=UUID(claims["inst"]) if claims.get("inst") else None,
            token_id=claims["jti"],
            role=claims.get("role", ""),
            grid_ids=tuple(UUID(g) for g in claims.get("grids", [])),
            permissions=frozenset(claims["grants"] if "grants" in claims else claims.get("perms", [])),
            # A token of a role definition (claim ``grants`` present): ``perms`` is what it may do.
            functions=frozenset(claims.get("perms", [])) if "grants" in claims else None,
            data_scope=claims.get("scope"),
            session_id=claims["sid"],
            issued_at=float(claims["iat"]),
            expires_at=float(claims["exp"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidToken(str(exc)) from exc


def bearer(header: str | None) -> str | None:
    """The token from an ``Authorization: Bearer …`` value, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
