"""Who may act on the operations side. The row scopes (scopes.py) say who sees an org, a user or
an alert; these say, among those, who may raise an alert at an org and who may search the audit
trail (security/duties.py: the separation of duties, 三员分立)."""

from __future__ import annotations

from types import SimpleNamespace

from models.operations import Org
from resolvers.common.errors import forbidden
from resolvers.operations.scopes import alert_scope, inspection_scope
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
