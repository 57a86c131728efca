"""积分 (points ledger): a customer's earn and spend entries and balance. Campaign waves earn them
(resolvers/marketing/waves.py, one entry per campaign × wave × node × customer: a rerun awards
nothing twice); a manager spends them (积分兑换) with an idempotency key, refused with CONFLICT
when the balance is short — the spend takes a per-customer lock first (PostgreSQL: a transaction
advisory lock; SQLite: the write lock every transaction takes), so two spends never both pass.

Read as ``Customer.points`` in the customer 360's marketing block, only for a customer the caller
may see (resolvers/common/customer_directory.py): one statement for the scope, one for the balances
and one for the entries of a whole batch of customers."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from tortoise import connections
from tortoise.functions import Sum

from models.marketing import PointsEntry, PointsKind
from resolvers.common.changes import change
from resolvers.common.customer_directory import visible_customer, visible_customers
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key
from resolvers.common.loading import latest_by
from resolvers.marketing.permissions import require_points_spender
from security.conditions import Everything
from security.principal import Principal

MAX_SPEND = 1_000_000


@dataclass(frozen=True)
class Points:
    """积分: a customer's balance and latest entries."""

    balance: int
    entries: Sequence[PointsEntry]


async def balances(customer_ids: Sequence[UUID]) -> dict[UUID, int]:
    """The balances of ``customer_ids`` (0 without entries): one statement."""
    if not customer_ids:
        return {}
    rows = await (
        PointsEntry.filter(customer_id__in=list(customer_ids))
        .annotate(total=Sum("amount"))
        .group_by("customer_id")
        .values_list("customer_id", "total")
    )
    found = {UUID(str(customer)): int(total or 0) for customer, total in rows}
    return {c: found.get(c, 0) for c in customer_ids}


async def points_of(principal: Principal, customer_ids: Sequence[UUID], latest: int) -> list[Points | None]:
    """Each customer's points, None for one the caller may not see: three statements for a batch."""
    visible = await visible_customers(principal, customer_ids)
    seen = [c for c in customer_ids if c in visible]
    totals = await balances(seen)
    entries: dict[UUID, list[PointsEntry]] = {}
    if seen and latest:  # the latest ``latest`` of each, not each whole ledger
        newest = latest_by(PointsEntry, "customer_id", Everything(), ("-created_at", "-id"), latest)
        entries = dict(zip(seen, await newest.load_many(seen), strict=True))
    return [Points(totals[c], entries.get(c, [])) if c in visible else None for c in customer_ids]


async def spend_points(
    principal: Principal, customer_id: UUID, amount: int, reason: str, idempotency_key: str
) -> PointsEntry:
    """积分兑换: spend ``amount`` of the customer's points; the same key again returns the first spend;
    CONFLICT when the balance is short."""
    require_points_spender(principal)
    if not 1 <= amount <= MAX_SPEND:
        raise bad_input(f"amount must be 1–{MAX_SPEND}")
    reason = reason.strip()
    if not 1 <= len(reason) <= 200:
        raise bad_input("reason must be 1–200 characters")
    check_key(idempotency_key)
    customer = await visible_customer(principal, customer_id)
    if customer is None:
        raise not_found("customer")
    key = f"spend:{principal.user_id}:{idempotency_key}"
    async with change("marketing", "PointsEntry") as audited:
        await _lock_customer(customer.id)
        earlier = await PointsEntry.get_or_none(key=key)
        if earlier is not None:
            if (earlier.customer_id, -earlier.amount) != (customer.id, amount):
                raise conflict("幂等键已用于另一笔兑换 (idempotencyKey already used for another spend)")
            audited.id = earlier.id
            return earlier
        if (await balances([customer.id]))[customer.id] < amount:
            raise conflict("积分余额不足 (not enough points)", reason="INSUFFICIENT_POINTS")
        entry = await PointsEntry.create(
            tenant_id=customer.tenant_id,
            customer_id=customer.id,
            kind=PointsKind.SPEND,
            amount=-amount,
            reason=reason,
            key=key,
            created_by=principal.user_id,
        )
        audited.id = entry.id
    return entry


async def _lock_customer(customer_id: UUID) -> None:
    """Serialise spends of one customer until the transaction ends."""
    connection = connections.get("marketing")
    if connection.capabilities.dialect != "postgres":
        return  # SQLite: the transaction already holds the write lock
    lock = int.from_bytes(hashlib.sha256(b"points:" + customer_id.bytes).digest()[:8], "big", signed=True)
    await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [lock])
