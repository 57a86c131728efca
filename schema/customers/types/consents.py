"""营销过滤 (marketing filter) and 授权 (consents): what a customer allows to be done with
them. Rules: resolvers/customers/consents.py."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

import models.customers as rows
from resolvers.customers.consents import is_live
from schema.customers.context import Info
from schema.customers.enums import ConsentPurpose
from schema.customers.federation import User, user_of

if TYPE_CHECKING:
    from schema.customers.types.customers import Customer

LazyCustomer = Annotated["Customer", strawberry.lazy("schema.customers.types.customers")]


@strawberry.type(
    description="授权: the customer allows one use of their data until expiresAt, unless revoked"
)
class Consent:
    id: strawberry.ID
    purpose: ConsentPurpose
    evidence: str = strawberry.field(description="授权书编号 / channel")
    expires_at: datetime
    revoked_at: datetime | None
    created_at: datetime

    @strawberry.field(description="有效: not revoked and not expired")
    @staticmethod
    def live(parent: strawberry.Parent[rows.Consent]) -> bool:
        return is_live(parent)

    @strawberry.field(description="记录人 (the manager recording the signed form)")
    @staticmethod
    def granted_by(parent: strawberry.Parent[rows.Consent]) -> User:
        return user_of(parent.granted_by)

    @strawberry.field
    @staticmethod
    async def customer(parent: strawberry.Parent[rows.Consent], info: Info) -> LazyCustomer | None:
        return cast("Customer | None", await info.context.loaders.customer.load(parent.customer_id))


@strawberry.type(description="营销过滤: a customer excluded from all marketing")
class MarketingExclusion:
    id: strawberry.ID
    reason: str
    created_at: datetime

    @strawberry.field(description="设置人")
    @staticmethod
    def created_by(parent: strawberry.Parent[rows.MarketingExclusion]) -> User:
        return user_of(parent.created_by)

    @strawberry.field
    @staticmethod
    async def customer(parent: strawberry.Parent[rows.MarketingExclusion], info: Info) -> LazyCustomer | None:
        return cast("Customer | None", await info.context.loaders.customer.load(parent.customer_id))
