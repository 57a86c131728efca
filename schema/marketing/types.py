"""Marketing types: opportunities (商机), and ``Customer`` extended with them.

Relations resolve through ``info.context.loaders`` (resolvers/marketing/dataloaders.py).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.marketing import OpportunityStatus
from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.common.federation import entity

OpportunityStatusEnum = strawberry.enum(OpportunityStatus, name="OpportunityStatus", description="商机状态")


@strawberry.federation.type(keys=["id"])
class Customer:
    """Owned by customers; marketing adds the customer's opportunities."""

    id: strawberry.ID

    @strawberry.field(description="商机; status: only these (e.g. [OPEN, CLAIMED] for the open ones)")
    async def opportunities(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: list[OpportunityStatusEnum] | None = None,
    ) -> Connection[Opportunity]:
        statuses = tuple(sorted(str(s.value) for s in status)) if status else None
        loader = info.context.loaders.opportunities_of_customer(first, after, statuses)
        return await loader.load(parse_id(self.id))


@strawberry.federation.type(keys=["id"], description="商机")
class Opportunity:
    id: strawberry.ID
    title: str
    product_name: str
    source: str
    status: OpportunityStatusEnum
    created_at: datetime

    @strawberry.field(description="客户; null, with NOT_FOUND at this path, when out of the caller's scope")
    def customer(self) -> Customer | None:
        # Nullable: the customers subgraph refuses a customer out of the caller's scope, and a
        # non-null link would then null the whole page around it.
        return Customer(id=self.customer_id)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Opportunity | None:
        return entity(cls, await info.context.loaders.opportunity.load(parse_id(id)))
