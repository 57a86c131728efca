"""投诉: submitted by the applicant about one of their handlings (受理单), handled by the
institution (SUBMITTED → HANDLED), reviewed by the regulator (HANDLED → REVIEWED); the result
— verdict and comment — is then read by both sides through ``complaint_scope``.

Every transition is one conditional UPDATE on the state it leaves (``transition``): of two racing requests
exactly one changes the row, the other gets CONFLICT. Repeating one's own successful request
returns the same complaint (recorded as a repeat) and changes nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from models.finance import Complaint, ComplaintKind, ComplaintStatus, Handling, ReviewVerdict
from resolvers.common.changes import Audited, change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.finance.permissions import APPLICANTS, COMPLAINT_HANDLERS, SUPERVISORS, require_role
from resolvers.finance.scopes import complaint_scope, in_scope
from security.principal import Principal

CONTENT_MIN, TEXT_MAX = 5, 2000


def _text(value: str, what: str, least: int = 1) -> str:
    text = value.strip()
    if not least <= len(text) <= TEXT_MAX:
        raise bad_input(f"{what} must be {least}–{TEXT_MAX} characters")
    return text


async def _move(
    complaint: Complaint, leaves: ComplaintStatus, to: ComplaintStatus, **values: Any
) -> Complaint:
    """``complaint`` from ``leaves`` to ``to``; CONFLICT when it is elsewhere."""
    await transition(
        Complaint,
        complaint.id,
        leaves,
        f"投诉当前状态 {complaint.status} 不能变为 {to} (not allowed from this state)",
        status=to,
        **values,
    )
    return await Complaint.get(id=complaint.id)


def _repeat(audited: Audited, complaint: Complaint) -> Complaint:
    audited.detail["repeated"] = True
    return complaint


async def complaints(
    principal: Principal, first: int, after: str | None, status: ComplaintStatus | None
) -> Page[Complaint]:
    """投诉: the applicant's own, the institution's, or all for the regulator and operations."""
    queryset = scoped(principal, Complaint, complaint_scope)
    if status is not None:
        queryset = queryset.filter(status=ComplaintStatus(status))
    return await paginate(queryset, first, after, newest_first=True)


async def complaint(principal: Principal, id: UUID) -> Complaint | None:
    return await scoped(principal, Complaint, complaint_scope).get_or_none(id=id)


async def submit_complaint(
    principal: Principal, handling_id: UUID, kind: ComplaintKind, content: str
) -> Complaint:
    """提交投诉: the applicant, about one of their own handlings."""
    require_role(principal, APPLICANTS, "提交投诉")
    kind = ComplaintKind(kind)
    content = _text(content, "content", CONTENT_MIN)
    async with change("finance", "Complaint") as audited:
        # Locks the handling row, so two identical submissions run in turn and make one row.
        handling = (
            await Handling.filter(id=handling_id, applicant_user_id=principal.user_id)
            .select_for_update()
            .first()
        )
        if handling is None:
            raise not_found("handling")
        existing = await Complaint.filter(
            handling_id=handling.id, applicant_user_id=principal.user_id, kind=kind, content=content
        ).first()
        if existing is not None:
            audited.id = existing.id
            return _repeat(audited, existing)
        created = await Complaint.create(
            handling_id=handling.id,
            order_no=handling.order_no,
            institution_id=handling.institution_id,
            applicant_user_id=principal.user_id,
            kind=kind,
            content=content,
        )
        audited.id = created.id
    return created


async def handle_complaint(principal: Principal, complaint_id: UUID, reply: str) -> Complaint:
    """处理投诉: an account manager or admin of the institution complained about."""
    require_role(principal, COMPLAINT_HANDLERS, "处理投诉")
    text = _text(reply, "reply")
    async with change("finance", "Complaint", complaint_id) as audited:
        found = await in_scope(principal, Complaint, complaint_scope, complaint_id, "complaint")
        if (
            found.status != ComplaintStatus.SUBMITTED
            and found.handled_by_id == principal.user_id
            and found.reply == text
        ):
            return _repeat(audited, found)
        done = await _move(
            found,
            ComplaintStatus.SUBMITTED,
            ComplaintStatus.HANDLED,
            reply=text,
            handled_by_id=principal.user_id,
            handled_at=now(),
        )
    return done


async def review_complaint(
    principal: Principal, complaint_id: UUID, verdict: ReviewVerdict, comment: str
) -> Complaint:
    """复核投诉 (监管): the verdict and comment are the result told to both sides."""
    require_role(principal, SUPERVISORS, "复核投诉")
    result = ReviewVerdict(verdict)
    text = _text(comment, "comment")
    async with change("finance", "Complaint", complaint_id) as audited:
        found = await in_scope(principal, Complaint, complaint_scope, complaint_id, "complaint")
        if (
            found.status == ComplaintStatus.REVIEWED
            and found.reviewed_by_id == principal.user_id
            and found.verdict == result
            and found.review_comment == text
        ):
            return _repeat(audited, found)
        done = await _move(
            found,
            ComplaintStatus.HANDLED,
            ComplaintStatus.REVIEWED,
            verdict=result,
            review_comment=text,
            reviewed_by_id=principal.user_id,
            reviewed_at=now(),
        )
    return done
