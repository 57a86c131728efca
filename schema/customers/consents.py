"""营销过滤 (marketing filter) and 授权 (consents, seed 001): what a customer allows to be done
with them. The types, and the guard of the reads that need a live consent (``require_consent``,
used by ``Customer.creditReport``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models.customers import ConsentPurpose
from resolvers.common.errors import consent_required, forbidden
from schema.customers.access import acts_for
from security.roles import Role

if TYPE_CHECKING:
    from schema.customers.types import Customer, User

ConsentPurposeEnum = strawberry.enum(ConsentPurpose, name="ConsentPurpose", description="授权用途")

# Who reads what a consent opens (征信报告): the customer's own managers (管户 — not a manager who
# only found them by whole-bank search), their branch head and head office.
CONSENT_USERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.HQ_REVIEWER)


def is_live(consent: Any, now: datetime | None = None) -> bool:
    return consent.revoked_at is None and consent.expires_at > (now or datetime.now(UTC))


async def require_consent(info: strawberry.Info, customer: Any, purpose: ConsentPurpose) -> None:
    """FORBIDDEN unless the caller may use the customer's consents; CONSENT_REQUIRED unless one
    for ``purpose`` is live (the consents of a whole page load in one statement)."""
    if not await acts_for(info, customer, CONSENT_USERS):
        raise forbidden("只有客户的管户经理、支行行长或总行可以查询 (the customer's managers only)")
    consents = await info.context.loaders.profile("consents").load(customer.id)
    if not any(c.purpose == purpose and is_live(c) for c in consents):
        raise consent_required(purpose.value)


@strawberry.type(
    description="授权: the customer allows one use of their data until expiresAt, unless revoked"
)
class Consent:
    id: strawberry.ID
    purpose: ConsentPurposeEnum
    evidence: str = strawberry.field(description="授权书编号 / channel")
    expires_at: datetime
    revoked_at: datetime | None
    created_at: datetime

    @strawberry.field(description="有效: not revoked and not expired")
    def live(self) -> bool:
        return is_live(self)

    @strawberry.field(description="记录人 (the manager recording the signed form)")
    def granted_by(self) -> Annotated[User, strawberry.lazy("schema.customers.types")]:
        from schema.customers.types import User

        return User(id=self.granted_by)  # type: ignore[arg-type]

    @strawberry.field
    async def customer(
        self, info: strawberry.Info
    ) -> Annotated[Customer, strawberry.lazy("schema.customers.types")] | None:
        return await info.context.loaders.customer.load(self.customer_id)  # type: ignore[attr-defined, no-any-return]


@strawberry.type(description="营销过滤: a customer excluded from all marketing")
class MarketingExclusion:
    id: strawberry.ID
    reason: str
    created_at: datetime

    @strawberry.field(description="设置人")
    def created_by(self) -> Annotated[User, strawberry.lazy("schema.customers.types")]:
        from schema.customers.types import User

        return User(id=self.created_by)  # type: ignore[arg-type]

    @strawberry.field
    async def customer(
        self, info: strawberry.Info
    ) -> Annotated[Customer, strawberry.lazy("schema.customers.types")] | None:
        return await info.context.loaders.customer.load(self.customer_id)  # type: ignore[attr-defined, no-any-return]
