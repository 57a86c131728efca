"""Who may act on the marketing side. The row scope (scopes.py ``opportunity_scope``) says who sees
the opportunity pool; this says who may add to it and claim from it."""

from __future__ import annotations

from resolvers.common.errors import forbidden
from resolvers.marketing.scopes import opportunity_scope, qr_code_scope
from security.principal import Principal
from security.roles import Role

# 认领: the front line of a member bank (a branch head may take one for themself too).
CLAIMERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD)
# 二维码: made for a mass-marketing campaign (大众营销) by the bank's marketing staff.
QR_MAKERS = (Role.HQ_ADMIN, Role.BRANCH_HEAD, Role.CUSTOMER_MANAGER)


def require_opportunity_recorder(principal: Principal) -> None:
    """FORBIDDEN unless the caller sees an opportunity pool and belongs to a tenant (a member bank's
    staff): one records opportunities only into a pool one works in."""
    if opportunity_scope(principal).is_nothing or principal.tenant_id is None:
        raise forbidden("无权登记商机 (your role cannot record opportunities)")


def require_claimer(principal: Principal) -> None:
    """FORBIDDEN unless the caller, acting as a customer manager or branch head of a member bank,
    may claim from its pool."""
    if principal.active_role not in CLAIMERS or principal.tenant_id is None:
        raise forbidden("无权认领商机 (only customer managers and branch heads claim)")


def require_qr_maker(principal: Principal) -> None:
    if (
        principal.active_role not in QR_MAKERS
        or principal.tenant_id is None
        or qr_code_scope(principal).is_nothing
    ):
        raise forbidden("无权制作营销二维码 (your role cannot make QR codes)")
