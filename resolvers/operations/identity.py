"""The principal a user record stands for: what login, refresh, switchRole and
``dcms token`` put into a token. Read from the database at each of those moments, so a
changed role or grant takes effect at the next refresh (within 15 minutes)."""

from __future__ import annotations

from uuid import UUID

from models.operations import Org, User
from security.principal import Principal


def principal_for(user: User, org: Org, role: str | None = None, session_id: str = "") -> Principal:
    """``role`` is the active one (default: the user's first); the caller checks it is held."""
    roles = tuple(user.roles)
    return Principal(
        user_id=user.id,
        username=user.username,
        roles=roles,
        role=role or (roles[0] if roles else ""),
        org_id=org.id,
        org_path=org.path,
        tenant_id=user.tenant_id,
        institution_id=user.institution_id,
        grid_ids=tuple(UUID(str(g)) for g in user.grid_ids or ()),
        permissions=frozenset(user.permissions or ()),
        session_id=session_id,
    )
