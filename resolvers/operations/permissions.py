"""Who may act on the operations side. The row scopes (scopes.py) say who sees an org, a user or
an alert; these say, among those, who may raise an alert at an org and who may search the audit
trail (security/duties.py: the separation of duties, 三员分立)."""

from __future__ import annotations

from types import SimpleNamespace

from models.operations import Org
from resolvers.common.errors import forbidden
from resolvers.operations.scopes import alert_scope
from security.duties import can_read_audit
from security.principal import Principal


def require_alert_raiser(principal: Principal, org: Org) -> None:
    """FORBIDDEN unless an alert about ``org`` would be in the caller's alert scope: one may raise
    alerts only where one sees them (an org one merely sees, e.g. a public one, is not enough)."""
    if not alert_scope(principal).test(SimpleNamespace(org_path=org.path)):
        raise forbidden("不能为该机构发出告警 (outside your scope)")


def may_read_audit(principal: Principal) -> bool:
    """AUDIT_READ in the active role, and no power over permissions anywhere (security/duties.py)."""
    return can_read_audit(principal)
