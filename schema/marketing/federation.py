"""Entities of other subgraphs that marketing extends: the customers ``Customer`` with its
opportunities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

import models.marketing as rows
from resolvers.common.loading import MaybeAwaitable, ready
from resolvers.common.pagination import Page
from resolvers.common.values import parse_id
from resolvers.marketing.dataloaders import MarketingLoaders
from schema.common.connection import Connection
from schema.common.prefetch import Plan, prefetch
from schema.marketing.context import Info
from schema.marketing.enums import OpportunityStatus

if TYPE_CHECKING:
    from schema.marketing.types.opportunities import Opportunity
    from schema.marketing.types.points import Points

_Opportunity = Annotated["Opportunity", strawberry.lazy("schema.marketing.types.opportunities")]
_Points = Annotated["Points", strawberry.lazy("schema.marketing.types.points")]


@strawberry.federation.type(keys=["id"])
class Customer:
    """Owned by customers; marketing adds the customer's opportunities and points (积分).

    Its fields and arguments carry their GraphQL names: Strawberry otherwise derives each name
    from the Python one (camelCase) on every use, that is for every representation ``_entities``
    turns into a ``Customer`` and for every argument of every customer's ``opportunities``."""

    id: strawberry.ID = strawberry.field(name="id")

    @strawberry.field(
        name="opportunities",
        description="商机; status: only these (e.g. [OPEN, CLAIMED] for the open ones)",
        graphql_type=Connection[_Opportunity],
    )
    def opportunities(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(name="first")] = 20,
        after: Annotated[str | None, strawberry.argument(name="after")] = None,
        status: Annotated[list[OpportunityStatus] | None, strawberry.argument(name="status")] = None,
    ) -> MaybeAwaitable[Page[rows.Opportunity]]:
        return ready(info.context.loaders.opportunities_of_customer(first, after, status), parse_id(self.id))

    @strawberry.field(
        name="points",
        description="积分 (营销信息): balance and latest entries; null for a customer the caller may not see",
        graphql_type=_Points | None,
    )
    def points(
        self, info: Info, latest: Annotated[int, strawberry.argument(name="latest")] = 10
    ) -> MaybeAwaitable[Any]:
        return ready(info.context.loaders.points_of_customer(_latest(latest)), parse_id(self.id))

    @classmethod
    async def prefetch(cls, info: Info, customers: list[Customer]) -> None:
        """The opportunities the gateway's batch of customers asks for, in one await
        (schema/common/prefetch.py)."""
        ids = [UUID(c.id) for c in customers if _is_uuid(c.id)]  # a bad one fails in its own field
        await prefetch(info, ids, PREFETCH, type_name="Customer")


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def _statuses(arguments: Mapping[str, Any]) -> list[OpportunityStatus] | None:
    names = arguments.get("status")
    return [OpportunityStatus(name) for name in names] if names else None


def _latest(latest: int) -> int:
    """How many of a customer's latest points entries: 0 to 50."""
    return max(0, min(latest, 50))


PREFETCH: Plan[MarketingLoaders] = {
    "points": lambda loaders, arguments: loaders.points_of_customer(
        _latest(int(arguments.get("latest", 10)))
    ),
    "opportunities": lambda loaders, arguments: loaders.opportunities_of_customer(
        int(arguments.get("first", 20)), arguments.get("after"), _statuses(arguments)
    ),
}


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class User:
    """Owned by operations: the manager of a work order or a split (the gateway asks operations
    for the name)."""

    id: strawberry.ID


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)])
class Org:
    """Owned by operations: the org of a scheme or a split."""

    id: strawberry.ID


def user_of(user_id: UUID) -> User:
    return User(id=strawberry.ID(str(user_id)))


def org_of(org_id: UUID) -> Org:
    return Org(id=strawberry.ID(str(org_id)))
