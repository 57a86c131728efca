"""Every finance root query: parse, call the domain function, return."""

from __future__ import annotations

from datetime import date
from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.finance import catalogue, complaints, handling, orders, statistics, supervision
from resolvers.finance import filters as domain_filters
from schema.common.connection import Connection
from schema.finance.context import Info
from schema.finance.enums import (
    ApplicationStatus,
    ComplaintStatus,
    InstitutionKind,
    NeedStatus,
    StatisticsGroup,
    StatisticsPeriod,
)
from schema.finance.inputs import GrabPoolFilter, HandlingFilter, ProductFilter
from schema.finance.types.complaints import Complaint
from schema.finance.types.institutions import CalendarDay, Institution, WechatBinding
from schema.finance.types.orders import FinancingNeed, Handling, ProductApplication, SupervisionWarning
from schema.finance.types.products import FinancialProduct
from schema.finance.types.statistics import DistrictTrend, MarketplaceStatistic, MarketplaceToday


@strawberry.type
class Query:
    @strawberry.field(description="金融机构")
    async def institutions(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        kind: InstitutionKind | None = None,
        certified: bool | None = None,
    ) -> Connection[Institution]:
        page = await catalogue.institutions(info.context.require_principal(), first, after, kind, certified)
        return cast(Connection[Institution], page)

    @strawberry.field(description="金融超市: listed products, best rated first")
    async def financial_products(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: ProductFilter | None = None,
    ) -> Connection[FinancialProduct]:
        f = domain_filters.ProductFilter(**vars(filter)) if filter else domain_filters.ProductFilter()
        page = await catalogue.products(info.context.require_principal(), first, after, f)
        return cast(Connection[FinancialProduct], page)

    @strawberry.field
    async def financial_product(self, info: Info, id: strawberry.ID) -> FinancialProduct | None:
        return cast(FinancialProduct | None, await info.context.loaders.product.load(parse_id(id)))

    @strawberry.field(
        description="产品申请 (orders): the applicant's own, an institution's, or all for supervisors;"
        " newest first"
    )
    async def product_applications(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: ApplicationStatus | None = None,
    ) -> Connection[ProductApplication]:
        page = await orders.applications(info.context.require_principal(), first, after, status)
        return cast(Connection[ProductApplication], page)

    @strawberry.field
    async def product_application(self, info: Info, id: strawberry.ID) -> ProductApplication | None:
        return cast(ProductApplication | None, await info.context.loaders.application.load(parse_id(id)))

    @strawberry.field(description="融资需求列表, newest first")
    async def financing_needs(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: NeedStatus | None = None,
    ) -> Connection[FinancingNeed]:
        page = await orders.needs(info.context.require_principal(), first, after, status)
        return cast(Connection[FinancingNeed], page)

    @strawberry.field
    async def financing_need(self, info: Info, id: strawberry.ID) -> FinancingNeed | None:
        return cast(FinancingNeed | None, await info.context.loaders.need.load(parse_id(id)))

    @strawberry.field(description="抢单池: open needs my institution may still grab, newest first")
    async def grab_pool(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: GrabPoolFilter | None = None,
    ) -> Connection[FinancingNeed]:
        f = domain_filters.PoolFilter(**vars(filter)) if filter else domain_filters.PoolFilter()
        page = await orders.pool_needs(info.context.require_principal(), first, after, f)
        return cast(Connection[FinancingNeed], page)

    @strawberry.field(
        description="受理单: my institution's, the applicant's own, or all for supervisors; newest first"
    )
    async def handlings(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: HandlingFilter | None = None,
    ) -> Connection[Handling]:
        principal = info.context.require_principal()
        f = domain_filters.HandlingFilter()
        if filter is not None:
            institution_id = filter.institution_id
            f = domain_filters.HandlingFilter(
                status=filter.status,
                overdue=filter.overdue,
                institution_id=parse_id(institution_id, "institutionId")
                if institution_id is not None
                else None,
                order_no=filter.order_no,
                handler_id=principal.user_id if filter.mine else None,
            )
        page = await handling.handlings(principal, first, after, f)
        return cast(Connection[Handling], page)

    @strawberry.field
    async def handling(self, info: Info, id: strawberry.ID) -> Handling | None:
        return cast(Handling | None, await info.context.loaders.handling.load(parse_id(id)))

    @strawberry.field(
        description="督办预警: for the regulator, operations and the institution concerned; newest first"
    )
    async def supervision_warnings(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[SupervisionWarning]:
        page = await supervision.warnings(info.context.require_principal(), first, after)
        return cast(Connection[SupervisionWarning], page)

    @strawberry.field(description="工作日历: holidays and make-up working days in a range")
    async def calendar_days(self, info: Info, start: date, end: date) -> list[CalendarDay]:
        info.context.require_principal()
        return cast(list[CalendarDay], await catalogue.calendar_days(start, end))

    @strawberry.field(description="我的微信绑定")
    async def my_wechat_binding(self, info: Info) -> WechatBinding | None:
        return cast(WechatBinding | None, await catalogue.my_wechat_binding(info.context.require_principal()))

    @strawberry.field(
        description="投诉: the applicant's own, the institution's, or all for the regulator and operations;"
        " newest first"
    )
    async def complaints(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: ComplaintStatus | None = None,
    ) -> Connection[Complaint]:
        page = await complaints.complaints(info.context.require_principal(), first, after, status)
        return cast(Connection[Complaint], page)

    @strawberry.field(description="投诉")
    async def complaint(self, info: Info, id: strawberry.ID) -> Complaint | None:
        principal = info.context.require_principal()
        return cast(Complaint | None, await complaints.complaint(principal, parse_id(id)))

    @strawberry.field(
        description="监管统计: 按机构或产品、按周或按月的订单数、处理率、初审通过率、申请/授信/放款金额及环比"
    )
    async def marketplace_statistics(
        self,
        info: Info,
        period: StatisticsPeriod,
        group_by: StatisticsGroup,
        start: date,
        end: date,
        institution_id: strawberry.ID | None = None,
    ) -> list[MarketplaceStatistic]:
        principal = info.context.require_principal()
        rows = await statistics.marketplace_statistics(
            principal,
            statistics.StatisticsPeriod(period.value),
            statistics.StatisticsGroup(group_by.value),
            start,
            end,
            parse_id(institution_id, "institutionId") if institution_id is not None else None,
        )
        return cast(list[MarketplaceStatistic], rows)

    @strawberry.field(description="区县趋势: 各区县按周或按月的订单数、申请与放款金额及订单数环比")
    async def district_trends(
        self, info: Info, period: StatisticsPeriod, start: date, end: date
    ) -> list[DistrictTrend]:
        rows = await statistics.district_trends(
            info.context.require_principal(), statistics.StatisticsPeriod(period.value), start, end
        )
        return cast(list[DistrictTrend], rows)

    # 监控大屏 (the monitoring wall)

    @strawberry.field(description="今日融资对接: 今日受理、授信、放款的笔数与金额 (范围同监管统计)")
    async def marketplace_today(self, info: Info) -> MarketplaceToday:
        today = await statistics.marketplace_today(info.context.require_principal())
        return cast(MarketplaceToday, today)
