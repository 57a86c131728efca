"""审核流程管理 in operations: the flows of the approvals engine (read and set by administrators) and
the approvals waiting for the caller across every subgraph's requests (待我审批). The engine that
decides is resolvers/common/approvals.py; each domain's own review mutation calls it."""

from __future__ import annotations

from uuid import UUID

from models.approvals import ApprovalFunction, ApprovalRequestBase, ApprovalStatus
from models.operations import ApprovalFlow
from resolvers.common.approvals import TABLES, Flow, FlowStep, check_steps, flows_of
from resolvers.common.changes import change
from resolvers.common.errors import forbidden, not_found
from security.principal import Principal
from security.roles import Role
from security.scopes import site_scope

FLOW_READERS = (Role.PLATFORM_ADMIN, Role.PROVINCE_ADMIN, Role.HQ_ADMIN, Role.HQ_REVIEWER)
FLOW_SETTERS = (Role.PLATFORM_ADMIN, Role.PROVINCE_ADMIN)
MAX_PENDING = 100


def _tenant(principal: Principal, tenant_id: UUID | None) -> UUID | None:
    """The tenant whose flows the caller names: their own by default; another only for the province
    (NOT_FOUND otherwise, as for an unknown tenant). None: the platform's defaults (the province)."""
    if tenant_id is None or tenant_id == principal.tenant_id:
        return principal.tenant_id
    if principal.has_role(Role.PROVINCE_ADMIN):
        return tenant_id
    raise not_found("tenant")


async def approval_flows(principal: Principal, tenant_id: UUID | None = None) -> list[Flow]:
    """Every function's flow in force for the tenant (审核流程管理)."""
    if not principal.has_role(*FLOW_READERS):
        raise forbidden("无权查看审核流程 (administrators only)")
    return list((await flows_of(_tenant(principal, tenant_id))).values())


async def set_approval_flow(
    principal: Principal,
    function: ApprovalFunction,
    enabled: bool,
    steps: list[FlowStep],
    tenant_id: UUID | None = None,
) -> Flow:
    """Switch a function's approval on or off and set its steps, for the caller's tenant (a platform
    admin) or any tenant or the platform's default (the province). Requests under way keep the flow
    they were submitted with."""
    if not principal.has_role(*FLOW_SETTERS):
        raise forbidden("无权设置审核流程 (platform administrators only)")
    owner = _tenant(principal, tenant_id)
    checked = check_steps(steps)
    stored = [s.stored() for s in checked]
    key = str(owner) if owner else ""
    async with change("operations", "ApprovalFlow") as audited:
        row = await ApprovalFlow.filter(tenant_key=key, function=function).select_for_update().first()
        if row is None:
            row = await ApprovalFlow.create(
                tenant_key=key, function=function, enabled=enabled, steps=stored, updated_by=principal.user_id
            )
        else:
            row.enabled, row.steps, row.updated_by = enabled, stored, principal.user_id
            await row.save(update_fields=["enabled", "steps", "updated_by", "updated_at"])
        audited.id = row.id
        audited.detail.update({"function": str(function), "enabled": enabled, "tenant": key})
    return Flow(function, enabled, checked, owner)


async def pending_approvals(principal: Principal, first: int = 20) -> list[ApprovalRequestBase]:
    """待我审批: requests whose waiting step the caller's active role decides, in their reach, that
    they neither created nor submitted nor decided an earlier step of; oldest first, at most ``first``
    (≤ 100). Two statements per subgraph's tables."""
    first = max(1, min(first, MAX_PENDING))
    scope = site_scope(principal)
    if scope.is_nothing or not principal.active_role:
        return []
    role = f",{principal.active_role},"
    mine: list[ApprovalRequestBase] = []
    for requests, steps in TABLES:
        waiting = await (
            requests.filter(scope.q(), status=ApprovalStatus.PENDING, roles__contains=role)
            .exclude(created_by=principal.user_id)
            .exclude(submitted_by=principal.user_id)
            .order_by("created_at", "id")
            .limit(first)
        )
        if waiting:
            decided = await steps.filter(
                request_id__in=[r.id for r in waiting], actor_id=principal.user_id, step__not_isnull=True
            ).values_list("request_id", flat=True)
            mine += [r for r in waiting if r.id not in set(decided)]
    return sorted(mine, key=lambda r: (r.created_at, r.id))[:first]
