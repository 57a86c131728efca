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
from typing import Any
from uuid import UUID

from models.approvals import ApprovalFunction as F
from models.customers import (
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
from resolvers.common.approvals import decide_approval, open_approval, withdraw_approval
from resolvers.common.changes import change, transition
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.customers import customer_in_scope
from resolvers.customers.permissions import (
    SCHEME_AUTHORS,
    TIER_REQUESTERS,
    acts_for,
    require_role,
)
from resolvers.customers.scopes import tier_request_scope, tier_scheme_scope
from security.principal import Principal
from security.roles import Role
from security.scopes import tenant_path

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


@dataclass(frozen=True)
class TierBand:
    """分层档位: customers with AUM of at least ``min_aum`` (and below the next band) get ``tier``."""

    tier: CustomerTier
    min_aum: Decimal


def _require(principal: Principal, roles: tuple[Role, ...], what: str) -> None:
    require_role(principal, roles, f"无权{what} (your role cannot do this)")


def _text(value: str, what: str, most: int = 500) -> str:
    text = value.strip()
    if not 1 <= len(text) <= most:
        raise bad_input(f"{what} must be 1–{most} characters")
    return text


def _bands(bands: list[TierBand]) -> list[dict[str, str]]:
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


async def _scheme(principal: Principal, scheme_id: UUID) -> TierScheme:
    scheme = await scoped(principal, TierScheme, tier_scheme_scope).get_or_none(id=scheme_id)
    if scheme is None:
        raise not_found("tier scheme")  # or another tenant's: the same answer
    return scheme


async def tier_schemes(
    principal: Principal, first: int, after: str | None, status: SchemeStatus | None = None
) -> Page[TierScheme]:
    """分层方案 of the caller's tenant (head office staff; the province sees all)."""
    queryset = scoped(principal, TierScheme, tier_scheme_scope)
    if status is not None:
        queryset = queryset.filter(status=SchemeStatus(status))
    return await paginate(queryset, first, after)


async def tier_change_requests(
    principal: Principal,
    first: int,
    after: str | None,
    status: RequestStatus | None = None,
    customer_id: UUID | None = None,
) -> Page[TierChangeRequest]:
    """调级申请: those the caller may decide (辖内 / 本行) and their own."""
    queryset = scoped(principal, TierChangeRequest, tier_request_scope)
    if status is not None:
        queryset = queryset.filter(status=RequestStatus(status))
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return await paginate(queryset, first, after)


async def create_tier_scheme(principal: Principal, name: str, bands: list[TierBand]) -> TierScheme:
    """新建分层方案 (草稿, HQ_ADMIN); the same draft again from the same author returns the first."""
    _require(principal, SCHEME_AUTHORS, "新建分层方案")
    if principal.tenant_id is None:
        raise forbidden("只有法人行社总行可以新建分层方案 (a member bank's head office only)")
    name = _text(name, "name", 100)
    stored = _bands(bands)
    drafts = TierScheme.filter(
        tenant_id=principal.tenant_id, created_by=principal.user_id, name=name, status=SchemeStatus.DRAFT
    )
    for draft in await drafts:
        if draft.bands == stored:
            return draft
    async with change("customers", "TierScheme") as audited:
        scheme = await TierScheme.create(
            tenant_id=principal.tenant_id, name=name, bands=stored, created_by=principal.user_id
        )
        audited.id = scheme.id
    return scheme


async def update_tier_scheme(
    principal: Principal, scheme_id: UUID, name: str | None = None, bands: list[TierBand] | None = None
) -> TierScheme:
    """修改分层方案 (草稿 only, HQ_ADMIN); None keeps a field as it is."""
    _require(principal, SCHEME_AUTHORS, "修改分层方案")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _text(name, "name", 100)
    if bands is not None:
        changes["bands"] = _bands(bands)
    async with change("customers", "TierScheme", scheme_id):
        scheme = await _scheme(principal, scheme_id)
        if changes:
            conflict_message = f"方案已{scheme.status}，只有草稿可以修改 (drafts only)"
            await transition(TierScheme, scheme_id, SchemeStatus.DRAFT, conflict_message, **changes)
    scheme.update_from_dict(changes)
    return scheme


async def submit_tier_scheme(principal: Principal, scheme_id: UUID) -> TierScheme:
    """提交分层方案审核 (HQ_ADMIN): 草稿 → 待审核, through the approvals engine; with the tenant's
    approval of schemes switched off (审核流程管理) it is in force at once."""
    _require(principal, SCHEME_AUTHORS, "提交分层方案")
    async with change("customers", "TierScheme", scheme_id) as audited:
        scheme = await _scheme(principal, scheme_id)
        pending = SchemeStatus.PENDING_REVIEW
        if not await transition(TierScheme, scheme_id, SchemeStatus.DRAFT, None, status=pending):
            scheme = await TierScheme.get(id=scheme_id)
            if scheme.status == pending:
                return scheme  # a repeat
            raise conflict(f"方案已{scheme.status}，只有草稿可以提交 (drafts only)")
        scheme.status = pending
        request = await open_approval(
            F.TIER_SCHEME,
            scheme.id,
            tenant_id=scheme.tenant_id,
            org_path=tenant_path(principal),
            created_by=scheme.created_by,
            submitted_by=principal.user_id,
            title=f"分层方案：{scheme.name}",
        )
        if request is None:
            audited.detail["moved"] = await _decided(scheme, True, principal.user_id, "")
    return scheme


async def review_tier_scheme(
    principal: Principal, scheme_id: UUID, approve: bool, comment: str = ""
) -> TierScheme:
    """审核分层方案 (the flow's reviewers, HQ_REVIEWER by default; never its creator or submitter):
    approval activates and applies it at once, retiring the previous one; rejection needs a comment."""
    async with change("customers", "TierScheme", scheme_id) as audited:
        scheme = await _scheme(principal, scheme_id)
        # Lock the tenant's schemes under review and in force: two reviews in a tenant run in turn.
        live = (SchemeStatus.PENDING_REVIEW, SchemeStatus.ACTIVE)
        locked = TierScheme.filter(tenant_id=scheme.tenant_id, status__in=live).order_by("id")
        scheme = {s.id: s for s in await locked.select_for_update()}.get(scheme_id, scheme)
        if scheme.status == SchemeStatus.DRAFT:
            raise conflict(f"方案为{scheme.status}，只有待审核的方案可以审核 (pending review only)")
        outcome = await decide_approval(principal, F.TIER_SCHEME, scheme_id, approve, comment)
        if outcome.final and scheme.status == SchemeStatus.PENDING_REVIEW:
            audited.detail["moved"] = await _decided(scheme, outcome.approved, principal.user_id, comment)
    return scheme


async def _decided(scheme: TierScheme, approved: bool, actor: UUID, comment: str) -> int:
    """The end of a scheme's review: approval makes it the tenant's ACTIVE scheme (retiring the one
    in force) and applies it; the number of customers it moved."""
    now = datetime.now(UTC)
    if approved:
        await TierScheme.filter(tenant_id=scheme.tenant_id, status=SchemeStatus.ACTIVE).update(
            status=SchemeStatus.RETIRED
        )
        scheme.activated_at = now
    scheme.status = SchemeStatus.ACTIVE if approved else SchemeStatus.REJECTED
    scheme.reviewed_by, scheme.reviewed_at, scheme.review_comment = actor, now, comment.strip()
    await scheme.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "activated_at"]
    )
    return await _apply(scheme, actor) if approved else 0


# -- tier-change requests ----------------------------------------------------------------------------


async def _request(principal: Principal, request_id: UUID) -> TierChangeRequest:
    """The request, locked for this transaction, if the caller may see it."""
    visible = scoped(principal, TierChangeRequest, tier_request_scope)
    request = await visible.select_for_update().get_or_none(id=request_id)
    if request is None:
        raise not_found("tier change request")
    return request


async def request_tier_change(
    principal: Principal, customer_id: UUID, to_tier: CustomerTier, reason: str
) -> TierChangeRequest:
    """申请调级 (a customer manager for a customer they manage, a branch head 辖内); one pending
    request per customer; the same request again returns the first."""
    _require(principal, TIER_REQUESTERS, "申请调级")
    reason = _text(reason, "reason")
    to = CustomerTier(to_tier)
    customer = await customer_in_scope(principal, customer_id)
    if not await acts_for(principal, customer, TIER_REQUESTERS):
        raise forbidden("只能为管户客户申请调级 (only for a customer you manage)")
    async with change("customers", "TierChangeRequest") as audited:
        # Lock the customer: two requests for one customer run in turn, and its tier holds still.
        locked = await Customer.filter(id=customer.id).select_for_update().only("id", "tier").get()
        pending = await TierChangeRequest.filter(
            customer_id=customer.id, status=RequestStatus.PENDING
        ).first()
        if pending is not None:
            if pending.requested_by == principal.user_id and pending.to_tier == to:
                audited.id = pending.id
                return pending  # a repeat
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
        audited.id = request.id
        opened = await open_approval(
            F.TIER_CHANGE,
            request.id,
            tenant_id=customer.tenant_id,
            org_path=customer.org_path,
            created_by=principal.user_id,
            submitted_by=principal.user_id,
            title=f"调级申请：{TIER_NAMES[CustomerTier(locked.tier)]} → {TIER_NAMES[to]}",
            comment=reason,
        )
        if opened is None:
            await _request_decided(request, True, principal.user_id, reason)
    return request


async def decide_tier_change(
    principal: Principal, request_id: UUID, approve: bool, comment: str = ""
) -> TierChangeRequest:
    """审批调级申请 (the flow's approvers: by default a branch head 辖内 or the head office; never
    the requester): approval moves the tier if it is still the one requested from; rejection
    needs a comment."""
    async with change("customers", "TierChangeRequest", request_id):
        request = await _request(principal, request_id)
        outcome = await decide_approval(principal, F.TIER_CHANGE, request_id, approve, comment)
        if outcome.final and request.status == RequestStatus.PENDING:
            await _request_decided(request, outcome.approved, principal.user_id, comment)
    return request


async def _request_decided(request: TierChangeRequest, approved: bool, actor: UUID, comment: str) -> None:
    if approved:
        # Guarded: the tier moves only from the tier the request started from.
        await transition(
            Customer,
            request.customer_id,
            CustomerTier(request.from_tier),
            "客户等级已变化，请驳回后重新申请 (the tier changed since the request)",
            column="tier",
            tier=request.to_tier,
        )
        move = Move(request.customer_id, CustomerTier(request.from_tier), CustomerTier(request.to_tier))
        await _record_moves([move], actor, request_id=request.id)
    request.status = RequestStatus.APPROVED if approved else RequestStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_comment = (
        actor,
        datetime.now(UTC),
        comment.strip(),
    )
    await request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])


async def withdraw_tier_change(principal: Principal, request_id: UUID) -> TierChangeRequest:
    """撤回调级申请 (the requester, while pending)."""
    async with change("customers", "TierChangeRequest", request_id):
        request = await _request(principal, request_id)
        if request.requested_by != principal.user_id:
            raise forbidden("只有申请人可以撤回 (the requester only)")
        if request.status == RequestStatus.WITHDRAWN:
            return request  # a repeat
        if request.status != RequestStatus.PENDING:
            raise conflict(f"申请已{request.status} (no longer pending)")
        request.status = RequestStatus.WITHDRAWN
        await request.save(update_fields=["status"])
        await withdraw_approval(F.TIER_CHANGE, request.id, principal.user_id)
    return request
