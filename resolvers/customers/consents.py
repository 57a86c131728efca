"""营销过滤 and 授权: what a customer allows.

Marketing filter: the customer's managers, their branch head or head office exclude a customer
from all marketing (with a reason) and include them again; ``marketingExclusions`` lists the
excluded customers the caller sees, ``Customer.marketingExcluded`` says it per customer. Every
target list (营销名单) must leave them out — marketing builds none from customers yet.

Consents (seed 001): the customer's manager or head office records a consent the customer
signed (purpose, expiry, evidence) and revokes it; the reads it opens (``Customer.creditReport``)
refuse without a live one (CONSENT_REQUIRED, schema/customers/consents.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from tortoise.transactions import in_transaction

from models.customers import Consent as ConsentModel
from models.customers import ConsentPurpose
from models.customers import MarketingExclusion as ExclusionModel
from resolvers.common import audit
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.customers.scopes import about_customer_scope
from schema.common.connection import Connection
from schema.customers.access import acts_for
from schema.customers.consents import Consent, ConsentPurposeEnum, MarketingExclusion
from schema.customers.types import Customer
from security.roles import Role

CONSENT_RECORDERS = (Role.CUSTOMER_MANAGER, Role.HQ_ADMIN)
MARKETING_FILTER_EDITORS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN)
LONGEST_CONSENT = timedelta(days=5 * 366)  # ours: a signed form is renewed at least every 5 years


async def _customer_to_act_on(info: strawberry.Info, customer_id: Any, roles: tuple[Role, ...]) -> Any:
    """The customer, in the caller's scope (else NOT_FOUND), acted on in one of ``roles``."""
    customer = await info.context.loaders.customer.load(parse_id(customer_id, "customerId"))
    if customer is None:
        raise not_found("customer")
    if not await acts_for(info, customer, roles):
        raise forbidden("无权操作该客户 (not one of this customer's managers, branch head or head office)")
    return customer


@strawberry.input(description="记录授权")
class ConsentInput:
    customer_id: strawberry.ID
    purpose: ConsentPurposeEnum
    expires_at: datetime = strawberry.field(description="到期时间 (at most 5 years ahead)")
    evidence: str = strawberry.field(description="授权书编号 / channel")


@strawberry.type
class ConsentQuery:
    @strawberry.field(description="营销过滤名单: excluded customers the caller sees")
    async def marketing_exclusions(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[MarketingExclusion]:
        queryset = scoped(info.context.require_principal(), ExclusionModel, about_customer_scope)
        return await paginate(queryset, first, after)  # type: ignore[return-value]


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(
        description="营销过滤: exclude from all marketing; again returns the first exclusion"
    )
    async def exclude_from_marketing(
        self, info: strawberry.Info, customer_id: strawberry.ID, reason: str
    ) -> MarketingExclusion:
        reason = reason.strip()
        if not 2 <= len(reason) <= 500:
            raise bad_input("reason must be 2–500 characters")
        customer = await _customer_to_act_on(info, customer_id, MARKETING_FILTER_EDITORS)
        existing = await ExclusionModel.get_or_none(customer_id=customer.id)
        if existing is not None:
            return existing  # type: ignore[return-value]
        async with in_transaction("customers"):
            exclusion = await ExclusionModel.create(
                customer_id=customer.id,
                tenant_id=customer.tenant_id,
                reason=reason,
                created_by=info.context.require_principal().user_id,
            )
            await audit.record(target=audit.Target("Customer", customer.id))
        return exclusion  # type: ignore[return-value]

    @strawberry.mutation(description="取消营销过滤: the customer may be marketed to again")
    async def include_in_marketing(self, info: strawberry.Info, customer_id: strawberry.ID) -> Customer:
        customer = await _customer_to_act_on(info, customer_id, MARKETING_FILTER_EDITORS)
        async with in_transaction("customers"):
            if await ExclusionModel.filter(customer_id=customer.id).delete():
                await audit.record(target=audit.Target("Customer", customer.id))
        return customer  # type: ignore[no-any-return]

    @strawberry.mutation(
        description="记录授权 (the customer's manager or head office); again returns the first"
    )
    async def grant_consent(self, info: strawberry.Info, input: ConsentInput) -> Consent:
        now = datetime.now(UTC)
        if input.expires_at.tzinfo is None:
            raise bad_input("expiresAt needs a time zone")
        if not now < input.expires_at <= now + LONGEST_CONSENT:
            raise bad_input("expiresAt must be in the future, at most 5 years ahead")
        evidence = input.evidence.strip()
        if not 1 <= len(evidence) <= 200:
            raise bad_input("evidence must be 1–200 characters")
        customer = await _customer_to_act_on(info, input.customer_id, CONSENT_RECORDERS)
        purpose = ConsentPurpose(input.purpose)
        existing = await ConsentModel.filter(
            customer_id=customer.id,
            purpose=purpose,
            evidence=evidence,
            expires_at=input.expires_at,
            revoked_at=None,
        ).first()
        if existing is not None:
            return existing  # type: ignore[return-value]
        async with in_transaction("customers"):
            consent = await ConsentModel.create(
                customer_id=customer.id,
                tenant_id=customer.tenant_id,
                purpose=purpose,
                granted_by=info.context.require_principal().user_id,
                evidence=evidence,
                expires_at=input.expires_at,
            )
            await audit.record(target=audit.Target("Consent", consent.id))
        return consent  # type: ignore[return-value]

    @strawberry.mutation(description="撤销授权; revoking again changes nothing")
    async def revoke_consent(self, info: strawberry.Info, id: strawberry.ID) -> Consent:
        consent_id = parse_id(id)
        consent = await scoped(
            info.context.require_principal(), ConsentModel, about_customer_scope
        ).get_or_none(id=consent_id)
        if consent is None:
            raise not_found("consent")
        await _customer_to_act_on(info, consent.customer_id, CONSENT_RECORDERS)
        async with in_transaction("customers"):
            if await ConsentModel.filter(id=consent_id, revoked_at=None).update(revoked_at=datetime.now(UTC)):
                await audit.record(target=audit.Target("Consent", consent_id))
        return await ConsentModel.get(id=consent_id)  # type: ignore[return-value]
