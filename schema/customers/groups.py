"""客群 (customer groups): system groups by rule (a ``CustomerFilter``), custom groups by members.
Every figure counts the members the reader may see (a manager: their own customers in the
group; head office: all) and is one statement for a whole list of groups
(resolvers/customers/groups.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from models.customers import GroupSource
from resolvers.common.errors import bad_input
from schema.common.connection import Connection
from schema.customers.grids import TierCount
from schema.customers.types import Customer, CustomerKindEnum, User

MAX_TREND_MONTHS = 36

GroupSourceEnum = strawberry.enum(
    GroupSource, name="GroupSource", description="客群来源: 系统 (by rule) / 自定义"
)


@strawberry.enum(description="资产段 (ours): by AUM, 万 = 10,000 CNY")
class AssetBand(StrEnum):
    BELOW_50K = "BELOW_50K"  # < 5万
    FROM_50K = "FROM_50K"  # 5万 – 50万
    FROM_500K = "FROM_500K"  # 50万 – 600万: 财富客户
    FROM_6M = "FROM_6M"  # ≥ 600万: 私行客户


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


@strawberry.type(description="客群")
class CustomerGroup:
    id: strawberry.ID
    name: str
    kind: CustomerKindEnum
    source: GroupSourceEnum
    created_at: datetime

    @strawberry.field(description="系统客群的规则: its CustomerFilter as JSON (null for a custom group)")
    def rule(self) -> str | None:
        rule = self.rule  # type: ignore[attr-defined]
        if rule is None:
            return None
        as_input = {to_camel_case(key): value for key, value in rule.items()}  # the names the input takes
        return json.dumps(as_input, ensure_ascii=False, sort_keys=True)

    @strawberry.field(description="创建人")
    def created_by(self) -> User:
        return User(id=self.created_by)  # type: ignore[arg-type]

    @strawberry.field(description="成员: the members the caller may see")
    async def members(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Customer]:
        return await info.context.loaders.group_members(first, after).load(self)  # type: ignore[no-any-return]

    @strawberry.field(description="成员数")
    async def member_count(self, info: strawberry.Info) -> int:
        return await _figure(info, self, "count")  # type: ignore[no-any-return]

    @strawberry.field(description="分层分布")
    async def tier_distribution(self, info: strawberry.Info) -> list[TierCount]:
        return await _figure(info, self, "tiers")  # type: ignore[no-any-return]

    @strawberry.field(description="资产分布 (AssetBand)")
    async def asset_distribution(self, info: strawberry.Info) -> list[AssetBandCount]:
        return await _figure(info, self, "assets")  # type: ignore[no-any-return]

    @strawberry.field(description="趋势: the last `months` months (this one included), oldest first")
    async def trend(self, info: strawberry.Info, months: int = 12) -> list[GroupTrendPoint]:
        if not 1 <= months <= MAX_TREND_MONTHS:
            raise bad_input(f"months must be between 1 and {MAX_TREND_MONTHS}")
        return await _figure(info, self, "trend", months)  # type: ignore[no-any-return]


async def _figure(info: strawberry.Info, group: Any, figure: str, months: int = 0) -> Any:
    return await info.context.loaders.group_figure(figure, months).load(group)
