"""Who may act on the marketing side. The row scope (scopes.py ``opportunity_scope``) says who sees
the opportunity pool; this says who may add to it."""

from __future__ import annotations

from resolvers.common.errors import forbidden
from resolvers.marketing.scopes import opportunity_scope
from security.principal import Principal
from security.roles import Role


def require_opportunity_recorder(principal: Principal) -> None:
    """FORBIDDEN unless the caller sees an opportunity pool and belongs to a tenant (a member bank's
    staff): one records opportunities only into a pool one works in."""
    if opportunity_scope(principal).is_nothing or principal.tenant_id is None:
        raise forbidden("无权登记商机 (your role cannot record opportunities)")


AUDIENCE_EDITORS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)


def require_audience_editor(principal: Principal) -> None:
    """FORBIDDEN unless head office (HQ_ADMIN) or a branch head of a member bank: they define the
    bank's target groups (目标客群) and preview them."""
    if principal.tenant_id is None or not principal.has_role(*AUDIENCE_EDITORS):
        raise forbidden("无权定义目标客群 (only head office or a branch head defines audiences)")


TEMPLATE_MAKERS = (Role.PROVINCE_ADMIN, Role.HQ_ADMIN)
CAMPAIGN_MAKERS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)
POINTS_SPENDERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN)


def require_template_maker(principal: Principal) -> None:
    """FORBIDDEN unless the province union (省联社) or a head office admin: they make templates."""
    if not principal.has_role(*TEMPLATE_MAKERS):
        raise forbidden("无权制作营销画布模板 (only the province union or head office makes templates)")


def require_campaign_maker(principal: Principal) -> None:
    """FORBIDDEN unless head office or a branch head of a member bank: they run canvas campaigns."""
    if principal.tenant_id is None or not principal.has_role(*CAMPAIGN_MAKERS):
        raise forbidden("无权操作营销活动 (only head office or a branch head runs campaigns)")


def require_points_spender(principal: Principal) -> None:
    """FORBIDDEN unless a member bank's manager, branch head or head office (积分兑换)."""
    if principal.tenant_id is None or not principal.has_role(*POINTS_SPENDERS):
        raise forbidden("无权使用客户积分 (your role cannot spend a customer's points)")
