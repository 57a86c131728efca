"""Row scopes: one rule per entity, used by every entry point — root fields, nested lists,
``_entities`` (all three load through the scoped loaders of resolvers/common/loading.py),
mutations (which load their target the same way) and subscriptions (``test()`` on each event).

A rule maps the caller's active role (security/roles.py ROLE_SCOPE) to a condition on the
entity's own columns; a scope an entity has no column for grants nothing.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from models.customers import Customer, CustomerAssignment
from models.finance import FinancingNeed, Handling, NeedMatch, ProductStatus
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
    active = CustomerAssignment.in_force(now).filter(manager_id=user_id)
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


def profile_scope(p: Principal) -> Cond:
    """The 360 blocks (tags, holdings, contacts …, and the ownership history and assignments of
    客户关系管理) are read only through a customer the caller may see (``Customer`` fields), so
    they add no rule of their own; a caller who may see no customer sees none of them."""
    return Nothing() if customer_scope(p).is_nothing else Everything()


def prospect_scope(p: Principal) -> Cond:
    """潜在客户: the manager keeping them (OWN), the branch head's subtree, the head office's tenant."""
    return {
        Scope.ALL: Everything(),
        Scope.TENANT: _tenant(p),
        Scope.SUBTREE: Prefix("org_path", p.org_path),
        Scope.OWN: Eq("manager_id", p.user_id),
    }.get(role_scope(p), Nothing())


def reminder_scope(p: Principal) -> Cond:
    """Reminders are personal: each goes to one manager; only ALL sees every one."""
    return Everything() if role_scope(p) is Scope.ALL else Eq("manager_id", p.user_id)


def tier_scheme_scope(p: Principal) -> Cond:
    """分层方案: the head office staff of their tenant (HQ_ADMIN writes, HQ_REVIEWER reviews);
    the province sees every tenant's."""
    if p.has_role(Role.PROVINCE_ADMIN):
        return Everything()
    return _tenant(p) if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER) else Nothing()


def tier_request_scope(p: Principal) -> Cond:
    """调级申请: the approvers in scope — head office by the request's tenant, a branch head by
    where the customer is now (辖内: a transfer takes its requests along) — and the requester
    their own; the province sees every tenant's."""
    if p.has_role(Role.PROVINCE_ADMIN):
        return Everything()
    if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER):
        return _tenant(p)
    mine = Eq("requested_by", p.user_id)
    if p.has_role(Role.BRANCH_HEAD):
        subtree = Customer.filter(Prefix("org_path", p.org_path).q()).values("id")
        return any_of(InQuery("customer_id", subtree), mine)
    return mine


def approval_step_scope(p: Principal) -> Cond:
    """审批记录 are read only through a scheme or request the caller sees; this keeps them
    within the caller's tenant (the province: all)."""
    return Everything() if p.has_role(Role.PROVINCE_ADMIN) else _tenant(p)


def grid_scope(p: Principal) -> Cond:
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    return _tenant(p) if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID) else Nothing()


group_scope = grid_scope  # 客群: a member bank's, like its grids (members: each reader's own customers)


def grid_part_scope(p: Principal) -> Cond:
    """A grid's org mappings are read only through a grid the caller sees."""
    return Nothing() if grid_scope(p).is_nothing else Everything()


def about_customer_scope(p: Principal) -> Cond:
    """Rows about one customer (营销过滤, 授权) reached by themselves: those of customers the
    caller may see."""
    customers = customer_scope(p)
    if customers.is_nothing:
        return Nothing()
    return InQuery("customer_id", Customer.filter(customers.q()).values("id"))


# -- marketing subgraph ------------------------------------------------------------------------------


def opportunity_scope(p: Principal) -> Cond:
    """The opportunity pool (商机池) is shared within a member bank."""
    return grid_scope(p)


# -- finance subgraph --------------------------------------------------------------------------------


def _institution(p: Principal, field: str = "institution_id") -> Cond:
    return Eq(field, p.institution_id) if p.institution_id else Nothing()


def _handled_by_institution(p: Principal, order: str) -> Cond:
    """Orders (``order`` = "need" or "application") one of the caller's institution handles or handled."""
    if p.institution_id is None:
        return Nothing()
    handled = Handling.filter(institution_id=p.institution_id, **{f"{order}_id__isnull": False})
    return InQuery("id", handled.values(f"{order}_id"))


def need_scope(p: Principal) -> Cond:
    """Regulators and the province see all needs; institution staff the needs open to their
    institution (matched when posted) and those it handles; the applicant their own; bank staff
    their tenant's applicants' needs."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.INSTITUTION:
        if p.institution_id is None:
            return Nothing()
        matched = NeedMatch.filter(institution_id=p.institution_id).values("need_id")
        return any_of(InQuery("id", matched), _handled_by_institution(p, "need"))
    if scope is Scope.SELF:
        return Eq("applicant_user_id", p.user_id)
    if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return _tenant(p)
    return Nothing()


def application_scope(p: Principal) -> Cond:
    """Product applications: like needs, but an institution's are those it handles or handled —
    an application reaches its product's institution as a handling the moment it is made."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.INSTITUTION:
        return _handled_by_institution(p, "application")
    if scope is Scope.SELF:
        return Eq("applicant_user_id", p.user_id)
    if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return _tenant(p)
    return Nothing()


def handling_scope(p: Principal) -> Cond:
    """受理单 and what hangs on them (offers, warnings, complaints): the regulator, operators and
    the province see all; an institution its own; the applicant theirs."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.INSTITUTION:
        return _institution(p)
    if scope is Scope.SELF:
        return Eq("applicant_user_id", p.user_id)
    return Nothing()


def supervision_scope(p: Principal) -> Cond:
    """督办预警 and 风险提示: the regulator, operators and the province, and the institution concerned."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    return _institution(p) if scope is Scope.INSTITUTION else Nothing()


def offer_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.SELF:
        return InQuery("need_id", FinancingNeed.filter(applicant_user_id=p.user_id).values("id"))
    return supervision_scope(p)


def action_scope(p: Principal) -> Cond:
    """督办记录 (urge, transfer, overdue reason), read through a handling the caller already sees:
    everyone who sees the handling but its applicant."""
    return Nothing() if role_scope(p) is Scope.SELF else Everything()


complaint_scope = handling_scope


def institution_scope(p: Principal) -> Cond:
    return Everything()  # the marketplace catalogue (金融超市) is public to every signed-in user


def product_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.ALL:
        return Everything()
    return any_of(Eq("status", ProductStatus.LISTED), _institution(p))


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
    if scope in (Scope.TENANT, Scope.INSTITUTION):
        return Prefix("org_path", tenant_path(p))  # a member bank, or an institution (督办, 贷后预警)
    if scope in (Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return Prefix("org_path", p.org_path)  # front-line staff: what happens in their own org
    return Nothing()


device_scope = site_scope
alert_scope = site_scope
