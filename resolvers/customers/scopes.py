"""Row scopes of the customers subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from models.customers import Customer, CustomerAssignment
from security.conditions import Cond, Eq, Everything, In, InQuery, Nothing, Prefix, any_of
from security.functions import Function, has_function
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import bank_scope, role_scope, tenant

# 业务报表 readers: the bank's staff (the regulator, institutions and halls have no reports here)
REPORT_READERS = (
    Role.CUSTOMER_MANAGER,
    Role.BRANCH_HEAD,
    Role.HQ_ADMIN,
    Role.HQ_REVIEWER,
    Role.PROVINCE_ADMIN,
)


def managed_by(user_id: UUID, now: datetime | None = None) -> Cond:
    """管户: primary manager (主办), or an assisting manager (协办) or custodian (托管) whose
    assignment has not ended — custody ends by itself at its end time."""
    active = CustomerAssignment.in_force(now).filter(manager_id=user_id)
    return any_of(Eq("primary_manager_id", user_id), InQuery("id", active.values("customer_id")))


def customer_scope(p: Principal) -> Cond:
    scope = role_scope(p)
    if scope is Scope.OWN and has_function(p, Function.WHOLE_BANK_SEARCH):
        scope = Scope.TENANT  # 全行客户搜索
    return {
        Scope.ALL: Everything(),
        Scope.TENANT: tenant(p),
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
        Scope.TENANT: tenant(p),
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
    return tenant(p) if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER) else Nothing()


def tier_request_scope(p: Principal) -> Cond:
    """调级申请: the approvers in scope — head office by the request's tenant, a branch head by
    where the customer is now (辖内: a transfer takes its requests along) — and the requester
    their own; the province sees every tenant's."""
    if p.has_role(Role.PROVINCE_ADMIN):
        return Everything()
    if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER):
        return tenant(p)
    mine = Eq("requested_by", p.user_id)
    if p.has_role(Role.BRANCH_HEAD):
        subtree = Customer.filter(Prefix("org_path", p.org_path).q()).values("id")
        return any_of(InQuery("customer_id", subtree), mine)
    return mine


def approval_step_scope(p: Principal) -> Cond:
    """审批记录 are read only through a scheme or request the caller sees; this keeps them
    within the caller's tenant (the province: all)."""
    return Everything() if p.has_role(Role.PROVINCE_ADMIN) else tenant(p)


def report_row_scope(p: Principal) -> Cond:
    """业务报表 rows: the bank's report readers (permissions.py ``REPORT_READERS``) by their scope —
    head office its tenant's orgs and managers, a branch head its subtree's (辖内, by the org's or the
    manager's org's path), a customer manager their own row; the province every tenant's."""
    if not p.has_role(*REPORT_READERS):
        return Nothing()
    return {
        Scope.ALL: Everything(),
        Scope.TENANT: tenant(p),
        Scope.SUBTREE: Prefix("org_path", p.org_path),
        Scope.OWN: Eq("key_id", p.user_id),
    }.get(role_scope(p), Nothing())


grid_scope = bank_scope  # 网格: a member bank's


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
