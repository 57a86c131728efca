"""SLA deadlines of a handling (订单监管): each stage's response threshold in hours from the
institution's ``SlaPolicy``, and the completion deadline in working days from the grab
(credit loans ≤ 3 working days, the others 7–13)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from models.finance import GuaranteeMethod, Handling, HandlingStatus, SlaPolicy
from resolvers.finance.working_days import add_working_days, calendar_overrides

# The stage a status waits for, and the policy field giving its threshold in hours.
STAGE_HOURS = {
    HandlingStatus.GRABBED: "pre_review_hours",  # grabbed → phone pre-review
    HandlingStatus.PRE_REVIEWED: "credit_hours",  # pre-reviewed → offer / credit decision
    HandlingStatus.SELECTED: "credit_hours",  # offer picked → credit
    HandlingStatus.CREDITED: "disbursement_hours",  # credited → disbursement
}


async def policies_of(institution_ids: Sequence[UUID]) -> list[SlaPolicy]:
    """Each institution's thresholds, or the platform defaults (an unsaved row) when it set none:
    one statement, in the order asked."""
    rows = {r.institution_id: r for r in await SlaPolicy.filter(institution_id__in=list(institution_ids))}
    return [rows.get(i) or SlaPolicy(institution_id=i) for i in institution_ids]


async def policy_of(institution_id: UUID) -> SlaPolicy:
    return (await policies_of([institution_id]))[0]


def stage_due(status: HandlingStatus, since: datetime, policy: SlaPolicy) -> datetime | None:
    field = STAGE_HOURS.get(status)
    return since + timedelta(hours=getattr(policy, field)) if field else None


async def stage_due_at(status: HandlingStatus, since: datetime, institution_id: UUID) -> datetime | None:
    """The threshold of the stage ``status`` waits for, if it has one (the policy is read only then)."""
    if status not in STAGE_HOURS:
        return None
    return stage_due(status, since, await policy_of(institution_id))


async def completion_due(handling: Handling, since: datetime, policy: SlaPolicy) -> datetime:
    days = (
        policy.credit_loan_days
        if handling.guarantee_method == GuaranteeMethod.CREDIT
        else policy.other_loan_days
    )
    return add_working_days(since, days, await calendar_overrides(since, days))
