"""Every root query of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.marketing import pool, scan
from resolvers.marketing.opportunities import list_opportunities
from schema.common.connection import Connection
from schema.marketing.context import Info
from schema.marketing.enums import OpportunityStatus
from schema.marketing.inputs import ConversionFilter
from schema.marketing.types.opportunities import ConversionRow, ConversionStats, Opportunity, QrCode


@strawberry.type
class Query:
    @strawberry.field(description="商机池")
    async def opportunities(
        self, info: Info, first: int = 20, after: str | None = None, status: OpportunityStatus | None = None
    ) -> Connection[Opportunity]:
        page = await list_opportunities(info.context.require_principal(), first, after, status)
        return cast(Connection[Opportunity], page)

    # 商机池 / 我的商机 / 二维码 / 商机统计 (resolvers/marketing/pool.py, scan.py) --

    @strawberry.field(description="商机池: the OPEN opportunities of my bank, to claim (认领)")
    async def opportunity_pool(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Opportunity]:
        page = await pool.list_pool(info.context.require_principal(), first, after)
        return cast(Connection[Opportunity], page)

    @strawberry.field(description="我的商机: claimed by (or given to) me, newest first")
    async def my_opportunities(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: list[OpportunityStatus] | None = None,
    ) -> Connection[Opportunity]:
        page = await pool.list_mine(info.context.require_principal(), first, after, status)
        return cast(Connection[Opportunity], page)

    @strawberry.field(description="营销二维码 of my org subtree, newest first")
    async def qr_codes(self, info: Info, first: int = 20, after: str | None = None) -> Connection[QrCode]:
        page = await scan.list_qr_codes(info.context.require_principal(), first, after)
        return cast(Connection[QrCode], page)

    @strawberry.field(description="商机统计分析: per org and per manager, over what I may see")
    async def opportunity_stats(self, info: Info, filter: ConversionFilter | None = None) -> ConversionStats:
        f = filter or ConversionFilter()
        stats = await pool.conversion_stats(
            info.context.require_principal(),
            org_id=parse_id(f.org_id, "orgId") if f.org_id is not None else None,
            manager_id=parse_id(f.manager_id, "managerId") if f.manager_id is not None else None,
            since=f.since,
            until=f.until,
        )
        return ConversionStats(
            by_org=[_conversion_row(row) for row in stats.by_org],
            by_manager=[_conversion_row(row) for row in stats.by_manager],
        )


def _conversion_row(row: pool.ConversionRow) -> ConversionRow:
    return ConversionRow(
        id=strawberry.ID(str(row.id)),
        name=row.name,
        total=row.total,
        open=row.open,
        claimed=row.claimed,
        converted=row.converted,
        closed=row.closed,
        rate=row.rate,
    )
