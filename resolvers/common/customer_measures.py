"""客户侧业绩度量 (customer-side performance measures): what marketing's performance targets
(业绩管理, resolvers/marketing/performance.py) count of the customers subgraph's data — customers
managed and new, contacts made, deposit and loan balances.

Customers belong to the customers subgraph. Marketing reads these figures here and nowhere else,
read-only, on the customers connection alone (its process registers the customers app:
``consumes`` in subgraphs/marketing.py), one grouped statement per measure whatever the number of
targets. Each answers plain rows of (person, org path, figure) for one member bank: a person's
figure is the sum of their rows, an org's the sum of the rows of its subtree (the customer's org).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from models.customers import Customer
from models.customers.profile import ContactRecord, Holding, HoldingCategory


@dataclass(frozen=True)
class MeasureRow:
    """One group of a measure: the person it counts for (None: nobody's) and the customer's org."""

    person_id: UUID | None
    org_path: str
    value: Decimal


def rows_of(found: list[tuple[Any, Any, Any]]) -> list[MeasureRow]:
    return [
        MeasureRow(UUID(str(person)) if person else None, str(path), Decimal(str(value or 0)))
        for person, path, value in found
    ]


async def _by_primary_manager(**where: Any) -> list[MeasureRow]:
    found = (
        await Customer.filter(**where)
        .annotate(n=Count("id"))
        .group_by("primary_manager_id", "org_path")
        .values_list("primary_manager_id", "org_path", "n")
    )
    return rows_of(found)


async def customers_managed(tenant_id: UUID) -> list[MeasureRow]:
    """管户客户数: the bank's customers by primary manager (主办), now."""
    return await _by_primary_manager(tenant_id=tenant_id)


async def new_customers(tenant_id: UUID, start: datetime, end: datetime) -> list[MeasureRow]:
    """新增客户数: customers created in [start, end), by their primary manager now."""
    return await _by_primary_manager(tenant_id=tenant_id, created_at__gte=start, created_at__lt=end)


async def contacts_made(tenant_id: UUID, start: datetime, end: datetime) -> list[MeasureRow]:
    """客户接触次数: contact records (客户接触 / 走访) in [start, end), by who made them."""
    found = (
        await ContactRecord.filter(
            customer__tenant_id=tenant_id, contacted_at__gte=start, contacted_at__lt=end
        )
        .annotate(n=Count("id"))
        .group_by("manager_id", "customer__org_path")
        .values_list("manager_id", "customer__org_path", "n")
    )
    return rows_of(found)


async def balances(tenant_id: UUID, category: HoldingCategory, on: date) -> list[MeasureRow]:
    """存款 / 贷款余额 on day ``on``: holdings of ``category`` opened by then and not closed
    before its end, by the customer's primary manager now."""
    found = (
        await Holding.filter(customer__tenant_id=tenant_id, category=category, opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .annotate(total=Sum("amount"))
        .group_by("customer__primary_manager_id", "customer__org_path")
        .values_list("customer__primary_manager_id", "customer__org_path", "total")
    )
    return rows_of(found)
