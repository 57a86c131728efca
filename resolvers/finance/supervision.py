"""订单监管: the deadline check that raises supervision warnings (督办预警), and the regulator's
urging (催单), transfer (转单) and post-loan warnings (贷后预警). Each warning and urge also
goes to operations, which raises it as an alert for the institution's org."""

from __future__ import annotations

from datetime import datetime

import strawberry
from tortoise.expressions import F, Q, Subquery

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
    WarningKind,
)
from realtime.hub import Realtime
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.jobs import every, exclusive
from resolvers.common.rules import Rules
from resolvers.common.values import parse_id
from resolvers.finance import notify
from resolvers.finance.access import REVIEWERS, SUPERVISORS, change, now, require_role
from resolvers.finance.handling import handling_in_scope, order_of
from resolvers.finance.orders import FINAL, close_offers, new_handling
from schema.finance.orders import Handling as HandlingType
from schema.finance.orders import RiskPrompt as RiskPromptType

DEADLINE_LOCK = 0x5D_C0_5F  # pg advisory lock key: one deadline check at a time across replicas
BATCH = 500  # warnings raised per check at most; the next check takes the rest


async def check_deadlines(moment: datetime | None = None) -> int:
    """Raise a warning for each handling past its stage threshold or completion deadline that has
    none yet for that stage, once across replicas (``exclusive``). Returns the number raised."""
    moment = moment or now()
    async with exclusive("finance", DEADLINE_LOCK) as mine:
        if not mine:
            return 0
        due: list[tuple[Handling, WarningKind, datetime]] = []
        for kind, column in (
            (WarningKind.STAGE, "stage_due_at"),
            (WarningKind.COMPLETION, "completion_due_at"),
        ):
            late = Handling.filter(closed_at__isnull=True, **{f"{column}__lt": moment}).filter(
                _unwarned(kind)
            )
            due += [(h, kind, getattr(h, column)) for h in await late.order_by(column).limit(BATCH)]
        fresh = due[:BATCH]
        if not fresh:
            return 0
        institutions = {
            i.id: i for i in await Institution.filter(id__in={h.institution_id for h, _, _ in fresh})
        }
        for handling, kind, at in fresh:
            stage = kind_stage(handling, kind)
            await SupervisionWarning.create(
                handling_id=handling.id,
                institution_id=handling.institution_id,
                kind=kind,
                stage=stage,
                due_at=at,
            )
            what = "办结超期" if kind is WarningKind.COMPLETION else f"{stage} 环节超时"
            await notify.supervision(
                "warning.raised",
                handling,
                institutions[handling.institution_id],
                title=f"督办预警：订单 {handling.order_no} {what}",
                detail=f"时限 {at.isoformat()}，请尽快办理或说明超时原因",
            )
        return len(fresh)


def _unwarned(kind: WarningKind) -> Q:
    """Handlings with no ``kind`` warning yet for their current stage, in SQL, so that warned ones
    never fill a batch: a completion warning is one per handling, a stage warning one per stage
    (the handling's status, ``kind_stage``: the warning's stage equals its handling's status)."""
    warned = SupervisionWarning.filter(kind=kind)
    if kind is WarningKind.STAGE:
        # Joins the warning's handling; the SQL names ``stage`` unqualified, which only
        # supervision_warning has (Tortoise has no OuterRef to correlate with the outer row).
        warned = warned.filter(handling__status=F("stage"))
    return ~Q(id__in=Subquery(warned.values("handling_id")))


def kind_stage(handling: Handling, kind: WarningKind) -> str:
    """A stage warning is per stage; the completion warning once per handling."""
    return str(handling.status) if kind is WarningKind.STAGE else "COMPLETION"


async def watch_deadlines(realtime: Realtime, rules: Rules) -> None:
    """Every ``rules.deadline_check_seconds`` (60), check deadlines."""
    await every(realtime, "finance", rules.deadline_check_seconds, check_deadlines)


async def _open_handling(info: strawberry.Info, id: strawberry.ID) -> Handling:
    handling = await handling_in_scope(info, parse_id(id))
    if handling.status in FINAL:
        raise conflict(f"受理单已结束 ({handling.status})")
    return handling


@strawberry.type
class SupervisionMutation:
    @strawberry.mutation(description="催单: the regulator urges the institution (an alert reaches it)")
    async def urge_handling(self, info: strawberry.Info, id: strawberry.ID, note: str = "") -> HandlingType:
        principal = info.context.require_principal()
        require_role(principal, SUPERVISORS, "催单")
        async with change(info, "Handling", parse_id(id)):
            handling = await _open_handling(info, id)
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
        return await Handling.get(id=handling.id)  # type: ignore[return-value]

    @strawberry.mutation(description="转单: the regulator moves the order to another certified institution")
    async def transfer_handling(
        self, info: strawberry.Info, id: strawberry.ID, to_institution_id: strawberry.ID, note: str = ""
    ) -> HandlingType:
        principal = info.context.require_principal()
        require_role(principal, SUPERVISORS, "转单")
        target_id = parse_id(to_institution_id, "toInstitutionId")
        async with change(info, "Handling", parse_id(id)):
            handling = await _open_handling(info, id)
            target = await Institution.get_or_none(id=target_id, certified=True)
            if target is None:
                raise not_found("certified institution")
            if target.id == handling.institution_id:
                raise bad_input("the order is already at that institution")
            order = await order_of(handling)
            kind = notify.kind_of(order)
            if await Handling.exists(institution_id=target.id, **{f"{kind}_id": order.id}):
                raise conflict("该机构已受理过此订单 (that institution already has this order)")
            if not await Handling.filter(id=handling.id, status=handling.status).update(
                status=HandlingStatus.TRANSFERRED, closed_at=now(), stage_due_at=None, completion_due_at=None
            ):
                raise conflict("受理单状态已变化，请刷新 (changed meanwhile)")
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
        return moved  # type: ignore[return-value]

    @strawberry.mutation(description="贷后预警: pushed to the institution that lent")
    async def raise_post_loan_warning(
        self, info: strawberry.Info, handling_id: strawberry.ID, detail: str
    ) -> RiskPromptType:
        principal = info.context.require_principal()
        require_role(principal, REVIEWERS, "发布贷后预警")
        if not detail.strip():
            raise bad_input("detail must not be empty")
        async with change(info, "Handling", parse_id(handling_id, "handlingId")):
            handling = await handling_in_scope(info, parse_id(handling_id, "handlingId"))
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
        return prompt  # type: ignore[return-value]
