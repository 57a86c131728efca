"""金融机构入驻: finance's side of an institution operations onboards (``institution.onboarded`` on
``operations.onboarding``, resolvers/operations/onboarding.py), read by a durable consumer
(realtime/consumer.py: each event once, in the transaction that records its cursor).

The Institution is created with the id operations chose (its FI admin's ``institution_id``), at the
new org, uncertified: it lists products and grabs orders only once an operator or the regulator
certifies it (``certifyInstitution``, catalogue.py). An event seen again changes nothing."""

from __future__ import annotations

from uuid import UUID

from models.finance import Institution, InstitutionKind
from realtime.events import Event

CONSUMER = "finance.institutions"  # its ConsumerCursor row


async def on_onboarding_event(event: Event) -> bool:
    """Create the onboarded institution; False: it publishes nothing of its own."""
    if event.type != "institution.onboarded":
        return False  # applicant.approved: the customers subgraph's business
    payload = event.payload
    kind = str(payload["kind"])
    await Institution.get_or_create(
        id=UUID(str(payload["institution_id"])),
        defaults={
            "org_id": UUID(str(payload["org_id"])),
            "org_path": str(event.scope.get("org_path", "")),
            "name": str(payload["name"]),
            "kind": InstitutionKind(kind) if kind in InstitutionKind.__members__ else InstitutionKind.OTHER,
            "district": str(payload.get("district") or ""),
            "certified": False,
        },
    )
    return False
