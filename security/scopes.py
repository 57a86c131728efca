"""Row scopes: one rule per entity, used by every entry point — root fields, nested lists,
``_entities`` (all three load through the scoped loaders of resolvers/common/loading.py),
mutations (which load their target the same way) and subscriptions (``test()`` on each event).

A rule maps the caller's active role (security/roles.py ROLE_SCOPE) to a condition on the
entity's own columns; a scope an entity has no column for grants nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from tortoise.expressions import Q

from models.customers import CustomerAssignment
from models.finance import NeedStatus, ProductStatus
from models.operations import OrgKind
from security.conditions import Cond, Eq, Everything, In, InQuery, Nothing, Prefix, any_of
from security.principal import Principal
from security.roles import ROLE_SCOPE, Permission, Role, Scope


def role_scope(principal: Principal) -> Scope:
    try:
        return ROLE_SCOPE[Role(principal.active_role)]
    except ValueError:
        return Scope.NONE  # an unknown role sees nothing


def tenant_path(principal: Principal) -> str:
    """The org path of the caller's tenant (their member bank, institution, …)."""
    if principal.tenant_id is None:
        return principal.org_path
    parts = principal.org_path.split("/")
    tenant = str(principal.tenant_id)
    return "/".join(parts[: parts.index(tenant) + 1]) if tenant in parts else principal.org_path


def _tenant(principal: Principal, field: str = "tenant_id") -> Cond:
    return Eq(field, principal.tenant_id) if principal.tenant_id else Nothing()


def _ancestors(principal: Principal) -> Cond:
    return In("id", tuple(UUID(part) for part in principal.org_path.split("/") if part))


# -- customers subgraph ------------------------------------------------------------------------------


def managed_by(user_id: UUID, now: datetime | None = None) -> Cond:
    """管户: primary manager (主办), or an assisting manager (协办) or custodian (托管) whose
    assignment has not ended — custody ends by itself at its end time."""
    now = now or datetime.now(UTC)
    active = CustomerAssignment.filter(Q(manager_id=user_id), Q(ends_at=None) | Q(ends_at__gt=now))
    return any_of(Eq("primary_manager_id", user_id), InQuery("id", active.values("customer_id")))


def customer_scope(p: Principal) -> Cond:
    scope = role_scope(p)
    if scope is Scope.OWN and Permission.WHOLE_BANK_SEARCH in p.permissions:
        scope = Scope.TENANT  # 全行客户搜索
    return {
        Scope.ALL: Everything(),
        Scope.TENANT: _tenant(p),
        Scope.SUBTREE: Prefix("org_path", p.org_path),
        Scope.OWN: managed_by(p.user_id),
        Scope.GRID: In("grid_id", p.grid_ids),
    }.get(scope, Nothing())


def reminder_scope(p: Principal) -> Cond:
    """Reminders are personal: each goes to one manager; only ALL sees every one."""
    return Everything() if role_scope(p) is Scope.ALL else Eq("manager_id", p.user_id)


def grid_scope(p: Principal) -> Cond:
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    return _tenant(p) if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID) else Nothing()


# -- marketing subgraph ------------------------------------------------------------------------------


def opportunity_scope(p: Principal) -> Cond:
    """The opportunity pool (商机池) is shared within a member bank."""
    return grid_scope(p)


# -- finance subgraph --------------------------------------------------------------------------------


def need_scope(p: Principal) -> Cond:
    """Regulators and the province see all needs; institution staff see the open pool and what
    their institution grabbed; bank staff see their tenant's applicants' needs."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.INSTITUTION:
        if p.institution_id is None:
            return Nothing()
        return any_of(Eq("status", NeedStatus.OPEN), Eq("grabbed_institution_id", p.institution_id))
    if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return _tenant(p)
    return Nothing()


def institution_scope(p: Principal) -> Cond:
    return Everything()  # the marketplace catalogue (金融超市) is public to every signed-in user


def product_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.ALL:
        return Everything()
    own = Eq("institution_id", p.institution_id) if p.institution_id else Nothing()
    return any_of(Eq("status", ProductStatus.LISTED), own)


# -- operations and devices --------------------------------------------------------------------------


def org_scope(p: Principal) -> Cond:
    """Own tenant's tree, own ancestors, and the public orgs (institutions, regulators)."""
    if role_scope(p) is Scope.ALL:
        return Everything()
    public = In("kind", (OrgKind.INSTITUTION, OrgKind.REGULATOR))
    return any_of(Prefix("path", tenant_path(p)), _ancestors(p), public)


def user_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.ALL:
        return Everything()
    return any_of(Eq("id", p.user_id), _tenant(p))


def site_scope(p: Principal) -> Cond:
    """Devices and alerts, by the org path of their hall / org."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.TENANT:
        return Prefix("org_path", tenant_path(p))
    if scope in (Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return Prefix("org_path", p.org_path)  # front-line staff: what happens in their own org
    return Nothing()


device_scope = site_scope
alert_scope = site_scope
