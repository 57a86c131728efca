"""客户查询: the criteria of ``customers(filter:)`` (``CustomerCriteria``, the GraphQL input
``CustomerFilter`` as plain values) as one SQL condition on ``customer`` — used by the ``customers``
root list (within the caller's scope) and by system 客群 (their stored rule, within the group's
tenant and the caller's scope). Tags and holdings are subqueries, so a filter is one statement."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tortoise.expressions import Q, Subquery

from models.customers import CustomerKind, CustomerTag, CustomerTier, Holding, HoldingCategory
from resolvers.common.errors import bad_input
from resolvers.common.values import parse_id

MAX_ITEMS = 50  # tags, tiers or grids in one filter


@dataclass
class CustomerCriteria:
    """客户查询条件: every criterion given must hold; a list matches any of its items (tags: all).
    Ids are as given (checked here); a stored rule keeps them, and amounts, as strings."""

    text: str | None = None
    tags: list[str] | None = None
    tiers: list[CustomerTier] | None = None
    aum_min: Decimal | str | None = None
    aum_max: Decimal | str | None = None
    grid_ids: list[str] | None = None
    manager_id: str | None = None
    product_name: str | None = None
    product_category: HoldingCategory | None = None
    kind: CustomerKind | None = None


def customer_filter(criteria: CustomerCriteria) -> Q:
    """The customers matching every criterion given (none given: every customer)."""
    conditions: list[Q] = []
    if criteria.text is not None:
        text = criteria.text.strip()
        if not 1 <= len(text) <= 100:
            raise bad_input("filter.text must be 1–100 characters")
        conditions.append(Q(name__icontains=text) | Q(customer_no__startswith=text))
    for tag in _items(criteria.tags, "tags"):
        conditions.append(Q(id__in=Subquery(CustomerTag.filter(name=tag).values("customer_id"))))
    if criteria.tiers is not None:
        conditions.append(Q(tier__in=[CustomerTier(t) for t in _items(criteria.tiers, "tiers")]))
    aum_min, aum_max = _amount(criteria.aum_min, "aumMin"), _amount(criteria.aum_max, "aumMax")
    if aum_min is not None and aum_max is not None and aum_min > aum_max:
        raise bad_input("filter.aumMin must not exceed filter.aumMax")
    if aum_min is not None:
        conditions.append(Q(aum__gte=aum_min))
    if aum_max is not None:
        conditions.append(Q(aum__lte=aum_max))
    if criteria.grid_ids is not None:
        grids = [parse_id(g, "filter.gridIds") for g in _items(criteria.grid_ids, "gridIds")]
        conditions.append(Q(grid_id__in=grids))
    if criteria.manager_id is not None:
        conditions.append(Q(primary_manager_id=parse_id(criteria.manager_id, "filter.managerId")))
    held = _held(criteria)
    if held is not None:
        conditions.append(Q(id__in=Subquery(held.values("customer_id"))))
    if criteria.kind is not None:
        conditions.append(Q(kind=CustomerKind(criteria.kind)))
    return Q(*conditions)


def _items(values: list[Any] | None, what: str) -> list[Any]:
    if values is None:
        return []
    if not 1 <= len(values) <= MAX_ITEMS:
        raise bad_input(f"filter.{what} must have 1–{MAX_ITEMS} items")
    return values


def _amount(value: Any, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))  # a Decimal from the API, a string from a stored rule
    except InvalidOperation as exc:
        raise bad_input(f"filter.{what} is not an amount") from exc


def _held(criteria: CustomerCriteria) -> Any:
    """产品持有 now (not closed) of the product and / or category asked for."""
    if criteria.product_name is None and criteria.product_category is None:
        return None
    held = Holding.filter(closed_on=None)
    if criteria.product_name is not None:
        held = held.filter(product_name=criteria.product_name.strip())
    if criteria.product_category is not None:
        held = held.filter(category=HoldingCategory(criteria.product_category))
    return held


def rule_of(criteria: CustomerCriteria) -> dict[str, Any]:
    """A filter as the JSON a system group keeps (checked first: a bad rule is refused at once)."""
    customer_filter(criteria)
    fields = dataclasses.asdict(criteria)
    stored = json.loads(json.dumps({k: v for k, v in fields.items() if v is not None}, default=str))
    assert isinstance(stored, dict)
    return stored


def filter_of(rule: dict[str, Any]) -> CustomerCriteria:
    return CustomerCriteria(**rule)
