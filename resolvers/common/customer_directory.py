"""客户目录 (customer directory): the customers another subgraph's mutation names — marketing's
opportunity (商机) and finance's applicant (申请人) — checked against the caller's customer scope.

Customers belong to the customers subgraph. Marketing and finance read them here and nowhere else,
read-only, one statement per call, filtered by the customers subgraph's own rule
(security/scopes.py ``customer_scope``, not a copy of it), which is why their processes register
the customers app too (``consumes`` in subgraphs/marketing.py and subgraphs/finance.py). The query
runs on the customers connection alone: no SQL joins another subgraph's tables. The answers are
plain frozen records, not models: nothing here can write to customers. If the subgraphs were
deployed apart, a call to the customers subgraph (``_entities`` with the caller's token) would
replace this module behind the same function.

An id the caller may not see is answered exactly like one that does not exist (absent), so the
mutation naming it refuses both alike and learns nothing about other banks' customers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from models.customers import Customer
from resolvers.customers.scopes import customer_scope
from security.principal import Principal


@dataclass(frozen=True)
class DirectoryCustomer:
    id: UUID
    tenant_id: UUID  # the member bank (法人行社) the customer belongs to


async def visible_customers(principal: Principal, ids: Iterable[UUID]) -> dict[UUID, DirectoryCustomer]:
    """The customers among ``ids`` the caller may see; any other id is absent."""
    wanted = list(dict.fromkeys(ids))
    scope = customer_scope(principal)
    if not wanted or scope.is_nothing:
        return {}
    rows = await Customer.filter(scope.q(), id__in=wanted).values_list("id", "tenant_id")
    found = (DirectoryCustomer(id=UUID(str(id)), tenant_id=UUID(str(tenant))) for id, tenant in rows)
    return {customer.id: customer for customer in found}


async def visible_customer(principal: Principal, id: UUID) -> DirectoryCustomer | None:
    """The customer ``id`` if the caller may see it, else None (missing and out of scope alike)."""
    return (await visible_customers(principal, [id])).get(id)
