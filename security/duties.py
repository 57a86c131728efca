"""Separation of duties (三员分立): the security admin cannot read or alter
the audit trail, the audit admin cannot change permissions, and no one holds both.

``can_read_audit`` guards the audit search; ``check_grant`` is the rule every future
permission-granting mutation calls before it changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from security.principal import Principal
from security.roles import Permission, Role, active_permissions, permissions_of

# Permissions no one may hold together, whatever roles or grants carry them.
CONFLICTING: tuple[frozenset[Permission], ...] = (
    frozenset({Permission.AUDIT_READ, Permission.MANAGE_PERMISSIONS}),
)


class DutyConflict(PermissionError):
    """A grant the separation of duties forbids (a grant mutation answers FORBIDDEN)."""


def _conflict(held: frozenset[Permission]) -> frozenset[Permission] | None:
    return next((pair for pair in CONFLICTING if pair <= held), None)


def can_read_audit(principal: Principal | None) -> bool:
    """AUDIT_READ in the active role (or granted), and nothing the user holds in any of
    their roles lets them change permissions."""
    if principal is None or Permission.AUDIT_READ not in active_permissions(principal):
        return False
    return Permission.MANAGE_PERMISSIONS not in permissions_of(principal.roles, principal.permissions)


def check_grant(
    granter: Principal,
    grantee_id: UUID,
    grantee_roles: Iterable[str],
    grantee_permissions: Iterable[str] = (),
    *,
    add_roles: Iterable[str] = (),
    add_permissions: Iterable[str] = (),
) -> None:
    """Raise ``DutyConflict`` unless ``granter`` may give ``grantee`` these roles/permissions.

    - only a granter whose active role may MANAGE_PERMISSIONS grants anything (so the audit
      admin grants nothing, not even to itself);
    - no one grants to themselves (so the security admin cannot give itself audit rights);
    - no grant may leave anyone holding conflicting permissions (audit reading and
      permission management) across all their roles and grants.
    """
    if Permission.MANAGE_PERMISSIONS not in active_permissions(granter):
        raise DutyConflict("only a security or platform admin may change permissions")
    if permissions_of(granter.roles, granter.permissions) & {Permission.AUDIT_READ}:
        raise DutyConflict("an audit reader may not change permissions")
    add_roles, add_permissions = tuple(add_roles), tuple(add_permissions)
    unknown = [r for r in add_roles if r not in Role.__members__] + [
        p for p in add_permissions if p not in Permission.__members__
    ]
    if unknown:
        raise DutyConflict(f"unknown roles or permissions: {', '.join(unknown)}")
    if grantee_id == granter.user_id:
        raise DutyConflict("no one may grant themselves roles or permissions")
    after = permissions_of((*grantee_roles, *add_roles), (*grantee_permissions, *add_permissions))
    if (pair := _conflict(after)) is not None:
        names = " and ".join(sorted(pair))
        raise DutyConflict(f"separation of duties: one person may not hold {names}")
