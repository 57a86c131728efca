"""Row scopes of the operations subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from uuid import UUID

from models.operations import AnnouncementStatus, Org, OrgKind
from security.conditions import (
    Cond,
    Contains,
    Eq,
    Everything,
    In,
    InQuery,
    Nothing,
    Prefix,
    all_of,
    any_of,
)
from security.duties import may_manage_users, may_read_user_history
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import ancestors, role_scope, site_scope, tenant, tenant_path


def org_scope(p: Principal) -> Cond:
    """Own tenant's tree, own ancestors, and the public orgs (institutions, regulators)."""
    if role_scope(p) is Scope.ALL:
        return Everything()
    public = In("kind", (OrgKind.INSTITUTION, OrgKind.REGULATOR))
    return any_of(Prefix("path", tenant_path(p)), ancestors(p), public)


def user_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.ALL:
        return Everything()
    if may_manage_users(p) or may_read_user_history(p):  # the security and audit admins: their reach
        return any_of(Eq("id", p.user_id), users_in_reach(p))
    return any_of(Eq("id", p.user_id), tenant(p))


# -- platform administration (平台管理, issue 19): security/duties.py says who; these say where ------------
def admin_reach(p: Principal) -> str:
    """The org path an administrator acts within: its tenant's tree, or its own org's subtree when
    it belongs to no tenant (the province union's admins). Every org or user an admin names must
    be in it."""
    return tenant_path(p)


def orgs_in_reach(p: Principal) -> Cond:
    return Prefix("path", admin_reach(p))


def in_reach(p: Principal, org: Org) -> bool:
    """Whether an org (already read) is in the admin's reach."""
    return orgs_in_reach(p).test(org)


def users_in_reach(p: Principal) -> Cond:
    """Users whose org is in the admin's reach (a subquery on the org tree: users copy no path)."""
    return InQuery("org_id", Org.filter(orgs_in_reach(p).q()).values("id"))


def user_change_scope(p: Principal) -> Cond:
    """用户变更历史: the audit admin's, for users whose org (at the time of the change) is in reach."""
    return Prefix("org_path", admin_reach(p)) if may_read_user_history(p) else Nothing()


team_scope = site_scope  # 团队: by the org path of their org, as what happens at that org


alert_scope = site_scope  # by the org path of the org the alert is about


def incident_scope(p: Principal) -> Cond:
    """故障事件: like alerts, by the org path of the org it happened at; and the ones one reported.
    Not the regulator's (政府监管 supervises the finance marketplace, not IT operations: no hall or
    bank is theirs), though its every-tenant scope shows it the alerts of its supervision."""
    site = Nothing() if p.active_role == Role.REGULATOR else site_scope(p)
    return any_of(site, Eq("reporter_id", p.user_id))


def through_parent(p: Principal) -> Cond:
    """Rows read only through a parent already in the caller's scope (an incident's steps, a
    policy's targets: policies are not secret), never as roots: no further condition."""
    return Everything()


# -- alert lifecycle (issue 15): history, routing rules, silences ----------------------------------
# Each row carries the org path of its org (the alert's for a history row), so one rule serves all.
alert_action_scope = site_scope  # 告警处理记录: seen with the alert
alert_route_scope = site_scope  # 告警路由: the rules of the subtrees one sees alerts of
alert_silence_scope = site_scope  # 维护窗口: likewise


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------
# By the org path of the unit they belong to, copied onto each row (steps and runs carry their
# change's / job's), as alerts: a hall manager sees their hall's, an HQ admin their tenant's.
change_scope = site_scope
backup_scope = site_scope


# -- 巡检 (inspections) -------------------------------------------------------------------------------
# Plans, tasks, records, photos and sign-offs carry the org path of the plan's user unit: the
# unit's own staff and those over it (a branch, the bank, the province; the ops engineers of the
# grid company over its halls) see them, as they see the unit's alerts.
inspection_scope = site_scope


# 营业厅 (halls)
# A hall (an Org of kind HALL) is seen, with its queue, visitors, staff and quality events, by whom
# sees what happens at it (site_scope by its org path): its own staff (hall managers, ops engineers
# of the hall or of the grid company over it), the grid company's head office (its tenant), the
# province and operators. Every hall row carries the hall's org path.
hall_data_scope = site_scope


def hall_scope(p: Principal) -> Cond:
    """The hall orgs whose data the caller sees: ``site_scope`` on the org's own ``path``."""
    scope = role_scope(p)
    halls = Eq("kind", OrgKind.HALL)
    if scope is Scope.ALL:
        return halls
    if scope in (Scope.TENANT, Scope.INSTITUTION):
        return all_of(halls, Prefix("path", tenant_path(p)))
    if scope in (Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return all_of(halls, Prefix("path", p.org_path))
    return Nothing()


# -- 日志管理 (login and operation logs, issue 19) ----------------------------------------------------
# A log row carries the tenant of the user it is about (null: an unknown username, or a user of the
# province union at the top of the tree). Readers of their own tenant see its rows; a reader at the
# top of the tree (the province union, 省联社) or with an every-tenant role sees every row, the
# failed attempts for usernames that exist nowhere included.
def every_tenant(p: Principal) -> bool:
    """Whether the caller's reach is every tenant: an ALL-scope role, or an org at the tree's top."""
    return role_scope(p) is Scope.ALL or len([part for part in p.org_path.split("/") if part]) == 1


def log_scope(p: Principal) -> Cond:
    if every_tenant(p):
        return Everything()
    return tenant(p)


# -- 通知公告 (announcements, issue 19) ----------------------------------------------------------------
# Managed (written, published, withdrawn, their receipts read) by the administrators over the
# target org: the province's for any, a bank's platform and head-office admins for their bank's
# tree. Read, once published, by the users of the target's subtree (the target is one of their own
# org's ancestors, or their org) who hold one of its roles (none named: every role).
ANNOUNCEMENT_AUTHORS = (Role.PLATFORM_ADMIN, Role.PROVINCE_ADMIN, Role.HQ_ADMIN)


def announcement_manager_scope(p: Principal) -> Cond:
    """The announcements (and their receipts, by the same ``org_path``) the caller manages."""
    if p.has_role(Role.PROVINCE_ADMIN):
        return Everything()
    if p.has_role(Role.PLATFORM_ADMIN, Role.HQ_ADMIN):
        return Prefix("org_path", tenant_path(p))
    return Nothing()


def announcement_reader_scope(p: Principal) -> Cond:
    """The published announcements addressed to the caller: to an org at or above theirs, for a
    role they hold (any of their roles, not only the active one) or for every role."""
    above = In("org_id", tuple(UUID(part) for part in p.org_path.split("/") if part))
    roles = any_of(Eq("roles", ""), *(Contains("roles", f"|{role}|") for role in p.roles))
    return all_of(Eq("status", AnnouncementStatus.PUBLISHED), above, roles)


def announcement_scope(p: Principal) -> Cond:
    return any_of(announcement_manager_scope(p), announcement_reader_scope(p))


def announcement_read_scope(p: Principal) -> Cond:
    """已读回执: one's own, and those of the announcements one manages."""
    return any_of(Eq("user_id", p.user_id), announcement_manager_scope(p))


def own_read_scope(p: Principal) -> Cond:
    """The caller's own receipts (whether they read an announcement)."""
    return Eq("user_id", p.user_id)
