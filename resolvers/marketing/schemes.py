"""营销方案 (marketing schemes): created by head office (HQ_ADMIN, for the whole bank) or a branch
head (BRANCH_HEAD, for their subtree); draft → pending review → approved / rejected → running →
closed, every move one conditional UPDATE (an illegal move is CONFLICT); edits only in draft.

Review goes through the approvals engine (resolvers/common/approvals.py): submitting opens an
approval for ``MARKETING_SCHEME`` (none: the flow is switched off and the scheme is approved at
once); ``review_scheme`` decides it (head office, four eyes) and, once the flow ends, moves the
scheme to APPROVED or REJECTED. Of two reviewers deciding at once exactly one decision stands.

Starting a scheme reads its stored audience's criteria (目标客群, restricted to the scheme's subtree
for a branch's scheme); the target list and the work orders are then built by a job
(resolvers/marketing/targets.py), in chunks. Indicators (分解指标) are split down to branches by
head office and to managers by the branch head (``split_indicator``); 名单分配 (``allocate_targets``)
gives a branch head's unmanaged targets to managers of the customer's org.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from models.approvals import ApprovalFunction
from models.marketing import (
    ContactChannel,
    IndicatorKind,
    IndicatorSplit,
    MarketingScheme,
    SchemeIndicator,
    SchemeKind,
    SchemeStatus,
    SchemeTarget,
    SplitLevel,
    WorkOrder,
    WorkOrderStatus,
)
from resolvers.common.approvals import decide_approval, open_approval
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.directory import customer_managers, tenant_orgs
from resolvers.marketing.audiences import AudienceCriteria, json_of, stored_criteria
from resolvers.marketing.scopes import scheme_scope, target_scope
from security.principal import Principal
from security.roles import Role
from security.scopes import tenant_path

MAX_AMOUNT = Decimal("1e16")  # 16 digits before the point
CENT = Decimal("0.01")
MAX_PRODUCTS = 20
MAX_CONVERSION_POINTS = 100_000  # 积分奖励 per converted customer
MAX_SPLITS = 500  # orgs or managers in one split
MAX_ALLOCATIONS = 500  # targets allocated in one request


@dataclass(frozen=True)
class IndicatorDraft:
    kind: IndicatorKind
    total: Decimal


@dataclass(frozen=True)
class SchemeDraft:
    """What a scheme is made of (create, and edit while in draft)."""

    name: str
    description: str
    starts_on: date
    ends_on: date
    products: tuple[str, ...] = ()
    channels: tuple[ContactChannel, ...] = ()
    audience_id: UUID | None = None
    indicators: tuple[IndicatorDraft, ...] = ()
    conversion_points: int = 0  # 积分奖励 per converted customer


@dataclass(frozen=True)
class Share:
    """One org's or manager's share of an indicator (分解指标)."""

    assignee_id: UUID
    target: Decimal


@dataclass(frozen=True)
class Allocation:
    """名单分配: one unmanaged target customer to one manager."""

    customer_id: UUID
    manager_id: UUID


def within(path: str, prefix: str) -> bool:
    """``path`` is ``prefix`` or below it (materialised org paths)."""
    return path == prefix or path.startswith(prefix + "/")


def check_amount(value: Decimal, what: str) -> Decimal:
    """A money figure: from 0, below 10^16, at most 2 decimals (BAD_USER_INPUT otherwise)."""
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT or value != value.quantize(CENT):
        raise bad_input(f"{what} must be an amount from 0 with at most 2 decimals")
    return value


def _check(draft: SchemeDraft) -> dict[str, Any]:
    name = draft.name.strip()
    if not 1 <= len(name) <= 100:
        raise bad_input("name must be 1–100 characters")
    if len(draft.description) > 2000:
        raise bad_input("description must be at most 2000 characters")
    if draft.ends_on < draft.starts_on:
        raise bad_input("结束日期不能早于开始日期 (endsOn before startsOn)")
    products = [p.strip() for p in draft.products]
    if len(products) > MAX_PRODUCTS or any(not 1 <= len(p) <= 100 for p in products):
        raise bad_input(f"products: at most {MAX_PRODUCTS} names of 1–100 characters")
    kinds = [i.kind for i in draft.indicators]
    if len(set(kinds)) != len(kinds):
        raise bad_input("每个指标最多一次 (each indicator at most once)")
    for indicator in draft.indicators:
        check_amount(indicator.total, "indicator total")
    if not 0 <= draft.conversion_points <= MAX_CONVERSION_POINTS:
        raise bad_input(f"conversionPoints must be 0 to {MAX_CONVERSION_POINTS}")
    return {
        "name": name,
        "description": draft.description,
        "starts_on": draft.starts_on,
        "ends_on": draft.ends_on,
        "products": list(dict.fromkeys(products)),
        "channels": [str(ContactChannel(c)) for c in dict.fromkeys(draft.channels)],
        "audience_id": draft.audience_id,
        "conversion_points": draft.conversion_points,
    }


def _scheme_org(principal: Principal) -> tuple[UUID, str]:
    """The org a new scheme belongs to: head office's bank, or the branch head's own org."""
    if principal.tenant_id is not None and principal.has_role(Role.HQ_ADMIN):
        return principal.tenant_id, tenant_path(principal)
    if principal.tenant_id is not None and principal.has_role(Role.BRANCH_HEAD):
        return principal.org_id, principal.org_path
    raise forbidden("无权创建营销方案 (only head office or a branch head creates schemes)")


async def visible_scheme(principal: Principal, scheme_id: UUID) -> MarketingScheme:
    """The scheme if the caller may see it, else NOT_FOUND (missing and out of scope alike)."""
    scheme = await scoped(principal, MarketingScheme, scheme_scope).get_or_none(id=scheme_id)
    if scheme is None:
        raise not_found("scheme")
    return scheme


async def owned_scheme(principal: Principal, scheme_id: UUID) -> MarketingScheme:
    """A scheme the caller sees and manages (NOT_FOUND, FORBIDDEN otherwise)."""
    scheme = await visible_scheme(principal, scheme_id)
    _require_owner(principal, scheme)
    return scheme


async def _move(scheme_id: UUID, leaving: SchemeStatus, message: str | None, **values: Any) -> bool:
    """One lifecycle move: a conditional UPDATE out of ``leaving``; when it moved nothing, CONFLICT
    with ``message``, or False when that is None."""
    return await transition(MarketingScheme, scheme_id, leaving, message, **values)


async def _indicators(scheme_id: UUID, indicators: tuple[IndicatorDraft, ...]) -> None:
    await SchemeIndicator.bulk_create(
        [SchemeIndicator(scheme_id=scheme_id, kind=i.kind, total=i.total) for i in indicators]
    )


def _require_owner(principal: Principal, scheme: MarketingScheme) -> None:
    """Head office manages its bank's schemes; a branch head those made in their subtree."""
    if principal.tenant_id != scheme.tenant_id:
        raise forbidden("无权管理该方案 (not your bank's scheme)")
    if principal.has_role(Role.HQ_ADMIN):
        return
    if principal.has_role(Role.BRANCH_HEAD) and within(scheme.org_path, principal.org_path):
        return
    raise forbidden("无权管理该方案 (your role cannot manage this scheme)")


async def _audience(principal: Principal, audience_id: UUID | None) -> None:
    if audience_id is not None:
        await stored_criteria(principal, audience_id)  # NOT_FOUND out of scope


async def list_schemes(
    principal: Principal, first: int, after: str | None, status: SchemeStatus | None = None
) -> Page[MarketingScheme]:
    queryset = scoped(principal, MarketingScheme, scheme_scope)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after)


async def create_scheme(
    principal: Principal, kind: SchemeKind, draft: SchemeDraft, idempotency_key: str | None = None
) -> MarketingScheme:
    """A DRAFT scheme of the caller's bank (head office) or branch (branch head), with its indicators."""
    org_id, org_path = _scheme_org(principal)
    values = _check(draft)
    key = check_key(idempotency_key)
    if kind == SchemeKind.PRECISION and draft.audience_id is None:
        raise bad_input("精准营销方案须指定目标客群 (a precision scheme needs an audienceId)")
    await _audience(principal, draft.audience_id)
    async with change("marketing", "MarketingScheme") as audited:

        async def create() -> MarketingScheme:
            scheme = await MarketingScheme.create(
                tenant_id=principal.tenant_id,
                org_id=org_id,
                org_path=org_path,
                kind=kind,
                created_by=principal.user_id,
                idempotency_key=key,
                **values,
            )
            await _indicators(scheme.id, draft.indicators)
            return scheme

        scheme, created = await once(
            "marketing",
            key,
            lambda: MarketingScheme.get_or_none(created_by=principal.user_id, idempotency_key=key),
            create,
        )
        if not created and (scheme.name, scheme.kind) != (values["name"], kind):
            raise conflict("幂等键已用于另一方案 (idempotencyKey already used for another scheme)")
        audited.id = scheme.id
        audited.detail["repeated"] = not created
    return scheme


async def update_scheme(principal: Principal, scheme_id: UUID, draft: SchemeDraft) -> MarketingScheme:
    """Edit a scheme in DRAFT (any other state: CONFLICT), replacing its indicators."""
    scheme = await owned_scheme(principal, scheme_id)
    values = _check(draft)
    if scheme.kind == SchemeKind.PRECISION and draft.audience_id is None:
        raise bad_input("精准营销方案须指定目标客群 (a precision scheme needs an audienceId)")
    await _audience(principal, draft.audience_id)
    async with change("marketing", "MarketingScheme", scheme_id):
        await _move(
            scheme_id,
            SchemeStatus.DRAFT,
            "只有草稿可以修改 (only a draft can be edited)",
            **values,
        )
        await SchemeIndicator.filter(scheme_id=scheme_id).delete()
        await _indicators(scheme_id, draft.indicators)
    return await MarketingScheme.get(id=scheme_id)


async def submit_scheme(principal: Principal, scheme_id: UUID) -> MarketingScheme:
    """DRAFT → PENDING with an approval opened; when the flow is switched off, → APPROVED at once."""
    scheme = await owned_scheme(principal, scheme_id)
    async with change("marketing", "MarketingScheme", scheme_id):
        await _move(
            scheme_id,
            SchemeStatus.DRAFT,
            "只有草稿可以提交审核 (only a draft can be submitted)",
            status=SchemeStatus.PENDING,
            submitted_by=principal.user_id,
        )
        request = await open_approval(
            ApprovalFunction.MARKETING_SCHEME,
            scheme_id,
            tenant_id=scheme.tenant_id,
            org_path=scheme.org_path,
            created_by=scheme.created_by,
            submitted_by=principal.user_id,
            title=f"营销方案审核：{scheme.name}",
        )
        if request is None:  # 审核流程关闭: approved at once
            await MarketingScheme.filter(id=scheme_id).update(status=SchemeStatus.APPROVED, decided_at=now())
    return await MarketingScheme.get(id=scheme_id)


async def review_scheme(
    principal: Principal, scheme_id: UUID, approve: bool, comment: str
) -> MarketingScheme:
    """审核: the approvals engine decides who may (head office, four eyes) and whether the flow
    ended; then PENDING → APPROVED / REJECTED. A second decision at once is CONFLICT."""
    await visible_scheme(principal, scheme_id)
    async with change("marketing", "MarketingScheme", scheme_id) as audited:
        outcome = await decide_approval(
            principal,
            ApprovalFunction.MARKETING_SCHEME,
            scheme_id,
            approve,
            comment.strip(),
        )
        audited.detail["approve"] = approve
        if outcome.final:
            decided = SchemeStatus.APPROVED if outcome.approved else SchemeStatus.REJECTED
            moved = await _move(
                scheme_id,
                SchemeStatus.PENDING,
                None,
                status=decided,
                decided_by=principal.user_id,
                decided_at=now(),
            )
            if not moved:  # the same reviewer repeating the same decision: the same answer
                current = await MarketingScheme.get(id=scheme_id)
                if current.status != decided or current.decided_by != principal.user_id:
                    raise conflict("方案已被审核 (the scheme was already decided)", reason="ALREADY_DECIDED")
    return await MarketingScheme.get(id=scheme_id)


def restricted(criteria: AudienceCriteria, scheme: MarketingScheme) -> AudienceCriteria:
    """The audience's criteria restricted to the scheme's subtree (a branch's scheme: its own)."""
    org_path = criteria.org_path
    if org_path is None or within(scheme.org_path, org_path):
        org_path = scheme.org_path  # the narrower of the two
    elif not within(org_path, scheme.org_path):
        org_path = scheme.org_path + "/-"  # disjoint subtrees: no customer
    return replace(criteria, org_path=org_path)


async def start_scheme(principal: Principal, scheme_id: UUID) -> MarketingScheme:
    """APPROVED → RUNNING: the audience's criteria are read now; the job builds the list."""
    scheme = await owned_scheme(principal, scheme_id)
    criteria = None
    if scheme.audience_id is not None:
        criteria = json_of(restricted(await stored_criteria(principal, scheme.audience_id), scheme))
    async with change("marketing", "MarketingScheme", scheme_id):
        await _move(
            scheme_id,
            SchemeStatus.APPROVED,
            "只有审核通过的方案可以执行 (only an approved scheme can start)",
            status=SchemeStatus.RUNNING,
            started_at=now(),
            criteria=criteria,
            list_complete=criteria is None,
        )
    return await MarketingScheme.get(id=scheme_id)


async def close_scheme(principal: Principal, scheme_id: UUID) -> MarketingScheme:
    """RUNNING → CLOSED; its open work orders close with it."""
    await owned_scheme(principal, scheme_id)
    async with change("marketing", "MarketingScheme", scheme_id):
        await _move(
            scheme_id,
            SchemeStatus.RUNNING,
            "只有执行中的方案可以结束 (only a running scheme can close)",
            status=SchemeStatus.CLOSED,
            closed_at=now(),
        )
        await WorkOrder.filter(
            scheme_id=scheme_id, status__in=[WorkOrderStatus.PENDING, WorkOrderStatus.IN_PROGRESS]
        ).update(status=WorkOrderStatus.CLOSED)
    return await MarketingScheme.get(id=scheme_id)


# -- 分解指标 ----------------------------------------------------------------------------------------

SPLITTABLE = (SchemeStatus.DRAFT, SchemeStatus.PENDING, SchemeStatus.APPROVED, SchemeStatus.RUNNING)


def _shares(shares: list[Share]) -> list[Share]:
    if len(shares) > MAX_SPLITS:
        raise bad_input(f"at most {MAX_SPLITS} shares at once")
    if len({s.assignee_id for s in shares}) != len(shares):
        raise bad_input("每个对象最多一次 (each org or manager at most once)")
    for share in shares:
        check_amount(share.target, "target")
    return shares


async def split_indicator(
    principal: Principal, scheme_id: UUID, kind: IndicatorKind, level: SplitLevel, shares: list[Share]
) -> SchemeIndicator:
    """Replace the caller's split of one indicator: head office to orgs of the scheme's subtree
    (the scheme's total the ceiling), a branch head to managers of their subtree (their org's
    share, or the total of their own scheme, the ceiling). Above the ceiling: BAD_USER_INPUT."""
    scheme = await visible_scheme(principal, scheme_id)
    shares = _shares(shares)
    indicator = await SchemeIndicator.get_or_none(scheme_id=scheme_id, kind=kind)
    if indicator is None:
        raise not_found("indicator")
    if scheme.status not in SPLITTABLE:
        raise conflict("方案已结束或被驳回 (the scheme is closed or rejected)")
    ids = [s.assignee_id for s in shares]
    if level == SplitLevel.ORG:
        _require_owner(principal, scheme)
        ceiling = indicator.total
        orgs = await tenant_orgs(ids, scheme.tenant_id)
        paths = {}
        for id in ids:
            org = orgs.get(id)
            if org is None or org.path == scheme.org_path or not within(org.path, scheme.org_path):
                raise not_found("org")
            paths[id] = org.path
        replaced = IndicatorSplit.filter(indicator_id=indicator.id, level=SplitLevel.ORG)
    else:
        if not principal.has_role(Role.BRANCH_HEAD) or principal.tenant_id != scheme.tenant_id:
            raise forbidden("只有支行负责人可以分解指标到客户经理 (only a branch head splits to managers)")
        if scheme.org_path == principal.org_path:
            ceiling = indicator.total
        else:
            own = await IndicatorSplit.get_or_none(indicator_id=indicator.id, assignee_id=principal.org_id)
            if own is None:
                raise bad_input("总行尚未向本机构分解该指标 (head office gave your org no share yet)")
            ceiling = own.target
        managers = await customer_managers(ids, scheme.tenant_id)
        for id in ids:
            manager = managers.get(id)
            if manager is None or not within(manager.org.path, principal.org_path):
                raise not_found("manager")
        paths = {id: managers[id].org.path for id in ids}
        replaced = IndicatorSplit.filter(
            indicator_id=indicator.id,
            level=SplitLevel.MANAGER,
            assignee_id__in=await _managers_below(indicator.id, principal.org_path),
        )
    if sum((s.target for s in shares), Decimal(0)) > ceiling:
        raise bad_input(f"分解合计不能超过上级指标 {ceiling} (the split exceeds its parent's figure)")
    async with change("marketing", "SchemeIndicator", indicator.id):
        await replaced.delete()
        await IndicatorSplit.bulk_create(
            [
                IndicatorSplit(
                    indicator_id=indicator.id,
                    scheme_id=scheme_id,
                    level=level,
                    assignee_id=s.assignee_id,
                    org_path=paths[s.assignee_id],
                    target=s.target,
                )
                for s in shares
            ]
        )
    return indicator


async def _managers_below(indicator_id: UUID, org_path: str) -> list[UUID]:
    rows = await IndicatorSplit.filter(indicator_id=indicator_id, level=SplitLevel.MANAGER).values_list(
        "assignee_id", "org_path"
    )
    return [UUID(str(id)) for id, path in rows if within(str(path), org_path)]


# -- 名单分配 ----------------------------------------------------------------------------------------


async def list_targets(
    principal: Principal, scheme_id: UUID, first: int, after: str | None, unallocated: bool = False
) -> Page[SchemeTarget]:
    """A scheme's target list as the caller sees it; ``unallocated``: those still without a manager."""
    await visible_scheme(principal, scheme_id)
    queryset = scoped(principal, SchemeTarget, target_scope).filter(scheme_id=scheme_id)
    if unallocated:
        queryset = queryset.filter(manager_id__isnull=True)
    return await paginate(queryset, first, after)


async def allocate_targets(principal: Principal, scheme_id: UUID, allocations: list[Allocation]) -> int:
    """名单分配: the branch head gives unmanaged targets of their subtree to managers of the
    customer's org; each gets its work order. Every customer must be an unallocated target in the
    caller's subtree, every manager a customer manager of that org (NOT_FOUND otherwise); a target
    allocated meanwhile by someone else is CONFLICT. Returns the work orders created."""
    if not principal.has_role(Role.BRANCH_HEAD):
        raise forbidden("只有支行负责人可以分配名单 (only a branch head allocates the list)")
    scheme = await visible_scheme(principal, scheme_id)
    if scheme.status != SchemeStatus.RUNNING:
        raise conflict("只有执行中的方案可以分配名单 (only a running scheme's list is allocated)")
    if not 1 <= len(allocations) <= MAX_ALLOCATIONS:
        raise bad_input(f"allocate 1 to {MAX_ALLOCATIONS} customers at once")
    customers = [a.customer_id for a in allocations]
    if len(set(customers)) != len(customers):
        raise bad_input("每个客户最多一次 (each customer at most once)")
    targets = {
        t.customer_id: t
        for t in await SchemeTarget.filter(
            scheme_id=scheme_id, customer_id__in=customers, manager_id__isnull=True
        )
        if within(t.org_path, principal.org_path)
    }
    managers = await customer_managers({a.manager_id for a in allocations}, scheme.tenant_id)
    for allocation in allocations:
        target = targets.get(allocation.customer_id)
        if target is None:
            raise not_found("target customer")
        manager = managers.get(allocation.manager_id)
        if manager is None or manager.org.path != target.org_path:
            raise not_found("manager")
    async with change("marketing", "MarketingScheme", scheme_id) as audited:
        # One conditional UPDATE claims them all (a racing head waits, then finds them taken),
        # one statement names each target's manager, one inserts the work orders.
        claimed = await SchemeTarget.filter(
            scheme_id=scheme_id, customer_id__in=customers, manager_id__isnull=True, allocated_by__isnull=True
        ).update(allocated_by=principal.user_id)
        if claimed != len(customers):
            raise conflict("名单已被分配 (a customer was allocated meanwhile)")
        for allocation in allocations:
            targets[allocation.customer_id].manager_id = allocation.manager_id
        await SchemeTarget.bulk_update(
            list(targets.values()), fields=["manager_id"], batch_size=MAX_ALLOCATIONS
        )
        await WorkOrder.bulk_create(
            [
                WorkOrder(
                    scheme_id=scheme_id,
                    tenant_id=scheme.tenant_id,
                    manager_id=a.manager_id,
                    customer_id=a.customer_id,
                    org_path=targets[a.customer_id].org_path,
                    status=WorkOrderStatus.PENDING,
                )
                for a in allocations
            ]
        )
        audited.detail["allocated"] = len(allocations)
    return len(allocations)
