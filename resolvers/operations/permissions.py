"""Who may act on the operations side. The row scopes (scopes.py) say who sees an org, a user or
an alert; these say, among those, who may raise an alert at an org and who may search the audit
trail (security/duties.py: the separation of duties, 三员分立)."""

from __future__ import annotations

from types import SimpleNamespace

from models.operations import Alert, AlertActionKind, Org
from resolvers.common.errors import forbidden
from resolvers.operations.scopes import alert_scope
from security.duties import can_read_audit
from security.principal import Principal
from security.roles import Role


def require_alert_raiser(principal: Principal, org: Org) -> None:
    """FORBIDDEN unless an alert about ``org`` would be in the caller's alert scope: one may raise
    alerts only where one sees them (an org one merely sees, e.g. a public one, is not enough)."""
    if not alert_scope(principal).test(SimpleNamespace(org_path=org.path)):
        raise forbidden("不能为该机构发出告警 (outside your scope)")


def may_read_audit(principal: Principal) -> bool:
    """AUDIT_READ in the active role, and no power over permissions anywhere (security/duties.py)."""
    return can_read_audit(principal)


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
