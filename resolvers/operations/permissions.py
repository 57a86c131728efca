"""Who may act on the operations side. The row scopes (scopes.py) say who sees an org, a user,
an alert or an incident; these say, among those, who may raise an alert at an org, who may work
an incident, and who may search the audit trail (security/duties.py: the separation of duties,
三员分立)."""

from __future__ import annotations

from enum import Enum
from types import SimpleNamespace

from models.operations import Alert, AlertActionKind, Incident, IncidentSource, Org, SupportTier, User
from resolvers.common.errors import forbidden
from resolvers.common.functions import require_function
from resolvers.operations.scopes import alert_scope, inspection_scope
from security.duties import can_read_audit
from security.functions import Function, has_function
from security.principal import Principal
from security.roles import Role
from security.scopes import site_scope


def require_alert_raiser(principal: Principal, org: Org) -> None:
    """FORBIDDEN unless an alert about ``org`` would be in the caller's alert scope: one may raise
    alerts only where one sees them (an org one merely sees, e.g. a public one, is not enough)."""
    if not alert_scope(principal).test(SimpleNamespace(org_path=org.path)):
        raise forbidden("不能为该机构发出告警 (outside your scope)")


def may_read_audit(principal: Principal) -> bool:
    """AUDIT_READ in the active role, and no power over permissions anywhere (security/duties.py)."""
    return can_read_audit(principal)


class Actor(Enum):
    """Who takes a step of an incident's workflow (incidents.py ``FLOW``)."""

    WORKER = "WORKER"  # the service team: ops engineers (运维工程师) who see the incident
    ASSIGNEE = "ASSIGNEE"  # the engineer it is assigned to
    REPORTER = "REPORTER"  # who reported it; for alert and phone incidents the service team


def require_incident_worker(principal: Principal) -> None:
    """FORBIDDEN unless the caller acts as an ops engineer (the service desk and engineers)."""
    if principal.active_role != "OPS_ENGINEER":
        raise forbidden("仅运维人员可处理故障事件 (ops engineers only)")


async def require_incident_actor(
    principal: Principal, incident: Incident, actor: Actor
) -> SupportTier | None:
    """FORBIDDEN unless the caller may take a step of ``actor`` on ``incident`` (which they see);
    the caller's service tier when they act as the service team (one statement), else None."""
    if actor is Actor.ASSIGNEE:
        if incident.assignee_id != principal.user_id:
            raise forbidden("仅处理人可执行此操作 (only the assignee)")
        return None
    if actor is Actor.REPORTER and incident.source is IncidentSource.STAFF:
        if incident.reporter_id != principal.user_id:
            raise forbidden("仅申报人可确认或退回 (only the reporter)")
        return None
    require_incident_worker(principal)  # the team, also on behalf of an alert's or a caller's incident
    user = await User.get_or_none(id=principal.user_id)
    return user.support_tier if user is not None else None


def require_policy_admin(principal: Principal) -> None:
    """FORBIDDEN unless the caller administers the platform (平台管理员) or the province."""
    if principal.active_role not in ("PLATFORM_ADMIN", "PROVINCE_ADMIN"):
        raise forbidden("仅平台管理员可修改服务级别策略 (platform admins only)")


# -- alert lifecycle (issue 15) ---------------------------------------------------------------------
# Who may acknowledge, resolve and reopen the alerts in their alert scope (告警处理), and set
# silences (维护窗口): the people who run halls, devices and institutions. Not applicants, not the
# security / audit admins (三员分立: they see no alerts anyway), not customer managers, reviewers or
# FI account managers (they see some alerts but do not run operations).
ALERT_HANDLERS = frozenset(
    {
        Role.OPS_ENGINEER,
        Role.HALL_MANAGER,
        Role.FI_ADMIN,  # their institution's alerts (督办预警, 贷后预警)
        Role.HQ_ADMIN,
        Role.PROVINCE_ADMIN,
        Role.PLATFORM_ADMIN,
        Role.OPERATOR,
    }
)
# The regulator (政府监管) may acknowledge — "seen, being supervised" — the supervision alerts of
# the marketplace (sources of resolvers/operations/jobs.py SOURCES); resolving or reopening them is
# the institution's business, and other alerts are not the regulator's to handle at all.
SUPERVISION_SOURCES = frozenset({"supervision", "urge", "post_loan"})
# Who may change the routing rules (告警路由) of their subtree.
ALERT_POLICY_ADMINS = frozenset({Role.HQ_ADMIN, Role.PROVINCE_ADMIN, Role.PLATFORM_ADMIN})


def require_alert_handler(principal: Principal, alert: Alert, action: AlertActionKind) -> None:
    """FORBIDDEN unless the caller's role may take ``action`` on ``alert`` (already read in scope)."""
    role = principal.active_role
    if role in ALERT_HANDLERS:
        return
    if (
        role == Role.REGULATOR
        and action is AlertActionKind.ACKNOWLEDGED
        and alert.source in SUPERVISION_SOURCES
    ):
        return
    raise forbidden("无权处理该告警 (your role may not handle this alert)")


def require_silencer(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller handles alerts and the org is in their alert scope."""
    if principal.active_role not in ALERT_HANDLERS:
        raise forbidden("无权设置维护窗口 (your role may not silence alerts)")
    if not alert_scope(principal).test(SimpleNamespace(org_path=org_path)):
        raise forbidden("不能为该机构设置维护窗口 (outside your scope)")


def require_alert_policy_admin(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller administers alert routing and the org is in their alert scope."""
    if principal.active_role not in ALERT_POLICY_ADMINS:
        raise forbidden("无权修改告警路由 (your role may not change alert routing)")
    if not alert_scope(principal).test(SimpleNamespace(org_path=org_path)):
        raise forbidden("不能修改该机构的告警路由 (outside your scope)")


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------
# Who may draft and carry out changes, and create backup jobs and report their runs: the people
# who run a unit's systems. Who approves a change is the approvals engine's flow (by default the
# unit's managers; resolvers/common/approvals.py); the requester never approves their own change.
OPS_AUTHORS = frozenset(
    {Role.OPS_ENGINEER, Role.HALL_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.PROVINCE_ADMIN}
)


def _over(principal: Principal, org_path: str) -> bool:
    return site_scope(principal).test(SimpleNamespace(org_path=org_path))


def require_ops_author(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller runs systems (OPS_AUTHORS) at the org of ``org_path``."""
    if not (principal.has_role(*OPS_AUTHORS) and _over(principal, org_path)):
        raise forbidden("无权登记变更或备份 (operations staff of the unit only)")


# -- 巡检 (inspections) -------------------------------------------------------------------------------
# Plans are made, edited and deactivated, and tasks recorded, by the ops engineers (运维工程师) and
# the managers over the unit (the hall's manager, the branch head, the bank's head office, the
# province) — each only for units in their scope (scopes.py ``inspection_scope``). The monthly
# report is signed (审批签署) by the user unit: a manager of the unit or over it; never by an ops
# engineer, who did the inspections the report is about.
INSPECTION_MANAGERS = frozenset(
    {Role.OPS_ENGINEER, Role.HALL_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.PROVINCE_ADMIN}
)
REPORT_SIGNERS = frozenset({Role.HALL_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.PROVINCE_ADMIN})


def require_inspection_manager(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller's role plans and records inspections and the unit at
    ``org_path`` is in their inspection scope."""
    if principal.active_role not in INSPECTION_MANAGERS or not _sees_unit(principal, org_path):
        raise forbidden("不能管理该单位的巡检 (not an inspection manager of this unit)")


def require_report_signer(principal: Principal, unit_path: str) -> None:
    """FORBIDDEN unless the caller signs for the unit at ``unit_path``: a manager whose own org is
    the unit or over it."""
    if (
        principal.active_role not in REPORT_SIGNERS
        or not unit_path.startswith(principal.org_path)
        or not _sees_unit(principal, unit_path)
    ):
        raise forbidden("只有用户单位可以签署巡检报告 (only the user unit signs its report)")


def _sees_unit(principal: Principal, org_path: str) -> bool:
    return inspection_scope(principal).test(SimpleNamespace(org_path=org_path))


# 营业厅 (halls)
# Who works a hall's queue, counts its visitors, sets duty and reports service events: the hall's
# staff — its managers (营业厅管理) and the ops engineers over it — and the operators (运营). Who sets
# the service-quality rules that raise alerts: the admins of the subtree (the grid company's head
# office, the province, the platform) and the hall's own manager. Each only for halls in their scope.
HALL_STAFF = frozenset({Role.HALL_MANAGER, Role.OPS_ENGINEER, Role.OPERATOR})
HALL_RULE_ADMINS = frozenset({Role.HALL_MANAGER, Role.HQ_ADMIN, Role.PROVINCE_ADMIN, Role.PLATFORM_ADMIN})


def require_hall_staff(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller works halls (HALL_STAFF) and the hall at ``org_path`` is theirs."""
    if principal.active_role not in HALL_STAFF or not _over(principal, org_path):
        raise forbidden("无权操作该营业厅 (hall staff of this hall only)")


def require_hall_rule_admin(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller administers service-quality rules over ``org_path``."""
    if principal.active_role not in HALL_RULE_ADMINS or not _over(principal, org_path):
        raise forbidden("无权设置服务质量告警规则 (admins of the subtree only)")


# -- 日志管理 (login and operation logs, issue 19) ----------------------------------------------------
# 三员分立 (security/duties.py): the security admin (安全管理员) manages security events, logins
# included; the audit admin (审计管理员) audits what users did. Both read the login and operation
# logs, each within log_scope (scopes.py: their tenant; the province union's, every tenant). The
# business admins (platform, province, head office) do not read who logged in from where; they see
# the menu usage counts (菜单及功能管理), which name no one.
# Who by default: security/functions.py (LOG_READ, MENU_USAGE_READ), editable (角色管理).


def may_read_logs(principal: Principal) -> bool:
    return has_function(principal, Function.LOG_READ)


def require_menu_usage_reader(principal: Principal) -> None:
    require_function(principal, Function.MENU_USAGE_READ, "无权查看菜单使用统计 (admins only)")
