"""告警 (alerts): raised by hand (``raise_alert``), or from another subgraph's event by a job
(``raise_event_alert``, jobs.py); listed and streamed by the same scope rule (scopes.py
``alert_scope``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from datetime import datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.operations import Alert, AlertLevel, AlertStatus, Org
from realtime.broker import ALERTS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.events import publish, stream
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.directory import device_at
from resolvers.operations.permissions import require_alert_raiser
from resolvers.operations.scopes import alert_scope, org_scope
from security.principal import Principal

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 64


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
) -> Alert:
    """An alert about an org the caller may raise alerts at, optionally naming a device there.

    With an idempotency key (幂等键) a retry by the same caller gets the first alert back and
    nothing is raised twice; the same key with other values is CONFLICT."""
    org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
    if org is None:
        raise not_found("org")
    require_alert_raiser(principal, org)
    if device_id is not None and not await device_at(principal, device_id, org.path):
        raise not_found("device (at that org)")  # another hall's, out of scope, or none: alike
    key = _idempotency_key(idempotency_key)
    async with change("operations", "Alert") as audited:
        first = await _raised_before(principal.user_id, key)
        if first is None:
            try:
                async with in_transaction("operations"):  # a savepoint: a concurrent twin may win
                    alert = await Alert.create(
                        org=org,
                        org_path=org.path,
                        level=level,
                        title=title,
                        detail=detail,
                        source=source,
                        device_id=device_id,
                        raised_by=principal.user_id,
                        idempotency_key=key,
                    )
            except IntegrityError:  # the twin committed first: its alert is the answer
                first = await _raised_before(principal.user_id, key)
                if first is None:  # no twin: another constraint refused it
                    raise
        if first is not None:
            asked = (org.id, level, title, detail, source, device_id)
            given = (first.org_id, first.level, first.title, first.detail, first.source, first.device_id)
            if given != asked:
                raise conflict("幂等键已用于另一条告警 (idempotencyKey already used for another alert)")
            audited.id = first.id
            audited.detail["repeated"] = True
            return first
        audited.id = alert.id
        await publish(ALERTS, "alert.raised", alert, tenant_id=org.tenant_id, org_path=org.path)
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
    alert = await Alert.create(
        org=org,
        org_path=org.path,
        level=level,
        title=title[:200],
        detail=detail,
        source=source,
        source_event_id=event_id,
    )
    await publish(ALERTS, "alert.raised", alert, tenant_id=org.tenant_id, org_path=org.path)
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
    same alert, in one UPDATE, and publishes nothing. None when ``org_id`` names no org. Runs in
    the caller's transaction (a job's, or a mutation's)."""
    moment = moment or now()
    if await _repeated(dedup_key, moment):
        return await Alert.get(dedup_key=dedup_key)
    org = await Org.get_or_none(id=org_id)
    if org is None:
        log.warning("alert %s names no known org %s", dedup_key, org_id)
        return None
    try:
        async with in_transaction("operations"):  # a savepoint: a concurrent first raise may win
            alert = await Alert.create(
                org=org,
                org_path=org.path,
                level=level,
                title=title[:200],
                detail=detail,
                source=source,
                device_id=device_id,
                dedup_key=dedup_key,
                last_seen_at=moment,
            )
    except IntegrityError:  # the twin committed first: this raise is its repeat
        if not await _repeated(dedup_key, moment):
            raise
        return await Alert.get(dedup_key=dedup_key)
    await publish(ALERTS, "alert.raised", alert, tenant_id=org.tenant_id, org_path=org.path)
    return alert


async def _repeated(dedup_key: str, moment: datetime) -> bool:
    """Count one more sighting of the alert with ``dedup_key``, if there is one (one UPDATE)."""
    return bool(await Alert.filter(dedup_key=dedup_key).update(count=F("count") + 1, last_seen_at=moment))


async def list_alerts(
    principal: Principal, first: int, after: str | None, status: AlertStatus | None = None
) -> Page[Alert]:
    """The alerts in the caller's scope, optionally in one status, newest first."""
    queryset = scoped(principal, Alert, alert_scope)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after, newest_first=True)


async def alert_feed(
    principal: Principal, realtime: Realtime, org_path: str | None, after: str | None
) -> AsyncGenerator[tuple[Event, Alert], None]:
    """Alerts as they are raised, in the caller's scope, optionally under one org path: the events
    after ``after`` first, then live ones."""
    scope = alert_scope(principal)
    async for event, alert in stream(principal, realtime, ALERTS, Alert, after):
        if scope.test(alert) and (org_path is None or event.scope.get("org_path", "").startswith(org_path)):
            yield event, alert


def _idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_IDEMPOTENCY_KEY:
        raise bad_input(f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    return value


async def _raised_before(user_id: UUID, key: str | None) -> Alert | None:
    """The caller's alert raised earlier with this idempotency key (always None without a key)."""
    if key is None:
        return None
    return await Alert.get_or_none(raised_by=user_id, idempotency_key=key)
