"""潜在客户 (prospects): a customer manager keeps people with no customer number yet, with a
next-contact date (下次联系), until they open an account (converted) or are dropped."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from tortoise.transactions import in_transaction

from models.common import blind_index
from models.customers import Prospect, ProspectStatus
from resolvers.common import audit
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.customers.scopes import prospect_scope
from schema.common.connection import Connection
from schema.customers.prospects import Prospect as ProspectType
from schema.customers.prospects import ProspectStatusEnum
from security.crypto import normalise
from security.roles import Role


@strawberry.input(description="新建潜在客户")
class ProspectInput:
    name: str
    phone: str
    corporate: bool = False
    source: str = ""
    note: str = ""
    next_contact_on: date | None = None


@strawberry.input(description="跟进潜在客户: fields left null stay as they are")
class ProspectUpdate:
    note: str | None = None
    next_contact_on: date | None = None
    status: ProspectStatusEnum | None = strawberry.field(
        default=None, description="CONVERTED (with customerId) or DROPPED; final"
    )
    customer_id: strawberry.ID | None = None


def _check_date(value: date | None) -> None:
    if value is not None and value < datetime.now(CST).date():
        raise bad_input("nextContactOn cannot be in the past")


@strawberry.type
class ProspectQuery:
    @strawberry.field(
        description="潜在客户: mine, or my subtree's for a branch head; dueBy = next contact on or before"
    )
    async def prospects(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: ProspectStatusEnum | None = None,
        due_by: date | None = None,
    ) -> Connection[ProspectType]:
        queryset = scoped(info.context.require_principal(), Prospect, prospect_scope)
        if status is not None:
            queryset = queryset.filter(status=ProspectStatus(status))
        if due_by is not None:
            queryset = queryset.filter(next_contact_on__lte=due_by)
        return await paginate(queryset, first, after)  # type: ignore[return-value]


@strawberry.type
class ProspectMutation:
    @strawberry.mutation(description="新建潜在客户 (customer managers)")
    async def create_prospect(self, info: strawberry.Info, input: ProspectInput) -> ProspectType:
        principal = info.context.require_principal()
        if not principal.has_role(Role.CUSTOMER_MANAGER) or principal.tenant_id is None:
            raise forbidden("只有客户经理可以新建潜在客户 (customer managers only)")
        name = input.name.strip()
        if not 1 <= len(name) <= 100:
            raise bad_input("name must be 1–100 characters")
        if len(normalise(input.phone)) < 7:
            raise bad_input("phone is not a phone number")
        _check_date(input.next_contact_on)
        # The same person twice in one's own list is a repeat: return the first.
        existing = await Prospect.filter(
            manager_id=principal.user_id,
            phone_bidx=blind_index(Prospect, "phone", input.phone),
            status=ProspectStatus.OPEN,
        ).first()
        if existing is not None:
            return existing  # type: ignore[return-value]
        async with in_transaction("customers"):
            prospect = await Prospect.create(
                tenant_id=principal.tenant_id,
                org_id=principal.org_id,
                org_path=principal.org_path,
                manager_id=principal.user_id,
                name=name,
                corporate=input.corporate,
                phone=normalise(input.phone),
                source=input.source.strip()[:30],
                note=input.note.strip()[:500],
                next_contact_on=input.next_contact_on,
            )
            await audit.record(target=audit.Target("Prospect", prospect.id))
        return prospect  # type: ignore[return-value]

    @strawberry.mutation(description="跟进潜在客户: note, next contact, converted or dropped")
    async def update_prospect(
        self, info: strawberry.Info, id: strawberry.ID, input: ProspectUpdate
    ) -> ProspectType:
        principal = info.context.require_principal()
        prospect_id = parse_id(id)
        _check_date(input.next_contact_on)
        if input.status == ProspectStatus.OPEN:
            raise bad_input("status can only become CONVERTED or DROPPED")
        if (input.status == ProspectStatus.CONVERTED) != (input.customer_id is not None):
            raise bad_input("customerId goes with status CONVERTED, and only with it")
        customer = None
        if input.customer_id is not None:  # the customer it became: one the manager may see
            customer = await info.context.loaders.customer.load(parse_id(input.customer_id, "customerId"))
            if customer is None:
                raise not_found("customer")
        audit.target(audit.Target("Prospect", prospect_id))
        async with in_transaction("customers"):
            prospect = await scoped(info.context.require_principal(), Prospect, prospect_scope).get_or_none(
                id=prospect_id
            )
            if prospect is None:
                raise not_found("prospect")
            if prospect.manager_id != principal.user_id:
                raise forbidden("只有跟进该潜客的客户经理可以修改 (only the manager keeping it)")
            changes: dict[str, object] = {}
            if input.note is not None:
                changes["note"] = input.note.strip()[:500]
            if input.next_contact_on is not None:
                changes["next_contact_on"] = input.next_contact_on
            if input.status is not None:
                changes |= {"status": ProspectStatus(input.status), "next_contact_on": None}
                if customer is not None:
                    changes["customer_id"] = customer.id
            # Only an open prospect changes: a converted or dropped one is final.
            if changes and not await Prospect.filter(id=prospect_id, status=ProspectStatus.OPEN).update(
                **changes
            ):
                raise conflict(f"潜客已{prospect.status}，不能再修改 (final)")
            await audit.record(target=audit.Target("Prospect", prospect_id))
        prospect.update_from_dict(changes)
        return prospect  # type: ignore[return-value]
