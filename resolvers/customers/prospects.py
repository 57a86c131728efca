"""潜在客户 (prospects): a customer manager keeps people with no customer number yet, with a
next-contact date (下次联系), until they open an account (converted) or are dropped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from models.common import blind_index
from models.customers import Customer, Prospect, ProspectStatus
from resolvers.common.changes import change, transition
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.customers import customer_in_scope
from resolvers.customers.scopes import prospect_scope
from security.crypto import normalise
from security.principal import Principal
from security.roles import Role


def _check_date(value: date | None) -> None:
    if value is not None and value < datetime.now(CST).date():
        raise bad_input("nextContactOn cannot be in the past")


async def prospects(
    principal: Principal,
    first: int,
    after: str | None,
    status: ProspectStatus | None = None,
    due_by: date | None = None,
) -> Page[Prospect]:
    """潜在客户: mine, or my subtree's for a branch head; ``due_by``: next contact on or before."""
    queryset = scoped(principal, Prospect, prospect_scope)
    if status is not None:
        queryset = queryset.filter(status=ProspectStatus(status))
    if due_by is not None:
        queryset = queryset.filter(next_contact_on__lte=due_by)
    return await paginate(queryset, first, after)


async def create_prospect(
    principal: Principal,
    name: str,
    phone: str,
    corporate: bool = False,
    source: str = "",
    note: str = "",
    next_contact_on: date | None = None,
) -> Prospect:
    """新建潜在客户 (customer managers); the same person twice in one's own list returns the first."""
    if not principal.has_role(Role.CUSTOMER_MANAGER) or principal.tenant_id is None:
        raise forbidden("只有客户经理可以新建潜在客户 (customer managers only)")
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise bad_input("name must be 1–100 characters")
    if len(normalise(phone)) < 7:
        raise bad_input("phone is not a phone number")
    _check_date(next_contact_on)
    existing = await Prospect.filter(
        manager_id=principal.user_id,
        phone_bidx=blind_index(Prospect, "phone", phone),
        status=ProspectStatus.OPEN,
    ).first()
    if existing is not None:
        return existing
    async with change("customers", "Prospect") as audited:
        prospect = await Prospect.create(
            tenant_id=principal.tenant_id,
            org_id=principal.org_id,
            org_path=principal.org_path,
            manager_id=principal.user_id,
            name=name,
            corporate=corporate,
            phone=normalise(phone),
            source=source.strip()[:30],
            note=note.strip()[:500],
            next_contact_on=next_contact_on,
        )
        audited.id = prospect.id
    return prospect


async def update_prospect(
    principal: Principal,
    prospect_id: UUID,
    note: str | None = None,
    next_contact_on: date | None = None,
    status: ProspectStatus | None = None,
    customer_id: UUID | None = None,
) -> Prospect:
    """跟进潜在客户: note, next contact, converted (with the customer it became) or dropped."""
    _check_date(next_contact_on)
    if status == ProspectStatus.OPEN:
        raise bad_input("status can only become CONVERTED or DROPPED")
    if (status == ProspectStatus.CONVERTED) != (customer_id is not None):
        raise bad_input("customerId goes with status CONVERTED, and only with it")
    customer: Customer | None = None
    if customer_id is not None:  # the customer it became: one the manager may see
        customer = await customer_in_scope(principal, customer_id)
    async with change("customers", "Prospect", prospect_id):
        prospect = await scoped(principal, Prospect, prospect_scope).get_or_none(id=prospect_id)
        if prospect is None:
            raise not_found("prospect")
        if prospect.manager_id != principal.user_id:
            raise forbidden("只有跟进该潜客的客户经理可以修改 (only the manager keeping it)")
        changes: dict[str, Any] = {}
        if note is not None:
            changes["note"] = note.strip()[:500]
        if next_contact_on is not None:
            changes["next_contact_on"] = next_contact_on
        if status is not None:
            changes |= {"status": ProspectStatus(status), "next_contact_on": None}
            if customer is not None:
                changes["customer_id"] = customer.id
        # Only an open prospect changes: a converted or dropped one is final.
        if changes:
            final = f"潜客已{prospect.status}，不能再修改 (final)"
            await transition(Prospect, prospect_id, ProspectStatus.OPEN, final, **changes)
    prospect.update_from_dict(changes)
    return prospect
