"""目标名单 (target lists): the customers a marketing audience (目标客群) selects, read by marketing
from the customers subgraph the way resolvers/common/customer_directory.py reads them: read-only,
on the customers connection alone (no SQL joins another subgraph's tables), as plain frozen records.

Every read leaves out the customers excluded from marketing (营销过滤, ``MarketingExclusion``) and
those without a live marketing consent (营销授权: a ``Consent`` for ``RECOMMENDATION`` 产品推荐, not
revoked, not expired). Tags, holdings, the filter and consents are subqueries: one statement per
chunk or count, whatever the criteria.

Callers are jobs and already-authorised resolvers: these functions take a tenant, not a principal;
resolvers/marketing/audiences.py checks who may name which tenant, org subtree and grids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from tortoise.expressions import Q, Subquery

from models.customers import (
    Consent,
    ConsentPurpose,
    Customer,
    CustomerTag,
    CustomerTier,
    Grid,
    Holding,
    MarketingExclusion,
)


@dataclass(frozen=True)
class TargetCriteria:
    """Every criterion given must hold; tags: all of them; tiers, grids, products: any of them."""

    tags: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    aum_min: Decimal | None = None
    aum_max: Decimal | None = None
    grid_ids: tuple[UUID, ...] = ()
    products_held: tuple[str, ...] = ()  # 产品持有: product names held now (not closed)
    org_path: str | None = None  # an org subtree (辖内)


@dataclass(frozen=True)
class TargetCustomer:
    customer_id: UUID
    manager_id: UUID | None  # 主办客户经理; None = unmanaged
    org_path: str
    tier: str = ""  # 客户分层, for a canvas condition
    aum: Decimal = Decimal(0)  # 金融资产, for a canvas condition


@dataclass(frozen=True)
class Addressee:
    """Where a message to the customer goes (read when it is sent, never stored in marketing)."""

    customer_id: UUID
    surname: str  # for {{surname}}
    phone: str


def target_filter(tenant_id: UUID, criteria: TargetCriteria, now: datetime | None = None) -> Q:
    """The tenant's customers matching ``criteria`` who may be marketed to."""
    at = now or datetime.now(UTC)
    conditions = [Q(tenant_id=tenant_id)]
    for tag in criteria.tags:
        conditions.append(Q(id__in=Subquery(CustomerTag.filter(name=tag).values("customer_id"))))
    if criteria.tiers:
        conditions.append(Q(tier__in=[CustomerTier(t) for t in criteria.tiers]))
    if criteria.aum_min is not None:
        conditions.append(Q(aum__gte=criteria.aum_min))
    if criteria.aum_max is not None:
        conditions.append(Q(aum__lte=criteria.aum_max))
    if criteria.grid_ids:
        conditions.append(Q(grid_id__in=list(criteria.grid_ids)))
    if criteria.products_held:
        held = Holding.filter(closed_on=None, product_name__in=list(criteria.products_held))
        conditions.append(Q(id__in=Subquery(held.values("customer_id"))))
    if criteria.org_path:
        conditions.append(Q(org_path__startswith=criteria.org_path))
    excluded = MarketingExclusion.filter(tenant_id=tenant_id).values("customer_id")
    conditions.append(~Q(id__in=Subquery(excluded)))
    consenting = Consent.filter(
        tenant_id=tenant_id, purpose=ConsentPurpose.RECOMMENDATION, revoked_at=None, expires_at__gt=at
    ).values("customer_id")
    conditions.append(Q(id__in=Subquery(consenting)))
    return Q(*conditions)


async def target_chunk(
    tenant_id: UUID, criteria: TargetCriteria, after: UUID | None, limit: int
) -> list[TargetCustomer]:
    """At most ``limit`` targets ordered by customer id after ``after``: one statement."""
    queryset = Customer.filter(target_filter(tenant_id, criteria))
    if after is not None:
        queryset = queryset.filter(id__gt=after)
    rows = await (
        queryset.order_by("id")
        .limit(limit)
        .values_list("id", "primary_manager_id", "org_path", "tier", "aum")
    )
    return [
        TargetCustomer(
            UUID(str(id)),
            UUID(str(manager)) if manager else None,
            str(path),
            str(tier),
            Decimal(str(aum or 0)),
        )
        for id, manager, path, tier, aum in rows
    ]


async def count_targets(tenant_id: UUID, criteria: TargetCriteria) -> int:
    """How many customers ``criteria`` selects: one statement."""
    return await Customer.filter(target_filter(tenant_id, criteria)).count()


async def grids_of_tenant(tenant_id: UUID, ids: Iterable[UUID]) -> set[UUID]:
    """The grids among ``ids`` that belong to the tenant (another bank's and unknown ones are absent)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return set()
    rows = await Grid.filter(tenant_id=tenant_id, id__in=wanted).values_list("id", flat=True)
    return {UUID(str(id)) for id in rows}


async def products_held(ids: Iterable[UUID], names: Iterable[str]) -> dict[UUID, frozenset[str]]:
    """Of the customers ``ids``, the products among ``names`` each holds now: one statement."""
    wanted, products = list(dict.fromkeys(ids)), list(dict.fromkeys(names))
    if not wanted or not products:
        return {}
    rows = await Holding.filter(
        customer_id__in=wanted, closed_on=None, product_name__in=products
    ).values_list("customer_id", "product_name")
    held: dict[UUID, set[str]] = {}
    for customer, product in rows:
        held.setdefault(UUID(str(customer)), set()).add(str(product))
    return {customer: frozenset(names) for customer, names in held.items()}


async def addressees(ids: Iterable[UUID]) -> dict[UUID, Addressee]:
    """Surname and phone of the customers ``ids`` — for the message sender only: one statement."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await Customer.filter(id__in=wanted).only("id", "name", "phone")
    return {row.id: Addressee(row.id, row.name[:1], row.phone or "") for row in rows}
