"""商机池 (the opportunity pool) and 我的商机: claim (认领) first come first served, release, follow
up (跟进), convert (转化) or close, and the conversion statistics (商机统计分析).

A claim is decided by one conditional UPDATE (``transition``: OPEN → CLAIMED): of any number of
managers claiming one opportunity at once exactly one changes the row, every other gets CONFLICT
(``extensions.reason`` ``ALREADY_CLAIMED``) at once — a claim that reads the opportunity already
claimed is refused before any transaction. Repeating one's own claim answers the claim again.

The customer of an opportunity (and a scanned lead's contact) is shown only to who may see it:
``Opportunity.customer`` is null for a caller outside the customer's scope (read through
resolvers/common/customer_directory.py), a lead's name and phone only to its claimer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from tortoise.functions import Count

from models.marketing import FollowUpChannel, Opportunity, OpportunityFollowUp, OpportunityStatus
from realtime.broker import OPPORTUNITY_POOL
from resolvers.common import audit
from resolvers.common.changes import change, transition
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.events import publish
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import ScopeRule, scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.directory import customer_managers, tenant_orgs
from resolvers.marketing.opportunities import list_opportunities
from resolvers.marketing.permissions import require_claimer
from resolvers.marketing.scopes import opportunity_scope, pool_scope
from security.conditions import Prefix
from security.principal import Principal
from security.roles import Scope
from security.scopes import role_scope

ALREADY_CLAIMED = "该商机已被认领 (already claimed)"
NOT_CLAIMED = "该商机不在认领中 (not claimed)"
MAX_NOTE = 500
MAX_REASON = 200
MAX_AMOUNT = Decimal("9999999999999999.99")


async def list_pool(principal: Principal, first: int, after: str | None) -> Page[Opportunity]:
    """商机池: the OPEN opportunities of the caller's bank (the province: every bank's), by id."""
    return await list_opportunities(principal, first, after, OpportunityStatus.OPEN)


async def list_mine(
    principal: Principal, first: int, after: str | None, statuses: list[OpportunityStatus] | None = None
) -> Page[Opportunity]:
    """我的商机: the opportunities the caller claimed (or was given), newest first."""
    queryset = scoped(principal, Opportunity, opportunity_scope).filter(claimed_by_id=principal.user_id)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return await paginate(queryset, first, after, newest_first=True)


async def _visible(
    principal: Principal, opportunity_id: UUID, rule: ScopeRule = opportunity_scope
) -> Opportunity:
    audit.target(audit.Target("Opportunity", opportunity_id))
    found = await scoped(principal, Opportunity, rule).get_or_none(id=opportunity_id)
    if found is None:
        raise not_found("opportunity")
    return found


def _now() -> datetime:
    return datetime.now(UTC)


async def claim_opportunity(principal: Principal, opportunity_id: UUID) -> Opportunity:
    """认领: the first claim wins (one conditional UPDATE), the others CONFLICT at once."""
    require_claimer(principal)
    # Read in the bank's pool scope: a colleague's claim is CONFLICT (已被认领), not NOT_FOUND.
    seen = await _visible(principal, opportunity_id, pool_scope)
    if seen.status is OpportunityStatus.CLAIMED and seen.claimed_by_id == principal.user_id:
        return seen  # a repeat of one's own claim
    if seen.status is not OpportunityStatus.OPEN:
        raise conflict(ALREADY_CLAIMED, "ALREADY_CLAIMED")  # claimed when read: no transaction needed
    values: dict[str, Any] = {
        "status": OpportunityStatus.CLAIMED,
        "claimed_by_id": principal.user_id,
        "claimed_at": _now(),
        "claimed_org_path": principal.org_path,
    }
    async with change("marketing", "Opportunity", opportunity_id):
        if not await transition(Opportunity, opportunity_id, OpportunityStatus.OPEN, None, **values):
            raise conflict(ALREADY_CLAIMED, "ALREADY_CLAIMED")
        for name, value in values.items():
            setattr(seen, name, value)
        await publish(OPPORTUNITY_POOL, "opportunity.claimed", seen, seen.tenant_id)
    return seen


def _supervises(principal: Principal, opportunity: Opportunity) -> bool:
    """The branch head above the opportunity's org or its claimer's (辖内), the head office, the province."""
    scope = role_scope(principal)
    if scope in (Scope.ALL, Scope.TENANT):
        return True
    if scope is Scope.SUBTREE:
        mine = Prefix("org_path", principal.org_path)
        return mine.test(opportunity) or Prefix("claimed_org_path", principal.org_path).test(opportunity)
    return False


async def release_opportunity(principal: Principal, opportunity_id: UUID) -> Opportunity:
    """退回商机池: by its claimer, or a supervisor (the branch head); it is OPEN again for anyone."""
    seen = await _visible(principal, opportunity_id)
    if seen.status is OpportunityStatus.OPEN:
        return seen  # already back in the pool
    if seen.claimed_by_id != principal.user_id and not _supervises(principal, seen):
        raise forbidden("只有认领人或支行负责人可以退回商机 (only the claimer or the branch head)")
    values: dict[str, Any] = {
        "status": OpportunityStatus.OPEN,
        "claimed_by_id": None,
        "claimed_at": None,
        "claimed_org_path": "",
    }
    async with change("marketing", "Opportunity", opportunity_id):
        won = await Opportunity.filter(
            id=opportunity_id, status=OpportunityStatus.CLAIMED, claimed_by_id=seen.claimed_by_id
        ).update(**values)
        if not won:
            raise conflict(NOT_CLAIMED, "NOT_CLAIMED")
        for name, value in values.items():
            setattr(seen, name, value)
        await publish(OPPORTUNITY_POOL, "opportunity.available", seen, seen.tenant_id)
    return seen


async def _claimed_by_me(principal: Principal, opportunity_id: UUID) -> Opportunity:
    seen = await _visible(principal, opportunity_id)
    if seen.claimed_by_id != principal.user_id:
        raise forbidden("只有认领人可以跟进、转化商机 (only its claimer)")
    return seen


def _text(value: str, name: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise bad_input(f"{name} must not be empty")
    if len(text) > limit:
        raise bad_input(f"{name} longer than {limit} characters")
    return text


async def follow_up(
    principal: Principal,
    opportunity_id: UUID,
    channel: FollowUpChannel,
    note: str,
    next_on: date | None = None,
    idempotency_key: str | None = None,
) -> OpportunityFollowUp:
    """跟进 (phone, SMS, WeChat, visit) of a claimed opportunity, by its claimer; the same key again
    answers the first record."""
    key = check_key(idempotency_key)
    text = _text(note, "note", MAX_NOTE)
    if next_on is not None and next_on < datetime.now(CST).date():
        raise bad_input("nextOn must not be in the past")
    seen = await _claimed_by_me(principal, opportunity_id)
    if seen.status is not OpportunityStatus.CLAIMED:
        raise conflict(NOT_CLAIMED, "NOT_CLAIMED")
    me = principal.user_id
    async with change("marketing", "OpportunityFollowUp") as audited:
        record, created = await once(
            "marketing",
            key,
            lambda: OpportunityFollowUp.get_or_none(manager_id=me, idempotency_key=key),
            lambda: OpportunityFollowUp.create(
                opportunity_id=seen.id,
                tenant_id=seen.tenant_id,
                manager_id=me,
                channel=channel,
                note=text,
                next_on=next_on,
                idempotency_key=key,
            ),
        )
        if not created and record.opportunity_id != seen.id:
            raise conflict("幂等键已用于另一条跟进 (idempotencyKey already used for another follow-up)")
        audited.id = record.id
        audited.detail["repeated"] = not created
    return record


def _amount(value: Decimal | str) -> Decimal:
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise bad_input("amount must be a number") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise bad_input("amount must be between 0 and 9999999999999999.99")
    return amount.quantize(Decimal("0.01"))


async def convert_opportunity(
    principal: Principal, opportunity_id: UUID, amount: Decimal, product_name: str = ""
) -> Opportunity:
    """转化: the claimer records the sale (amount, product); CLAIMED → CONVERTED, once."""
    value = _amount(amount)
    product = product_name.strip()
    if len(product) > 100:
        raise bad_input("productName longer than 100 characters")
    seen = await _claimed_by_me(principal, opportunity_id)
    if seen.status is OpportunityStatus.CONVERTED and seen.converted_amount == value:
        return seen  # a repeat
    values: dict[str, Any] = {
        "status": OpportunityStatus.CONVERTED,
        "converted_amount": value,
        "converted_product": product or seen.product_name,
        "finished_at": _now(),
    }
    async with change("marketing", "Opportunity", opportunity_id):
        await transition(Opportunity, opportunity_id, OpportunityStatus.CLAIMED, NOT_CLAIMED, **values)
        for name, v in values.items():
            setattr(seen, name, v)
    return seen


async def close_opportunity(principal: Principal, opportunity_id: UUID, reason: str) -> Opportunity:
    """关闭 (with a reason): its claimer, or a supervisor — who may also close one still in the pool."""
    text = _text(reason, "reason", MAX_REASON)
    seen = await _visible(principal, opportunity_id)
    if seen.status is OpportunityStatus.CLOSED:
        return seen
    if seen.claimed_by_id != principal.user_id and not _supervises(principal, seen):
        raise forbidden("只有认领人或支行负责人可以关闭商机 (only the claimer or the branch head)")
    leaving = seen.status if seen.status in (OpportunityStatus.OPEN, OpportunityStatus.CLAIMED) else None
    if leaving is None:
        raise conflict("商机已转化，不能关闭 (already converted)", "FINISHED")
    values: dict[str, Any] = {"status": OpportunityStatus.CLOSED, "close_reason": text, "finished_at": _now()}
    async with change("marketing", "Opportunity", opportunity_id):
        await transition(Opportunity, opportunity_id, leaving, "商机状态已变化 (changed meanwhile)", **values)
        for name, v in values.items():
            setattr(seen, name, v)
        if leaving is OpportunityStatus.OPEN:  # it leaves the pool
            await publish(OPPORTUNITY_POOL, "opportunity.removed", seen, seen.tenant_id)
    return seen


# 商机统计分析 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversionRow:
    """One org's or manager's opportunities: how many, in which state, and the conversion rate
    (converted of those finished or in hand; 0 when none)."""

    id: UUID
    name: str
    total: int
    open: int
    claimed: int
    converted: int
    closed: int

    @property
    def rate(self) -> float:
        handled = self.claimed + self.converted + self.closed
        return round(self.converted / handled, 4) if handled else 0.0


@dataclass(frozen=True)
class ConversionStats:
    by_org: list[ConversionRow]
    by_manager: list[ConversionRow]


async def conversion_stats(
    principal: Principal,
    org_id: UUID | None = None,
    manager_id: UUID | None = None,
    since: date | None = None,
    until: date | None = None,
) -> ConversionStats:
    """商机统计: per org (the opportunity's org) and per manager (its claimer), over the opportunities
    the caller may see, optionally of one org's subtree or one manager, created in [since, until].
    Four statements whatever the number of rows (two groupings, the orgs' and managers' names)."""
    scope = opportunity_scope(principal)
    if scope.is_nothing:
        raise forbidden("无权查看商机统计 (your role cannot see opportunities)")
    queryset = Opportunity.filter(scope.q())
    if org_id is not None:
        org = (await tenant_orgs([org_id], principal.tenant_id)).get(org_id)
        if org is None or not _may_see_path(principal, org.path):
            raise not_found("org")
        queryset = queryset.filter(Prefix("org_path", org.path).q())
    if manager_id is not None:
        manager = (await customer_managers([manager_id], principal.tenant_id)).get(manager_id)
        if manager is None or not _may_see_manager(principal, manager_id, manager.org.path):
            raise not_found("manager")
        queryset = queryset.filter(claimed_by_id=manager_id)
    if since is not None:
        queryset = queryset.filter(created_at__gte=datetime(since.year, since.month, since.day, tzinfo=CST))
    if until is not None:
        end = datetime(until.year, until.month, until.day, tzinfo=CST)
        queryset = queryset.filter(created_at__lt=end + timedelta(days=1))
    by_org_rows = (
        await queryset.annotate(n=Count("id"))
        .group_by("org_path", "status")
        .values_list("org_path", "status", "n")
    )
    by_manager_rows = (
        await queryset.filter(claimed_by_id__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("claimed_by_id", "status")
        .values_list("claimed_by_id", "status", "n")
    )
    orgs: dict[str, dict[OpportunityStatus, int]] = {}
    for path, status, n in by_org_rows:
        leaf = path.rsplit("/", 1)[-1]
        if leaf:
            bucket = orgs.setdefault(leaf, {})
            bucket[OpportunityStatus(status)] = bucket.get(OpportunityStatus(status), 0) + int(n)
    managers: dict[str, dict[OpportunityStatus, int]] = {}
    for manager, status, n in by_manager_rows:
        managers.setdefault(str(manager), {})[OpportunityStatus(status)] = int(n)
    org_ids = [UUID(key) for key in orgs]
    manager_ids = [UUID(key) for key in managers]
    org_names = await tenant_orgs(org_ids, principal.tenant_id) if principal.tenant_id else {}
    manager_names = await customer_managers(manager_ids, principal.tenant_id) if principal.tenant_id else {}
    return ConversionStats(
        by_org=[_row(i, org_names[i].name if i in org_names else "", orgs[str(i)]) for i in sorted(org_ids)],
        by_manager=[
            _row(i, manager_names[i].name if i in manager_names else "", managers[str(i)])
            for i in sorted(manager_ids)
        ],
    )


def _row(id: UUID, name: str, counts: dict[OpportunityStatus, int]) -> ConversionRow:
    return ConversionRow(
        id=id,
        name=name,
        total=sum(counts.values()),
        open=counts.get(OpportunityStatus.OPEN, 0),
        claimed=counts.get(OpportunityStatus.CLAIMED, 0),
        converted=counts.get(OpportunityStatus.CONVERTED, 0),
        closed=counts.get(OpportunityStatus.CLOSED, 0),
    )


def _may_see_path(principal: Principal, path: str) -> bool:
    scope = role_scope(principal)
    if scope in (Scope.ALL, Scope.TENANT):
        return True
    return Prefix("org_path", principal.org_path).test(_Path(path)) if scope is Scope.SUBTREE else False


def _may_see_manager(principal: Principal, manager_id: UUID, org_path: str) -> bool:
    if manager_id == principal.user_id:
        return True
    return _may_see_path(principal, org_path)


@dataclass(frozen=True)
class _Path:
    org_path: str
