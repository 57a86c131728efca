"""客群 (customer groups) of a member bank: a system group is a stored ``CustomerFilter`` (its
members are whoever matches now, within the group's bank and kind), a custom group a list of
members. HQ_ADMIN and BRANCH_HEAD create groups in their bank; the creator or head office
changes or deletes one. Everyone with a customers-side scope reads their bank's groups; the
members and every figure are the members the reader may see.

Figures, one statement each for a whole list of groups: each group is a condition on
``customer`` (``membership``), and a figure aggregates every group's condition side by side
(``COUNT(CASE WHEN <group i> …)``) over the customers the reader sees. Members are one
``UNION ALL`` of each group's page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from pypika_tortoise.terms import Parameterizer
from strawberry.dataloader import DataLoader
from tortoise.expressions import Case, Q, Subquery, When
from tortoise.functions import Count, Sum
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.customers import Customer as CustomerModel
from models.customers import CustomerGroup as GroupModel
from models.customers import CustomerKind, Grid, GroupMember, GroupSource, ValueSnapshot
from resolvers.common.changes import change
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, check_page_size, decode_cursor, page_of, paginate
from resolvers.common.values import parse_id
from resolvers.customers.directory import customer_managers
from resolvers.customers.filters import CustomerCriteria, customer_filter, filter_of, rule_of
from resolvers.customers.grids import tier_counts
from resolvers.customers.permissions import GROUP_EDITORS
from resolvers.customers.scopes import customer_scope, grid_scope, group_scope
from security.conditions import Cond
from security.principal import Principal
from security.roles import Role

MAX_MEMBERS_AT_ONCE = 100
MAX_TREND_MONTHS = 36


class AssetBand(StrEnum):
    """资产段: by AUM, 万 = 10,000 CNY."""

    BELOW_50K = "BELOW_50K"  # < 5万
    FROM_50K = "FROM_50K"  # 5万 – 50万
    FROM_500K = "FROM_500K"  # 50万 – 600万: 财富客户
    FROM_6M = "FROM_6M"  # ≥ 600万: 私行客户


# The lower bound of each band; 50万 and 600万 are the usual 财富 / 私行 thresholds.
ASSET_BANDS = (
    (AssetBand.FROM_6M, Decimal("6000000")),
    (AssetBand.FROM_500K, Decimal("500000")),
    (AssetBand.FROM_50K, Decimal("50000")),
)


@dataclass(frozen=True)
class AssetBandCount:
    """资产分布: members in one AUM band."""

    band: AssetBand
    count: int
    total_aum: Decimal


@dataclass(frozen=True)
class GroupTrendPoint:
    """客群趋势: one month of the members' 价值分析 snapshots."""

    month: date
    member_count: int  # members with a snapshot that month
    total_aum: Decimal  # deposits + wealth


def membership(group: GroupModel) -> Q:
    """The group's members, as a condition on ``customer``."""
    if group.source == GroupSource.CUSTOM:
        return Q(id__in=Subquery(GroupMember.filter(group_id=group.id).values("customer_id")))
    assert group.rule is not None  # a system group has its rule
    rule = customer_filter(filter_of(group.rule))
    return Q(rule, tenant_id=group.tenant_id, kind=CustomerKind(group.kind))


# -- figures ---------------------------------------------------------------------------------------

Aggregates = dict[str, Callable[[Q], Any]]


async def _side_by_side(
    rows: QuerySet[Any], conditions: list[Q], aggregates: Aggregates, by: str | None = None
) -> list[list[dict[str, Any]]]:
    """One statement: the ``aggregates`` of each condition's rows (per value of ``by``), as one
    list of rows per condition."""
    columns = {
        f"{name}_{i}": make(cond) for i, cond in enumerate(conditions) for name, make in aggregates.items()
    }
    queryset = rows.annotate(**columns)
    keys = [by] if by else []
    if by:
        queryset = queryset.group_by(by)
    found = await queryset.values(*keys, *columns)
    return [
        [{**{k: row[k] for k in keys}, **{name: row[f"{name}_{i}"] for name in aggregates}} for row in found]
        for i in range(len(conditions))
    ]


def _count(cond: Q) -> Count:
    return Count("id", _filter=cond)


def _aum(cond: Q) -> Sum:
    return Sum("aum", _filter=cond)


async def _member_count(members: QuerySet[Any], conditions: list[Q], months: int) -> list[Any]:
    return [rows[0]["count"] for rows in await _side_by_side(members, conditions, {"count": _count})]


async def _tiers(members: QuerySet[Any], conditions: list[Q], months: int) -> list[Any]:
    per_group = await _side_by_side(members, conditions, {"count": _count}, "tier")
    return [tier_counts(rows) for rows in per_group]


async def _assets(members: QuerySet[Any], conditions: list[Q], months: int) -> list[Any]:
    band = Case(
        *(When(Q(aum__gte=bound), then=str(name)) for name, bound in ASSET_BANDS),
        default=str(AssetBand.BELOW_50K),
    )
    per_group = await _side_by_side(
        members.annotate(band=band), conditions, {"count": _count, "aum": _aum}, "band"
    )
    return [
        [
            AssetBandCount(band=AssetBand(row["band"]), count=row["count"], total_aum=row["aum"])
            for row in sorted(rows, key=lambda row: list(AssetBand).index(AssetBand(row["band"])))
            if row["count"]
        ]
        for rows in per_group
    ]


async def _trend(members: QuerySet[Any], conditions: list[Q], months: int) -> list[Any]:
    calendar = _months(months)
    snapshots = ValueSnapshot.filter(customer_id__in=Subquery(members.values("id")), month__gte=calendar[0])

    def of_group(make: Callable[..., Any], column: str) -> Callable[[Q], Any]:
        return lambda cond: make(
            column, _filter=Q(customer_id__in=Subquery(CustomerModel.filter(cond).values("id")))
        )

    aggregates = {
        "count": of_group(Count, "customer_id"),
        "deposits": of_group(Sum, "deposits"),
        "wealth": of_group(Sum, "wealth"),
    }
    per_group = await _side_by_side(snapshots, conditions, aggregates, "month")
    return [_points(calendar, {row["month"]: row for row in rows}) for rows in per_group]


def _points(calendar: list[date], by_month: dict[date, dict[str, Any]]) -> list[GroupTrendPoint]:
    """Every month of the calendar, 0 where no member had a snapshot."""
    return [_point(month, by_month.get(month)) for month in calendar]


def _point(month: date, row: dict[str, Any] | None) -> GroupTrendPoint:
    if row is None or not row["count"]:
        return GroupTrendPoint(month=month, member_count=0, total_aum=Decimal("0.00"))
    total = (row["deposits"] + row["wealth"]).quantize(Decimal("0.01"))
    return GroupTrendPoint(month=month, member_count=row["count"], total_aum=total)


def _months(count: int) -> list[date]:
    """The first days of the last ``count`` months, this one included, oldest first."""
    firsts = [datetime.now(CST).date().replace(day=1)]
    while len(firsts) < count:
        firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
    return firsts[::-1]


FIGURES: dict[str, Callable[[QuerySet[Any], list[Q], int], Any]] = {
    "count": _member_count,
    "tiers": _tiers,
    "assets": _assets,
    "trend": _trend,
}


def group_figure(figure: str, customers: Cond, months: int) -> DataLoader[GroupModel, Any]:
    """One figure of each group asked, over the members the reader may see (``customers``)."""

    async def load(groups: Sequence[GroupModel]) -> list[Any]:
        conditions = [membership(group) for group in groups]
        members = CustomerModel.filter(customers.q(), Q(*conditions, join_type="OR"))
        return list(await FIGURES[figure](members, conditions, months))

    return DataLoader(load_fn=load, cache_key_fn=lambda group: group.id)


def group_members(customers: Cond, first: int, after: str | None) -> DataLoader[GroupModel, Page[Any]]:
    """A page of each group's members the reader may see, in one statement."""
    check_page_size(first)
    after_id = decode_cursor(after) if after else None

    async def load(groups: Sequence[GroupModel]) -> list[Page[Any]]:
        pages = []
        for group in groups:
            queryset = CustomerModel.filter(customers.q(), membership(group))
            if after_id:
                queryset = queryset.filter(id__gt=after_id)
            pages.append(queryset.order_by("id").limit(first + 1))
        return [page_of(rows, first) for rows in await _union_all(CustomerModel, pages)]

    return DataLoader(load_fn=load, cache_key_fn=lambda group: group.id)


async def _union_all(model: type[Model], queries: list[QuerySet[Any]]) -> list[list[Any]]:
    """The rows of each query, all read by one ``UNION ALL`` statement (its parameters numbered
    across the parts; see ``_parameterized`` in resolvers/common/loading.py for the two steps)."""
    fields = ", ".join(f'"{name}"' for name in model._meta.db_fields)
    parameters = Parameterizer()
    parts = []
    for i, queryset in enumerate(queries):
        queryset._choose_db_if_not_chosen()
        queryset._make_query()
        context = queryset.query.QUERY_CLS.SQL_CONTEXT.copy(parameterizer=parameters)
        parts.append(f'SELECT {fields}, {i} AS "_part" FROM ({queryset.query.get_sql(context)}) AS "part{i}"')
    db = model._meta.db
    executor = db.executor_class(model=model, db=db)
    rows = await executor.execute_select(
        " UNION ALL ".join(parts), parameters.values, custom_fields=["_part"]
    )
    result: list[list[Any]] = [[] for _ in queries]
    for row in rows:
        result[row._part].append(row)
    return [sorted(part, key=lambda row: row.id) for part in result]


# -- queries and mutations -------------------------------------------------------------------------


async def customer_group(principal: Principal, group_id: UUID) -> GroupModel | None:
    """客群: one of the caller's bank."""
    return await scoped(principal, GroupModel, group_scope).get_or_none(id=group_id)


async def customer_groups(
    principal: Principal,
    first: int,
    after: str | None,
    kind: CustomerKind | None = None,
    source: GroupSource | None = None,
) -> Page[GroupModel]:
    """客群列表 of the caller's bank (the province: every bank's)."""
    queryset = scoped(principal, GroupModel, group_scope)
    if kind is not None:
        queryset = queryset.filter(kind=CustomerKind(kind))
    if source is not None:
        queryset = queryset.filter(source=GroupSource(source))
    return await paginate(queryset, first, after)


def check_trend_months(months: int) -> int:
    if not 1 <= months <= MAX_TREND_MONTHS:
        raise bad_input(f"months must be between 1 and {MAX_TREND_MONTHS}")
    return months


def _check_editor(principal: Principal) -> None:
    if not principal.has_role(*GROUP_EDITORS) or principal.tenant_id is None:
        raise forbidden("只有总行管理员或支行行长可以维护客群 (head office or branch head)")


async def _group_to_edit(principal: Principal, group_id: UUID, custom: bool = False) -> GroupModel:
    _check_editor(principal)
    group = await scoped(principal, GroupModel, group_scope).get_or_none(id=group_id)
    if group is None:
        raise not_found("customer group")
    if not principal.has_role(Role.HQ_ADMIN) and group.created_by != principal.user_id:
        raise forbidden("只有创建人或总行管理员可以修改该客群 (its creator or head office)")
    if custom and group.source != GroupSource.CUSTOM:
        raise bad_input(
            "members are added to or removed from a custom group only (a system group follows its rule)"
        )
    return group


async def _check_rule_targets(principal: Principal, rule: CustomerCriteria) -> None:
    """The grids and the manager a system group's rule names are the group's bank's: a grid the
    caller sees of their bank (else NOT_FOUND, as ``setCustomerGrid``), a customer manager of the
    bank in the staff directory (else BAD_USER_INPUT, as the ownership targets)."""
    if rule.grid_ids:
        ids = list(dict.fromkeys(parse_id(g, "rule.gridIds") for g in rule.grid_ids))
        grids = await scoped(principal, Grid, grid_scope).filter(id__in=ids)
        if len(grids) != len(ids) or any(grid.tenant_id != principal.tenant_id for grid in grids):
            raise not_found("grid (rule.gridIds)")
    if rule.manager_id is not None:
        wanted = parse_id(rule.manager_id, "rule.managerId")
        if not await customer_managers([wanted], principal.tenant_id):
            raise bad_input("rule.managerId is not a customer manager of your bank")


def _customer_ids(ids: list[UUID]) -> list[UUID]:
    unique = list(dict.fromkeys(ids))
    if not 1 <= len(unique) <= MAX_MEMBERS_AT_ONCE:
        raise bad_input(f"customerIds must have 1–{MAX_MEMBERS_AT_ONCE} ids")
    return unique


async def create_customer_group(
    principal: Principal,
    name: str,
    kind: CustomerKind,
    source: GroupSource,
    rule: CustomerCriteria | None = None,
) -> GroupModel:
    """新建客群 (HQ_ADMIN, BRANCH_HEAD); the same group again returns the first."""
    _check_editor(principal)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise bad_input("name must be 1–100 characters")
    kind, source = CustomerKind(kind), GroupSource(source)
    if (source == GroupSource.SYSTEM) != (rule is not None):
        raise bad_input("a SYSTEM group needs a rule, and only a SYSTEM group has one")
    if rule is not None and rule.kind not in (None, kind):
        raise bad_input("rule.kind must be the group's kind")
    stored = rule_of(rule) if rule is not None else None
    if rule is not None:
        await _check_rule_targets(principal, rule)
    existing = await GroupModel.filter(tenant_id=principal.tenant_id, name=name).first()
    if existing is not None:
        if (existing.kind, existing.source, existing.rule) != (kind, source, stored):
            raise conflict(f"客群「{name}」已存在 (a different group has this name)")
        return existing
    async with change("customers", "CustomerGroup") as audited:
        group = await GroupModel.create(
            tenant_id=principal.tenant_id,
            name=name,
            kind=kind,
            source=source,
            rule=stored,
            created_by=principal.user_id,
        )
        audited.id = group.id
    return group


async def add_customer_group_members(
    principal: Principal, group_id: UUID, customer_ids: list[UUID]
) -> GroupModel:
    """添加客群成员 (custom groups): customers the caller sees, of the group's kind."""
    group = await _group_to_edit(principal, group_id, custom=True)
    wanted = _customer_ids(customer_ids)
    customers = await scoped(principal, CustomerModel, customer_scope).filter(id__in=wanted)
    if len(customers) != len(wanted) or any(c.tenant_id != group.tenant_id for c in customers):
        raise not_found("customer")
    if any(c.kind != group.kind for c in customers):
        raise bad_input(f"every member must be a {group.kind} customer, as the group is")
    async with change("customers", "CustomerGroup", group.id):
        present = set(
            await GroupMember.filter(
                group_id=group.id, customer_id__in=[c.id for c in customers]
            ).values_list("customer_id", flat=True)
        )
        await GroupMember.bulk_create(
            [GroupMember(group_id=group.id, customer_id=c.id) for c in customers if c.id not in present]
        )
    return group


async def remove_customer_group_members(
    principal: Principal, group_id: UUID, customer_ids: list[UUID]
) -> GroupModel:
    """移除客群成员 (custom groups): of the customers the caller sees."""
    group = await _group_to_edit(principal, group_id, custom=True)
    wanted = _customer_ids(customer_ids)
    visible = scoped(principal, CustomerModel, customer_scope).filter(id__in=wanted)
    customers = await visible.values_list("id", flat=True)
    async with change("customers", "CustomerGroup", group.id):
        await GroupMember.filter(group_id=group.id, customer_id__in=list(customers)).delete()
    return group


async def delete_customer_group(principal: Principal, group_id: UUID) -> UUID:
    """删除客群 (its creator or head office); returns its id."""
    group = await _group_to_edit(principal, group_id)
    async with change("customers", "CustomerGroup", group.id):
        await group.delete()
    return group.id
