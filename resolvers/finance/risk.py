"""风险提示: duplicate financing of one project, flagged to whoever grabs the second order."""

from __future__ import annotations

from models.finance import Handling, HandlingStatus, RiskKind, RiskPrompt

_LIVE = (
    HandlingStatus.GRABBED,
    HandlingStatus.PRE_REVIEWED,
    HandlingStatus.OFFERED,
    HandlingStatus.SELECTED,
    HandlingStatus.CREDITED,
    HandlingStatus.DISBURSED,
)


async def duplicate_financing(handling: Handling) -> int:
    """重复融资: how many live handlings of the same applicant's same project another institution
    holds (the institutions sharing one need are the marketplace, not a risk). One statement; a
    read only, so a grab runs it before its transaction."""
    if not handling.project or handling.applicant_user_id is None:
        return 0
    return await (
        Handling.filter(
            applicant_user_id=handling.applicant_user_id, project=handling.project, status__in=_LIVE
        )
        .exclude(institution_id=handling.institution_id)
        .exclude(order_no=handling.order_no)  # never null, unlike need_id / application_id
        .count()
    )


async def flag_duplicate_financing(handling: Handling, count: int | None = None) -> RiskPrompt | None:
    """The risk prompt of a grabbed ``handling`` when its project is financed elsewhere: ``count``
    is ``duplicate_financing(handling)`` when already read, else it is read here."""
    if count is None:
        count = await duplicate_financing(handling)
    if not count:
        return None
    return await RiskPrompt.create(
        handling_id=handling.id,
        institution_id=handling.institution_id,
        kind=RiskKind.DUPLICATE_FINANCING,
        detail=f"该申请人的项目「{handling.project}」已有 {count} 笔融资在其他机构办理中 (duplicate)",
    )
