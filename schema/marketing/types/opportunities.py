"""Marketing types: opportunities (商机).

``Opportunity`` reads its row (models/marketing) as its parent; relations resolve through
``info.context.loaders`` (resolvers/marketing/dataloaders.py).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.marketing import Opportunity as OpportunityRow
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.marketing.context import Info
from schema.marketing.enums import OpportunityStatus
from schema.marketing.federation import Customer


@strawberry.federation.type(keys=["id"], description="商机")
class Opportunity:
    id: strawberry.ID
    title: str
    product_name: str
    source: str
    status: OpportunityStatus
    created_at: datetime

    @strawberry.field(description="客户; null, with NOT_FOUND at this path, when out of the caller's scope")
    @staticmethod
    def customer(parent: strawberry.Parent[OpportunityRow]) -> Customer | None:
        # Nullable: the customers subgraph refuses a customer out of the caller's scope, and a
        # non-null link would then null the whole page around it.
        return Customer(id=strawberry.ID(str(parent.customer_id)))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Opportunity:
        return entity(cls, await info.context.loaders.opportunity.load(parse_id(id)))
