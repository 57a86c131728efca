"""Marketing types: stored audiences (目标客群) and their preview.

``Audience`` reads its row (models/marketing/audiences.py) as its parent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from models.marketing import Audience as AudienceRow
from resolvers.common.values import parse_id
from resolvers.marketing.audiences import AudienceCriteria as Criteria
from resolvers.marketing.audiences import criteria_of
from schema.common.federation import entity
from schema.marketing.context import Info
from schema.marketing.enums import CustomerTier


@strawberry.type(description="目标客群的条件 (every one given must hold)")
class AudienceCriteria:
    tags: list[str] = strawberry.field(description="标签: has all of them")
    tiers: list[CustomerTier] = strawberry.field(description="客户分层: any of them")
    aum_min: Decimal | None = strawberry.field(description="金融资产下限 (inclusive)")
    aum_max: Decimal | None = strawberry.field(description="金融资产上限 (inclusive)")
    grid_ids: list[strawberry.ID] = strawberry.field(description="网格: any of them")
    products_held: list[str] = strawberry.field(description="持有产品: holds any of them now")
    org_path: str | None = strawberry.field(
        description="机构范围 (辖内): an org subtree; null = the whole bank"
    )


def criteria_type(c: Criteria) -> AudienceCriteria:
    return AudienceCriteria(
        tags=list(c.tags),
        tiers=[CustomerTier(t) for t in c.tiers],
        aum_min=c.aum_min,
        aum_max=c.aum_max,
        grid_ids=[strawberry.ID(str(g)) for g in c.grid_ids],
        products_held=list(c.products_held),
        org_path=c.org_path,
    )


@strawberry.federation.type(
    keys=["id"], description="目标客群: a member bank's stored criteria over its customers"
)
class Audience:
    id: strawberry.ID
    name: str
    created_at: datetime

    @strawberry.field(description="条件")
    @staticmethod
    def criteria(parent: strawberry.Parent[AudienceRow]) -> AudienceCriteria:
        return criteria_type(criteria_of(parent.criteria))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Audience:
        return entity(cls, await info.context.loaders.audience.load(parse_id(id)))


@strawberry.type(
    description="客群预估: how many customers the criteria select now (minus 营销过滤 and non-consenting)"
)
class AudiencePreview:
    count: int
