"""工作报告 (weekly and monthly work reports): a manager asks for the draft of a period, filled from
the activity the platform holds for them in it (客户接触 from customers, 营销工单 feedback, 商机
claimed, followed up and converted), edits its text, and submits it to the branch head (支行负责人),
who reads the submitted reports of their branch and may return one with a comment. One report per
user and period: asking for the draft again returns the same report (its figures counted afresh
while it is a draft)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from models.marketing import (
    FeedbackResult,
    Opportunity,
    OpportunityFollowUp,
    OpportunityStatus,
    WorkOrderFeedback,
    WorkReport,
    WorkReportPeriod,
    WorkReportStatus,
)
from resolvers.common.changes import change, transition
from resolvers.common.clock import CST, now
from resolvers.common.customer_directory import contacts_by_channel
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.marketing.scopes import REPORT_AUTHORS, work_report_reviewer_scope, work_report_scope
from security.principal import Principal

S = WorkReportStatus
MAX_TEXT = 5000
MAX_COMMENT = 500


def period_of(period: WorkReportPeriod, day: date) -> tuple[date, date]:
    """The first and last day of the week (Monday to Sunday) or month holding ``day`` (between the
    years 2000 and 2999, else BAD_USER_INPUT)."""
    if not 2000 <= day.year <= 2999:
        raise bad_input("日期超出范围 (day must be between the years 2000 and 2999)")
    if period is WorkReportPeriod.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def today() -> date:
    return now().astimezone(CST).date()


def _bounds(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """The period as [since, until) instants, China time."""
    return datetime.combine(starts_on, time(), CST), datetime.combine(
        ends_on + timedelta(days=1), time(), CST
    )


def _money(value: object) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal("0.01")))


async def activity_of(user_id: UUID, starts_on: date, ends_on: date) -> dict[str, object]:
    """What the platform holds of the user's work in the period (six statements)."""
    since, until = _bounds(starts_on, ends_on)
    contacts = await contacts_by_channel(user_id, since, until)
    in_period = {"created_at__gte": since, "created_at__lt": until}
    processed = (
        await WorkOrderFeedback.filter(given_by=user_id, **in_period)
        .annotate(n=Count("work_order_id", distinct=True))
        .values_list("n", flat=True)
    )
    converted = (
        await WorkOrderFeedback.filter(given_by=user_id, result=FeedbackResult.CONVERTED, **in_period)
        .annotate(n=Count("id"), amount=Sum("amount"))
        .values_list("n", "amount")
    )
    claimed = await Opportunity.filter(
        claimed_by_id=user_id, claimed_at__gte=since, claimed_at__lt=until
    ).count()
    won = (
        await Opportunity.filter(
            claimed_by_id=user_id,
            status=OpportunityStatus.CONVERTED,
            finished_at__gte=since,
            finished_at__lt=until,
        )
        .annotate(n=Count("id"), amount=Sum("converted_amount"))
        .values_list("n", "amount")
    )
    follow_ups = await OpportunityFollowUp.filter(manager_id=user_id, **in_period).count()
    converted_n, converted_amount = converted[0] if converted else (0, 0)
    won_n, won_amount = won[0] if won else (0, 0)
    return {
        "contacts": sum(contacts.values()),
        "visits": contacts.get("VISIT", 0),
        "calls": contacts.get("PHONE", 0),
        "workOrdersProcessed": int(cast(int, processed[0]) if processed else 0),
        "workOrdersConverted": int(converted_n or 0),
        "workOrderAmount": _money(converted_amount),
        "opportunitiesClaimed": claimed,
        "opportunityFollowUps": follow_ups,
        "opportunitiesConverted": int(won_n or 0),
        "opportunityAmount": _money(won_amount),
    }


async def draft_report(principal: Principal, period: WorkReportPeriod, day: date | None = None) -> WorkReport:
    """The caller's report of the period holding ``day`` (today by default): created as a DRAFT
    filled from the period's activity, or the one already there (a draft's figures recounted)."""
    if not principal.has_role(*REPORT_AUTHORS) or principal.tenant_id is None:
        raise forbidden("仅客户经理与支行负责人填写工作报告 (managers and branch heads only)")
    starts_on, ends_on = period_of(period, day or today())
    if starts_on > today():
        raise bad_input("不能为未来的周期起草报告 (the period has not begun)")
    existing = await WorkReport.get_or_none(user_id=principal.user_id, period=period, starts_on=starts_on)
    if existing is not None and existing.status is not S.DRAFT:
        return existing
    figures = await activity_of(principal.user_id, starts_on, ends_on)  # read before the transaction
    async with change("marketing", "WorkReport", existing.id if existing else None) as audited:
        if existing is not None:
            await WorkReport.filter(id=existing.id, status=S.DRAFT).update(figures=figures)
            audited.detail["repeated"] = True
            return await WorkReport.get(id=existing.id)
        try:
            async with in_transaction("marketing"):  # a savepoint: a twin request's report wins
                row = await WorkReport.create(
                    tenant_id=principal.tenant_id,
                    user_id=principal.user_id,
                    org_path=principal.org_path,
                    period=period,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    figures=figures,
                )
        except IntegrityError:
            row = await WorkReport.get(user_id=principal.user_id, period=period, starts_on=starts_on)
            audited.detail["repeated"] = True
        audited.id = row.id
    return row


async def _own(principal: Principal, id: UUID) -> WorkReport:
    row = await scoped(principal, WorkReport, work_report_scope).get_or_none(id=id)
    if row is None:
        raise not_found("work report")
    if row.user_id != principal.user_id:
        raise forbidden("只能修改本人的工作报告 (only its author)")
    return row


async def update_report(principal: Principal, id: UUID, summary: str, plan: str) -> WorkReport:
    """Edit the text of one's own DRAFT or RETURNED report."""
    if len(summary) > MAX_TEXT or len(plan) > MAX_TEXT:
        raise bad_input(f"总结与计划各不超过 {MAX_TEXT} 个字符 (at most {MAX_TEXT} characters each)")
    row = await _own(principal, id)
    async with change("marketing", "WorkReport", row.id):
        await transition(
            WorkReport,
            row.id,
            (S.DRAFT, S.RETURNED),
            "报告已提交，不能修改 (a submitted report cannot be edited)",
            column="status",
            summary=summary,
            plan=plan,
        )
    return await WorkReport.get(id=row.id)


async def submit_report(principal: Principal, id: UUID) -> WorkReport:
    """DRAFT or RETURNED → SUBMITTED to the branch head; submitting it again changes nothing."""
    row = await _own(principal, id)
    if row.status is S.SUBMITTED:
        return row
    if not row.summary.strip():
        raise bad_input("请填写本期工作总结 (the summary is required)")
    async with change("marketing", "WorkReport", row.id):
        await transition(
            WorkReport, row.id, (S.DRAFT, S.RETURNED), None, status=S.SUBMITTED, submitted_at=now()
        )
    return await WorkReport.get(id=row.id)


async def return_report(principal: Principal, id: UUID, comment: str) -> WorkReport:
    """退回: the branch head over its author returns a SUBMITTED report with a comment (not their own)."""
    if not comment.strip() or len(comment) > MAX_COMMENT:
        raise bad_input(
            f"退回意见须为 1 至 {MAX_COMMENT} 个字符 (comment must be 1 to {MAX_COMMENT} characters)"
        )
    row = await scoped(principal, WorkReport, work_report_scope).get_or_none(id=id)
    if row is None:
        raise not_found("work report")
    if row.user_id == principal.user_id or not work_report_reviewer_scope(principal).test(row):
        raise forbidden("仅作者所在支行负责人可退回 (only the author's branch head)")
    async with change("marketing", "WorkReport", row.id):
        await transition(
            WorkReport,
            row.id,
            S.SUBMITTED,
            "仅可退回已提交的报告 (only a submitted report can be returned)",
            status=S.RETURNED,
            returned_at=now(),
            returned_by=principal.user_id,
            return_comment=comment,
        )
    return await WorkReport.get(id=row.id)


async def my_report(
    principal: Principal, period: WorkReportPeriod, day: date | None = None
) -> WorkReport | None:
    """The caller's report of the period holding ``day`` (today by default), if drafted."""
    starts_on, _ = period_of(period, day or today())
    return await WorkReport.get_or_none(user_id=principal.user_id, period=period, starts_on=starts_on)


async def list_my_reports(principal: Principal, first: int, after: str | None) -> Page[WorkReport]:
    return await paginate(WorkReport.filter(user_id=principal.user_id), first, after, newest_first=True)


async def list_reports(
    principal: Principal, first: int, after: str | None, status: WorkReportStatus | None = None
) -> Page[WorkReport]:
    """The submitted (and returned) reports of others the caller reads: their branch's for a branch
    head, the bank's for head office; newest first."""
    queryset = scoped(principal, WorkReport, work_report_scope).exclude(user_id=principal.user_id)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after, newest_first=True)
