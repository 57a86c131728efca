"""目标客群 (stored audiences): a member bank's saved criteria over its customers, the target of
schemes (营销方案) and canvas campaigns (营销画布).

Members are never stored: ``audience_chunk`` reads them in customer-id order, chunk by chunk (one
statement each), and ``count_audience`` counts them — both through resolvers/common/customer_targets.py,
always minus the marketing filter (营销过滤) and customers without a live marketing consent (产品推荐授权).

Who: head office (HQ_ADMIN) over the whole bank or one org subtree of it; a branch head (BRANCH_HEAD)
over their own subtree only (an audience of theirs is restricted to it whatever they ask). Every
grid named must be a grid of the caller's bank (else NOT_FOUND, as an unknown one). The bank's
staff see its audiences (``audience_scope``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from models.customers import CustomerTier
from models.marketing import Audience
from resolvers.common.changes import change
from resolvers.common.customer_targets import (
    TargetCriteria,
    TargetCustomer,
    count_targets,
    grids_of_tenant,
    target_chunk,
)
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.common.values import parse_id
from resolvers.marketing.permissions import require_audience_editor
from resolvers.marketing.scopes import audience_scope
from security.principal import Principal
from security.roles import Role
from security.scopes import tenant_path

# The interface other marketing modules code against (schemes, canvas): plain records.
AudienceCriteria = TargetCriteria
AudienceMember = TargetCustomer

MAX_ITEMS = 50  # tags, tiers, grids or products in one criteria
_PATH = re.compile(r"^(/?[0-9a-f-]{36})+/?$")


@dataclass(frozen=True)
class CriteriaInput:
    """Criteria as the API gives them (the GraphQL input as plain values), not yet checked."""

    tags: list[str] | None = None
    tiers: list[str] | None = None
    aum_min: Decimal | None = None
    aum_max: Decimal | None = None
    grid_ids: list[str] | None = None
    products_held: list[str] | None = None
    org_path: str | None = None


async def audience_chunk(
    tenant_id: UUID, criteria: AudienceCriteria, after: UUID | None, limit: int
) -> list[AudienceMember]:
    """Members ordered by customer id after ``after``, at most ``limit``, minus the marketing filter
    (营销过滤) and customers without marketing consent; one statement per chunk."""
    if not 1 <= limit <= 10_000:
        raise bad_input("limit must be 1–10000")
    return await target_chunk(tenant_id, criteria, after, limit)


async def count_audience(tenant_id: UUID, criteria: AudienceCriteria) -> int:
    """How many customers the criteria select now (same exclusions): one statement."""
    return await count_targets(tenant_id, criteria)


async def stored_criteria(principal: Principal, audience_id: UUID) -> AudienceCriteria:
    """A stored audience's criteria; NOT_FOUND when missing or out of the caller's scope."""
    audience = await scoped(principal, Audience, audience_scope).get_or_none(id=audience_id)
    if audience is None:
        raise not_found("audience")
    return criteria_of(audience.criteria)


async def list_audiences(principal: Principal, first: int, after: str | None) -> Page[Audience]:
    """The audiences of the caller's bank (the province: every bank's), by id."""
    return await paginate(scoped(principal, Audience, audience_scope), first, after)


async def checked_criteria(principal: Principal, given: CriteriaInput) -> AudienceCriteria:
    """The criteria a caller may use, checked: BAD_USER_INPUT for malformed values, NOT_FOUND for a
    grid not of the caller's bank; a branch head's are kept within their own org subtree."""
    require_audience_editor(principal)
    assert principal.tenant_id is not None  # require_audience_editor
    tags = tuple(dict.fromkeys(t.strip() for t in _items(given.tags, "tags")))
    if any(not 1 <= len(t) <= 50 for t in tags):
        raise bad_input("criteria.tags: each tag must be 1–50 characters")
    try:
        tiers = tuple(dict.fromkeys(CustomerTier(t).value for t in _items(given.tiers, "tiers")))
    except ValueError as exc:
        raise bad_input("criteria.tiers: unknown tier") from exc
    aum_min, aum_max = _amount(given.aum_min, "aumMin"), _amount(given.aum_max, "aumMax")
    if aum_min is not None and aum_max is not None and aum_min > aum_max:
        raise bad_input("criteria.aumMin must not exceed criteria.aumMax")
    grids = tuple(dict.fromkeys(parse_id(g, "criteria.gridIds") for g in _items(given.grid_ids, "gridIds")))
    if grids and len(await grids_of_tenant(principal.tenant_id, grids)) != len(grids):
        raise not_found("grid")
    products = tuple(dict.fromkeys(p.strip() for p in _items(given.products_held, "productsHeld")))
    if any(not 1 <= len(p) <= 100 for p in products):
        raise bad_input("criteria.productsHeld: each product name must be 1–100 characters")
    return AudienceCriteria(
        tags=tags,
        tiers=tiers,
        aum_min=aum_min,
        aum_max=aum_max,
        grid_ids=grids,
        products_held=products,
        org_path=_org_path(principal, given.org_path),
    )


async def preview_audience(principal: Principal, given: CriteriaInput) -> int:
    """How many customers of the caller's bank the criteria select now (预估人数)."""
    criteria = await checked_criteria(principal, given)
    assert principal.tenant_id is not None
    return await count_audience(principal.tenant_id, criteria)


async def create_audience(
    principal: Principal, name: str, given: CriteriaInput, idempotency_key: str | None = None
) -> Audience:
    """Store an audience of the caller's bank; the same key again returns the first one."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise bad_input("name must be 1–100 characters")
    key = check_key(idempotency_key)
    criteria = await checked_criteria(principal, given)
    stored = json_of(criteria)
    async with change("marketing", "Audience") as audited:
        audience, created = await once(
            "marketing",
            key,
            lambda: Audience.get_or_none(created_by=principal.user_id, idempotency_key=key),
            lambda: Audience.create(
                tenant_id=principal.tenant_id,
                name=name,
                criteria=stored,
                created_by=principal.user_id,
                idempotency_key=key,
            ),
        )
        if not created and (audience.name, audience.criteria) != (name, stored):
            raise conflict("幂等键已用于另一客群 (idempotencyKey already used for another audience)")
        audited.id = audience.id
    return audience


def json_of(criteria: AudienceCriteria) -> dict[str, Any]:
    """Criteria as stored: only what is given; amounts and ids as strings."""
    stored: dict[str, Any] = {
        "tags": list(criteria.tags),
        "tiers": list(criteria.tiers),
        "aumMin": None if criteria.aum_min is None else str(criteria.aum_min),
        "aumMax": None if criteria.aum_max is None else str(criteria.aum_max),
        "gridIds": [str(g) for g in criteria.grid_ids],
        "productsHeld": list(criteria.products_held),
        "orgPath": criteria.org_path,
    }
    return {k: v for k, v in stored.items() if v not in (None, [])}


def criteria_of(stored: dict[str, Any]) -> AudienceCriteria:
    """Stored criteria (``json_of``) back as a record."""
    return AudienceCriteria(
        tags=tuple(stored.get("tags", ())),
        tiers=tuple(stored.get("tiers", ())),
        aum_min=Decimal(stored["aumMin"]) if stored.get("aumMin") is not None else None,
        aum_max=Decimal(stored["aumMax"]) if stored.get("aumMax") is not None else None,
        grid_ids=tuple(UUID(g) for g in stored.get("gridIds", ())),
        products_held=tuple(stored.get("productsHeld", ())),
        org_path=stored.get("orgPath"),
    )


def _items(values: list[str] | None, what: str) -> list[str]:
    if values is None:
        return []
    if len(values) > MAX_ITEMS:
        raise bad_input(f"criteria.{what} must have at most {MAX_ITEMS} items")
    return values


def _amount(value: Decimal | None, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise bad_input(f"criteria.{what} is not an amount") from exc
    if not amount.is_finite() or amount < 0:
        raise bad_input(f"criteria.{what} must be a non-negative amount")
    return amount


def _org_path(principal: Principal, given: str | None) -> str | None:
    """The org subtree: head office may name any within its bank (none: the whole bank); a branch
    head's is always within their own org (none: their org)."""
    own = principal.org_path if principal.has_role(Role.BRANCH_HEAD) else tenant_path(principal)
    if given is None or not given.strip():
        return own if principal.has_role(Role.BRANCH_HEAD) else None
    path = given.strip().rstrip("/")
    if not _PATH.match(path):
        raise bad_input("criteria.orgPath is not an org path")
    if not (path == own or path.startswith(own.rstrip("/") + "/")):
        raise not_found("org")  # outside the caller's bank or subtree: as an unknown one
    return path
