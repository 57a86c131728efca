"""Row scopes, the parts every subgraph shares: the caller's scope (``role_scope``) and the
conditions many rules are made of. The rules themselves, one per entity, belong to their subgraph
(``resolvers/<subgraph>/scopes.py``) and are used by every entry point — root fields, nested
lists, ``_entities`` (all three load through the scoped loaders of resolvers/common/loading.py),
mutations (which load their target the same way) and subscriptions (``test()`` on each event).

A rule maps the caller's data scope (``role_scope``: the token's, else security/roles.py
ROLE_SCOPE) to a condition on the entity's own columns; a scope an entity has no column for grants
nothing.
"""

from __future__ import annotations

from uuid import UUID

from security.conditions import Cond, Eq, Everything, In, Nothing, Prefix
from security.principal import Principal
from security.roles import ROLE_SCOPE, Role, Scope


def role_scope(principal: Principal) -> Scope:
    """The data scope (数据权限) of the active role: the token's (the role's definition when it was
    issued, 角色管理), else the role's default."""
    try:
        if principal.data_scope is not None:
            return Scope(principal.data_scope)
        return ROLE_SCOPE[Role(principal.active_role)]
    except ValueError:
        return Scope.NONE  # an unknown role or scope sees nothing


def tenant_path(principal: Principal) -> str:
    """The org path of the caller's tenant (their member bank, institution, …)."""
    if principal.tenant_id is None:
        return principal.org_path
    parts = principal.org_path.split("/")
    tenant = str(principal.tenant_id)
    return "/".join(parts[: parts.index(tenant) + 1]) if tenant in parts else principal.org_path


def tenant(principal: Principal, field: str = "tenant_id") -> Cond:
    return Eq(field, principal.tenant_id) if principal.tenant_id else Nothing()


def ancestors(principal: Principal) -> Cond:
    return In("id", tuple(UUID(part) for part in principal.org_path.split("/") if part))


def institution(p: Principal, field: str = "institution_id") -> Cond:
    """Rows of the caller's institution (金融机构)."""
    return Eq(field, p.institution_id) if p.institution_id else Nothing()


def site_scope(p: Principal) -> Cond:
    """Rows by the org path of their hall / org (devices, alerts)."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope in (Scope.TENANT, Scope.INSTITUTION):
        return Prefix("org_path", tenant_path(p))  # a member bank, or an institution (督办, 贷后预警)
    if scope in (Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return Prefix("org_path", p.org_path)  # front-line staff: what happens in their own org
    return Nothing()


def bank_scope(p: Principal) -> Cond:
    """Shared within a member bank (grids, groups, the opportunity pool); the province sees all."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    return tenant(p) if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID) else Nothing()
