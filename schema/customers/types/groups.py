"""客群 (customer groups): system groups by rule (a ``CustomerFilter``), custom groups by members.
Every figure counts the members the reader may see (a manager: their own customers in the
group; head office: all) and is one statement for a whole list of groups
(resolvers/customers/groups.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.utils.str_converters import to_camel_case

import models.customers as rows
from resolvers.customers.groups import check_trend_months
from schema.common.connection import Connection
from schema.customers.context import Info
from schema.customers.enums import AssetBand, CustomerKind, GroupSource
from schema.customers.federation import User, user_of
from schema.customers.types.grids import TierCount

if TYPE_CHECKING:
    from schema.customers.types.customers import Customer

LazyCustomer = Annotated["Customer", strawberry.lazy("schema.customers.types.customers")]


@strawberry.type(description="资产分布: members in one AUM band")
class AssetBandCount:
    band: AssetBand
    count: int
    total_aum: Decimal


@strawberry.type(description="客群趋势: one month of the members' 价值分析 snapshots")
class GroupTrendPoint:
    month: date
    member_count: int = strawberry.field(description="members with a snapshot that month")
    total_aum: Decimal = strawberry.field(description="deposits + wealth (存款 + 理财、基金、保险)")


async def _figure(info: Info, group: rows.CustomerGroup, figure: str, months: int = 0) -> Any:
    return await info.context.loaders.group_figure(figure, months).load(group)


@strawberry.type(description="客群")
class CustomerGroup:
    id: strawberry.ID
    name: str
    kind: CustomerKind
    source: GroupSource
    created_at: datetime

    @strawberry.field(description="系统客群的规则: its CustomerFilter as JSON (null for a custom group)")
    @staticmethod
    def rule(parent: strawberry.Parent[rows.CustomerGroup]) -> str | None:
        if parent.rule is None:
            return None
        as_input = {
            to_camel_case(key): value for key, value in parent.rule.items()
        }  # the names the input takes
        return json.dumps(as_input, ensure_ascii=False, sort_keys=True)

    @strawberry.field(description="创建人")
    @staticmethod
    def created_by(parent: strawberry.Parent[rows.CustomerGroup]) -> User:
        return user_of(parent.created_by)

    @strawberry.field(description="成员: the members the caller may see")
    @staticmethod
    async def members(
        parent: strawberry.Parent[rows.CustomerGroup], info: Info, first: int = 20, after: str | None = None
    ) -> Connection[LazyCustomer]:
        page = await info.context.loaders.group_members(first, after).load(parent)
        return cast(Connection[LazyCustomer], page)

    @strawberry.field(description="成员数")
    @staticmethod
    async def member_count(parent: strawberry.Parent[rows.CustomerGroup], info: Info) -> int:
        return cast(int, await _figure(info, parent, "count"))

    @strawberry.field(description="分层分布")
    @staticmethod
    async def tier_distribution(parent: strawberry.Parent[rows.CustomerGroup], info: Info) -> list[TierCount]:
        return cast(list[TierCount], await _figure(info, parent, "tiers"))

    @strawberry.field(description="资产分布 (AssetBand)")
    @staticmethod
    async def asset_distribution(
        parent: strawberry.Parent[rows.CustomerGroup], info: Info
    ) -> list[AssetBandCount]:
        return cast(list[AssetBandCount], await _figure(info, parent, "assets"))

    @strawberry.field(description="趋势: the last `months` months (this one included), oldest first")
    @staticmethod
    async def trend(
        parent: strawberry.Parent[rows.CustomerGroup], info: Info, months: int = 12
    ) -> list[GroupTrendPoint]:
        return cast(list[GroupTrendPoint], await _figure(info, parent, "trend", check_trend_months(months)))
