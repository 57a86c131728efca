"""Who may act on the operations side. The row scopes (scopes.py) say who sees an org, a user or
an alert; these say, among those, who may raise an alert at an org and who may search the audit
trail (security/duties.py: the separation of duties, 三员分立)."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

from models.operations import Org
from resolvers.common.errors import forbidden
from resolvers.operations.scopes import alert_scope
from security.duties import can_read_audit
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


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------
# Who may draft and carry out changes, and create backup jobs and report their runs: the people
# who run a unit's systems. Who may approve a change: the unit's managers (the head of the hall or
# branch, the bank's HQ admin, the province). An engineer carries out, a manager approves; the
# requester never approves their own change (四眼原则), whatever their role.
OPS_AUTHORS = frozenset(
    {Role.OPS_ENGINEER, Role.HALL_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.PROVINCE_ADMIN}
)
CHANGE_APPROVERS = frozenset({Role.HALL_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.PROVINCE_ADMIN})


def _over(principal: Principal, org_path: str) -> bool:
    return site_scope(principal).test(SimpleNamespace(org_path=org_path))


def require_ops_author(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller runs systems (OPS_AUTHORS) at the org of ``org_path``."""
    if not (principal.has_role(*OPS_AUTHORS) and _over(principal, org_path)):
        raise forbidden("无权登记变更或备份 (operations staff of the unit only)")


def require_change_approver(principal: Principal, requested_by: UUID, org_path: str) -> None:
    """The one approval rule of a change (issue 17 moves it onto the approvals engine): a manager
    over the change's unit (CHANGE_APPROVERS, in scope), never its requester."""
    if principal.user_id == requested_by:
        raise forbidden("不能审批本人提交的变更 (the requester cannot approve their own change)")
    if not (principal.has_role(*CHANGE_APPROVERS) and _over(principal, org_path)):
        raise forbidden("无权审批该变更 (a manager of the unit approves)")
