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
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from pypika_tortoise.terms import Parameterizer
from strawberry.dataloader import DataLoader
from tortoise.expressions import Case, Q, Subquery, When
from tortoise.functions import Count, Sum
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.customers import Customer as CustomerModel
from models.customers import CustomerGroup as GroupModel
from models.customers import CustomerKind, GroupMember, GroupSource, ValueSnapshot
from resolvers.common import audit
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, check_page_size, decode_cursor, page_of, paginate
from resolvers.common.values import parse_id
from resolvers.customers.directory import customer_managers
from resolvers.customers.scopes import group_scope
from resolvers.customers.search import customer_filter, filter_of, rule_of
from schema.common.connection import Connection
from schema.customers.grids import tier_counts
from schema.customers.groups import AssetBand, AssetBandCount, CustomerGroup, GroupSourceEnum, GroupTrendPoint
from schema.customers.search import CustomerFilter
from schema.customers.types import CustomerKindEnum
from security.conditions import Cond
from security.principal import Principal
from security.roles import Role

GROUP_EDITORS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)
MAX_MEMBERS_AT_ONCE = 100
# 资产段 (ours): the lower bound of each band; 50万 and 600万 are the usual 财富 / 私行 thresholds.
ASSET_BANDS = (
    (AssetBand.FROM_6M, Decimal("6000000")),
    (AssetBand.FROM_500K, Decimal("500000")),
    (AssetBand.FROM_50K, Decimal("50000")),
)


def membership(group: GroupModel) -> Q:
    """The group's members, as a condition on ``customer``."""
    if group.source == GroupSource.CUSTOM:
        return Q(id__in=Subquery(GroupMember.filter(group_id=group.id).values("customer_id")))
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

    def of_group(make: Callable[[str, Q], Any], column: str) -> Callable[[Q], Any]:
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


@strawberry.input(description="新建客群")
class CustomerGroupInput:
    name: str
    kind: CustomerKindEnum
    source: GroupSourceEnum
    rule: CustomerFilter | None = strawberry.field(default=None, description="系统客群的规则 (SYSTEM only)")


@strawberry.type
class GroupQuery:
    @strawberry.field(description="客群: one of the caller's bank")
    async def customer_group(self, info: strawberry.Info, id: strawberry.ID) -> CustomerGroup | None:
        return await scoped(info.context.require_principal(), GroupModel, group_scope).get_or_none(
            id=parse_id(id)
        )  # type: ignore[no-any-return]

    @strawberry.field(description="客群列表 of the caller's bank (the province: every bank's)")
    async def customer_groups(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        kind: CustomerKindEnum | None = None,
        source: GroupSourceEnum | None = None,
    ) -> Connection[CustomerGroup]:
        queryset = scoped(info.context.require_principal(), GroupModel, group_scope)
        if kind is not None:
            queryset = queryset.filter(kind=CustomerKind(kind))
        if source is not None:
            queryset = queryset.filter(source=GroupSource(source))
        return await paginate(queryset, first, after)  # type: ignore[return-value]


def _check_editor(info: strawberry.Info) -> None:
    principal = info.context.require_principal()
    if not principal.has_role(*GROUP_EDITORS) or principal.tenant_id is None:
        raise forbidden("只有总行管理员或支行行长可以维护客群 (head office or branch head)")


async def _group_to_edit(info: strawberry.Info, group_id: strawberry.ID, custom: bool = False) -> GroupModel:
    _check_editor(info)
    principal = info.context.require_principal()
    group = await scoped(info.context.require_principal(), GroupModel, group_scope).get_or_none(
        id=parse_id(group_id, "groupId")
    )
    if group is None:
        raise not_found("customer group")
    if not principal.has_role(Role.HQ_ADMIN) and group.created_by != principal.user_id:
        raise forbidden("只有创建人或总行管理员可以修改该客群 (its creator or head office)")
    if custom and group.source != GroupSource.CUSTOM:
        raise bad_input(
            "members are added to or removed from a custom group only (a system group follows its rule)"
        )
    return group


async def _check_rule_targets(info: strawberry.Info, principal: Principal, rule: CustomerFilter) -> None:
    """The grids and the manager a system group's rule names are the group's bank's: a grid the
    caller sees of their bank (else NOT_FOUND, as ``setCustomerGrid``), a customer manager of the
    bank in the staff directory (else BAD_USER_INPUT, as the ownership targets)."""
    if rule.grid_ids:
        ids = [parse_id(g, "rule.gridIds") for g in rule.grid_ids]
        grids = await info.context.loaders.grid.load_many(ids)
        if any(grid is None or grid.tenant_id != principal.tenant_id for grid in grids):
            raise not_found("grid (rule.gridIds)")
    if rule.manager_id is not None:
        wanted = parse_id(rule.manager_id, "rule.managerId")
        if not await customer_managers([wanted], principal.tenant_id):
            raise bad_input("rule.managerId is not a customer manager of your bank")


def _customer_ids(ids: list[strawberry.ID]) -> list[UUID]:
    unique = list(dict.fromkeys(parse_id(i, "customerIds") for i in ids))
    if not 1 <= len(unique) <= MAX_MEMBERS_AT_ONCE:
        raise bad_input(f"customerIds must have 1–{MAX_MEMBERS_AT_ONCE} ids")
    return unique


@strawberry.type
class GroupMutation:
    @strawberry.mutation(
        description="新建客群 (HQ_ADMIN, BRANCH_HEAD); the same group again returns the first"
    )
    async def create_customer_group(self, info: strawberry.Info, input: CustomerGroupInput) -> CustomerGroup:
        _check_editor(info)
        principal = info.context.require_principal()
        name = input.name.strip()
        if not 1 <= len(name) <= 100:
            raise bad_input("name must be 1–100 characters")
        kind, source = CustomerKind(input.kind), GroupSource(input.source)
        if (source == GroupSource.SYSTEM) != (input.rule is not None):
            raise bad_input("a SYSTEM group needs a rule, and only a SYSTEM group has one")
        if input.rule is not None and input.rule.kind not in (None, kind):
            raise bad_input("rule.kind must be the group's kind")
        rule = rule_of(input.rule) if input.rule is not None else None
        if input.rule is not None:
            await _check_rule_targets(info, principal, input.rule)
        existing = await GroupModel.filter(tenant_id=principal.tenant_id, name=name).first()
        if existing is not None:
            if (existing.kind, existing.source, existing.rule) != (kind, source, rule):
                raise conflict(f"客群「{name}」已存在 (a different group has this name)")
            return existing  # type: ignore[return-value]
        async with in_transaction("customers"):
            group = await GroupModel.create(
                tenant_id=principal.tenant_id,
                name=name,
                kind=kind,
                source=source,
                rule=rule,
                created_by=principal.user_id,
            )
            await audit.record(target=audit.Target("CustomerGroup", group.id))
        return group  # type: ignore[return-value]

    @strawberry.mutation(
        description="添加客群成员 (custom groups): customers the caller sees, of the group's kind"
    )
    async def add_customer_group_members(
        self, info: strawberry.Info, group_id: strawberry.ID, customer_ids: list[strawberry.ID]
    ) -> CustomerGroup:
        group = await _group_to_edit(info, group_id, custom=True)
        customers = await info.context.loaders.customer.load_many(_customer_ids(customer_ids))
        if any(c is None or c.tenant_id != group.tenant_id for c in customers):
            raise not_found("customer")
        if any(c.kind != group.kind for c in customers):
            raise bad_input(f"every member must be a {group.kind} customer, as the group is")
        async with in_transaction("customers"):
            present = set(
                await GroupMember.filter(
                    group_id=group.id, customer_id__in=[c.id for c in customers]
                ).values_list("customer_id", flat=True)
            )
            await GroupMember.bulk_create(
                [GroupMember(group_id=group.id, customer_id=c.id) for c in customers if c.id not in present]
            )
            await audit.record(target=audit.Target("CustomerGroup", group.id))
        return group  # type: ignore[return-value]

    @strawberry.mutation(description="移除客群成员 (custom groups): of the customers the caller sees")
    async def remove_customer_group_members(
        self, info: strawberry.Info, group_id: strawberry.ID, customer_ids: list[strawberry.ID]
    ) -> CustomerGroup:
        group = await _group_to_edit(info, group_id, custom=True)
        customers = await info.context.loaders.customer.load_many(_customer_ids(customer_ids))
        async with in_transaction("customers"):
            await GroupMember.filter(
                group_id=group.id, customer_id__in=[c.id for c in customers if c]
            ).delete()
            await audit.record(target=audit.Target("CustomerGroup", group.id))
        return group  # type: ignore[return-value]

    @strawberry.mutation(description="删除客群 (its creator or head office); returns its id")
    async def delete_customer_group(self, info: strawberry.Info, id: strawberry.ID) -> strawberry.ID:
        group = await _group_to_edit(info, id)
        async with in_transaction("customers"):
            await group.delete()
            await audit.record(target=audit.Target("CustomerGroup", group.id))
        return strawberry.ID(str(group.id))
