"""Finance root queries: the catalogue, orders, the grab pool, supervision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.finance import (
    CalendarDay,
    FinancialProduct,
    FinancingNeed,
    Handling,
    HandlingStatus,
    Institution,
    NeedStatus,
    ProductApplication,
    ProductStatus,
    SupervisionWarning,
    WechatBinding,
)
from resolvers.common.errors import bad_input
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, check_page_size, decode_cursor, page_of, paginate
from resolvers.common.values import parse_decimal, parse_id
from resolvers.finance.access import now
from resolvers.finance.scopes import (
    application_scope,
    handling_scope,
    institution_scope,
    need_scope,
    product_scope,
    supervision_scope,
)
from schema.common.connection import Connection
from schema.finance.institutions import Institution as InstitutionType
from schema.finance.institutions import InstitutionKindEnum
from schema.finance.institutions import WechatBinding as WechatBindingType
from schema.finance.orders import ApplicationStatusEnum, HandlingStatusEnum, NeedStatusEnum, OrderKindEnum
from schema.finance.orders import FinancingNeed as NeedType
from schema.finance.orders import Handling as HandlingType
from schema.finance.orders import ProductApplication as ApplicationType
from schema.finance.orders import SupervisionWarning as WarningType
from schema.finance.products import FinancialProduct as ProductType
from schema.finance.products import ProductFilter
from security.roles import Scope
from security.scopes import role_scope


@strawberry.input(description="抢单池筛选")
class GrabPoolFilter:
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    region: str | None = strawberry.field(default=None, description="区县")
    industry: str | None = None
    order_kind: OrderKindEnum | None = strawberry.field(
        default=None, description="only needs, or only applications"
    )


@strawberry.input(description="受理单筛选")
class HandlingFilter:
    status: HandlingStatusEnum | None = None
    overdue: bool | None = strawberry.field(default=None, description="只看已超时的 / 未超时的")
    institution_id: strawberry.ID | None = None
    order_no: str | None = None


@strawberry.type(name="CalendarDay", description="工作日历中的特殊日期: a holiday or a make-up working day")
class CalendarDayType:
    day: date
    workday: bool
    name: str


def filter_products(queryset: QuerySet[FinancialProduct], f: ProductFilter) -> QuerySet[FinancialProduct]:
    if f.institution_kind is not None:
        queryset = queryset.filter(institution__kind=f.institution_kind)
    if f.guarantee_method is not None:
        queryset = queryset.filter(guarantee_method=f.guarantee_method)
    if f.loan_method is not None:
        queryset = queryset.filter(loan_method=f.loan_method)
    if f.amount is not None:
        queryset = queryset.filter(min_amount__lte=f.amount, max_amount__gte=f.amount)
    if f.max_rate is not None:
        queryset = queryset.filter(rate_min__lte=f.max_rate)
    if f.term_months is not None:
        queryset = queryset.filter(term_months__gte=f.term_months)
    return queryset


async def by_rating(
    queryset: QuerySet[FinancialProduct], first: int, after: str | None
) -> Page[FinancialProduct]:
    """Best rated first (ties by id), keyset-paged on (rating, id): one statement per page."""
    check_page_size(first)
    if after:
        rating, _, last_id = decode_cursor(after).partition("|")
        value = parse_decimal(rating)  # finite and in range, or BAD_USER_INPUT (no NaN to SQL)
        queryset = queryset.filter(Q(rating__lt=value) | Q(rating=value, id__gt=parse_id(last_id, "cursor")))
    rows = await queryset.order_by("-rating", "id").limit(first + 1)
    return page_of(rows, first, key=lambda row: f"{row.rating}|{row.id}")


@strawberry.type
class FinanceQuery:
    @strawberry.field(description="金融机构")
    async def institutions(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        kind: InstitutionKindEnum | None = None,
        certified: bool | None = None,
    ) -> Connection[InstitutionType]:
        queryset = scoped(info.context.require_principal(), Institution, institution_scope)
        if kind is not None:
            queryset = queryset.filter(kind=kind)
        if certified is not None:
            queryset = queryset.filter(certified=certified)
        return await paginate(queryset, first, after)  # type: ignore[return-value]

    @strawberry.field(description="金融超市: listed products, best rated first")
    async def financial_products(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: ProductFilter | None = None,
    ) -> Connection[ProductType]:
        f = filter or ProductFilter()
        queryset = scoped(info.context.require_principal(), FinancialProduct, product_scope)
        queryset = queryset.filter(status=ProductStatus(f.status) if f.status else ProductStatus.LISTED)
        return await by_rating(filter_products(queryset, f), first, after)  # type: ignore[return-value]

    @strawberry.field
    async def financial_product(self, info: strawberry.Info, id: strawberry.ID) -> ProductType | None:
        return await info.context.loaders.product.load(parse_id(id))

    @strawberry.field(
        description="产品申请 (orders): the applicant's own, an institution's, or all for supervisors"
    )
    async def product_applications(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: ApplicationStatusEnum | None = None,
    ) -> Connection[ApplicationType]:
        queryset = scoped(info.context.require_principal(), ProductApplication, application_scope)
        if status is not None:
            queryset = queryset.filter(status=status)
        return await paginate(queryset, first, after)  # type: ignore[return-value]

    @strawberry.field
    async def product_application(self, info: strawberry.Info, id: strawberry.ID) -> ApplicationType | None:
        return await info.context.loaders.application.load(parse_id(id))

    @strawberry.field(description="融资需求列表")
    async def financing_needs(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: NeedStatusEnum | None = None,
    ) -> Connection[NeedType]:
        queryset = scoped(info.context.require_principal(), FinancingNeed, need_scope)
        if status is not None:
            queryset = queryset.filter(status=NeedStatus(status))
        return await paginate(queryset, first, after)  # type: ignore[return-value]

    @strawberry.field
    async def financing_need(self, info: strawberry.Info, id: strawberry.ID) -> NeedType | None:
        return await info.context.loaders.need.load(parse_id(id))

    @strawberry.field(description="抢单池: open needs my institution may still grab")
    async def grab_pool(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: GrabPoolFilter | None = None,
    ) -> Connection[NeedType]:
        principal = info.context.require_principal()
        if role_scope(principal) is not Scope.INSTITUTION or principal.institution_id is None:
            return page_of([], check_page_size(first))  # only institution staff have a pool
        f = filter or GrabPoolFilter()
        # The needs the institution already handles; an application's handling has no need_id
        # (NULL), which would make NOT IN match nothing.
        handled = Handling.filter(institution_id=principal.institution_id, need_id__isnull=False)
        queryset = (
            scoped(info.context.require_principal(), FinancingNeed, need_scope)
            .filter(status=NeedStatus.OPEN)
            .exclude(id__in=Subquery(handled.values("need_id")))
        )
        if f.min_amount is not None:
            queryset = queryset.filter(amount__gte=f.min_amount)
        if f.max_amount is not None:
            queryset = queryset.filter(amount__lte=f.max_amount)
        if f.region:
            queryset = queryset.filter(region=f.region)
        if f.industry:
            queryset = queryset.filter(industry=f.industry)
        return await paginate(queryset, first, after)  # type: ignore[return-value]

    @strawberry.field(description="受理单: my institution's, the applicant's own, or all for supervisors")
    async def handlings(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        filter: HandlingFilter | None = None,
    ) -> Connection[HandlingType]:
        f = filter or HandlingFilter()
        queryset = scoped(info.context.require_principal(), Handling, handling_scope)
        if f.status is not None:
            queryset = queryset.filter(status=HandlingStatus(f.status))
        if f.institution_id is not None:
            queryset = queryset.filter(institution_id=parse_id(f.institution_id, "institutionId"))
        if f.order_no:
            queryset = queryset.filter(order_no=f.order_no)
        if f.overdue is not None:
            moment = now()
            late = Q(stage_due_at__lt=moment) | Q(completion_due_at__lt=moment)
            queryset = queryset.filter(closed_at__isnull=True).filter(late if f.overdue else ~late)
        return await paginate(queryset, first, after)  # type: ignore[return-value]

    @strawberry.field
    async def handling(self, info: strawberry.Info, id: strawberry.ID) -> HandlingType | None:
        return await info.context.loaders.handling.load(parse_id(id))

    @strawberry.field(description="督办预警: for the regulator, operations and the institution concerned")
    async def supervision_warnings(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[WarningType]:
        return await paginate(
            scoped(info.context.require_principal(), SupervisionWarning, supervision_scope), first, after
        )  # type: ignore[return-value]

    @strawberry.field(description="工作日历: holidays and make-up working days in a range")
    async def calendar_days(self, info: strawberry.Info, start: date, end: date) -> list[CalendarDayType]:
        info.context.require_principal()
        if end < start or (end - start).days > 366:
            raise bad_input("the range must run forwards and span at most a year")
        rows = await CalendarDay.filter(day__gte=start, day__lte=end).order_by("day")
        return [CalendarDayType(day=r.day, workday=r.workday, name=r.name) for r in rows]

    @strawberry.field(description="我的微信绑定")
    async def my_wechat_binding(self, info: strawberry.Info) -> WechatBindingType | None:
        principal = info.context.require_principal()
        return await WechatBinding.get_or_none(user_id=principal.user_id, unbound_at=None)  # type: ignore[return-value]
