"""Entities of other subgraphs that finance extends: the operations ``Org`` and ``User`` and the
customers ``Customer``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.finance.context import Info

if TYPE_CHECKING:
    from schema.finance.types.institutions import Institution
    from schema.finance.types.orders import FinancingNeed, Handling

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.types.institutions")]
_Need = Annotated["FinancingNeed", strawberry.lazy("schema.finance.types.orders")]
_Handling = Annotated["Handling", strawberry.lazy("schema.finance.types.orders")]


@strawberry.federation.type(keys=["id"])
class Org:
    """Owned by operations; finance adds the institution an org is."""

    id: strawberry.ID

    @strawberry.field(description="该机构在金融超市中的机构档案")
    async def institution(self, info: Info) -> _Institution | None:
        return cast(
            "Institution | None", await info.context.loaders.institution_of_org.load(parse_id(self.id))
        )


@strawberry.federation.type(keys=["id"])
class User:
    """Owned by operations; finance adds the orders an account manager grabbed (抢单)."""

    id: strawberry.ID

    @strawberry.field(description="我抢到的订单 (受理单)")
    async def grabs(self, info: Info, first: int = 20, after: str | None = None) -> Connection[_Handling]:
        page = await info.context.loaders.handlings_of_handler(first, after).load(parse_id(self.id))
        return cast("Connection[Handling]", page)


@strawberry.federation.type(keys=["id"])
class Customer:
    """Owned by customers; finance adds the financing needs the customer posted."""

    id: strawberry.ID

    @strawberry.field(description="融资需求")
    async def financing_needs(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[_Need]:
        page = await info.context.loaders.needs_of_applicant(first, after).load(parse_id(self.id))
        return cast("Connection[FinancingNeed]", page)
