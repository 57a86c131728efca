"""Operations' entities customers extends: an org's and a manager's customers (the stubs carry
only the key; the gateway asks operations for the rest)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry

from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.customers.context import Info

if TYPE_CHECKING:
    from schema.customers.types.customers import Customer

LazyCustomer = Annotated["Customer", strawberry.lazy("schema.customers.types.customers")]


@strawberry.federation.type(keys=["id"])
class Org:
    """Owned by operations; customers adds the customers of an org."""

    id: strawberry.ID

    @strawberry.field(description="本机构直属客户")
    async def customers(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[LazyCustomer]:
        page = await info.context.loaders.customers_of_org(first, after).load(parse_id(self.id))
        return cast(Connection[LazyCustomer], page)


@strawberry.federation.type(keys=["id"])
class User:
    """Owned by operations; customers adds the customers a manager is primary for (主办)."""

    id: strawberry.ID

    @strawberry.field(description="管户客户 (主办)")
    async def customers(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[LazyCustomer]:
        page = await info.context.loaders.customers_of_manager(first, after).load(parse_id(self.id))
        return cast(Connection[LazyCustomer], page)


def user_ref(user_id: UUID | None) -> User | None:
    """The operations ``User`` stub for an id (None for none)."""
    return User(id=strawberry.ID(str(user_id))) if user_id else None


def user_of(user_id: UUID) -> User:
    return User(id=strawberry.ID(str(user_id)))


def org_ref(org_id: UUID | None) -> Org | None:
    return Org(id=strawberry.ID(str(org_id))) if org_id else None
