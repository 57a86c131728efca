"""投诉 (001): submitted by the applicant about one of their handlings (受理单), handled by the
institution (SUBMITTED → HANDLED), reviewed by the regulator (HANDLED → REVIEWED); the result
— verdict and comment — is then read by both sides through ``complaint_scope``.

Every transition is one conditional UPDATE on the state it leaves: of two racing requests
exactly one changes the row, the other gets CONFLICT. Repeating one's own successful request
returns the same complaint (recorded as a repeat) and changes nothing."""

from __future__ import annotations

from typing import Any

import strawberry

from models.finance import Complaint, ComplaintKind, ComplaintStatus, Handling, ReviewVerdict
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.finance.access import APPLICANTS, SUPERVISORS, Audited, change, in_scope, now, require_role
from resolvers.finance.scopes import complaint_scope
from schema.common.connection import Connection
from schema.finance.complaints import Complaint as ComplaintType
from schema.finance.complaints import ComplaintKindEnum, ComplaintStatusEnum, ReviewVerdictEnum
from security.roles import Role

HANDLERS = (Role.FI_ACCOUNT_MANAGER, Role.FI_ADMIN)  # the complaint's institution handles it

CONTENT_MIN, TEXT_MAX = 5, 2000


@strawberry.input(description="提交投诉")
class SubmitComplaintInput:
    handling_id: strawberry.ID = strawberry.field(description="被投诉的受理单 (must be the caller's own)")
    kind: ComplaintKindEnum = strawberry.field(description="投诉类型")
    content: str = strawberry.field(description=f"投诉内容 ({CONTENT_MIN}–{TEXT_MAX} 字)")


def _text(value: str, what: str, least: int = 1) -> str:
    text = value.strip()
    if not least <= len(text) <= TEXT_MAX:
        raise bad_input(f"{what} must be {least}–{TEXT_MAX} characters")
    return text


async def _move(
    complaint: Complaint, leaves: ComplaintStatus, to: ComplaintStatus, **values: Any
) -> Complaint:
    """``complaint`` from ``leaves`` to ``to``; CONFLICT when it is elsewhere."""
    if not await Complaint.filter(id=complaint.id, status=leaves).update(status=to, **values):
        raise conflict(f"投诉当前状态 {complaint.status} 不能变为 {to} (not allowed from this state)")
    return await Complaint.get(id=complaint.id)


def _repeat(audited: Audited, complaint: Complaint) -> Complaint:
    audited.detail["repeated"] = True
    return complaint


@strawberry.type
class ComplaintMutation:
    @strawberry.mutation(description="提交投诉: the applicant, about one of their own handlings")
    async def submit_complaint(self, info: strawberry.Info, input: SubmitComplaintInput) -> ComplaintType:
        principal = info.context.require_principal()
        require_role(principal, APPLICANTS, "提交投诉")
        handling_id = parse_id(input.handling_id, "handlingId")
        kind = ComplaintKind(input.kind)
        content = _text(input.content, "content", CONTENT_MIN)
        async with change(info, "Complaint") as audited:
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
                return _repeat(audited, existing)  # type: ignore[return-value]
            complaint = await Complaint.create(
                handling_id=handling.id,
                order_no=handling.order_no,
                institution_id=handling.institution_id,
                applicant_user_id=principal.user_id,
                kind=kind,
                content=content,
            )
            audited.id = complaint.id
        return complaint  # type: ignore[return-value]

    @strawberry.mutation(
        description="处理投诉: an account manager or admin of the institution complained about"
    )
    async def handle_complaint(self, info: strawberry.Info, id: strawberry.ID, reply: str) -> ComplaintType:
        principal = info.context.require_principal()
        require_role(principal, HANDLERS, "处理投诉")
        complaint_id = parse_id(id)
        text = _text(reply, "reply")
        async with change(info, "Complaint", complaint_id) as audited:
            complaint = await in_scope(info, Complaint, complaint_scope, complaint_id, "complaint")
            if (
                complaint.status != ComplaintStatus.SUBMITTED
                and complaint.handled_by_id == principal.user_id
                and complaint.reply == text
            ):
                return _repeat(audited, complaint)  # type: ignore[return-value]
            done = await _move(
                complaint,
                ComplaintStatus.SUBMITTED,
                ComplaintStatus.HANDLED,
                reply=text,
                handled_by_id=principal.user_id,
                handled_at=now(),
            )
        return done  # type: ignore[return-value]

    @strawberry.mutation(
        description="复核投诉 (监管): the verdict and comment are the result told to both sides"
    )
    async def review_complaint(
        self, info: strawberry.Info, id: strawberry.ID, verdict: ReviewVerdictEnum, comment: str
    ) -> ComplaintType:
        principal = info.context.require_principal()
        require_role(principal, SUPERVISORS, "复核投诉")
        complaint_id = parse_id(id)
        result = ReviewVerdict(verdict)
        text = _text(comment, "comment")
        async with change(info, "Complaint", complaint_id) as audited:
            complaint = await in_scope(info, Complaint, complaint_scope, complaint_id, "complaint")
            if (
                complaint.status == ComplaintStatus.REVIEWED
                and complaint.reviewed_by_id == principal.user_id
                and complaint.verdict == result
                and complaint.review_comment == text
            ):
                return _repeat(audited, complaint)  # type: ignore[return-value]
            done = await _move(
                complaint,
                ComplaintStatus.HANDLED,
                ComplaintStatus.REVIEWED,
                verdict=result,
                review_comment=text,
                reviewed_by_id=principal.user_id,
                reviewed_at=now(),
            )
        return done  # type: ignore[return-value]


@strawberry.type
class ComplaintQuery:
    @strawberry.field(
        description="投诉: the applicant's own, the institution's, or all for the regulator and operations"
    )
    async def complaints(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: ComplaintStatusEnum | None = None,
    ) -> Connection[ComplaintType]:
        queryset = scoped(info.context.require_principal(), Complaint, complaint_scope)
        if status is not None:
            queryset = queryset.filter(status=ComplaintStatus(status))
        return await paginate(queryset, first, after)  # type: ignore[return-value]

    @strawberry.field(description="投诉")
    async def complaint(self, info: strawberry.Info, id: strawberry.ID) -> ComplaintType | None:
        return await scoped(info.context.require_principal(), Complaint, complaint_scope).get_or_none(
            id=parse_id(id)
        )  # type: ignore[return-value]
