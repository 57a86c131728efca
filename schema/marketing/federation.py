"""Entities of other subgraphs that marketing extends: the customers ``Customer`` with its
opportunities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.marketing.context import Info
from schema.marketing.enums import OpportunityStatus

if TYPE_CHECKING:
    from schema.marketing.types import Opportunity

_Opportunity = Annotated["Opportunity", strawberry.lazy("schema.marketing.types")]


@strawberry.federation.type(keys=["id"])
class Customer:
    """Owned by customers; marketing adds the customer's opportunities."""

    id: strawberry.ID

    @strawberry.field(description="商机; status: only these (e.g. [OPEN, CLAIMED] for the open ones)")
    async def opportunities(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: list[OpportunityStatus] | None = None,
    ) -> Connection[_Opportunity]:
        loader = info.context.loaders.opportunities_of_customer(first, after, status)
        return cast("Connection[Opportunity]", await loader.load(parse_id(self.id)))
