"""业绩管理 (performance targets): indicators (指标管理), targets and their trail (留痕).

- ``save_indicator``: head office (HQ_ADMIN) creates or edits one of its bank's indicators, by its
  code (the natural key: a repeat changes nothing), audited.
- ``set_branch_target``: head office proposes a branch's figure for an indicator and a period; it
  takes effect once approved through the approvals engine (``BRANCH_TARGET``: HQ_REVIEWER by
  default, never the proposer); a figure approved earlier stays in force meanwhile.
- ``review_branch_target``: the reviewer's decision; the approved figure takes effect.
- ``split_branch_target``: a branch head splits an approved branch target to customer managers of
  that branch (replacing their earlier split); the sum may not exceed the branch target
  (BAD_USER_INPUT, ``extensions.reason`` ``SPLIT_EXCEEDS_TARGET``).

Every change of a figure writes a ``TargetChange`` (who, when, before, after) in the same
transaction; ``target_changes`` lists them in the caller's scope. Progress and scores:
resolvers/marketing/performance_scores.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from models.approvals import ApprovalFunction
from models.marketing import (
    MeasureKind,
    PerformanceIndicator,
    PerformanceTarget,
    PeriodKind,
    TargetAction,
    TargetChange,
    TargetLevel,
    TargetStatus,
)
from resolvers.common.approvals import decide_approval, open_approval
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import CodedError, bad_input, conflict, not_found
from resolvers.common.idempotency import once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.directory import customer_managers, tenant_orgs
from resolvers.marketing.permissions import require_performance_admin, require_target_splitter
from resolvers.marketing.schemes import MAX_SPLITS, check_amount, within
from resolvers.marketing.scopes import indicator_scope, performance_scope
from security.principal import Principal
from security.scopes import tenant_path

CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """A target period: 月度 ``2026-12``, 季度 ``2026-Q4`` or 年度 ``2026``; days inclusive."""

    code: str
    kind: PeriodKind
    starts_on: date
    ends_on: date


def parse_period(text: str) -> Period:
    match = PERIOD.match(text.strip())
    year = int(match.group(1)) if match else 0
    if match is None or not 2000 <= year <= 2100:
        raise bad_input("期间格式应为 2026-12、2026-Q4 或 2026 (period: YYYY-MM, YYYY-Qn or YYYY)")
    month, quarter = match.group(2), match.group(3)
    if month is not None:
        m = int(month)
        if not 1 <= m <= 12:
            raise bad_input("月份应为 01–12 (month 01 to 12)")
        first, last = m, m
        kind = PeriodKind.MONTH
    elif quarter is not None:
        first, last, kind = 3 * int(quarter) - 2, 3 * int(quarter), PeriodKind.QUARTER
    else:
        first, last, kind = 1, 12, PeriodKind.YEAR
    ends = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return Period(match.group(0), kind, date(year, first, 1), date.fromordinal(ends.toordinal() - 1))


# -- 指标管理 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorDraft:
    code: str
    name: str
    category: str  # 存款类, 贷款类, 客户类, 营销类 …
    unit: str
    measure: MeasureKind
    weight: Decimal
    active: bool = True


def _indicator_values(draft: IndicatorDraft) -> dict[str, Any]:
    code = draft.code.strip()
    if not CODE.match(code):
        raise bad_input("指标编码为大写字母开头的 2–32 位大写字母、数字或下划线 (code: A-Z0-9_)")
    texts = {"name": (draft.name, 50), "category": (draft.category, 20), "unit": (draft.unit, 10)}
    values: dict[str, Any] = {"code": code}
    for field, (text, limit) in texts.items():
        value = text.strip()
        if not 1 <= len(value) <= limit:
            raise bad_input(f"{field} must be 1–{limit} characters")
        values[field] = value
    weight = draft.weight
    if not weight.is_finite() or not 0 <= weight <= 100 or weight != weight.quantize(CENT):
        raise bad_input("权重为 0–100，最多两位小数 (weight 0 to 100)")
    values |= {"measure": MeasureKind(draft.measure), "weight": weight, "active": draft.active}
    return values


def _snapshot(row: PerformanceIndicator) -> dict[str, str]:
    return {f: str(getattr(row, f)) for f in ("name", "category", "unit", "measure", "weight", "active")}


async def save_indicator(principal: Principal, draft: IndicatorDraft) -> PerformanceIndicator:
    """Create or edit (by code) one of the caller's bank's indicators; the audit record keeps
    the definition before and after."""
    require_performance_admin(principal)
    values = _indicator_values(draft)
    tenant_id = principal.tenant_id
    async with change("marketing", "PerformanceIndicator") as audited:

        async def create() -> PerformanceIndicator:
            return await PerformanceIndicator.create(
                tenant_id=tenant_id, created_by=principal.user_id, updated_by=principal.user_id, **values
            )

        row, created = await once(
            "marketing",
            values["code"],
            lambda: PerformanceIndicator.get_or_none(tenant_id=tenant_id, code=values["code"]),
            create,
        )
        audited.id = row.id
        if not created:
            before = _snapshot(row)
            row.update_from_dict({k: v for k, v in values.items() if k != "code"})
            row.updated_by = principal.user_id
            if _snapshot(row) != before:
                await row.save()
                audited.detail |= {"before": before, "after": _snapshot(row)}
        else:
            audited.detail["after"] = _snapshot(row)
    return row


async def list_indicators(principal: Principal, include_inactive: bool = False) -> list[PerformanceIndicator]:
    queryset = scoped(principal, PerformanceIndicator, indicator_scope)
    if not include_inactive:
        queryset = queryset.filter(active=True)
    return await queryset.order_by("category", "code")


# -- 目标 ---------------------------------------------------------------------------------------------


async def visible_target(principal: Principal, target_id: UUID) -> PerformanceTarget:
    """The target if the caller may see it, else NOT_FOUND (missing and out of scope alike)."""
    target = await scoped(principal, PerformanceTarget, performance_scope).get_or_none(id=target_id)
    if target is None:
        raise not_found("target")
    return target


async def list_targets(
    principal: Principal,
    period: str,
    first: int,
    after: str | None,
    level: TargetLevel | None = None,
    status: TargetStatus | None = None,
) -> Page[PerformanceTarget]:
    queryset = scoped(principal, PerformanceTarget, performance_scope).filter(
        period=parse_period(period).code
    )
    if level is not None:
        queryset = queryset.filter(level=level)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after)


def _trail(
    target: PerformanceTarget,
    action: TargetAction,
    before: Decimal | None,
    after: Decimal | None,
    actor: UUID,
    comment: str = "",
) -> TargetChange:
    return TargetChange(
        tenant_id=target.tenant_id,
        target_id=target.id,
        org_path=target.org_path,
        assignee_id=target.assignee_id,
        action=action,
        before=before,
        after=after,
        actor_id=actor,
        comment=comment[:500],
    )


def _reason(error: CodedError, reason: str) -> CodedError:
    error.extensions["reason"] = reason
    return error


async def set_branch_target(
    principal: Principal,
    indicator_id: UUID,
    org_id: UUID,
    period_text: str,
    value: Decimal,
    comment: str = "",
) -> PerformanceTarget:
    """Head office proposes ``value`` as the org's target; in force once approved. The same
    proposal again returns the target as it is; another while one waits: CONFLICT."""
    require_performance_admin(principal)
    period = parse_period(period_text)
    check_amount(value, "target")
    if len(comment) > 500:
        raise bad_input("comment is longer than 500 characters")
    indicator = await PerformanceIndicator.get_or_none(id=indicator_id, tenant_id=principal.tenant_id)
    if indicator is None:
        raise not_found("indicator")
    if not indicator.active:
        raise conflict("指标已停用 (the indicator is inactive)", reason="INDICATOR_INACTIVE")
    org = (await tenant_orgs([org_id], principal.tenant_id)).get(org_id)
    if org is None or org.path == tenant_path(principal):
        raise not_found("org")  # a branch of the caller's bank, not the bank itself
    key: dict[str, Any] = {"indicator_id": indicator.id, "assignee_id": org.id, "period": period.code}
    async with change("marketing", "PerformanceTarget") as audited:

        async def create() -> PerformanceTarget:
            return await PerformanceTarget.create(
                tenant_id=principal.tenant_id,
                level=TargetLevel.ORG,
                org_path=org.path,
                period_kind=period.kind,
                status=TargetStatus.PENDING,
                proposed=value,
                created_by=principal.user_id,
                proposed_by=principal.user_id,
                **key,
            )

        target, created = await once(
            "marketing", period.code, lambda: PerformanceTarget.get_or_none(**key), create
        )
        audited.id = target.id
        if not created:
            if target.status == TargetStatus.PENDING:
                if target.proposed == value:
                    audited.detail["repeated"] = True
                    return target
                raise conflict(
                    "该目标正在审批中 (a proposal for this target waits for approval)", "PENDING_APPROVAL"
                )
            if target.status == TargetStatus.APPROVED and target.target == value:
                audited.detail["repeated"] = True
                return target
            figures = await PerformanceTarget.filter(parent_id=target.id).values_list("target", flat=True)
            split = sum((Decimal(str(f)) for f in figures if f is not None), Decimal(0))
            if value < split:
                raise _reason(
                    bad_input(f"目标不能低于已分解到个人的合计 {split} (below the staff split's sum)"),
                    "TARGET_BELOW_SPLIT",
                )
            moved = await PerformanceTarget.filter(id=target.id, status=target.status).update(
                status=TargetStatus.PENDING, proposed=value, proposed_by=principal.user_id
            )
            if not moved:
                raise conflict("目标刚被他人修改 (the target changed meanwhile)")
            target.status, target.proposed, target.proposed_by = (
                TargetStatus.PENDING,
                value,
                principal.user_id,
            )
        await _trail(target, TargetAction.SET, target.target, value, principal.user_id, comment).save()
        request = await open_approval(
            ApprovalFunction.BRANCH_TARGET,
            target.id,
            tenant_id=principal.tenant_id,
            org_path=org.path,
            created_by=principal.user_id,
            submitted_by=principal.user_id,
            title=f"业绩目标审批：{org.name} {indicator.name} {period.code} {value}",
            comment=comment,
        )
        if request is None:  # 审批流程关闭: in force at once
            await _apply(target, principal.user_id, True, "审批流程已关闭 (approval is switched off)")
    return await PerformanceTarget.get(id=target.id)


async def _apply(target: PerformanceTarget, actor: UUID, approve: bool, comment: str) -> bool:
    """PENDING → the decision: approved, the proposal is in force; rejected, the earlier figure
    stays (REJECTED when there is none). One conditional UPDATE; False when it moved nothing."""
    after = target.proposed if approve else target.target
    status = TargetStatus.APPROVED if approve or target.target is not None else TargetStatus.REJECTED
    moved = await PerformanceTarget.filter(id=target.id, status=TargetStatus.PENDING).update(
        status=status, target=after, proposed=None, decided_by=actor, decided_at=now()
    )
    if moved:
        action = TargetAction.APPROVE if approve else TargetAction.REJECT
        await _trail(target, action, target.target, after, actor, comment).save()
    return bool(moved)


async def review_branch_target(
    principal: Principal, target_id: UUID, approve: bool, comment: str
) -> PerformanceTarget:
    """审批: the approvals engine decides who may (four eyes: never the proposer); once the flow
    ends the proposal takes effect, or not."""
    target = await visible_target(principal, target_id)
    if target.level != TargetLevel.ORG:
        raise not_found("target")
    async with change("marketing", "PerformanceTarget", target_id) as audited:
        outcome = await decide_approval(
            principal, ApprovalFunction.BRANCH_TARGET, target_id, approve, comment.strip()
        )
        audited.detail["approve"] = approve
        if outcome.final and not await _apply(target, principal.user_id, outcome.approved, comment.strip()):
            current = await PerformanceTarget.get(id=target_id)
            if current.decided_by != principal.user_id:  # not this reviewer's repeat
                raise conflict("目标已被审批 (the target was already decided)", reason="ALREADY_DECIDED")
    return await PerformanceTarget.get(id=target_id)


@dataclass(frozen=True)
class StaffShare:
    staff_id: UUID
    target: Decimal


async def split_branch_target(
    principal: Principal, target_id: UUID, shares: list[StaffShare], comment: str = ""
) -> list[PerformanceTarget]:
    """The branch head's split of an approved branch target to customer managers of that branch,
    replacing their earlier one (staff left out lose their share). Each figure that changes is
    on the trail."""
    require_target_splitter(principal)
    parent = await visible_target(principal, target_id)
    if parent.level != TargetLevel.ORG:
        raise not_found("target")
    if parent.target is None:
        raise conflict("机构目标尚未审批生效 (the branch target is not approved yet)", reason="NOT_APPROVED")
    if len(shares) > MAX_SPLITS:
        raise bad_input(f"at most {MAX_SPLITS} shares at once")
    ids = [s.staff_id for s in shares]
    if len(set(ids)) != len(ids):
        raise bad_input("每人最多一次 (each staff member at most once)")
    for share in shares:
        check_amount(share.target, "target")
    managers = await customer_managers(ids, parent.tenant_id)
    for id in ids:
        manager = managers.get(id)
        if manager is None or not within(manager.org.path, parent.org_path):
            raise not_found("staff")
    total = sum((s.target for s in shares), Decimal(0))
    if total > parent.target:
        raise _reason(
            bad_input(f"分解合计 {total} 超过机构目标 {parent.target} (the split exceeds the branch target)"),
            "SPLIT_EXCEEDS_TARGET",
        )
    async with change("marketing", "PerformanceTarget", target_id) as audited:
        # The branch target's row first: two splits of it at once run one after the other.
        locked = await PerformanceTarget.filter(id=parent.id, target=parent.target).update(updated_at=now())
        if not locked:
            raise conflict("机构目标刚被调整 (the branch target changed meanwhile)")
        taken = await PerformanceTarget.filter(
            indicator_id=parent.indicator_id, period=parent.period, assignee_id__in=ids
        ).exclude(parent_id=parent.id)
        if taken:
            raise conflict("该员工已有此指标本期目标 (a staff member already has this target)")
        existing = {t.assignee_id: t for t in await PerformanceTarget.filter(parent_id=parent.id)}
        trail: list[TargetChange] = []
        changed: list[PerformanceTarget] = []
        created: list[PerformanceTarget] = []
        for share in shares:
            row = existing.pop(share.staff_id, None)
            if row is None:
                row = PerformanceTarget(
                    tenant_id=parent.tenant_id,
                    indicator_id=parent.indicator_id,
                    level=TargetLevel.STAFF,
                    assignee_id=share.staff_id,
                    org_path=parent.org_path,  # the branch's: ranks and reach go by it
                    period=parent.period,
                    period_kind=parent.period_kind,
                    target=share.target,
                    status=TargetStatus.APPROVED,
                    parent_id=parent.id,
                    created_by=principal.user_id,
                    decided_by=principal.user_id,
                    decided_at=now(),
                )
                created.append(row)
                trail.append(_trail(row, TargetAction.SPLIT, None, share.target, principal.user_id, comment))
            elif row.target != share.target:
                trail.append(
                    _trail(row, TargetAction.SPLIT, row.target, share.target, principal.user_id, comment)
                )
                row.target = share.target
                changed.append(row)
        removed = list(existing.values())
        trail += [_trail(r, TargetAction.REMOVE, r.target, None, principal.user_id, comment) for r in removed]
        if removed:
            await PerformanceTarget.filter(id__in=[r.id for r in removed]).delete()
        if changed:
            await PerformanceTarget.bulk_update(changed, fields=["target"], batch_size=MAX_SPLITS)
        if created:
            await PerformanceTarget.bulk_create(created)
        if trail:
            await TargetChange.bulk_create(trail)
        audited.detail["changes"] = len(trail)
    return await PerformanceTarget.filter(parent_id=parent.id).order_by("id")


async def target_changes(
    principal: Principal, first: int, after: str | None, target_id: UUID | None = None
) -> Page[TargetChange]:
    """留痕: changes of targets in the caller's scope, newest first; one target's with ``target_id``."""
    queryset = scoped(principal, TargetChange, performance_scope)
    if target_id is not None:
        queryset = queryset.filter(target_id=target_id)
    return await paginate(queryset, first, after, newest_first=True)
