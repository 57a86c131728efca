"""Development tokens: HS256 JWTs carrying the principal.

Stand-in for the real login of the security issue, which replaces these with
asymmetric, short-lived access tokens. Kept in one module so that swap touches
one place.
"""

from __future__ import annotations

import time
import uuid
from uuid import UUID

import jwt

from security.principal import Principal

ALGORITHM = "HS256"
ISSUER = "dcms-dev"


class InvalidToken(Exception):
    """The token is missing, malformed, expired or wrongly signed."""


def issue_token(principal: Principal, secret: str, ttl_seconds: int = 8 * 3600) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": str(principal.user_id),
        "name": principal.username,
        "roles": list(principal.roles),
        "role": principal.active_role,
        "grids": [str(g) for g in principal.grid_ids],
        "perms": sorted(principal.permissions),
        "org": str(principal.org_id),
        "org_path": principal.org_path,
        "tenant": str(principal.tenant_id) if principal.tenant_id else None,
        "inst": str(principal.institution_id) if principal.institution_id else None,
        "jti": principal.token_id or uuid.uuid4().hex,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, secret: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER)
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
            permissions=frozenset(claims.get("perms", [])),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise InvalidToken(str(exc)) from exc


def bearer(header: str | None) -> str | None:
    """The token from an ``Authorization: Bearer …`` value, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
