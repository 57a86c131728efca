"""营销过滤 and 授权: what a customer allows.

Marketing filter: the customer's managers, their branch head or head office exclude a customer
from all marketing (with a reason) and include them again; ``marketingExclusions`` lists the
excluded customers the caller sees, ``Customer.marketingExcluded`` says it per customer. Every
target list (营销名单) must leave them out — marketing builds none from customers yet.

Consents: the customer's manager or head office records a consent the customer
signed (purpose, expiry, evidence) and revokes it; the reads it opens (``Customer.creditReport``)
refuse without a live one (CONSENT_REQUIRED, ``require_consent``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from models.customers import Consent, ConsentPurpose, Customer, MarketingExclusion
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, consent_required, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.customers import customer_in_scope
from resolvers.customers.permissions import (
    CONSENT_RECORDERS,
    CONSENT_USERS,
    MARKETING_FILTER_EDITORS,
    ManagesCheck,
    acts_for,
)
from resolvers.customers.scopes import about_customer_scope
from security.principal import Principal
from security.roles import Role

LONGEST_CONSENT = timedelta(days=5 * 366)  # a signed form is renewed at least every 5 years


def is_live(consent: Consent, now: datetime | None = None) -> bool:
    return consent.revoked_at is None and consent.expires_at > (now or datetime.now(UTC))


async def require_consent(
    principal: Principal,
    customer: Customer,
    purpose: ConsentPurpose,
    consents: Callable[[], Awaitable[list[Consent]]],
    check: ManagesCheck | None = None,
) -> None:
    """FORBIDDEN unless the caller may use the customer's consents (``consents``: all of them, read
    only then); CONSENT_REQUIRED unless one for ``purpose`` is live."""
    if not await acts_for(principal, customer, CONSENT_USERS, check):
        raise forbidden("只有客户的管户经理、支行行长或总行可以查询 (the customer's managers only)")
    if not any(c.purpose == purpose and is_live(c) for c in await consents()):
        raise consent_required(purpose.value)


async def _customer_to_act_on(principal: Principal, customer_id: UUID, roles: tuple[Role, ...]) -> Customer:
    """The customer, in the caller's scope (else NOT_FOUND), acted on in one of ``roles``."""
    customer = await customer_in_scope(principal, customer_id)
    if not await acts_for(principal, customer, roles):
        raise forbidden("无权操作该客户 (not one of this customer's managers, branch head or head office)")
    return customer


async def marketing_exclusions(
    principal: Principal, first: int, after: str | None
) -> Page[MarketingExclusion]:
    """营销过滤名单: excluded customers the caller sees."""
    return await paginate(scoped(principal, MarketingExclusion, about_customer_scope), first, after)


async def exclude_from_marketing(principal: Principal, customer_id: UUID, reason: str) -> MarketingExclusion:
    """营销过滤: exclude from all marketing; again returns the first exclusion."""
    reason = reason.strip()
    if not 2 <= len(reason) <= 500:
        raise bad_input("reason must be 2–500 characters")
    customer = await _customer_to_act_on(principal, customer_id, MARKETING_FILTER_EDITORS)
    existing = await MarketingExclusion.get_or_none(customer_id=customer.id)
    if existing is not None:
        return existing
    async with change("customers", "Customer", customer.id):
        exclusion = await MarketingExclusion.create(
            customer_id=customer.id, tenant_id=customer.tenant_id, reason=reason, created_by=principal.user_id
        )
    return exclusion


async def include_in_marketing(principal: Principal, customer_id: UUID) -> Customer:
    """取消营销过滤: the customer may be marketed to again."""
    customer = await _customer_to_act_on(principal, customer_id, MARKETING_FILTER_EDITORS)
    async with change("customers", "Customer", customer.id):
        await MarketingExclusion.filter(customer_id=customer.id).delete()
    return customer


async def grant_consent(
    principal: Principal, customer_id: UUID, purpose: ConsentPurpose, expires_at: datetime, evidence: str
) -> Consent:
    """记录授权 (the customer's manager or head office); again returns the first."""
    now = datetime.now(UTC)
    if expires_at.tzinfo is None:
        raise bad_input("expiresAt needs a time zone")
    if not now < expires_at <= now + LONGEST_CONSENT:
        raise bad_input("expiresAt must be in the future, at most 5 years ahead")
    evidence = evidence.strip()
    if not 1 <= len(evidence) <= 200:
        raise bad_input("evidence must be 1–200 characters")
    customer = await _customer_to_act_on(principal, customer_id, CONSENT_RECORDERS)
    purpose = ConsentPurpose(purpose)
    existing = await Consent.filter(
        customer_id=customer.id, purpose=purpose, evidence=evidence, expires_at=expires_at, revoked_at=None
    ).first()
    if existing is not None:
        return existing
    async with change("customers", "Consent") as audited:
        consent = await Consent.create(
            customer_id=customer.id,
            tenant_id=customer.tenant_id,
            purpose=purpose,
            granted_by=principal.user_id,
            evidence=evidence,
            expires_at=expires_at,
        )
        audited.id = consent.id
    return consent


async def revoke_consent(principal: Principal, consent_id: UUID) -> Consent:
    """撤销授权; revoking again changes nothing."""
    consent = await scoped(principal, Consent, about_customer_scope).get_or_none(id=consent_id)
    if consent is None:
        raise not_found("consent")
    await _customer_to_act_on(principal, consent.customer_id, CONSENT_RECORDERS)
    async with change("customers", "Consent", consent_id):
        await Consent.filter(id=consent_id, revoked_at=None).update(revoked_at=datetime.now(UTC))
    return await Consent.get(id=consent_id)
