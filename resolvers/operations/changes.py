"""变更记录 (change records): a change to a unit's configuration, storage, backup policy or an
optimisation, drafted, submitted, approved or rejected by a manager who is not its requester
(四眼原则, ``decide_change``), started inside its planned window and closed as completed, failed or
rolled back. Each step is one transaction (``change``), decided by a conditional UPDATE
(``transition``): of two approvers at once exactly one wins, the other gets CONFLICT."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from models.approvals import ApprovalFunction as F
from models.operations import ChangeKind, ChangeRequest, ChangeRisk, ChangeStatus, ChangeStep, Org
from resolvers.common.approvals import decide_approval, open_approval
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.directory import device_at
from resolvers.operations.permissions import require_ops_author
from resolvers.operations.scopes import change_scope, org_scope
from security.principal import Principal

S = ChangeStatus


class ChangeAction(StrEnum):
    SUBMIT = "SUBMIT"  # DRAFT → SUBMITTED (the window must still be ahead)
    APPROVE = "APPROVE"  # SUBMITTED → APPROVED (a manager, not the requester)
    REJECT = "REJECT"  # SUBMITTED → REJECTED (the same rule)
    START = "START"  # APPROVED → IN_PROGRESS (inside the planned window only)
    COMPLETE = "COMPLETE"  # IN_PROGRESS → COMPLETED
    FAIL = "FAIL"  # IN_PROGRESS → FAILED
    ROLL_BACK = "ROLL_BACK"  # IN_PROGRESS or FAILED → ROLLED_BACK (the rollback plan was carried out)


# The state machine: the states an action leaves, and where it goes.
MOVES: dict[ChangeAction, tuple[tuple[ChangeStatus, ...], ChangeStatus]] = {
    ChangeAction.SUBMIT: ((S.DRAFT,), S.SUBMITTED),
    ChangeAction.APPROVE: ((S.SUBMITTED,), S.APPROVED),
    ChangeAction.REJECT: ((S.SUBMITTED,), S.REJECTED),
    ChangeAction.START: ((S.APPROVED,), S.IN_PROGRESS),
    ChangeAction.COMPLETE: ((S.IN_PROGRESS,), S.COMPLETED),
    ChangeAction.FAIL: ((S.IN_PROGRESS,), S.FAILED),
    ChangeAction.ROLL_BACK: ((S.IN_PROGRESS, S.FAILED), S.ROLLED_BACK),
}
CLOSING = (ChangeAction.COMPLETE, ChangeAction.FAIL, ChangeAction.ROLL_BACK)  # set the result note


@dataclass(frozen=True)
class ChangeDraft:
    """What ``create_change`` is given (the GraphQL input, parsed)."""

    org_id: UUID
    kind: ChangeKind
    title: str
    planned_start: datetime
    planned_end: datetime
    risk: ChangeRisk
    rollback_plan: str
    description: str = ""
    system: str = ""
    device_id: UUID | None = None


@dataclass(frozen=True)
class ChangeFilter:
    status: ChangeStatus | None = None
    kind: ChangeKind | None = None
    org_id: UUID | None = None


async def create_change(
    principal: Principal, draft: ChangeDraft, idempotency_key: str | None
) -> ChangeRequest:
    """A DRAFT change of an org the caller runs systems at; with an idempotency key a retry gets
    the first one back (the same key with other values is CONFLICT)."""
    if not draft.title.strip() or len(draft.title) > 200:
        raise bad_input("title must be 1 to 200 characters")
    if not draft.rollback_plan.strip():
        raise bad_input("rollbackPlan is required (回退方案)")
    if draft.planned_start >= draft.planned_end:
        raise bad_input("plannedStart must be before plannedEnd")
    org = await ops_unit(principal, draft.org_id, draft.device_id)
    key = check_key(idempotency_key)
    async with change("operations", "ChangeRequest") as audited:

        async def create() -> ChangeRequest:
            row = await ChangeRequest.create(
                org=org,
                org_path=org.path,
                kind=draft.kind,
                title=draft.title,
                description=draft.description,
                system=draft.system,
                device_id=draft.device_id,
                planned_start=draft.planned_start,
                planned_end=draft.planned_end,
                risk=draft.risk,
                rollback_plan=draft.rollback_plan,
                requested_by=principal.user_id,
                idempotency_key=key,
            )
            await _step(principal, row, None, S.DRAFT, "")
            return row

        row, created = await once(
            "operations",
            key,
            lambda: ChangeRequest.get_or_none(requested_by=principal.user_id, idempotency_key=key),
            create,
        )
        audited.id = row.id
        if not created:
            given = (row.org_id, row.kind, row.title, row.planned_start, row.planned_end)
            if given != (org.id, draft.kind, draft.title, draft.planned_start, draft.planned_end):
                raise conflict("幂等键已用于另一变更 (idempotencyKey already used for another change)")
            audited.detail["repeated"] = True
    return row


async def ops_unit(principal: Principal, org_id: UUID, device_id: UUID | None) -> Org:
    """The org a change or a backup job is for: one the caller sees (else NOT_FOUND) and runs
    systems at (else FORBIDDEN); the device it names must be one the caller sees there or below."""
    org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
    if org is None:
        raise not_found("org")
    require_ops_author(principal, org.path)
    if device_id is not None and not await device_at(principal, device_id, org.path):
        raise not_found("device (at that org)")  # another hall's, out of scope, or none: alike
    return org


async def advance_change(
    principal: Principal,
    change_id: UUID,
    action: ChangeAction,
    note: str = "",
    *,
    moment: datetime | None = None,
) -> ChangeRequest:
    """One step of the change ``change_id`` (CONFLICT when its status does not allow it)."""
    row = await scoped(principal, ChangeRequest, change_scope).get_or_none(id=change_id)
    if row is None:
        raise not_found("change request")
    if action in (ChangeAction.APPROVE, ChangeAction.REJECT):
        return await decide_change(principal, row, action is ChangeAction.APPROVE, note)
    require_ops_author(principal, row.org_path)
    leaving, to = MOVES[action]
    if row.status not in leaving:  # said early, before the checks of the step; transition() decides races
        raise conflict(f"变更为 {row.status}，不能 {action} (illegal transition)")
    moment = moment or now()
    if action is ChangeAction.SUBMIT:
        if principal.user_id != row.requested_by:
            raise forbidden("只有申请人可以提交 (only the requester submits their change)")
        if row.planned_start <= moment:
            raise bad_input("计划窗口已开始 (the planned window must start in the future when submitted)")
        return await _submit(principal, row, note)
    if action is ChangeAction.START and not row.planned_start <= moment < row.planned_end:
        raise conflict("不在批准的变更窗口内 (outside the approved window)", reason="OUTSIDE_WINDOW")
    if action in (ChangeAction.FAIL, ChangeAction.ROLL_BACK) and not note.strip():
        raise bad_input("note is required: what failed, what was rolled back")
    values: dict[str, Any] = {"status": to}
    if action in CLOSING:
        values["result_note"] = note
    return await _move(principal, row, leaving, to, note, values)


async def decide_change(principal: Principal, row: ChangeRequest, approve: bool, note: str) -> ChangeRequest:
    """审批: approve or reject a SUBMITTED change, through the approvals engine (the flow's
    approvers: a manager over the change's unit by default; never its requester)."""
    if row.status is not S.SUBMITTED:
        raise conflict(f"变更为 {row.status}，不能审批 (only a SUBMITTED change is decided)")
    async with change("operations", "ChangeRequest", row.id) as audited:
        outcome = await decide_approval(principal, F.CHANGE_REQUEST, row.id, approve, note)
        if outcome.final:
            to = S.APPROVED if outcome.approved else S.REJECTED
            await _decided(principal, row, to, note)
            audited.detail["to"] = str(to)
    await row.refresh_from_db()
    return row


async def _submit(principal: Principal, row: ChangeRequest, note: str) -> ChangeRequest:
    """提交审批: DRAFT → SUBMITTED and a request to the approvals engine; with the approval of
    changes switched off (审核流程管理) the change is approved at once."""
    async with change("operations", "ChangeRequest", row.id) as audited:
        await transition(
            ChangeRequest,
            row.id,
            (S.DRAFT,),
            f"变更为 {row.status}，不能提交 (drafts only)",
            status=S.SUBMITTED,
        )
        await _step(principal, row, row.status, S.SUBMITTED, note)
        request = await open_approval(
            F.CHANGE_REQUEST,
            row.id,
            tenant_id=principal.tenant_id,
            org_path=row.org_path,
            created_by=row.requested_by,
            submitted_by=principal.user_id,
            title=f"变更：{row.title}",
        )
        audited.detail["to"] = str(S.SUBMITTED)
        if request is None:
            row.status = S.SUBMITTED
            await _decided(
                principal, row, S.APPROVED, "审核流程已关闭，提交即批准 (approval is switched off)"
            )
            audited.detail["to"] = str(S.APPROVED)
    await row.refresh_from_db()
    return row


async def _decided(principal: Principal, row: ChangeRequest, to: ChangeStatus, note: str) -> None:
    message = f"变更状态已变化，不能转为 {to} (the change is no longer SUBMITTED)"
    await transition(ChangeRequest, row.id, (S.SUBMITTED,), message, status=to, approved_by=principal.user_id)
    await _step(principal, row, S.SUBMITTED, to, note)


async def _move(
    principal: Principal,
    row: ChangeRequest,
    leaving: tuple[ChangeStatus, ...],
    to: ChangeStatus,
    note: str,
    values: dict[str, Any],
) -> ChangeRequest:
    message = f"变更状态已变化，不能转为 {to} (the change is {row.status}, not {' or '.join(leaving)})"
    async with change("operations", "ChangeRequest", row.id) as audited:
        await transition(ChangeRequest, row.id, leaving, message, **values)
        await _step(principal, row, row.status, to, note)
        audited.detail["to"] = str(to)
    await row.refresh_from_db()
    return row


async def _step(
    principal: Principal, row: ChangeRequest, leaving: ChangeStatus | None, to: ChangeStatus, note: str
) -> None:
    await ChangeStep.create(
        change_id=row.id,
        org_path=row.org_path,
        from_status=leaving,
        to_status=to,
        actor_id=principal.user_id,
        actor_name=principal.username[:64],
        note=note,
    )


async def list_changes(
    principal: Principal, filter: ChangeFilter | None, first: int, after: str | None
) -> Page[ChangeRequest]:
    """The change requests in the caller's scope, newest first."""
    queryset = scoped(principal, ChangeRequest, change_scope)
    if filter is not None:
        if filter.status is not None:
            queryset = queryset.filter(status=filter.status)
        if filter.kind is not None:
            queryset = queryset.filter(kind=filter.kind)
        if filter.org_id is not None:
            queryset = queryset.filter(org_id=filter.org_id)
    return await paginate(queryset, first, after, newest_first=True)
