"""客户: finding customers (客户列表 / 客户查询) and the one-customer lookup every mutation on a
customer starts with."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from models.common import blind_index
from models.customers import Customer
from resolvers.common.errors import bad_input, not_found
from resolvers.common.loading import records, scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.filters import CustomerCriteria, customer_filter
from resolvers.customers.scopes import customer_scope
from security.crypto import normalise
from security.principal import Principal


async def customer_in_scope(principal: Principal, customer_id: UUID) -> Customer:
    """The customer, if the caller may see it; else NOT_FOUND (missing or out of scope: the same
    answer, so nothing leaks)."""
    customer = await scoped(principal, Customer, customer_scope).get_or_none(id=customer_id)
    if customer is None:
        raise not_found("customer")
    return customer


async def find_customers(
    principal: Principal,
    first: int,
    after: str | None,
    *,
    manager_id: UUID | None = None,
    phone: str | None = None,
    id_number: str | None = None,
    criteria: CustomerCriteria | None = None,
) -> Page[Any]:
    """The customers the caller sees matching every argument given, a page at a time, as plain
    records (resolvers/common/loading.py: what ``Customer`` reads, not models)."""
    queryset = scoped(principal, Customer, customer_scope)
    if criteria is not None:
        queryset = queryset.filter(customer_filter(criteria))
    if manager_id is not None:
        queryset = queryset.filter(primary_manager_id=manager_id)
    # Encrypted columns are searched by their blind index (models/common.py), exact match only.
    for argument, field, value in (("phone", "phone", phone), ("idNumber", "id_number", id_number)):
        if value is None:
            continue
        if not normalise(value):
            raise bad_input(f"{argument} must not be empty")
        queryset = queryset.filter(**{f"{field}_bidx": blind_index(Customer, field, value)})
    return await paginate(queryset, first, after, records)
