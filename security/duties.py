"""Separation of duties (三员分立): the security admin cannot read or alter
the audit trail, the audit admin cannot change permissions, and no one holds both.

``can_read_audit`` guards the audit search; ``check_grant`` is the rule every future
permission-granting mutation calls before it changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from security.functions import RESERVED, Function, active_permissions, has_function, permissions_of
from security.principal import Principal
from security.roles import Role, Scope

# Permissions no one may hold together, whatever roles or grants carry them.
CONFLICTING: tuple[frozenset[Function], ...] = (
    frozenset({Function.AUDIT_READ, Function.MANAGE_PERMISSIONS}),
    frozenset({Function.AUDIT_READ, Function.USER_MANAGE}),
    frozenset({Function.AUDIT_READ, Function.ROLE_MANAGE}),
)
# Never an extra grant: each belongs to one 三员分立 role only (security/functions.py RESERVED).
NOT_GRANTABLE: frozenset[Function] = frozenset({Function.USER_MANAGE, Function.ROLE_MANAGE})


class DutyConflict(PermissionError):
    """A grant the separation of duties forbids (a grant mutation answers FORBIDDEN)."""


def _conflict(held: frozenset[Function]) -> frozenset[Function] | None:
    return next((pair for pair in CONFLICTING if pair <= held), None)


def can_read_audit(principal: Principal | None) -> bool:
    """AUDIT_READ in the active role (or granted), and nothing the user holds in any of
    their roles lets them change permissions."""
    if principal is None or Function.AUDIT_READ not in active_permissions(principal):
        return False
    return Function.MANAGE_PERMISSIONS not in permissions_of(principal.roles, principal.permissions)


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
    if Function.MANAGE_PERMISSIONS not in active_permissions(granter):
        raise DutyConflict("only a security or platform admin may change permissions")
    if permissions_of(granter.roles, granter.permissions) & {Function.AUDIT_READ}:
        raise DutyConflict("an audit reader may not change permissions")
    add_roles, add_permissions = tuple(add_roles), tuple(add_permissions)
    unknown = [r for r in add_roles if r not in Role.__members__] + [
        p for p in add_permissions if p not in Function.__members__ or p in NOT_GRANTABLE
    ]
    if unknown:
        raise DutyConflict(f"unknown roles or permissions: {', '.join(unknown)}")
    if grantee_id == granter.user_id:
        raise DutyConflict("no one may grant themselves roles or permissions")
    after = permissions_of((*grantee_roles, *add_roles), (*grantee_permissions, *add_permissions))
    if (pair := _conflict(after)) is not None:
        names = " and ".join(sorted(pair))
        raise DutyConflict(f"separation of duties: one person may not hold {names}")


# -- platform administration (平台管理, issue 19) ------------------------------------------------------
# Who administers what, the one place for it (docs/operations.md "Platform administration" has the
# table). Three separate people (三员分立):
# - the security admin (安全管理员) manages users: accounts, their roles and grants, disabling,
#   unlocking and password resets; nobody else does, not the platform admin;
# - the business admin (业务管理员: PLATFORM_ADMIN 平台管理员, HQ_ADMIN 总行业务管理) manages the org tree
#   and its teams; never users or roles;
# - the audit admin (审计管理员) reads the user change history and the audit trail, and changes nothing.
# Each acts only within its reach (``admin_reach``): the subtree of its tenant, or of its own org
# when it belongs to no tenant (the province union's admins: the province's tree).
USER_ADMINS: frozenset[Role] = frozenset({Role.SECURITY_ADMIN})
ORG_ADMINS: frozenset[Role] = frozenset({Role.PLATFORM_ADMIN, Role.HQ_ADMIN})
# Roles that see every tenant (security/roles.py ROLE_SCOPE ALL): granted only by a security
# admin that belongs to no tenant, so a member bank's security admin cannot make a province admin.
CROSS_TENANT_ROLES: frozenset[Role] = frozenset({Role.PROVINCE_ADMIN, Role.REGULATOR, Role.OPERATOR})


def may_manage_users(principal: Principal) -> bool:
    """USER_MANAGE in the active role (the security admin's only: RESERVED), and nothing the user
    holds lets it read the audit trail."""
    return has_function(principal, Function.USER_MANAGE) and Function.AUDIT_READ not in permissions_of(
        principal.roles, principal.permissions
    )


def may_manage_orgs(principal: Principal) -> bool:
    """ORG_MANAGE in the active role: a business admin acting as such (机构管理, 团队)."""
    return has_function(principal, Function.ORG_MANAGE)


def may_edit_roles(principal: Principal) -> bool:
    """角色管理: ROLE_MANAGE (the platform admin's only: RESERVED), and of no tenant (the province
    union's): a definition is the whole platform's, a member bank's admin does not change it."""
    return has_function(principal, Function.ROLE_MANAGE) and principal.tenant_id is None


def check_role_definition(role: Role, functions: Iterable[str], data_scope: Scope) -> None:
    """Raise ``DutyConflict`` unless ``role`` may be defined so (角色管理): the reserved functions stay
    with their 三员分立 role (RESERVED); no role carries a conflicting pair; and only the roles a
    tenant's security admin may not grant (CROSS_TENANT_ROLES) see every tenant, else a member
    bank's security admin could hand out a cross-tenant scope."""
    held = frozenset(Function(f) for f in functions)
    for function, holders in RESERVED.items():
        if function in held and role not in holders:
            raise DutyConflict(f"{function} belongs to {', '.join(sorted(holders))} only")
    if (pair := _conflict(held)) is not None:
        raise DutyConflict(f"separation of duties: one role may not hold {' and '.join(sorted(pair))}")
    if data_scope is Scope.ALL and role not in CROSS_TENANT_ROLES:
        raise DutyConflict(f"only {', '.join(sorted(CROSS_TENANT_ROLES))} see every tenant")


def may_read_user_history(principal: Principal) -> bool:
    """用户变更历史 is part of the audit trail: the audit admin's, on the same terms (can_read_audit)."""
    return can_read_audit(principal)


def check_user_change(
    admin: Principal,
    user_id: UUID,
    roles_before: Iterable[str],
    roles_after: Iterable[str],
    permissions_before: Iterable[str] = (),
    permissions_after: Iterable[str] = (),
) -> None:
    """Raise ``DutyConflict`` unless ``admin`` may set ``user_id``'s roles and grants from before to
    after (a new user: nothing before). Only a user admin changes users; nobody changes their own
    account here (their roles least of all: a security admin cannot make itself an auditor); the
    grants added pass ``check_grant``; a cross-tenant role only from an admin of no tenant; and the
    user is left holding no conflicting pair (a security admin is never also an audit admin)."""
    if not may_manage_users(admin):
        raise DutyConflict("only the security admin manages users and their roles")
    if user_id == admin.user_id:
        raise DutyConflict("no one may change their own account or grant themselves roles")
    before, after = set(roles_before), list(dict.fromkeys(roles_after))
    perms_before, perms_after = set(permissions_before), list(dict.fromkeys(permissions_after))
    added = [r for r in after if r not in before]
    if admin.tenant_id is not None and any(r in CROSS_TENANT_ROLES for r in added):
        raise DutyConflict("a tenant's security admin may not grant roles that see every tenant")
    check_grant(
        admin,
        user_id,
        [r for r in after if r in before],
        [p for p in perms_after if p in perms_before],
        add_roles=added,
        add_permissions=[p for p in perms_after if p not in perms_before],
    )
