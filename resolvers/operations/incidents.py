"""故障事件 (incidents): reported by staff, by the service desk for a caller (服务热线), or from an
unacknowledged critical alert; then worked through the service desk's workflow, one step at a
time, each step recorded with who, when and a note (``IncidentStep``):

    REPORTED → CONFIRMED → CLASSIFIED → ASSIGNED (assign, take, transfer) → IN_PROGRESS
      → TESTING (→ IN_PROGRESS: rework) → PENDING_CONFIRMATION (→ IN_PROGRESS: the reporter
      rejects) → CLOSED (with the satisfaction survey) → ANALYSED

``FLOW`` is the workflow, in one table: each action, the states it leaves, the state it enters and
who may take it (``permissions.py``). Every step is one conditional UPDATE from the states it
leaves (resolvers/common/changes.py ``transition``): of two engineers taking one incident at once
exactly one wins; the other gets CONFLICT. A step repeated by the one who took it (a double tap,
a retry after a timeout) returns the incident as it is. The SLA clocks are in sla.py; the
escalation and breach checks in jobs.py.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q

from models.operations import (
    TIERS,
    Alert,
    AlertLevel,
    Incident,
    IncidentAction,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
    IncidentStep,
    Org,
    SupportTier,
    User,
)
from realtime.broker import INCIDENTS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.changes import change
from resolvers.common.clock import CST, now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.events import publish, stream
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations import sla
from resolvers.operations.permissions import (
    Actor,
    require_alert_raiser,
    require_incident_actor,
    require_incident_worker,
)
from resolvers.operations.scopes import incident_scope, org_scope, user_scope
from security.principal import Principal

S = IncidentStatus
A = IncidentAction


@dataclass(frozen=True)
class Flow:
    leaves: tuple[IncidentStatus, ...]
    enters: IncidentStatus | None  # None: the step records without moving (arrival on site)
    actor: Actor


FLOW: dict[IncidentAction, Flow] = {
    A.CONFIRM: Flow((S.REPORTED,), S.CONFIRMED, Actor.WORKER),
    A.CLASSIFY: Flow((S.CONFIRMED,), S.CLASSIFIED, Actor.WORKER),
    A.ASSIGN: Flow((S.CLASSIFIED,), S.ASSIGNED, Actor.WORKER),
    A.TAKE: Flow((S.CLASSIFIED,), S.ASSIGNED, Actor.WORKER),
    A.TRANSFER: Flow((S.ASSIGNED, S.IN_PROGRESS), S.ASSIGNED, Actor.WORKER),
    A.START: Flow((S.ASSIGNED,), S.IN_PROGRESS, Actor.ASSIGNEE),
    A.ARRIVE: Flow((S.ASSIGNED, S.IN_PROGRESS), None, Actor.ASSIGNEE),
    A.SUBMIT_TEST: Flow((S.IN_PROGRESS,), S.TESTING, Actor.ASSIGNEE),
    A.REWORK: Flow((S.TESTING,), S.IN_PROGRESS, Actor.WORKER),
    A.RESOLVE: Flow((S.TESTING,), S.PENDING_CONFIRMATION, Actor.WORKER),
    A.REJECT: Flow((S.PENDING_CONFIRMATION,), S.IN_PROGRESS, Actor.REPORTER),
    A.CLOSE: Flow((S.PENDING_CONFIRMATION,), S.CLOSED, Actor.REPORTER),
    A.ANALYSE: Flow((S.CLOSED,), S.ANALYSED, Actor.WORKER),
}

ALERT_LEVELS = {AlertLevel.CRITICAL: IncidentLevel.LEVEL_1, AlertLevel.WARNING: IncidentLevel.LEVEL_3}


async def report_incident(
    principal: Principal,
    org_id: UUID,
    title: str,
    level: IncidentLevel,
    *,
    description: str = "",
    category: str = "",
    caller: str = "",
    idempotency_key: str | None = None,
) -> Incident:
    """An incident at an org the caller may raise alerts at (the same rule). With ``caller`` it is
    a phone entry by the service desk (服务热线), which only service staff make. A retry with the
    same idempotency key returns the first incident."""
    org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
    if org is None:
        raise not_found("org")
    require_alert_raiser(principal, org)
    source = IncidentSource.PHONE if caller.strip() else IncidentSource.STAFF
    if source is IncidentSource.PHONE:
        require_incident_worker(principal)
    if not title.strip():
        raise bad_input("title must not be empty")
    check_key(idempotency_key)
    title = title.strip()[:200]
    async with change("operations", "Incident") as audited:
        incident, created = await once(
            "operations",
            idempotency_key,
            lambda: Incident.get_or_none(reporter_id=principal.user_id, idempotency_key=idempotency_key),
            lambda: _open(
                org,
                title=title,
                level=level,
                source=source,
                description=description,
                category=category[:40],
                caller=caller.strip()[:100],
                reporter_id=principal.user_id,
                idempotency_key=idempotency_key,
                moment=now(),
            ),
        )
        audited.id = incident.id
        if not created:
            if (incident.org_id, incident.title) != (org.id, title):
                raise conflict("幂等键已用于另一事件 (idempotencyKey already used for another incident)")
            audited.detail["repeated"] = True
    return incident


async def report_from_alert(alert: Alert, moment: datetime) -> Incident:
    """The incident an unacknowledged critical alert becomes (the job in jobs.py); one per alert
    (``alert_id`` is unique), in the caller's transaction."""
    existing = await Incident.get_or_none(alert_id=alert.id)
    if existing is not None:
        return existing
    org = await Org.get(id=alert.org_id)
    return await _open(
        org,
        title=alert.title,
        level=ALERT_LEVELS.get(alert.level, IncidentLevel.LEVEL_3),
        source=IncidentSource.ALERT,
        description=alert.detail,
        alert_id=alert.id,
        moment=moment,
    )


async def _open(org: Org, *, level: IncidentLevel, moment: datetime, **values: Any) -> Incident:
    """Create the incident with its policy, calendar and due times, its REPORT step and event."""
    policy = await sla.policy_for(org.path)
    calendar = await sla.calendar_at(moment, policy)
    target = await sla.target_of(policy.id, level, calendar)
    due: dict[str, Any] = sla.due_times(moment, target, 0)
    incident = await Incident.create(
        code=f"INC{moment.astimezone(CST):%Y%m%d}-{secrets.token_hex(3).upper()}",
        org=org,
        org_path=org.path,
        tenant_id=org.tenant_id,
        level=level,
        policy=policy,
        calendar=calendar,
        month=_month(moment),
        reported_at=moment,
        last_moved_at=moment,
        **due,
        **values,
    )
    await record_step(
        incident, A.REPORT, None, values.get("reporter_id"), None, moment, values.get("description", "")
    )
    return incident


def _month(moment: datetime) -> date:
    return moment.astimezone(CST).date().replace(day=1)


async def act(
    principal: Principal,
    incident_id: UUID,
    action: IncidentAction,
    note: str = "",
    **given: Any,
) -> Incident:
    """Take one step of the workflow (``FLOW``) on an incident in the caller's scope. ``given``:
    ``level`` and ``category`` to classify, ``assignee_id`` to assign or transfer,
    ``satisfaction`` and ``comment`` to close, ``analysis`` to analyse."""
    flow = FLOW[action]
    async with change("operations", "Incident", incident_id):
        incident = await scoped(principal, Incident, incident_scope).get_or_none(id=incident_id)
        if incident is None:
            raise not_found("incident")
        tier = await require_incident_actor(principal, incident, flow.actor)
        if action is A.CONFIRM and incident.status in sla.OPEN[1:]:
            return await _confirm_again(principal, incident, tier, note)
        if incident.status not in flow.leaves or (action is A.ARRIVE and incident.on_site_at):
            if await _repeated(incident, action, principal.user_id):
                return incident
            raise conflict(f"事件当前状态为 {incident.status}，不能执行 {action} (illegal transition)")
        moment = now()
        values = await _values(principal, incident, action, moment, tier, given)
        leaving = incident.status
        won = await Incident.filter(id=incident.id, status=leaving).update(
            status=flow.enters or leaving, last_moved_at=moment, **values
        )
        if not won:
            fresh = await Incident.get(id=incident.id)
            if await _repeated(fresh, action, principal.user_id):
                return fresh
            raise conflict("事件已被他人处理 (the incident moved on: reload it)")
        await incident.refresh_from_db()
        detail = {key: str(given[key]) for key in ("level", "category", "assignee_id") if given.get(key)}
        await record_step(incident, action, leaving, principal.user_id, tier, moment, note, detail)
    return incident


async def _values(
    principal: Principal,
    incident: Incident,
    action: IncidentAction,
    moment: datetime,
    tier: SupportTier | None,
    given: dict[str, Any],
) -> dict[str, Any]:
    """The columns ``action`` sets besides the status."""
    if action is A.CONFIRM:
        return {
            "confirmed_at": moment,
            "respond_seconds": _seconds(moment - incident.reported_at),
            "confirmed_tier": tier,
        }
    if action is A.CLASSIFY:
        level = IncidentLevel(given["level"])
        values: dict[str, Any] = {
            "level": level,
            "category": str(given.get("category") or incident.category)[:40],
        }
        if level is not incident.level:  # the targets of the level it really is, from the report
            target = await sla.target_of(incident.policy_id, level, incident.calendar)
            values |= sla.due_times(incident.reported_at, target, incident.paused_seconds)
        return values
    if action in (A.ASSIGN, A.TRANSFER):
        assignee = await _assignee(principal, incident, given.get("assignee_id"))
        if action is A.TRANSFER and assignee.id == incident.assignee_id:
            raise bad_input("转派对象与当前处理人相同 (transfer to someone else)")
        return {"assignee_id": assignee.id}
    if action is A.TAKE:
        return {"assignee_id": principal.user_id}
    if action is A.ARRIVE:
        return {"on_site_at": moment}
    if action is A.RESOLVE:
        worked = _seconds(moment - incident.reported_at) - incident.paused_seconds
        return {"resolved_at": moment, "paused_at": moment, "resolve_seconds": worked}
    if action in (A.REJECT, A.CLOSE):
        stood = _seconds(moment - (incident.paused_at or moment))
        values = {"paused_at": None, "paused_seconds": incident.paused_seconds + stood}
        if action is A.REJECT:  # the clock runs again, as long after as it stood
            return values | {
                "resolve_due_at": incident.resolve_due_at + (moment - (incident.paused_at or moment)),
                "resolve_seconds": None,
            }
        satisfaction = given.get("satisfaction")
        if satisfaction is None or not 1 <= int(satisfaction) <= 5:
            raise bad_input("满意度 must be 1 to 5")
        return values | {
            "closed_at": moment,
            "satisfaction": int(satisfaction),
            "satisfaction_comment": str(given.get("comment") or ""),
        }
    if action is A.ANALYSE:
        analysis = str(given.get("analysis") or "").strip()
        if not analysis:
            raise bad_input("analysis must not be empty")
        return {"analysed_at": moment, "analysis": analysis}
    return {}


async def _assignee(principal: Principal, incident: Incident, assignee_id: UUID | None) -> User:
    """The engineer an incident is assigned or transferred to: a user the caller sees (else
    NOT_FOUND, as if absent), an ops engineer, whose org covers the incident's."""
    if assignee_id is None:
        raise bad_input("assigneeId is required")
    user = await scoped(principal, User, user_scope).get_or_none(id=assignee_id)
    if user is None:
        raise not_found("user")
    org = await Org.get(id=user.org_id)
    if "OPS_ENGINEER" not in user.roles or not incident.org_path.startswith(org.path):
        raise bad_input(
            "处理人须为负责该机构的运维工程师 (the assignee must be an ops engineer over the incident's org)"
        )
    return user


async def _confirm_again(
    principal: Principal, incident: Incident, tier: SupportTier | None, note: str
) -> Incident:
    """A later confirmation by someone of a (higher) tier: the matrix asks for it (确认时间)."""
    moment = now()
    higher = rank(tier) > rank(incident.confirmed_tier)
    values: dict[str, Any] = {"last_moved_at": moment} | ({"confirmed_tier": tier} if higher else {})
    await Incident.filter(id=incident.id).update(**values)
    await incident.refresh_from_db()
    await record_step(incident, A.CONFIRM, incident.status, principal.user_id, tier, moment, note)
    return incident


def rank(tier: SupportTier | None) -> int:
    return TIERS.index(tier) if tier is not None else -1


def _seconds(delta: Any) -> int:
    return int(delta.total_seconds())


async def _repeated(incident: Incident, action: IncidentAction, user_id: UUID) -> bool:
    """Whether the incident's last step is ``action`` by ``user_id``: a repeat of the request."""
    last = await IncidentStep.filter(incident_id=incident.id).order_by("-at", "-created_at").first()
    return last is not None and last.action is action and last.actor_id == user_id


async def record_step(
    incident: Incident,
    action: IncidentAction,
    leaving: IncidentStatus | None,
    actor_id: UUID | None,
    tier: SupportTier | None,
    moment: datetime,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> IncidentStep:
    """The step in the incident's history, and its event on the ``incidents`` stream."""
    step = await IncidentStep.create(
        incident=incident,
        action=action,
        from_status=leaving,
        to_status=incident.status,
        actor_id=actor_id,
        tier=tier,
        at=moment,
        note=note,
        detail=detail or {},
    )
    await publish(
        INCIDENTS,
        f"incident.{action.lower()}",
        incident,
        tenant_id=incident.tenant_id,
        org_path=incident.org_path,
        people=[str(p) for p in (incident.reporter_id, incident.assignee_id) if p]
        + [str(u) for u in (detail or {}).get("notified", [])],
    )
    return step


async def list_incidents(
    principal: Principal,
    first: int,
    after: str | None,
    status: IncidentStatus | None = None,
    level: IncidentLevel | None = None,
    mine: bool = False,
    open: bool = False,
) -> Page[Incident]:
    """The incidents in the caller's scope, newest first; ``mine``: reported by or assigned to them;
    ``open``: not yet closed (the workbench's 我的待办故障)."""
    queryset = scoped(principal, Incident, incident_scope)
    if open:
        queryset = queryset.exclude(status__in=(IncidentStatus.CLOSED, IncidentStatus.ANALYSED))
    if status is not None:
        queryset = queryset.filter(status=status)
    if level is not None:
        queryset = queryset.filter(level=level)
    if mine:
        queryset = queryset.filter(Q(reporter_id=principal.user_id) | Q(assignee_id=principal.user_id))
    return await paginate(queryset, first, after, newest_first=True)


async def incident_feed(
    principal: Principal, realtime: Realtime, mine: bool, after: str | None
) -> AsyncGenerator[tuple[Event, Incident], None]:
    """Every step, escalation and breach of the incidents in the caller's scope, as they happen
    (after ``after`` first). ``mine``: only those the caller reported, works, or is notified of
    (an escalation to their tier)."""
    scope = incident_scope(principal)
    me = str(principal.user_id)
    async for event, incident in stream(principal, realtime, INCIDENTS, Incident, after):
        if scope.test(incident) and (not mine or me in event.scope.get("people", ())):
            yield event, incident
