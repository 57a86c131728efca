"""Every root query of the customers subgraph: parse, call the domain function, return."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.customers import consents, customers, grids, groups, prospects, reminders, reports, tiering
from schema.common.connection import Connection
from schema.common.prefetch import prefetch_page
from schema.customers.context import Info
from schema.customers.enums import (
    CustomerKind,
    GroupSource,
    ProspectStatus,
    ReportFamily,
    ReportPeriod,
    RequestStatus,
    SchemeStatus,
)
from schema.customers.inputs import CustomerFilter
from schema.customers.types.consents import MarketingExclusion
from schema.customers.types.customers import PREFETCH, Customer
from schema.customers.types.grids import Grid
from schema.customers.types.groups import CustomerGroup
from schema.customers.types.prospects import Prospect
from schema.customers.types.reminders import Reminder, ReminderPolicy, ScheduleItem
from schema.customers.types.reports import BusinessReport, ReportDefinition
from schema.customers.types.tiering import TierChangeRequest, TierScheme


@strawberry.type
class Query:
    @strawberry.field(description="客户详情")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        return cast(Customer | None, await info.context.loaders.customer.load(parse_id(id)))

    @strawberry.field(
        description="客户列表 / 客户查询: filter (text, tags, tiers, AUM, grids, products held, kind); "
        "managerId 过滤主办客户经理; "
        "phone / idNumber 精确查找 (忽略空格和连字符). A manager searches their own customers, "
        "the whole bank with WHOLE_BANK_SEARCH (全行客户搜索)"
    )
    async def customers(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        manager_id: strawberry.ID | None = None,
        phone: str | None = None,
        id_number: str | None = None,
        filter: CustomerFilter | None = None,
    ) -> Connection[Customer]:
        page = await customers.find_customers(
            info.context.require_principal(),
            first,
            after,
            manager_id=parse_id(manager_id, "managerId") if manager_id is not None else None,
            phone=phone,
            id_number=id_number,
            criteria=filter.criteria() if filter is not None else None,
        )
        await prefetch_page(info, page, PREFETCH)
        return cast(Connection[Customer], page)

    @strawberry.field(description="我的提醒")
    async def my_reminders(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Reminder]:
        page = await reminders.my_reminders(info.context.require_principal(), first, after, unread_only)
        return cast(Connection[Reminder], page)

    @strawberry.field(
        description="潜在客户: mine, or my subtree's for a branch head; dueBy = next contact on or before"
    )
    async def prospects(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: ProspectStatus | None = None,
        due_by: date | None = None,
    ) -> Connection[Prospect]:
        page = await prospects.prospects(info.context.require_principal(), first, after, status, due_by)
        return cast(Connection[Prospect], page)

    @strawberry.field(description="提醒参数 of the caller's member bank")
    async def reminder_policy(self, info: Info) -> ReminderPolicy:
        return cast(ReminderPolicy, await reminders.reminder_policy(info.context.require_principal()))

    @strawberry.field(description="我的日程, starting between start and end")
    async def my_schedule(self, info: Info, start: datetime, end: datetime) -> list[ScheduleItem]:
        items = await reminders.my_schedule(info.context.require_principal(), start, end)
        return cast(list[ScheduleItem], items)

    @strawberry.field(description="分层方案 of my tenant (head office staff; the province sees all)")
    async def tier_schemes(
        self, info: Info, status: SchemeStatus | None = None, first: int = 20, after: str | None = None
    ) -> Connection[TierScheme]:
        page = await tiering.tier_schemes(info.context.require_principal(), first, after, status)
        return cast(Connection[TierScheme], page)

    @strawberry.field(description="调级申请: those I may decide (辖内 / 本行) and my own")
    async def tier_change_requests(
        self,
        info: Info,
        status: RequestStatus | None = None,
        customer_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[TierChangeRequest]:
        customer = parse_id(customer_id, "customerId") if customer_id is not None else None
        page = await tiering.tier_change_requests(
            info.context.require_principal(), first, after, status, customer
        )
        return cast(Connection[TierChangeRequest], page)

    @strawberry.field(description="客群: one of the caller's bank")
    async def customer_group(self, info: Info, id: strawberry.ID) -> CustomerGroup | None:
        group = await groups.customer_group(info.context.require_principal(), parse_id(id))
        return cast(CustomerGroup | None, group)

    @strawberry.field(description="客群列表 of the caller's bank (the province: every bank's)")
    async def customer_groups(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        kind: CustomerKind | None = None,
        source: GroupSource | None = None,
    ) -> Connection[CustomerGroup]:
        page = await groups.customer_groups(info.context.require_principal(), first, after, kind, source)
        return cast(Connection[CustomerGroup], page)

    @strawberry.field(description="网格: one")
    async def grid(self, info: Info, id: strawberry.ID) -> Grid | None:
        return cast(Grid | None, await info.context.loaders.grid.load(parse_id(id)))

    @strawberry.field(
        description="网格树: the top grids (no parent), or the children of parentId; "
        "the province sees every tenant's"
    )
    async def grids(
        self, info: Info, first: int = 20, after: str | None = None, parent_id: strawberry.ID | None = None
    ) -> Connection[Grid]:
        parent = parse_id(parent_id, "parentId") if parent_id is not None else None
        page = await grids.grids(info.context.require_principal(), first, after, parent)
        return cast(Connection[Grid], page)

    @strawberry.field(description="营销过滤名单: excluded customers the caller sees")
    async def marketing_exclusions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[MarketingExclusion]:
        page = await consents.marketing_exclusions(info.context.require_principal(), first, after)
        return cast(Connection[MarketingExclusion], page)

    @strawberry.field(description="业务报表定义: the reports the caller may read (none for non-readers)")
    def report_definitions(self, info: Info, family: ReportFamily | None = None) -> list[ReportDefinition]:
        found = reports.definitions(info.context.require_principal(), family)
        return [ReportDefinition.of(definition) for definition in found]

    @strawberry.field(
        description="业务报表: one report for one period (periodStart: its first day), the rows in the "
        "caller's scope (head office: the bank; branch head: 辖内; customer manager: own row); "
        "export for XLSX"
    )
    async def business_report(
        self,
        info: Info,
        code: str,
        period: ReportPeriod,
        period_start: date,
        first: int = 50,
        after: str | None = None,
    ) -> BusinessReport:
        view = await reports.business_report(
            info.context.require_principal(), code, period, period_start, first, after
        )
        return cast(BusinessReport, view)
