"""What schemes (营销方案) use of two interfaces written in parallel: the approvals engine
(operations) and stored audiences (目标客群, marketing). Schemes import them from here only.

STAND-IN (临时替身): until the real modules land (resolvers/operations/approvals.py and
resolvers/marketing/audiences.py), this module holds minimal private stand-ins with the same
signatures; once they land it only re-exports them. See docs/marketing.md "Schemes".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise.expressions import Subquery

from models.customers import Customer, MarketingExclusion
from resolvers.common.errors import conflict, forbidden, not_found
from security.principal import Principal
from security.roles import Role

# -- approvals (STAND-IN for resolvers/operations/approvals.py) --------------------------------------


@dataclass(frozen=True)
class ApprovalRequest:
    subject_id: UUID
    tenant_id: UUID | None
    created_by: UUID
    submitted_by: UUID


@dataclass(frozen=True)
class ApprovalOutcome:
    request: ApprovalRequest
    final: bool
    approved: bool


MARKETING_SCHEME = "MARKETING_SCHEME"
_requests: dict[UUID, tuple[ApprovalRequest, tuple[UUID, bool] | None]] = {}


async def open_approval(
    function: str,
    subject_id: UUID,
    *,
    tenant_id: UUID | None,
    org_path: str,
    created_by: UUID,
    submitted_by: UUID,
    title: str,
) -> ApprovalRequest | None:
    """One step, always on: head office (HQ_REVIEWER or HQ_ADMIN of the tenant) reviews."""
    request = ApprovalRequest(subject_id, tenant_id, created_by, submitted_by)
    _requests[subject_id] = (request, None)
    return request


async def decide_approval(
    principal: Principal, function: str, subject_id: UUID, approve: bool, comment: str
) -> ApprovalOutcome:
    entry = _requests.get(subject_id)
    if entry is None:
        raise not_found("approval")
    request, decided = entry
    if not principal.has_role(Role.HQ_REVIEWER, Role.HQ_ADMIN) or principal.tenant_id != request.tenant_id:
        raise forbidden("无权审核 (your role cannot review this)")
    if principal.user_id in (request.created_by, request.submitted_by):
        raise forbidden("不能审核自己创建或提交的申请 (four eyes)")
    if decided is not None:
        if decided == (principal.user_id, approve):
            return ApprovalOutcome(request, True, approve)
        raise conflict("已被他人审核 (already decided)", reason="ALREADY_DECIDED")
    _requests[subject_id] = (request, (principal.user_id, approve))
    return ApprovalOutcome(request, True, approve)


async def withdraw_approval(function: str, subject_id: UUID) -> None:
    _requests.pop(subject_id, None)


# -- audiences (STAND-IN for resolvers/marketing/audiences.py) ---------------------------------------


@dataclass(frozen=True)
class AudienceCriteria:
    tags: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    aum_min: Decimal | None = None
    aum_max: Decimal | None = None
    grid_ids: tuple[UUID, ...] = ()
    products_held: tuple[str, ...] = ()
    org_path: str | None = None


@dataclass(frozen=True)
class AudienceMember:
    customer_id: UUID
    manager_id: UUID | None
    org_path: str


_audiences: dict[UUID, tuple[UUID, AudienceCriteria]] = {}


def standin_audience(id: UUID, tenant_id: UUID, criteria: AudienceCriteria) -> None:
    """Tests and the seed register an audience while the stand-in is in use."""
    _audiences[id] = (tenant_id, criteria)


def _filter(tenant_id: UUID, criteria: AudienceCriteria) -> Any:
    query = Customer.filter(tenant_id=tenant_id).exclude(
        id__in=Subquery(MarketingExclusion.filter(tenant_id=tenant_id).values("customer_id"))
    )
    if criteria.org_path:
        query = query.filter(org_path__startswith=criteria.org_path)
    if criteria.tiers:
        query = query.filter(tier__in=list(criteria.tiers))
    if criteria.aum_min is not None:
        query = query.filter(aum__gte=criteria.aum_min)
    if criteria.aum_max is not None:
        query = query.filter(aum__lte=criteria.aum_max)
    if criteria.grid_ids:
        query = query.filter(grid_id__in=list(criteria.grid_ids))
    return query


async def audience_chunk(
    tenant_id: UUID, criteria: AudienceCriteria, after: UUID | None, limit: int
) -> list[AudienceMember]:
    query = _filter(tenant_id, criteria)
    if after is not None:
        query = query.filter(id__gt=after)
    rows = await query.order_by("id").limit(limit).values_list("id", "primary_manager_id", "org_path")
    return [AudienceMember(UUID(str(c)), UUID(str(m)) if m else None, str(p)) for c, m, p in rows]


async def count_audience(tenant_id: UUID, criteria: AudienceCriteria) -> int:
    return int(await _filter(tenant_id, criteria).count())


async def stored_criteria(principal: Principal, audience_id: UUID) -> AudienceCriteria:
    entry = _audiences.get(audience_id)
    if entry is None or entry[0] != principal.tenant_id:
        raise not_found("audience")
    return entry[1]
