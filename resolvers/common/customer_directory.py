"""客户目录 (customer directory): the customers another subgraph's mutation names — marketing's
opportunity (商机) and finance's applicant (申请人) — checked against the caller's customer scope.

Customers belong to the customers subgraph. Marketing and finance read them here and nowhere else,
read-only, one statement per call, filtered by the customers subgraph's own rule
(security/scopes.py ``customer_scope``, not a copy of it), which is why their processes register
the customers app too (``consumes`` in subgraphs/marketing.py and subgraphs/finance.py). The query
runs on the customers connection alone: no SQL joins another subgraph's tables. The answers are
plain frozen records, not models: nothing here can write to customers. If the subgraphs were
deployed apart, a call to the customers subgraph (``_entities`` with the caller's token) would
replace this module behind the same function.

An id the caller may not see is answered exactly like one that does not exist (absent), so the
mutation naming it refuses both alike and learns nothing about other banks' customers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise.functions import Count

from models.common import blind_index
from models.customers import Customer
from models.customers.profile import ContactRecord, Holding, HoldingCategory
from models.customers.reminder_sources import AccountMovement, Direction
from resolvers.common.clock import CST
from resolvers.customers.scopes import customer_scope
from security.principal import Principal


@dataclass(frozen=True)
class DirectoryCustomer:
    id: UUID
    tenant_id: UUID  # the member bank (法人行社) the customer belongs to
    org_path: str  # the org that serves the customer (辖内 scopes)


async def visible_customers(principal: Principal, ids: Iterable[UUID]) -> dict[UUID, DirectoryCustomer]:
    """The customers among ``ids`` the caller may see; any other id is absent."""
    wanted = list(dict.fromkeys(ids))
    scope = customer_scope(principal)
    if not wanted or scope.is_nothing:
        return {}
    rows = await Customer.filter(scope.q(), id__in=wanted).values_list("id", "tenant_id", "org_path")
    found = (
        DirectoryCustomer(id=UUID(str(id)), tenant_id=UUID(str(tenant)), org_path=str(path))
        for id, tenant, path in rows
    )
    return {customer.id: customer for customer in found}


async def visible_customer(principal: Principal, id: UUID) -> DirectoryCustomer | None:
    """The customer ``id`` if the caller may see it, else None (missing and out of scope alike)."""
    return (await visible_customers(principal, [id])).get(id)


@dataclass(frozen=True)
class PhoneMatch:
    """The customer a phone number belongs to in one bank (营销扫码: the scanning customer)."""

    id: UUID
    org_path: str
    manager_id: UUID | None  # 主办客户经理


def phone_digest(phone: str) -> str:
    """The blind index of a phone number (a customer's ``phone_bidx``): what a scan is matched and
    de-duplicated by, never the number itself."""
    digest = blind_index(Customer, "phone", phone)
    assert digest is not None
    return digest


async def customer_by_phone(tenant_id: UUID, phone: str) -> PhoneMatch | None:
    """The bank's customer with this phone (by its blind index, one statement), if any. No caller
    scope: the public scan endpoint records the intent, and shows nothing of the customer."""
    rows = (
        await Customer.filter(tenant_id=tenant_id, phone_bidx=phone_digest(phone))
        .limit(1)
        .values_list("id", "org_path", "primary_manager_id")
    )
    if not rows:
        return None
    id, org_path, manager = rows[0]
    return PhoneMatch(UUID(str(id)), str(org_path), UUID(str(manager)) if manager else None)


@dataclass(frozen=True)
class Signal:
    """A fact about one customer a marketing rule (商机规则) turns into an opportunity: ``cursor`` is
    the id of the row it came from (the chunk's position), ``period`` what makes it the same fact."""

    cursor: UUID
    customer_id: UUID
    tenant_id: UUID
    org_path: str
    manager_id: UUID | None
    period: str
    product_name: str
    amount: Decimal


def _signals(rows: list[dict[str, Any]], period: Callable[[dict[str, Any]], str]) -> list[Signal]:
    return [
        Signal(
            cursor=UUID(str(row["id"])),
            customer_id=UUID(str(row["customer_id"])),
            tenant_id=UUID(str(row["customer__tenant_id"])),
            org_path=str(row["customer__org_path"]),
            manager_id=UUID(str(row["customer__primary_manager_id"]))
            if row["customer__primary_manager_id"]
            else None,
            period=period(row),
            product_name=str(row.get("product_name") or ""),
            amount=Decimal(str(row["amount"])),
        )
        for row in rows
    ]


_CUSTOMER_COLUMNS = ("customer__tenant_id", "customer__org_path", "customer__primary_manager_id")


async def maturing_deposits(after: UUID | None, limit: int, start: date, end: date) -> list[Signal]:
    """Open deposits (存款) maturing in [start, end], by holding id after ``after``: one statement."""
    queryset = Holding.filter(
        category=HoldingCategory.DEPOSIT, closed_on=None, matures_on__gte=start, matures_on__lte=end
    )
    if after is not None:
        queryset = queryset.filter(id__gt=after)
    rows = (
        await queryset.order_by("id")
        .limit(limit)
        .values("id", "customer_id", "product_name", "amount", "matures_on", *_CUSTOMER_COLUMNS)
    )
    return _signals(rows, lambda row: str(row["matures_on"]))


async def large_inflows(after: UUID | None, limit: int, since: datetime, threshold: Decimal) -> list[Signal]:
    """Single incoming transactions (单笔大额转入) of at least ``threshold`` since ``since``, by id
    after ``after``: one statement. The period is the day (China time) it came in."""
    queryset = AccountMovement.filter(direction=Direction.IN, amount__gte=threshold, occurred_at__gte=since)
    if after is not None:
        queryset = queryset.filter(id__gt=after)
    rows = (
        await queryset.order_by("id")
        .limit(limit)
        .values("id", "customer_id", "amount", "occurred_at", *_CUSTOMER_COLUMNS)
    )
    return _signals(rows, lambda row: _cst_day(row["occurred_at"]))


def _cst_day(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(CST).date().isoformat()


async def contacts_by_channel(manager_id: UUID, since: datetime, until: datetime) -> dict[str, int]:
    """客户接触 a manager recorded with a contact time in [since, until), counted per channel (电话,
    面访, 微信, 短信): one statement, for marketing's work reports (resolvers/marketing/reports.py)."""
    rows = await (
        ContactRecord.filter(manager_id=manager_id, contacted_at__gte=since, contacted_at__lt=until)
        .group_by("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    return {str(channel): int(n) for channel, n in rows}
