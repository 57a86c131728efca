"""Background jobs of finance: the deadline check that raises supervision warnings (督办预警),
each also sent to operations, which raises it as an alert for the institution's org; and the
institutions operations onboards (onboarding_events.py)."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import F, Q, Subquery

from models.finance import ConsumerCursor, Handling, Institution, SupervisionWarning, WarningKind
from realtime.broker import ONBOARDING
from realtime.consumer import consume
from realtime.hub import Realtime
from resolvers.common.clock import now
from resolvers.common.jobs import every, exclusive
from resolvers.common.rules import Rules
from resolvers.finance import notify, onboarding_events

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


async def institutions_onboarded(realtime: Realtime, rules: Rules) -> None:
    """金融机构入驻: the institutions operations onboards (``operations.onboarding``), created here
    uncertified (onboarding_events.py). A durable consumer: each event once."""
    await consume(
        realtime,
        onboarding_events.CONSUMER,
        ONBOARDING,
        onboarding_events.on_onboarding_event,
        ConsumerCursor,
    )
