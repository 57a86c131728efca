"""The approvals engine (审核流程): one set of rules for every approvable thing — tier schemes, tier
changes, product listings, change requests, marketing schemes, branch targets.

A domain calls it inside its own mutation's transaction (``change()``):

    async with change("customers", "TierScheme", scheme_id):
        ...                                   # the domain's own checks and state move
        if await open_approval(ApprovalFunction.TIER_SCHEME, scheme.id, ...) is None:
            ...                               # the function's approval is switched off: in force at once

    async with change("customers", "TierScheme", scheme_id):
        outcome = await decide_approval(principal, ApprovalFunction.TIER_SCHEME, scheme_id, approve, comment)
        if outcome.final:
            ...                               # approved or rejected: the domain applies it

A flow is data (models/operations/approvals.py ``ApprovalFlow``, edited in operations; the built-in
``DEFAULT_FLOWS`` otherwise): an on/off switch and steps, each a set of roles. A step is decided by
one holder of its roles (acting in that role) whose reach (security/scopes.py ``site_scope``: their
org's subtree, their tenant, or all) covers the subject's org, who neither created nor submitted the
subject and decided no earlier step of it (四眼原则). Each decision is one conditional UPDATE of the
request, so of two racing decisions exactly one counts and the other is CONFLICT; the same person
repeating their decision gets the same outcome. Every submission, decision (with its comment) and
withdrawal is an ``ApprovalStep`` row.

Requests and steps live in the database of the subject's subgraph (``_tables``), so a decision and
its effect commit together; the flows are read from operations' (every process with approvable
things registers the operations app, ``consumes`` in subgraphs/).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from uuid import UUID

from models import customers, finance, marketing, operations
from models.approvals import (
    ApprovalAction,
    ApprovalFunction,
    ApprovalRequestBase,
    ApprovalStatus,
    ApprovalStepBase,
)
from models.operations import ApprovalFlow
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, forbidden
from security.principal import Principal
from security.roles import Role
from security.scopes import site_scope

F = ApprovalFunction

# Where each function's requests live: the subgraph that owns the subject.
_TABLES: dict[ApprovalFunction, tuple[type[ApprovalRequestBase], type[ApprovalStepBase]]] = {
    F.TIER_SCHEME: (customers.ApprovalRequest, customers.ApprovalStep),
    F.TIER_CHANGE: (customers.ApprovalRequest, customers.ApprovalStep),
    F.PRODUCT_LISTING: (finance.ApprovalRequest, finance.ApprovalStep),
    F.MARKETING_SCHEME: (marketing.ApprovalRequest, marketing.ApprovalStep),
    F.CHANGE_REQUEST: (operations.ApprovalRequest, operations.ApprovalStep),
    F.BRANCH_TARGET: (marketing.ApprovalRequest, marketing.ApprovalStep),  # 业绩目标 (marketing)
}
# Each subgraph's pair of tables once (operations lists what waits in all of them).
TABLES: tuple[tuple[type[ApprovalRequestBase], type[ApprovalStepBase]], ...] = tuple(
    dict.fromkeys(_TABLES.values())
)

MAX_STEPS = 5
COMMENT_MAX = 500
NOT_APPROVERS = frozenset({Role.ENTERPRISE_USER, Role.INDIVIDUAL, Role.DEVICE})  # applicants, machines


@dataclass(frozen=True)
class FlowStep:
    name: str  # e.g. 总行审核
    roles: tuple[Role, ...]  # any one holder of these, acting in that role, decides the step

    def stored(self) -> dict[str, object]:
        return {"name": self.name, "roles": [str(r) for r in self.roles]}


@dataclass(frozen=True)
class Flow:
    function: ApprovalFunction
    enabled: bool
    steps: tuple[FlowStep, ...]
    tenant_id: UUID | None = None  # whose flow it is: None for the platform's default or built-in
    built_in: bool = False  # no row: DEFAULT_FLOWS


def _one(name: str, *roles: Role) -> tuple[FlowStep, ...]:
    return (FlowStep(name, roles),)


# The flows in force until an administrator stores another: each the one rule the function had
# before the engine (tests of those functions hold unchanged).
DEFAULT_FLOWS: dict[ApprovalFunction, tuple[FlowStep, ...]] = {
    F.TIER_SCHEME: _one("总行审核", Role.HQ_REVIEWER),
    F.TIER_CHANGE: _one("辖内审批", Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.HQ_REVIEWER),
    F.PRODUCT_LISTING: _one("平台审核", Role.OPERATOR, Role.REGULATOR),
    F.CHANGE_REQUEST: _one(
        "变更审批", Role.HALL_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN, Role.PROVINCE_ADMIN
    ),
    F.MARKETING_SCHEME: _one("总行审核", Role.HQ_REVIEWER, Role.HQ_ADMIN),
    F.BRANCH_TARGET: _one("总行审核", Role.HQ_REVIEWER),
}


@dataclass(frozen=True)
class ApprovalOutcome:
    request: ApprovalRequestBase
    final: bool  # the flow ended with this decision (or had ended: a repeat)
    approved: bool  # final and approved


def steps_from(stored: list[dict[str, object]]) -> tuple[FlowStep, ...]:
    return tuple(
        FlowStep(str(s["name"]), tuple(Role(str(r)) for r in s["roles"]))  # type: ignore[attr-defined]
        for s in stored
    )


def check_steps(steps: list[FlowStep]) -> tuple[FlowStep, ...]:
    """A flow's steps as an administrator gives them: 1 to ``MAX_STEPS``, each named, each with
    roles, none of them an applicant's or a device's (BAD_USER_INPUT otherwise)."""
    if not 1 <= len(steps) <= MAX_STEPS:
        raise bad_input(f"a flow has 1 to {MAX_STEPS} steps")
    checked = []
    for step in steps:
        name = step.name.strip()
        if not name or len(name) > 50:
            raise bad_input("each step needs a name of at most 50 characters")
        if not step.roles:
            raise bad_input(f"step {name} names no role")
        if NOT_APPROVERS & set(step.roles):
            raise bad_input(f"step {name}: applicants and devices cannot approve")
        checked.append(FlowStep(name, tuple(dict.fromkeys(step.roles))))
    return tuple(checked)


async def flows_of(tenant_id: UUID | None) -> dict[ApprovalFunction, Flow]:
    """Every function's flow in force for ``tenant_id``: its own, else the platform's, else the
    built-in one. One statement."""
    keys = ["", str(tenant_id)] if tenant_id else [""]
    rows = sorted(await ApprovalFlow.filter(tenant_key__in=keys), key=lambda r: r.tenant_key != "")
    flows = {f: Flow(f, True, steps, built_in=True) for f, steps in DEFAULT_FLOWS.items()}
    for row in rows:  # the platform's first, the tenant's over it
        owner = UUID(row.tenant_key) if row.tenant_key else None
        flows[row.function] = Flow(row.function, row.enabled, steps_from(row.steps), owner)
    return flows


async def _latest(function: ApprovalFunction, subject_id: UUID) -> ApprovalRequestBase | None:
    requests, _ = _TABLES[function]
    return (
        await requests.filter(function=function, subject_id=subject_id).order_by("-created_at", "-id").first()
    )


async def open_approval(
    function: ApprovalFunction,
    subject_id: UUID,
    *,
    tenant_id: UUID | None,
    org_path: str,
    created_by: UUID,
    submitted_by: UUID,
    title: str,
    comment: str = "",
) -> ApprovalRequestBase | None:
    """Send ``subject_id`` for approval (on submit, inside the domain's transaction). None when the
    function's approval is switched off for the tenant: the subject is approved at once and the
    domain applies it (the trail still shows the submission). Submitting again while a request is
    pending returns it. ``comment``: the submitter's note (申请理由) on the trail."""
    requests, steps = _TABLES[function]
    pending = await requests.filter(
        function=function, subject_id=subject_id, status=ApprovalStatus.PENDING
    ).first()
    if pending is not None:
        return pending
    flow = (await flows_of(tenant_id))[function]
    on = flow.enabled and bool(flow.steps)
    request = await requests.create(
        tenant_id=tenant_id,
        function=function,
        subject_id=subject_id,
        org_path=org_path,
        title=title[:200],
        created_by=created_by,
        submitted_by=submitted_by,
        status=ApprovalStatus.PENDING if on else ApprovalStatus.APPROVED,
        steps=[s.stored() for s in flow.steps],
        roles=_roles(flow.steps[0]) if on else "",
        decided_at=None if on else now(),
    )
    if not on:
        comment = (comment + " " if comment else "") + "审核流程已关闭，提交即生效 (approval is switched off)"
    await _record(steps, request, None, ApprovalAction.SUBMIT, submitted_by, comment)
    return request if on else None


async def decide_approval(
    principal: Principal, function: ApprovalFunction, subject_id: UUID, approve: bool, comment: str
) -> ApprovalOutcome:
    """The caller's decision on the step waiting in ``subject_id``'s request (the rules above).
    A rejection needs a comment and ends the flow; the last step's approval ends it approved."""
    comment = comment.strip()
    if not approve and not comment:
        raise bad_input("驳回需填写意见 (a rejection needs a comment)")
    if len(comment) > COMMENT_MAX:
        raise bad_input(f"comment is longer than {COMMENT_MAX} characters")
    requests, steps = _TABLES[function]
    request = await _latest(function, subject_id)
    if request is None:
        raise conflict("尚未提交审核 (not submitted for approval)")
    action = ApprovalAction.APPROVE if approve else ApprovalAction.REJECT
    decided = await steps.filter(request_id=request.id, actor_id=principal.user_id, step__not_isnull=True)
    if any(d.action == action for d in decided):
        # A repeat of this caller's decision: the same outcome, nothing written.
        return ApprovalOutcome(request, request.status != ApprovalStatus.PENDING, _approved(request))
    if request.status != ApprovalStatus.PENDING:
        raise conflict(f"审批已结束 ({request.status})")
    flow = steps_from(request.steps)
    step = flow[request.step]
    if not principal.has_role(*step.roles):
        raise forbidden(f"无权审批此步骤：{step.name} (your role does not decide this step)")
    if not site_scope(principal).test(SimpleNamespace(org_path=request.org_path)):
        raise forbidden("不在审批范围内 (outside your reach)")
    if principal.user_id in (request.created_by, request.submitted_by):
        raise forbidden("创建人或提交人不能审批 (four eyes: approve someone else's submission)")
    if decided:
        raise forbidden("同一人不能审批多个步骤 (one person decides one step)")
    last = request.step == len(flow) - 1
    values: dict[str, object]
    if approve and not last:
        values = {"step": request.step + 1, "roles": _roles(flow[request.step + 1])}
    else:
        values = {
            "status": ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED,
            "decided_at": now(),
        }
    won = await requests.filter(id=request.id, status=ApprovalStatus.PENDING, step=request.step).update(
        **values
    )
    if not won:
        raise conflict("已被他人审批 (decided by someone else just now)")
    decided_step = request.step
    request.update_from_dict(values)
    await _record(steps, request, decided_step, action, principal.user_id, comment)
    return ApprovalOutcome(request, request.status != ApprovalStatus.PENDING, _approved(request))


async def withdraw_approval(function: ApprovalFunction, subject_id: UUID, actor: UUID) -> None:
    """The submitter takes a pending request back (the domain checks who may)."""
    requests, steps = _TABLES[function]
    request = await _latest(function, subject_id)
    if request is None or request.status != ApprovalStatus.PENDING:
        return
    if await requests.filter(id=request.id, status=ApprovalStatus.PENDING).update(
        status=ApprovalStatus.WITHDRAWN
    ):
        await _record(steps, request, None, ApprovalAction.WITHDRAW, actor, "")


async def relocate_approvals(function: ApprovalFunction, subject_ids: list[UUID], org_path: str) -> None:
    """Subjects that moved (a customer transferred to another branch): their pending requests are
    decided, and listed, where they now are."""
    if subject_ids:
        requests, _ = _TABLES[function]
        pending = requests.filter(
            function=function, subject_id__in=subject_ids, status=ApprovalStatus.PENDING
        )
        await pending.update(org_path=org_path)


def _approved(request: ApprovalRequestBase) -> bool:
    return request.status == ApprovalStatus.APPROVED


def _roles(step: FlowStep) -> str:
    return "," + ",".join(step.roles) + ","


async def _record(
    steps: type[ApprovalStepBase],
    request: ApprovalRequestBase,
    step: int | None,
    action: ApprovalAction,
    actor: UUID,
    comment: str,
) -> None:
    await steps.create(
        tenant_id=request.tenant_id,
        function=request.function,
        subject_id=request.subject_id,
        request_id=request.id,
        step=step,
        action=action,
        actor_id=actor,
        comment=comment,
    )
