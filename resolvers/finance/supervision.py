"""订单监管: the regulator's urging (催单), transfer (转单) and post-loan warnings (贷后预警), and
the list of supervision warnings (raised by the deadline check, resolvers/finance/jobs.py). Each
urge and warning also goes to operations, which raises it as an alert for the institution's org."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.expressions import F

from models.finance import (
    ActionKind,
    Handling,
    HandlingStatus,
    Institution,
    NeedMatch,
    RiskKind,
    RiskPrompt,
    SupervisionAction,
    SupervisionWarning,
)
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.finance import notify
from resolvers.finance.handling import handling_in_scope, order_of
from resolvers.finance.orders import FINAL, close_offers, new_handling
from resolvers.finance.permissions import REVIEWERS, SUPERVISORS, require_role
from resolvers.finance.scopes import supervision_scope
from security.principal import Principal


async def warnings(principal: Principal, first: int, after: str | None) -> Page[SupervisionWarning]:
    """督办预警: for the regulator, operations and the institution concerned."""
    queryset = scoped(principal, SupervisionWarning, supervision_scope)
    return await paginate(queryset, first, after, newest_first=True)


async def _open_handling(principal: Principal, id: UUID) -> Handling:
    handling = await handling_in_scope(principal, id)
    if handling.status in FINAL:
        raise conflict(f"受理单已结束 ({handling.status})")
    return handling


async def urge_handling(principal: Principal, handling_id: UUID, note: str = "") -> Handling:
    """催单: the regulator urges the institution (an alert reaches it)."""
    require_role(principal, SUPERVISORS, "催单")
    async with change("finance", "Handling", handling_id):
        handling = await _open_handling(principal, handling_id)
        await Handling.filter(id=handling.id).update(urge_count=F("urge_count") + 1)
        await SupervisionAction.create(
            handling_id=handling.id,
            kind=ActionKind.URGE,
            actor_id=principal.user_id,
            note=note.strip()[:300],
        )
        await notify.supervision(
            "order.urged",
            handling,
            await Institution.get(id=handling.institution_id),
            title=f"催单：订单 {handling.order_no} 请尽快办理",
            detail=note.strip() or "监管部门催办",
        )
    return await Handling.get(id=handling.id)


async def transfer_handling(
    principal: Principal, handling_id: UUID, to_institution_id: UUID, note: str = ""
) -> Handling:
    """转单: the regulator moves the order to another certified institution."""
    require_role(principal, SUPERVISORS, "转单")
    async with change("finance", "Handling", handling_id):
        handling = await _open_handling(principal, handling_id)
        target = await Institution.get_or_none(id=to_institution_id, certified=True)
        if target is None:
            raise not_found("certified institution")
        if target.id == handling.institution_id:
            raise bad_input("the order is already at that institution")
        order = await order_of(handling)
        kind = notify.kind_of(order)
        same_order: dict[str, Any] = {f"{kind}_id": order.id}
        if await Handling.exists(institution_id=target.id, **same_order):
            raise conflict("该机构已受理过此订单 (that institution already has this order)")
        await transition(
            Handling,
            handling.id,
            handling.status,
            "受理单状态已变化，请刷新 (changed meanwhile)",
            status=HandlingStatus.TRANSFERRED,
            closed_at=now(),
            stage_due_at=None,
            completion_due_at=None,
        )
        await close_offers([handling.id])  # an offer it made can no longer be picked
        # It reaches the receiving institution now: a new handling, in its pool (ASSIGNED).
        moved = new_handling(order, target.id, handling.guarantee_method)
        moved.transferred_from_id = handling.id
        await moved.save()
        await SupervisionAction.create(
            handling_id=handling.id,
            kind=ActionKind.TRANSFER,
            actor_id=principal.user_id,
            note=note.strip()[:300],
            to_institution_id=target.id,
        )
        if kind == "need":
            await NeedMatch.get_or_create(need_id=order.id, institution_id=target.id)
        institutions = [handling.institution_id, target.id]
        await notify.pool(f"{kind}.transferred", order, institutions, target.id)
        await notify.my_order("TRANSFERRED", order, moved)
    return moved


async def raise_post_loan_warning(principal: Principal, handling_id: UUID, detail: str) -> RiskPrompt:
    """贷后预警: pushed to the institution that lent."""
    require_role(principal, REVIEWERS, "发布贷后预警")
    if not detail.strip():
        raise bad_input("detail must not be empty")
    async with change("finance", "Handling", handling_id):
        handling = await handling_in_scope(principal, handling_id)
        if handling.status != HandlingStatus.DISBURSED:
            raise conflict("贷后预警只针对已放款的订单 (only disbursed orders)")
        prompt = await RiskPrompt.create(
            handling_id=handling.id,
            institution_id=handling.institution_id,
            kind=RiskKind.POST_LOAN,
            detail=detail.strip()[:300],
            raised_by_id=principal.user_id,
        )
        await notify.supervision(
            "risk.post_loan",
            handling,
            await Institution.get(id=handling.institution_id),
            title=f"贷后预警：订单 {handling.order_no}",
            detail=detail.strip()[:300],
            level="CRITICAL",
        )
    return prompt
