"""客户分层管理 (tiering): tier schemes that take effect only once reviewed, tier-change requests
that take effect only once approved, and the history of every tier move.

Schemes (分层方案): an HQ_ADMIN drafts AUM bands per tier and submits them; an HQ_REVIEWER of the
same tenant who neither created nor submitted the scheme (four eyes) approves or rejects it.
Approval makes it the tenant's ACTIVE scheme (the previous one RETIRED) and applies it in the same
transaction: every customer whose tier differs from the band its AUM falls in moves, ``CHUNK``
customers at a time with a constant number of statements per chunk (``_apply``).

Requests (调级申请): a customer manager (for a customer they manage) or a branch head (辖内) asks
for one customer's tier to change; one pending request per customer. A branch head whose subtree
holds the customer, or the head office, approves or rejects it — never the requester. Approval
moves the tier only if it is still the one the request started from.

Every move is a ``TierChange`` and a key event (等级升降); every step is an ``ApprovalStep``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise
from uuid import UUID

import strawberry
from tortoise.transactions import in_transaction

from models.customers import (
    ApprovalAction,
    ApprovalStep,
    ApprovalSubject,
    Customer,
    CustomerTier,
    KeyEvent,
    KeyEventKind,
    RequestStatus,
    SchemeStatus,
    TierChange,
    TierChangeRequest,
    TierScheme,
)
from resolvers.common import audit
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.customers.scopes import tier_request_scope, tier_scheme_scope
from schema.common.connection import Connection
from schema.customers.access import acts_for
from schema.customers.tiering import RequestStatusEnum, SchemeStatusEnum, TierBandInput
from schema.customers.tiering import TierChangeRequest as TierChangeRequestType
from schema.customers.tiering import TierScheme as TierSchemeType
from schema.customers.types import CustomerTierEnum
from security.principal import Principal
from security.roles import Role

CHUNK = 1000  # customers read (and locked) per statement while a scheme is applied
MAX_AUM = Decimal("1e16")  # the AUM column holds 16 digits before the point
CENT = Decimal("0.01")
RANK = {tier: rank for rank, tier in enumerate(CustomerTier)}  # 普通 < 潜力 < 成长 < 财富 < 私行
TIER_NAMES = {
    CustomerTier.ORDINARY: "普通",
    CustomerTier.POTENTIAL: "潜力",
    CustomerTier.GROWTH: "成长",
    CustomerTier.WEALTH: "财富",
    CustomerTier.PRIVATE: "私行",
}
AUTHORS = (Role.HQ_ADMIN,)  # draft and submit schemes
REVIEWERS = (Role.HQ_REVIEWER,)  # review schemes
REQUESTERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD)  # ask for a tier change
APPROVERS = (Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.HQ_REVIEWER)  # decide it (in their scope)


def _require(principal: Principal, roles: tuple[Role, ...], what: str) -> None:
    if not principal.has_role(*roles):
        raise forbidden(f"无权{what} (your role cannot do this)")


def _target(info: strawberry.Info, type_name: str, id: strawberry.ID) -> UUID:
    """The id of the mutation's target, named up front for the audit record of a failure."""
    target_id = parse_id(id)
    audit.target(audit.Target(type_name, target_id))
    return target_id


def _text(value: str, what: str, most: int = 500) -> str:
    text = value.strip()
    if not 1 <= len(text) <= most:
        raise bad_input(f"{what} must be 1–{most} characters")
    return text


def _comment(value: str, approve: bool) -> str:
    """审批意见: optional when approving, required when rejecting (驳回须说明理由)."""
    return value.strip()[:500] if approve else _text(value, "comment (required to reject)")


def _bands(bands: list[TierBandInput]) -> list[dict[str, str]]:
    """Valid bands, lowest first, as stored: each tier at most once, 普通 from 0, and the
    starting AUM strictly increasing with the tier."""
    for band in bands:
        amount = band.min_aum
        if not amount.is_finite() or amount >= MAX_AUM or amount != amount.quantize(CENT):
            raise bad_input("minAum must be an amount with at most 2 decimals")
    if len({band.tier for band in bands}) != len(bands):
        raise bad_input("每个等级最多一个档位 (each tier at most once)")
    ordered = sorted(bands, key=lambda band: RANK[CustomerTier(band.tier)])
    if not ordered or ordered[0].tier != CustomerTier.ORDINARY or ordered[0].min_aum != 0:
        raise bad_input("须有普通档位且起点为 0 (an ORDINARY band from minAum 0)")
    for lower, upper in pairwise(ordered):
        if upper.min_aum <= lower.min_aum:
            raise bad_input("档位起点须随等级严格递增 (minAum strictly increasing with the tier)")
    return [{"tier": str(CustomerTier(b.tier)), "minAum": str(b.min_aum.quantize(CENT))} for b in ordered]


def _band(bands: list[tuple[Decimal, CustomerTier]], aum: Decimal) -> CustomerTier:
    """The tier whose band ``aum`` falls in: the highest band it reaches (bands lowest first)."""
    tier = bands[0][1]
    for least, band_tier in bands:
        if aum >= least:
            tier = band_tier
    return tier


async def _step(
    subject: ApprovalSubject,
    row: TierScheme | TierChangeRequest,
    action: ApprovalAction,
    actor: UUID,
    comment: str,
) -> None:
    await ApprovalStep.create(
        tenant_id=row.tenant_id,
        subject=subject,
        subject_id=row.id,
        action=action,
        actor_id=actor,
        comment=comment,
    )


# -- tier moves --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    customer_id: UUID
    from_tier: CustomerTier
    to_tier: CustomerTier


async def _record_moves(
    moves: list[Move], actor: UUID, *, request_id: UUID | None = None, scheme: TierScheme | None = None
) -> None:
    """The history (等级变动) and key events (等级升降) of moves just made: two statements."""
    if not moves:
        return
    why = f"分层方案「{scheme.name}」" if scheme else "调级申请"
    now = datetime.now(UTC)
    await TierChange.bulk_create(
        [
            TierChange(
                customer_id=m.customer_id,
                from_tier=m.from_tier,
                to_tier=m.to_tier,
                request_id=request_id,
                scheme_id=scheme.id if scheme else None,
                actor_id=actor,
            )
            for m in moves
        ]
    )
    events = []
    for m in moves:
        up = RANK[m.to_tier] > RANK[m.from_tier]
        title = f"等级{'提升' if up else '下降'}: {TIER_NAMES[m.from_tier]} → {TIER_NAMES[m.to_tier]} ({why})"
        kind = KeyEventKind.TIER_UP if up else KeyEventKind.TIER_DOWN
        events.append(KeyEvent(customer_id=m.customer_id, kind=kind, title=title, occurred_at=now))
    await KeyEvent.bulk_create(events)


async def _apply(scheme: TierScheme, actor: UUID) -> int:
    """Move every customer of the scheme's tenant whose tier differs from the band its AUM falls
    in: per chunk of ``CHUNK`` customers one locking read, one UPDATE per target tier and two
    inserts, whatever the number of customers moved. Returns how many moved."""
    bands = [(Decimal(b["minAum"]), CustomerTier(b["tier"])) for b in scheme.bands]
    moved = 0
    after: UUID | None = None
    while True:
        query = Customer.filter(tenant_id=scheme.tenant_id)
        if after is not None:
            query = query.filter(id__gt=after)
        chunk = await query.order_by("id").limit(CHUNK).select_for_update().only("id", "tier", "aum")
        moves = [Move(c.id, c.tier, target) for c in chunk if (target := _band(bands, c.aum)) != c.tier]
        for target in {m.to_tier for m in moves}:
            ids = [m.customer_id for m in moves if m.to_tier == target]
            await Customer.filter(id__in=ids).update(tier=target)
        await _record_moves(moves, actor, scheme=scheme)
        moved += len(moves)
        if len(chunk) < CHUNK:
            return moved
        after = chunk[-1].id


# -- schemes -----------------------------------------------------------------------------------------


async def _scheme(info: strawberry.Info, scheme_id: UUID) -> TierScheme:
    scheme = await scoped(info.context.require_principal(), TierScheme, tier_scheme_scope).get_or_none(
        id=scheme_id
    )
    if scheme is None:
        raise not_found("tier scheme")  # or another tenant's: the same answer
    return scheme


async def _check_four_eyes(scheme: TierScheme, reviewer: UUID) -> None:
    """四眼原则: whoever created or submitted a scheme does not review it."""
    submitted = ApprovalStep.filter(subject_id=scheme.id, action=ApprovalAction.SUBMIT, actor_id=reviewer)
    if scheme.created_by == reviewer or await submitted.exists():
        raise forbidden("方案创建人或提交人不能审核 (four eyes: review someone else's scheme)")


@strawberry.type
class TieringQuery:
    @strawberry.field(description="分层方案 of my tenant (head office staff; the province sees all)")
    async def tier_schemes(
        self,
        info: strawberry.Info,
        status: SchemeStatusEnum | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[TierSchemeType]:
        queryset = scoped(info.context.require_principal(), TierScheme, tier_scheme_scope)
        if status is not None:
            queryset = queryset.filter(status=SchemeStatus(status))
        return await paginate(queryset, first, after)  # type: ignore[return-value]

    @strawberry.field(description="调级申请: those I may decide (辖内 / 本行) and my own")
    async def tier_change_requests(
        self,
        info: strawberry.Info,
        status: RequestStatusEnum | None = None,
        customer_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[TierChangeRequestType]:
        queryset = scoped(info.context.require_principal(), TierChangeRequest, tier_request_scope)
        if status is not None:
            queryset = queryset.filter(status=RequestStatus(status))
        if customer_id is not None:
            queryset = queryset.filter(customer_id=parse_id(customer_id, "customerId"))
        return await paginate(queryset, first, after)  # type: ignore[return-value]


@strawberry.type
class TierSchemeMutation:
    @strawberry.mutation(
        description="新建分层方案 (草稿, HQ_ADMIN); bands: each tier at most once, 普通 from 0"
    )
    async def create_tier_scheme(
        self, info: strawberry.Info, name: str, bands: list[TierBandInput]
    ) -> TierSchemeType:
        principal = info.context.require_principal()
        _require(principal, AUTHORS, "新建分层方案")
        if principal.tenant_id is None:
            raise forbidden("只有法人行社总行可以新建分层方案 (a member bank's head office only)")
        name = _text(name, "name", 100)
        stored = _bands(bands)
        # The same draft again from the same author is a repeat: return the first.
        drafts = TierScheme.filter(
            tenant_id=principal.tenant_id, created_by=principal.user_id, name=name, status=SchemeStatus.DRAFT
        )
        for draft in await drafts:
            if draft.bands == stored:
                return draft  # type: ignore[return-value]
        async with in_transaction("customers"):
            scheme = await TierScheme.create(
                tenant_id=principal.tenant_id, name=name, bands=stored, created_by=principal.user_id
            )
            await audit.record(target=audit.Target("TierScheme", scheme.id))
        return scheme  # type: ignore[return-value]

    @strawberry.mutation(description="修改分层方案 (草稿 only, HQ_ADMIN); null keeps a field as it is")
    async def update_tier_scheme(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        name: str | None = None,
        bands: list[TierBandInput] | None = None,
    ) -> TierSchemeType:
        _require(info.context.require_principal(), AUTHORS, "修改分层方案")
        changes: dict[str, object] = {}
        if name is not None:
            changes["name"] = _text(name, "name", 100)
        if bands is not None:
            changes["bands"] = _bands(bands)
        scheme_id = _target(info, "TierScheme", id)
        async with in_transaction("customers"):
            scheme = await _scheme(info, scheme_id)
            if changes and not await TierScheme.filter(id=scheme_id, status=SchemeStatus.DRAFT).update(
                **changes
            ):
                raise conflict(f"方案已{scheme.status}，只有草稿可以修改 (drafts only)")
            await audit.record(target=audit.Target("TierScheme", scheme_id))
        scheme.update_from_dict(changes)
        return scheme  # type: ignore[return-value]

    @strawberry.mutation(description="提交分层方案审核 (HQ_ADMIN): 草稿 → 待审核")
    async def submit_tier_scheme(self, info: strawberry.Info, id: strawberry.ID) -> TierSchemeType:
        principal = info.context.require_principal()
        _require(principal, AUTHORS, "提交分层方案")
        scheme_id = _target(info, "TierScheme", id)
        async with in_transaction("customers"):
            scheme = await _scheme(info, scheme_id)
            pending = SchemeStatus.PENDING_REVIEW
            if not await TierScheme.filter(id=scheme_id, status=SchemeStatus.DRAFT).update(status=pending):
                scheme = await TierScheme.get(id=scheme_id)
                if scheme.status == pending:
                    return scheme  # type: ignore[return-value]  # a repeat
                raise conflict(f"方案已{scheme.status}，只有草稿可以提交 (drafts only)")
            await _step(ApprovalSubject.TIER_SCHEME, scheme, ApprovalAction.SUBMIT, principal.user_id, "")
            await audit.record(target=audit.Target("TierScheme", scheme_id))
        scheme.status = pending
        return scheme  # type: ignore[return-value]

    @strawberry.mutation(
        description="审核分层方案 (HQ_REVIEWER, not its creator): approval activates and applies it at once, "
        "retiring the previous one; rejection needs a comment"
    )
    async def review_tier_scheme(
        self, info: strawberry.Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> TierSchemeType:
        principal = info.context.require_principal()
        _require(principal, REVIEWERS, "审核分层方案")
        scheme_id = _target(info, "TierScheme", id)
        comment = _comment(comment, approve)
        outcome = SchemeStatus.ACTIVE if approve else SchemeStatus.REJECTED
        async with in_transaction("customers"):
            scheme = await _scheme(info, scheme_id)
            await _check_four_eyes(scheme, principal.user_id)
            # Lock the tenant's schemes under review and in force: two reviews in a tenant run in turn.
            live = (SchemeStatus.PENDING_REVIEW, SchemeStatus.ACTIVE)
            locked = TierScheme.filter(tenant_id=scheme.tenant_id, status__in=live).order_by("id")
            scheme = {s.id: s for s in await locked.select_for_update()}.get(scheme_id, scheme)
            if scheme.status == outcome and scheme.reviewed_by == principal.user_id:
                return scheme  # type: ignore[return-value]  # a repeat
            if scheme.status != SchemeStatus.PENDING_REVIEW:
                raise conflict(f"方案已{scheme.status}，只有待审核的方案可以审核 (pending review only)")
            now = datetime.now(UTC)
            if approve:
                await TierScheme.filter(tenant_id=scheme.tenant_id, status=SchemeStatus.ACTIVE).update(
                    status=SchemeStatus.RETIRED
                )
                scheme.activated_at = now
            scheme.status, scheme.reviewed_by, scheme.reviewed_at = outcome, principal.user_id, now
            scheme.review_comment = comment
            await scheme.save(
                update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "activated_at"]
            )
            action = ApprovalAction.APPROVE if approve else ApprovalAction.REJECT
            await _step(ApprovalSubject.TIER_SCHEME, scheme, action, principal.user_id, comment)
            moved = await _apply(scheme, principal.user_id) if approve else 0
            await audit.record(target=audit.Target("TierScheme", scheme_id), detail={"moved": moved})
        return scheme  # type: ignore[return-value]


# -- tier-change requests ----------------------------------------------------------------------------


async def _request(info: strawberry.Info, request_id: UUID) -> TierChangeRequest:
    """The request, locked for this transaction, if the caller may see it."""
    visible = scoped(info.context.require_principal(), TierChangeRequest, tier_request_scope)
    request = await visible.select_for_update().get_or_none(id=request_id)
    if request is None:
        raise not_found("tier change request")
    return request


@strawberry.type
class TierChangeMutation:
    @strawberry.mutation(
        description="申请调级 (a customer manager for a customer they manage, a branch head 辖内); "
        "one pending request per customer"
    )
    async def request_tier_change(
        self, info: strawberry.Info, customer_id: strawberry.ID, to_tier: CustomerTierEnum, reason: str
    ) -> TierChangeRequestType:
        principal = info.context.require_principal()
        _require(principal, REQUESTERS, "申请调级")
        reason = _text(reason, "reason")
        to = CustomerTier(to_tier)
        customer = await info.context.loaders.customer.load(parse_id(customer_id, "customerId"))
        if customer is None:
            raise not_found("customer")  # or out of scope: the same answer
        if not await acts_for(info, customer, REQUESTERS):
            raise forbidden("只能为管户客户申请调级 (only for a customer you manage)")
        audit.target(audit.Target("Customer", customer.id))
        async with in_transaction("customers"):
            # Lock the customer: two requests for one customer run in turn, and its tier holds still.
            locked = await Customer.filter(id=customer.id).select_for_update().only("id", "tier").get()
            pending = await TierChangeRequest.filter(
                customer_id=customer.id, status=RequestStatus.PENDING
            ).first()
            if pending is not None:
                if pending.requested_by == principal.user_id and pending.to_tier == to:
                    return pending  # type: ignore[return-value]  # a repeat
                raise conflict("该客户已有待审批的调级申请 (a request for this customer is pending)")
            if locked.tier == to:
                raise bad_input(f"客户已是{TIER_NAMES[to]}客户 (already at that tier)")
            request = await TierChangeRequest.create(
                customer_id=customer.id,
                tenant_id=customer.tenant_id,
                from_tier=locked.tier,
                to_tier=to,
                reason=reason,
                requested_by=principal.user_id,
            )
            await _step(
                ApprovalSubject.TIER_CHANGE, request, ApprovalAction.SUBMIT, principal.user_id, reason
            )
            await audit.record(target=audit.Target("TierChangeRequest", request.id))
        return request  # type: ignore[return-value]

    @strawberry.mutation(
        description="审批调级申请 (a branch head 辖内 or the head office, never the requester): "
        "approval moves the tier if it is still the one requested from; rejection needs a comment"
    )
    async def decide_tier_change(
        self, info: strawberry.Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> TierChangeRequestType:
        principal = info.context.require_principal()
        request_id = _target(info, "TierChangeRequest", id)
        comment = _comment(comment, approve)
        outcome = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
        async with in_transaction("customers"):
            request = await _request(info, request_id)
            _require(principal, APPROVERS, "审批调级申请")
            if request.requested_by == principal.user_id:
                raise forbidden("申请人不能审批自己的申请 (the requester cannot decide)")
            if request.status == outcome and request.decided_by == principal.user_id:
                return request  # type: ignore[return-value]  # a repeat
            if request.status != RequestStatus.PENDING:
                raise conflict(f"申请已{request.status} (no longer pending)")
            if approve:
                # Guarded: the tier moves only from the tier the request started from.
                moved = await Customer.filter(id=request.customer_id, tier=request.from_tier).update(
                    tier=request.to_tier
                )
                if not moved:
                    raise conflict("客户等级已变化，请驳回后重新申请 (the tier changed since the request)")
                move = Move(
                    request.customer_id, CustomerTier(request.from_tier), CustomerTier(request.to_tier)
                )
                await _record_moves([move], principal.user_id, request_id=request.id)
            request.status, request.decided_by = outcome, principal.user_id
            request.decided_at, request.decision_comment = datetime.now(UTC), comment
            await request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
            action = ApprovalAction.APPROVE if approve else ApprovalAction.REJECT
            await _step(ApprovalSubject.TIER_CHANGE, request, action, principal.user_id, comment)
            await audit.record(target=audit.Target("TierChangeRequest", request_id))
        return request  # type: ignore[return-value]

    @strawberry.mutation(description="撤回调级申请 (the requester, while pending)")
    async def withdraw_tier_change(self, info: strawberry.Info, id: strawberry.ID) -> TierChangeRequestType:
        principal = info.context.require_principal()
        request_id = _target(info, "TierChangeRequest", id)
        async with in_transaction("customers"):
            request = await _request(info, request_id)
            if request.requested_by != principal.user_id:
                raise forbidden("只有申请人可以撤回 (the requester only)")
            if request.status == RequestStatus.WITHDRAWN:
                return request  # type: ignore[return-value]  # a repeat
            if request.status != RequestStatus.PENDING:
                raise conflict(f"申请已{request.status} (no longer pending)")
            request.status = RequestStatus.WITHDRAWN
            await request.save(update_fields=["status"])
            await _step(ApprovalSubject.TIER_CHANGE, request, ApprovalAction.WITHDRAW, principal.user_id, "")
            await audit.record(target=audit.Target("TierChangeRequest", request_id))
        return request  # type: ignore[return-value]
