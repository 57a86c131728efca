"""List filters of the finance root list queries (and of the grab-pool stream, which applies the
pool's filter to each event's order in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.finance import (
    FinancialProduct,
    FinancingNeed,
    GuaranteeMethod,
    Handling,
    HandlingStatus,
    InstitutionKind,
    LoanMethod,
    OrderKind,
    ProductApplication,
    ProductStatus,
)


def district_of(order: ProductApplication | FinancingNeed) -> str:
    """区县: an application's district, a need's region."""
    return order.region if isinstance(order, FinancingNeed) else order.district


@dataclass(frozen=True)
class PoolFilter:
    """抢单池筛选."""

    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    region: str | None = None
    industry: str | None = None
    order_kind: OrderKind | None = None  # the stream's: only needs, or only applications

    def apply(self, queryset: QuerySet[FinancingNeed]) -> QuerySet[FinancingNeed]:
        if self.min_amount is not None:
            queryset = queryset.filter(amount__gte=self.min_amount)
        if self.max_amount is not None:
            queryset = queryset.filter(amount__lte=self.max_amount)
        if self.region:
            queryset = queryset.filter(region=self.region)
        if self.industry:
            queryset = queryset.filter(industry=self.industry)
        return queryset

    def matches(self, order: Any) -> bool:
        return (
            (self.min_amount is None or order.amount >= self.min_amount)
            and (self.max_amount is None or order.amount <= self.max_amount)
            and (not self.region or district_of(order) == self.region)
            and (not self.industry or getattr(order, "industry", "") == self.industry)
            and (
                self.order_kind is None
                or (self.order_kind == OrderKind.NEED) == isinstance(order, FinancingNeed)
            )
        )


@dataclass(frozen=True)
class ProductFilter:
    """金融超市筛选."""

    institution_kind: InstitutionKind | None = None
    guarantee_method: GuaranteeMethod | None = None
    loan_method: LoanMethod | None = None
    amount: Decimal | None = None
    max_rate: Decimal | None = None
    term_months: int | None = None
    status: ProductStatus | None = None

    def apply(self, queryset: QuerySet[FinancialProduct]) -> QuerySet[FinancialProduct]:
        queryset = queryset.filter(status=ProductStatus(self.status) if self.status else ProductStatus.LISTED)
        if self.institution_kind is not None:
            queryset = queryset.filter(institution__kind=self.institution_kind)
        if self.guarantee_method is not None:
            queryset = queryset.filter(guarantee_method=self.guarantee_method)
        if self.loan_method is not None:
            queryset = queryset.filter(loan_method=self.loan_method)
        if self.amount is not None:
            queryset = queryset.filter(min_amount__lte=self.amount, max_amount__gte=self.amount)
        if self.max_rate is not None:
            queryset = queryset.filter(rate_min__lte=self.max_rate)
        if self.term_months is not None:
            queryset = queryset.filter(term_months__gte=self.term_months)
        return queryset


@dataclass(frozen=True)
class HandlingFilter:
    """受理单筛选."""

    status: HandlingStatus | None = None
    overdue: bool | None = None
    institution_id: UUID | None = None
    order_no: str | None = None
    handler_id: UUID | None = None  # the account manager working it (我受理的)

    def apply(self, queryset: QuerySet[Handling], moment: datetime) -> QuerySet[Handling]:
        if self.handler_id is not None:
            queryset = queryset.filter(handler_id=self.handler_id)
        if self.status is not None:
            queryset = queryset.filter(status=HandlingStatus(self.status))
        if self.institution_id is not None:
            queryset = queryset.filter(institution_id=self.institution_id)
        if self.order_no:
            queryset = queryset.filter(order_no=self.order_no)
        if self.overdue is not None:
            late = Q(stage_due_at__lt=moment) | Q(completion_due_at__lt=moment)
            queryset = queryset.filter(closed_at__isnull=True).filter(late if self.overdue else ~late)
        return queryset
