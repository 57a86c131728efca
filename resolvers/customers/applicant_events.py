"""客户关联: what the customers subgraph does with the applicants operations approves (operations'
``operations.onboarding`` stream, resolvers/operations/onboarding.py), read by a durable consumer
(realtime/consumer.py: each event once, in the transaction that records its cursor).

``applicant.approved`` with ``link_consent``: the applicant agreed, when registering, to be linked to
their bank customer. The customers that are them — an enterprise by its 统一社会信用代码, an individual
by ID number, or by the verified phone when no ID number was given; of any member bank — each get a
``Consent`` granted by the applicant (DATA_USE, evidence 自助注册授权 and the application) and an
``ApplicantLink`` resting on it. The identifiers are read from the application here (directory.py):
the event carries none. Without consent, or with no match, nothing is recorded."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

from models.common import blind_index
from models.customers import ApplicantLink, Consent, ConsentPurpose, Customer, CustomerKind
from realtime.events import Event
from resolvers.customers.directory import Applicant, approved_applicant

log = logging.getLogger(__name__)

CONSUMER = "customers.applicants"  # its ConsumerCursor row
CONSENT_YEARS = timedelta(days=5 * 365)  # as a signed form: renewed at least every 5 years
MAX_MATCHES = 20  # customers linked per applicant at most (one per member bank, in practice)


def _matching(applicant: Applicant) -> dict[str, object]:
    """The filter of the customers that are ``applicant``."""
    if applicant.enterprise:
        return {
            "kind": CustomerKind.CORPORATE,
            "id_number_bidx": blind_index(Customer, "id_number", applicant.credit_code),
        }
    if applicant.id_number:
        return {
            "kind": CustomerKind.RETAIL,
            "id_number_bidx": blind_index(Customer, "id_number", applicant.id_number),
        }
    return {"kind": CustomerKind.RETAIL, "phone_bidx": blind_index(Customer, "phone", applicant.phone)}


async def link_applicant(application_id: UUID, user_id: UUID) -> int:
    """Link the approved applicant to the customers that are them; the number of links made. Four
    statements whatever the matches: the application, the customers, their links, one INSERT each
    of consents and links."""
    applicant = await approved_applicant(application_id)
    if applicant is None:
        return 0
    criteria = _matching(applicant)
    if None in criteria.values():
        return 0
    customers = await Customer.filter(**criteria).order_by("id").limit(MAX_MATCHES)
    linked = set(
        await ApplicantLink.filter(user_id=user_id, customer_id__in=[c.id for c in customers]).values_list(
            "customer_id", flat=True
        )
    )
    fresh = [c for c in customers if c.id not in linked]
    if not fresh:
        return 0
    expires_at = datetime.now(UTC) + CONSENT_YEARS
    evidence = f"自助注册授权 {application_id}"
    consents = [
        Consent(
            id=uuid.uuid4(),
            customer_id=c.id,
            tenant_id=c.tenant_id,
            purpose=ConsentPurpose.DATA_USE,
            granted_by=user_id,
            evidence=evidence,
            expires_at=expires_at,
        )
        for c in fresh
    ]
    await Consent.bulk_create(consents)
    await ApplicantLink.bulk_create(
        [
            ApplicantLink(
                customer_id=c.id,
                user_id=user_id,
                application_id=application_id,
                tenant_id=c.tenant_id,
                consent_id=consent.id,
            )
            for c, consent in zip(fresh, consents, strict=True)
        ]
    )
    return len(fresh)


async def on_onboarding_event(event: Event) -> bool:
    """Apply one onboarding event; False: it publishes nothing of its own."""
    if event.type == "applicant.approved":
        if event.scope.get("link_consent"):
            await link_applicant(UUID(str(event.payload["id"])), UUID(str(event.scope["user_id"])))
    elif event.type != "institution.onboarded":  # finance's business
        log.warning("onboarding event %s of unknown type %s: ignored", event.id, event.type)
    return False
