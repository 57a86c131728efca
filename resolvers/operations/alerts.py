"""告警 (alerts): raised by hand (``raise_alert``), from another subgraph's event by a job
(``raise_event_alert``, jobs.py), or by the platform (``raise_system_alert``); listed and streamed
by the same scope rule (scopes.py ``alert_scope``) to the roles they are routed to
(alert_policies.py); acknowledged, resolved and reopened (``act_on_alert``), each step in the
alert's history (``AlertAction``) and on the ``alerts`` stream; escalated into an incident when
critical and left unacknowledged (``escalate_alert``, jobs.py).

Lifecycle (告警处理): OPEN → ACKNOWLEDGED → RESOLVED → (reopened) OPEN; OPEN → RESOLVED directly
too (a fault fixed before anyone acknowledged it)."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models.operations import Alert, AlertAction, AlertActionKind, AlertLevel, AlertStatus, Org
from realtime.broker import ALERTS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.events import publish, stream
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.alert_policies import org_in_scope, route_of, routed_to, silenced_at
from resolvers.operations.directory import device_at
from resolvers.operations.permissions import require_alert_handler, require_alert_raiser
from resolvers.operations.scopes import alert_scope
from security.principal import Principal

log = logging.getLogger(__name__)

MAX_DEDUP_KEY = 200
MAX_NOTE = 500


async def raise_alert(
    principal: Principal,
    org_id: UUID,
    level: AlertLevel,
    title: str,
    *,
    detail: str = "",
    device_id: UUID | None = None,
    source: str = "manual",
    idempotency_key: str | None = None,
    dedup_key: str | None = None,
) -> Alert:
    """An alert about an org the caller may raise alerts at, optionally naming a device there.

    With an idempotency key (幂等键) a retry by the same caller gets the first alert back and
    nothing is raised twice; the same key with other values is CONFLICT. With a dedup key (告警去重,
    a monitoring integration's) a repeat counts one more sighting of the alert with that key (and
    reopens it when resolved); the key names one org's alert: a repeat about another org is CONFLICT."""
    org = await org_in_scope(principal, org_id)
    require_alert_raiser(principal, org)
    if device_id is not None and not await device_at(principal, device_id, org.path):
        raise not_found("device (at that org)")  # another hall's, out of scope, or none: alike
    key = check_key(idempotency_key)
    if dedup_key is not None:
        if key is not None:
            raise bad_input("give dedupKey or idempotencyKey, not both (a dedup key makes repeats safe)")
        async with change("operations", "Alert") as audited:
            alert = await _raise_deduplicated(
                org,
                level,
                title,
                source=source,
                dedup_key=_dedup_key(dedup_key),
                detail=detail,
                device_id=device_id,
                moment=now(),
                actor=principal.user_id,
            )
            audited.id = alert.id
        return alert
    async with change("operations", "Alert") as audited:
        alert, created = await once(
            "operations",
            key,
            lambda: Alert.get_or_none(raised_by=principal.user_id, idempotency_key=key),
            lambda: _create(
                org,
                now(),
                level=level,
                title=title,
                detail=detail,
                source=source,
                device_id=device_id,
                raised_by=principal.user_id,
                idempotency_key=key,
            ),
        )
        audited.id = alert.id
        if not created:
            asked = (org.id, level, title, detail, source, device_id)
            given = (alert.org_id, alert.level, alert.title, alert.detail, alert.source, alert.device_id)
            if given != asked:
                raise conflict("幂等键已用于另一条告警 (idempotencyKey already used for another alert)")
            audited.detail["repeated"] = True
            return alert
        await _announce(alert, org, principal.user_id)
    return alert


async def raise_event_alert(
    event_id: str, org_id: UUID, level: AlertLevel, title: str, detail: str, source: str
) -> Alert | None:
    """An alert raised from another subgraph's event ``event_id`` (督办预警, 催单, 贷后预警): at most
    one per event. None when the event names no known org or was handled before. Runs in the
    caller's transaction (the job's, with its cursor)."""
    org = await Org.get_or_none(id=org_id)
    if org is None:
        log.warning("event %s names no known org %s", event_id, org_id)
        return None
    if await Alert.exists(source_event_id=event_id):
        return None
    alert = await _create(
        org, now(), level=level, title=title[:200], detail=detail, source=source, source_event_id=event_id
    )
    await _announce(alert, org, None)
    return alert


async def raise_system_alert(
    org_id: UUID,
    level: AlertLevel,
    title: str,
    *,
    source: str,
    dedup_key: str,
    detail: str = "",
    device_id: UUID | None = None,
    moment: datetime | None = None,
) -> Alert | None:
    """An alert raised by the platform itself (a device offline, an SLA breach, a missing backup),
    deduplicated by ``dedup_key`` (告警去重): the first raise creates it and publishes
    ``alert.raised``; a repeat of the key adds one to ``count`` and moves ``last_seen_at`` on the
    same alert, in one UPDATE, and publishes nothing, unless the alert was resolved: then the
    repeat reopens it (``alert.reopened``, a history row by the platform). None when ``org_id``
    names no org. Runs in the caller's transaction (a job's, or a mutation's)."""
    moment = moment or now()
    if (seen := await _sighted(dedup_key, org_id, moment, None)) is not None:
        return seen
    org = await Org.get_or_none(id=org_id)
    if org is None:
        log.warning("alert %s names no known org %s", dedup_key, org_id)
        return None
    return await _raise_deduplicated(
        org,
        level,
        title,
        source=source,
        dedup_key=dedup_key,
        detail=detail,
        device_id=device_id,
        moment=moment,
    )


async def resolve_system_alert(dedup_key: str, note: str, moment: datetime | None = None) -> Alert | None:
    """The platform resolves the open alert with ``dedup_key`` (the device came back, the breach
    cleared): one conditional UPDATE, its history row by the platform and ``alert.resolved``. None
    when no alert has the key or it is resolved already (a repeat changes nothing). In the
    caller's transaction."""
    moment = moment or now()
    resolved = await Alert.filter(
        dedup_key=dedup_key, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
    ).update(status=AlertStatus.RESOLVED, resolved_at=moment, resolved_by=None)
    if not resolved:
        return None
    alert = await Alert.get(dedup_key=dedup_key)
    await _step(alert, AlertActionKind.RESOLVED, None, note)
    return alert


async def _raise_deduplicated(
    org: Org,
    level: AlertLevel,
    title: str,
    *,
    source: str,
    dedup_key: str,
    detail: str,
    device_id: UUID | None,
    moment: datetime,
    actor: UUID | None = None,
) -> Alert:
    """The alert with ``dedup_key`` about ``org``: a sighting of the existing one, or a new one."""
    if (seen := await _sighted(dedup_key, org.id, moment, actor)) is not None:
        return seen
    try:
        async with in_transaction("operations"):  # a savepoint: a concurrent first raise may win
            alert = await _create(
                org,
                moment,
                level=level,
                title=title[:200],
                detail=detail,
                source=source,
                device_id=device_id,
                dedup_key=dedup_key,
                last_seen_at=moment,
                raised_by=actor,
            )
    except IntegrityError:  # the twin committed first: this raise is its repeat
        if (seen := await _sighted(dedup_key, org.id, moment, actor)) is None:
            raise
        return seen
    await _announce(alert, org, actor)
    return alert


async def _sighted(dedup_key: str, org_id: UUID, moment: datetime, actor: UUID | None) -> Alert | None:
    """Count one more sighting of the alert with ``dedup_key`` (one UPDATE), reopening it when it
    was resolved; None when no alert has the key. CONFLICT when the key's alert is about another org."""
    for _ in range(3):  # a concurrent reopen or resolve may move the alert between the two UPDATEs
        counted = await Alert.filter(
            dedup_key=dedup_key, org_id=org_id, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
        ).update(count=F("count") + 1, last_seen_at=moment)
        if counted:
            return await Alert.get(dedup_key=dedup_key)
        reopened = await Alert.filter(dedup_key=dedup_key, org_id=org_id, status=AlertStatus.RESOLVED).update(
            count=F("count") + 1, last_seen_at=moment, **_REOPENED
        )
        alert = await Alert.get_or_none(dedup_key=dedup_key)
        if alert is None:
            return None
        if alert.org_id != org_id:
            raise conflict("去重键已用于另一机构的告警 (dedupKey already names another org's alert)")
        if reopened:
            await _step(alert, AlertActionKind.REOPENED, actor, "再次发生，自动重开 (raised again)")
            return alert
    raise conflict("告警正在被并发修改，请重试 (the alert is changing, retry)")


async def _create(org: Org, moment: datetime, *, level: AlertLevel, source: str, **values: Any) -> Alert:
    """A new alert about ``org``, routed (告警路由) and flagged when a silence covers it (维护窗口)."""
    device_id = values.get("device_id")
    return await Alert.create(
        org=org,
        org_path=org.path,
        level=level,
        source=source,
        routed_roles=await route_of(org.path, source, level),
        silenced=await silenced_at(
            org.path, source, device_id if isinstance(device_id, UUID) else None, moment
        ),
        **values,
    )


async def _announce(alert: Alert, org: Org, actor: UUID | None) -> None:
    """A new alert's first history row, and ``alert.raised`` unless silenced (recorded, not pushed)."""
    await AlertAction.create(
        alert=alert, org_path=alert.org_path, action=AlertActionKind.RAISED, actor_id=actor
    )
    if not alert.silenced:
        await publish(ALERTS, "alert.raised", alert, tenant_id=org.tenant_id, org_path=org.path)


async def _step(alert: Alert, action: AlertActionKind, actor: UUID | None, note: str) -> None:
    """A lifecycle step of ``alert`` (read after it): its history row and its event on the stream."""
    await AlertAction.create(
        alert_id=alert.id, org_path=alert.org_path, action=action, actor_id=actor, note=note
    )
    org = await Org.get(id=alert.org_id)
    await publish(
        ALERTS, f"alert.{action.value.lower()}", alert, tenant_id=org.tenant_id, org_path=alert.org_path
    )


# -- the lifecycle (告警处理) ---------------------------------------------------------------------------

_REOPENED: dict[str, Any] = {
    "status": AlertStatus.OPEN,
    "acknowledged_at": None,
    "acknowledged_by": None,
    "resolved_at": None,
    "resolved_by": None,
}
# For each step: the states it leaves, and what it sets (besides who and when, below).
_LEAVING: dict[AlertActionKind, tuple[AlertStatus, ...]] = {
    AlertActionKind.ACKNOWLEDGED: (AlertStatus.OPEN,),
    AlertActionKind.RESOLVED: (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
    AlertActionKind.REOPENED: (AlertStatus.RESOLVED,),
}
_VERB = {
    AlertActionKind.ACKNOWLEDGED: "确认 (acknowledge)",
    AlertActionKind.RESOLVED: "解决 (resolve)",
    AlertActionKind.REOPENED: "重开 (reopen)",
}


async def act_on_alert(
    principal: Principal, alert_id: UUID, action: AlertActionKind, note: str = ""
) -> Alert:
    """Acknowledge, resolve or reopen an alert in the caller's alert scope (NOT_FOUND otherwise),
    if their role may (permissions.py ``require_alert_handler``). One conditional UPDATE decides:
    of two people acknowledging at once exactly one wins, the other gets CONFLICT. The same
    person asking again (a retry, a double click) gets the alert back and nothing is recorded
    twice; any other step the state does not allow is CONFLICT."""
    if action not in _LEAVING:
        raise bad_input(f"unknown alert action {action}")
    if len(note) > MAX_NOTE:
        raise bad_input(f"note must be at most {MAX_NOTE} characters")
    alert = await scoped(principal, Alert, alert_scope).get_or_none(id=alert_id)
    if alert is None:
        raise not_found("alert")
    require_alert_handler(principal, alert, action)
    moment, user = now(), principal.user_id
    values: dict[str, Any] = {
        AlertActionKind.ACKNOWLEDGED: {
            "status": AlertStatus.ACKNOWLEDGED,
            "acknowledged_at": moment,
            "acknowledged_by": user,
        },
        AlertActionKind.RESOLVED: {
            "status": AlertStatus.RESOLVED,
            "resolved_at": moment,
            "resolved_by": user,
        },
        AlertActionKind.REOPENED: _REOPENED,
    }[action]
    async with change("operations", "Alert", alert_id) as audited:
        won = await transition(Alert, alert_id, _LEAVING[action], None, **values)
        current = await Alert.get(id=alert_id)
        if not won:
            if await _done_by(current, action, user):
                audited.detail["repeated"] = True
                return current
            raise conflict(f"告警状态为 {current.status}，不能{_VERB[action]} (alert is {current.status})")
        await _step(current, action, user, note)
    return current


async def _done_by(alert: Alert, action: AlertActionKind, user: UUID) -> bool:
    """Whether ``alert`` is where ``user``'s own ``action`` left it (a repeat of their request)."""
    if action is AlertActionKind.ACKNOWLEDGED:
        return alert.status is AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == user
    if action is AlertActionKind.RESOLVED:
        return alert.status is AlertStatus.RESOLVED and alert.resolved_by == user
    if alert.status is not AlertStatus.OPEN:
        return False
    last = await AlertAction.filter(alert_id=alert.id).order_by("-created_at", "-id").first()
    return last is not None and last.action is AlertActionKind.REOPENED and last.actor_id == user


async def escalate_alert(alert: Alert, incident_id: UUID, moment: datetime) -> bool:
    """Marks ``alert`` as having become incident ``incident_id`` (once: False when it already had
    one), with its history row and ``alert.escalated``. In the caller's transaction (the job's)."""
    if not await Alert.filter(id=alert.id, incident_id__isnull=True).update(incident_id=incident_id):
        return False
    alert.incident_id = incident_id
    await _step(
        alert, AlertActionKind.ESCALATED, None, f"超过时限未确认，转为故障事件 ({moment.isoformat()})"
    )
    return True


async def list_alerts(
    principal: Principal, first: int, after: str | None, status: AlertStatus | None = None
) -> Page[Alert]:
    """The alerts in the caller's scope routed to their active role, optionally in one status,
    newest first."""
    role = principal.active_role
    queryset = scoped(principal, Alert, alert_scope).filter(
        Q(routed_roles="") | Q(routed_roles__contains=f"|{role}|")
    )
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after, newest_first=True)


async def alert_feed(
    principal: Principal, realtime: Realtime, org_path: str | None, after: str | None
) -> AsyncGenerator[tuple[Event, Alert], None]:
    """Alerts as they are raised and each step of their lifecycle (the event's type says which), in
    the caller's scope and routed to their active role, optionally under one org path: the events
    after ``after`` first, then live ones."""
    scope, role = alert_scope(principal), principal.active_role
    async for event, alert in stream(principal, realtime, ALERTS, Alert, after):
        if (
            scope.test(alert)
            and routed_to(alert.routed_roles, role)
            and (org_path is None or event.scope.get("org_path", "").startswith(org_path))
        ):
            yield event, alert


def _dedup_key(value: str) -> str:
    if not 1 <= len(value) <= MAX_DEDUP_KEY:
        raise bad_input(f"dedupKey must be 1 to {MAX_DEDUP_KEY} characters")
    return value
