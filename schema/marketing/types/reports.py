"""工作报告: the work report type and the activity figures it was drafted from (reads models/marketing
``WorkReport`` through resolvers/marketing/reports.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from models.marketing import WorkReport as WorkReportRow
from schema.marketing.enums import WorkReportPeriod, WorkReportStatus
from schema.marketing.federation import User, user_of


@strawberry.type(description="本期业绩概览: the activity the platform holds for the author in the period")
class WorkReportFigures:
    contacts: int = strawberry.field(description="客户接触 (all channels)")
    visits: int = strawberry.field(description="走访 / 面访")
    calls: int = strawberry.field(description="电话接触")
    work_orders_processed: int = strawberry.field(description="营销工单 given feedback")
    work_orders_converted: int = strawberry.field(description="工单反馈为已转化")
    work_order_amount: Decimal = strawberry.field(description="工单转化金额 (元)")
    opportunities_claimed: int = strawberry.field(description="认领商机")
    opportunity_follow_ups: int = strawberry.field(description="商机跟进")
    opportunities_converted: int = strawberry.field(description="商机转化")
    opportunity_amount: Decimal = strawberry.field(description="商机转化金额 (元)")


def _figures(stored: dict[str, Any]) -> WorkReportFigures:
    def number(key: str) -> int:
        return int(stored.get(key) or 0)

    def money(key: str) -> Decimal:
        return Decimal(str(stored.get(key) or "0"))

    return WorkReportFigures(
        contacts=number("contacts"),
        visits=number("visits"),
        calls=number("calls"),
        work_orders_processed=number("workOrdersProcessed"),
        work_orders_converted=number("workOrdersConverted"),
        work_order_amount=money("workOrderAmount"),
        opportunities_claimed=number("opportunitiesClaimed"),
        opportunity_follow_ups=number("opportunityFollowUps"),
        opportunities_converted=number("opportunitiesConverted"),
        opportunity_amount=money("opportunityAmount"),
    )


@strawberry.type(description="工作报告 (周报 / 月报)")
class WorkReport:
    id: strawberry.ID
    period: WorkReportPeriod
    starts_on: date = strawberry.field(description="the period's first day")
    ends_on: date = strawberry.field(description="its last day")
    status: WorkReportStatus
    summary: str = strawberry.field(description="本期工作总结")
    plan: str = strawberry.field(description="下期工作计划")
    submitted_at: datetime | None
    returned_at: datetime | None
    return_comment: str = strawberry.field(description="退回意见")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="业绩概览: counted when drafted (again while a draft)")
    @staticmethod
    def figures(parent: strawberry.Parent[WorkReportRow]) -> WorkReportFigures:
        return _figures(parent.figures)

    @strawberry.field(description="its author")
    @staticmethod
    def author(parent: strawberry.Parent[WorkReportRow]) -> User:
        return user_of(parent.user_id)

    @strawberry.field(description="the branch head who returned it")
    @staticmethod
    def returned_by(parent: strawberry.Parent[WorkReportRow]) -> User | None:
        return user_of(parent.returned_by) if parent.returned_by else None
