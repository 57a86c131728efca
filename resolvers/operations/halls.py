"""供电营业厅 (service halls, seed 002): the registry (an ``Org`` of kind HALL with its profile,
品牌厅 / 生态厅, and zones), visitor counts from the counters (客流), staff on duty (在岗), the
service-quality events of the audio / video analytics (服务规范, 异常行为, 风险预警) and the rules
that raise alerts from them, and the live status of a hall (``hall_status``: queue, waiting time,
served, visitors, staff) with its stream (``hall_status_feed``). The queue itself is queues.py.

Two doors to each write: a staff version taking a ``Principal`` (the hall in the caller's scope,
permissions.py ``require_hall_staff``), and a system version without one (``record_visitors``,
``record_service_event``, queues.py ``issue_ticket``) that the devices ingestion calls with the
same validation, idempotent by the natural key or the device event's id.

Every change publishes the hall's event on ``operations.halls`` (``announce``); ``announce_hall``
publishes one for a hall whose devices changed (the wall's device counts come from the devices
subgraph, ``Org.deviceSummary``, through the gateway)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Min, Sum
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.operations import (
    AlertLevel,
    DutyStatus,
    HallProfile,
    HallZone,
    Org,
    OrgKind,
    QualityCategory,
    QueueTicket,
    ServiceQualityEvent,
    ServiceQualityRule,
    StaffDuty,
    TicketStatus,
    User,
    VisitorCount,
)
from realtime.broker import HALL_STATUS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.changes import change
from resolvers.common.clock import CST, now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.events import publish, stream
from resolvers.common.idempotency import check_key
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.alerts import raise_system_alert
from resolvers.operations.directory import device_at
from resolvers.operations.permissions import require_hall_rule_admin, require_hall_staff
from resolvers.operations.scopes import hall_data_scope, hall_scope, org_scope, user_scope
from security.principal import Principal

M = TypeVar("M", bound=Model)
MAX_HALLS = 500  # halls in one hallStatuses answer (a province has a few hundred)
MAX_VISITORS = 100_000  # in one counting period
MAX_DETAIL = 2000
MAX_AGE = timedelta(days=30)  # how old a visitor count or a service event may be when recorded
QUALITY_SOURCE = "hall_quality"  # the alerts the rules raise
CATEGORY_NAMES = {
    QualityCategory.SERVICE_NORM: "服务规范",
    QualityCategory.ABNORMAL_BEHAVIOUR: "异常行为",
    QualityCategory.RISK_WARNING: "风险预警",
}


# -- the hall, for a caller and for the system -------------------------------------------------------


async def staff_hall(principal: Principal, hall_id: UUID, *, act: bool = True) -> Org:
    """The hall ``hall_id`` in the caller's scope (NOT_FOUND otherwise, as if absent); with ``act``,
    FORBIDDEN unless the caller works it (permissions.py ``require_hall_staff``)."""
    hall = await scoped(principal, Org, hall_scope).get_or_none(id=hall_id)
    if hall is None:
        raise not_found("hall")
    if act:
        require_hall_staff(principal, hall.path)
    return hall


async def system_hall(hall_id: UUID) -> Org:
    hall = await Org.get_or_none(id=hall_id, kind=OrgKind.HALL)
    if hall is None:
        raise not_found("hall")
    return hall


async def announce(hall: Org, what: str) -> Event:
    """The hall's status event (``hall.<what>``), inside the caller's transaction."""
    return await publish(
        HALL_STATUS, f"hall.{what}", hall, tenant_id=hall.tenant_id, hall_id=hall.id, org_path=hall.path
    )


async def announce_hall(hall_id: UUID) -> None:
    """Publish a status event for ``hall_id`` (a device of the hall changed: the devices consumer
    calls it, so the wall's device counts refresh). Its own transaction; unknown ids are ignored."""
    async with in_transaction("operations"):
        hall = await Org.get_or_none(id=hall_id, kind=OrgKind.HALL)
        if hall is not None:
            await announce(hall, "devices")


async def list_halls(principal: Principal, org_id: UUID | None, first: int, after: str | None) -> Page[Org]:
    """The halls in the caller's scope, optionally under the org ``org_id`` (one they see)."""
    queryset = scoped(principal, Org, hall_scope)
    if org_id is not None:
        org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
        if org is None:
            raise not_found("org")
        queryset = queryset.filter(path__startswith=org.path)
    return await paginate(queryset, first, after)


# -- live status (营业厅实时状态) ------------------------------------------------------------------------


@dataclass
class BusinessFigures:
    business_type: str
    waiting: int = 0
    average_wait_minutes: float | None = None
    longest_wait_minutes: float | None = None


@dataclass
class HallFigures:
    """What ``hall_status`` works out for one hall, today (CST)."""

    hall_id: UUID
    queue_length: int = 0  # ISSUED + CALLED
    average_wait_minutes: float | None = None  # of those waiting, so far
    longest_wait_minutes: float | None = None
    served_today: int = 0  # DONE
    visitors_today: int = 0
    staff_on_duty: int = 0
    by_business: list[BusinessFigures] = field(default_factory=list)


async def hall_status(hall_ids: Sequence[UUID], moment: datetime | None = None) -> list[HallFigures]:
    """Each hall's figures for today, in the order of ``hall_ids``: four statements whatever the
    number of halls (the profiles, the tickets grouped by hall × business × status, the visitor
    sums, the staff on duty). Waiting times are of the tickets still waiting (ISSUED or CALLED),
    from issue to ``moment``."""
    moment = moment or now()
    day, clock = moment.astimezone(CST).date(), moment.timestamp()
    ids = list(dict.fromkeys(hall_ids))
    figures = {hall: HallFigures(hall) for hall in ids}
    if not ids:
        return []
    offered: dict[UUID, list[str]] = {
        UUID(str(row["hall_id"])): list(row["business_types"] or [])
        for row in await HallProfile.filter(hall_id__in=ids).values("hall_id", "business_types")
    }
    groups = (
        await QueueTicket.filter(hall_id__in=ids, day=day)
        .annotate(n=Count("id"), first=Min("issued_epoch"), total=Sum("issued_epoch"))
        .group_by("hall_id", "business_type", "status")
        .values("hall_id", "business_type", "status", "n", "first", "total")
    )
    waits: dict[UUID, dict[str, list[tuple[int, float, float]]]] = {hall: {} for hall in ids}
    for row in groups:
        hall, status, n = UUID(str(row["hall_id"])), TicketStatus(row["status"]), int(row["n"])
        if status is TicketStatus.DONE:
            figures[hall].served_today += n
        elif status in (TicketStatus.ISSUED, TicketStatus.CALLED):
            waits[hall].setdefault(row["business_type"], []).append(
                (n, float(row["first"]), float(row["total"]))
            )
    for hall in ids:
        sums = waits[hall]
        types = list(dict.fromkeys([*offered.get(hall, []), *sorted(sums)]))
        figures[hall].by_business = [_business(code, sums.get(code, []), clock) for code in types]
        overall = _business("", [part for parts in sums.values() for part in parts], clock)
        figures[hall].queue_length = overall.waiting
        figures[hall].average_wait_minutes = overall.average_wait_minutes
        figures[hall].longest_wait_minutes = overall.longest_wait_minutes
    visitors = (
        await VisitorCount.filter(hall_id__in=ids, day=day)
        .annotate(total=Sum("count"))
        .group_by("hall_id")
        .values("hall_id", "total")
    )
    for row in visitors:
        figures[UUID(str(row["hall_id"]))].visitors_today = int(row["total"] or 0)
    staff = (
        await StaffDuty.filter(hall_id__in=ids, current_key__isnull=False, status=DutyStatus.ON_DUTY)
        .annotate(n=Count("id"))
        .group_by("hall_id")
        .values("hall_id", "n")
    )
    for row in staff:
        figures[UUID(str(row["hall_id"]))].staff_on_duty = int(row["n"])
    return [figures[hall] for hall in hall_ids]


def _business(code: str, parts: list[tuple[int, float, float]], clock: float) -> BusinessFigures:
    """Waiting figures from (count, earliest issue, sum of issue times) groups, in minutes."""
    waiting = sum(n for n, _, _ in parts)
    if not waiting:
        return BusinessFigures(code)
    average = (clock * waiting - sum(total for _, _, total in parts)) / waiting / 60
    longest = (clock - min(first for _, first, _ in parts)) / 60
    return BusinessFigures(code, waiting, round(max(average, 0.0), 1), round(max(longest, 0.0), 1))


async def hall_statuses(principal: Principal, org_path: str | None) -> list[Org]:
    """The halls in the caller's scope under ``org_path`` (all of them without), by path; at most
    ``MAX_HALLS``. Their figures come from the ``hall_status`` loader."""
    queryset = scoped(principal, Org, hall_scope)
    if org_path:
        queryset = queryset.filter(path__startswith=org_path.rstrip("/"))
    return await queryset.order_by("path").limit(MAX_HALLS)


# Status figures per event, shared by every subscriber in the process that gets it (a wall of
# 100 screens asks once): the last events' tasks.
_FIGURES: OrderedDict[str, asyncio.Task[list[HallFigures]]] = OrderedDict()
_FIGURES_KEPT = 64


def _figures_of(event: Event, hall_id: UUID) -> asyncio.Task[list[HallFigures]]:
    task = _FIGURES.get(event.id)
    if task is None or (task.done() and task.exception() is not None):
        task = _FIGURES[event.id] = asyncio.ensure_future(hall_status([hall_id]))
        if len(_FIGURES) > _FIGURES_KEPT:
            _FIGURES.popitem(last=False)
    return task


async def hall_status_feed(
    principal: Principal,
    realtime: Realtime,
    hall_id: UUID | None,
    org_path: str | None,
    after: str | None,
) -> AsyncGenerator[tuple[Event, Org, HallFigures], None]:
    """Each change of a hall in the caller's scope (optionally one hall, or the halls under an org
    path), with the hall's figures as they are once it is delivered."""
    scope = hall_scope(principal)
    async for event, hall in stream(principal, realtime, HALL_STATUS, Org, after):
        if not scope.test(hall):
            continue
        if hall_id is not None and hall.id != hall_id:
            continue
        if org_path and not (hall.path + "/").startswith(org_path.rstrip("/") + "/"):
            continue
        (figures,) = await asyncio.shield(_figures_of(event, hall.id))
        yield event, hall, figures


# -- visitors (客流) -----------------------------------------------------------------------------------


async def record_visitors(
    hall_id: UUID, device_id: UUID | None, period_start: datetime, count: int, zone_id: UUID | None = None
) -> VisitorCount:
    """A counter's count for a period (the devices ingestion): one row per (hall, counter, period),
    a repeat replaces the count (nothing published when unchanged)."""
    hall = await system_hall(hall_id)
    zone = await _zone(hall, zone_id)
    return await _count_visitors(hall, zone, device_id, period_start, count)


async def record_visitor_count(
    principal: Principal,
    hall_id: UUID,
    period_start: datetime,
    count: int,
    device_id: UUID | None = None,
    zone_id: UUID | None = None,
) -> VisitorCount:
    """A count entered by the hall's staff (or for a counter of the hall they see)."""
    hall = await staff_hall(principal, hall_id)
    if device_id is not None and not await device_at(principal, device_id, hall.path):
        raise not_found("device (at that hall)")
    zone = await _zone(hall, zone_id)
    return await _count_visitors(hall, zone, device_id, period_start, count)


async def _zone(hall: Org, zone_id: UUID | None) -> HallZone | None:
    if zone_id is None:
        return None
    zone = await HallZone.get_or_none(id=zone_id, hall_id=hall.id)
    if zone is None:
        raise not_found("zone (of that hall)")
    return zone


async def _count_visitors(
    hall: Org, zone: HallZone | None, device_id: UUID | None, period_start: datetime, count: int
) -> VisitorCount:
    if not 0 <= count <= MAX_VISITORS:
        raise bad_input(f"count must be 0 to {MAX_VISITORS}")
    if period_start.tzinfo is None:
        raise bad_input("periodStart needs a time zone")
    if not now() - MAX_AGE <= period_start <= now() + timedelta(minutes=5):
        raise bad_input(f"periodStart must be within the last {MAX_AGE.days} days, not in the future")
    source = str(device_id) if device_id is not None else "manual"
    key: dict[str, Any] = {"hall_id": hall.id, "source": source, "period_start": period_start}
    async with change("operations", "VisitorCount") as audited:
        row = await VisitorCount.get_or_none(**key)
        if row is None:
            try:
                async with in_transaction("operations"):  # a savepoint: a concurrent twin may win
                    row = await VisitorCount.create(
                        **key,
                        org_path=hall.path,
                        zone=zone,
                        device_id=device_id,
                        day=period_start.astimezone(CST).date(),
                        count=count,
                    )
                    audited.id = row.id
                    await announce(hall, "visitors")
                    return row
            except IntegrityError:
                row = await VisitorCount.get(**key)
        audited.id = row.id
        if row.count == count:
            audited.detail["repeated"] = True
            return row
        await VisitorCount.filter(id=row.id).update(count=count)
        row.count = count
        await announce(hall, "visitors")
    return row


# -- staff on duty (在岗) ------------------------------------------------------------------------------


async def set_duty_status(
    principal: Principal, hall_id: UUID, status: DutyStatus, user_id: UUID | None = None
) -> StaffDuty:
    """The duty status of a member of staff (the caller by default) at a hall the caller works:
    the person must work at the hall or over it (their org is the hall or an ancestor). The same
    status again changes nothing; a change closes the current row (``until``) and opens another."""
    hall = await staff_hall(principal, hall_id)
    if user_id is None or user_id == principal.user_id:
        person_id, name, person_path = principal.user_id, principal.username, principal.org_path
    else:
        person = await scoped(principal, User, user_scope).get_or_none(id=user_id)
        if person is None:
            raise not_found("user")
        org = await Org.get(id=person.org_id)
        person_id, name, person_path = person.id, person.username, org.path
    if not (hall.path == person_path or hall.path.startswith(person_path + "/")):
        raise bad_input("该人员不属于此营业厅 (the person does not work at this hall)")
    key = f"{hall.id}:{person_id}"
    moment = now()
    async with change("operations", "StaffDuty") as audited:
        current = await StaffDuty.get_or_none(current_key=key)
        if current is not None and current.status is status:
            audited.id = current.id
            audited.detail["repeated"] = True
            return current
        if current is not None:
            closed = await StaffDuty.filter(id=current.id, current_key=key).update(
                current_key=None, until=moment
            )
            if not closed:
                raise conflict("在岗状态正在变更，请重试 (the status is changing: retry)")
        try:
            async with in_transaction("operations"):
                row = await StaffDuty.create(
                    hall=hall,
                    org_path=hall.path,
                    user_id=person_id,
                    user_name=name[:64],
                    status=status,
                    since=moment,
                    set_by=principal.user_id,
                    current_key=key,
                )
        except IntegrityError:
            raise conflict("在岗状态正在变更，请重试 (the status is changing: retry)") from None
        audited.id = row.id
        await announce(hall, "staff")
    return row


async def list_duty(principal: Principal, hall_id: UUID, first: int, after: str | None) -> Page[StaffDuty]:
    """A hall's duty history, newest first (current rows have no ``until``)."""
    return await hall_rows(principal, StaffDuty, hall_id, first, after)


async def hall_rows(
    principal: Principal, model: type[M], hall_id: UUID, first: int, after: str | None, **where: Any
) -> Page[M]:
    """A page of one hall's rows of ``model`` in the caller's scope, newest first (NOT_FOUND: a
    hall out of scope, as if unknown)."""
    hall = await staff_hall(principal, hall_id, act=False)
    queryset = scoped(principal, model, hall_data_scope).filter(hall_id=hall.id, **where)
    return await paginate(queryset, first, after, newest_first=True)


# -- service quality (服务规范 / 异常行为 / 风险预警) ----------------------------------------------------


@dataclass(frozen=True)
class ServiceEventDraft:
    category: QualityCategory
    type_code: str
    detail: str = ""
    at: datetime | None = None
    zone_id: UUID | None = None
    device_id: UUID | None = None


async def record_service_event(
    hall_id: UUID,
    category: QualityCategory,
    type_code: str,
    detail: str,
    at: datetime,
    device_id: UUID | None = None,
    source_event_id: str | None = None,
    zone_id: UUID | None = None,
) -> ServiceQualityEvent:
    """An event of the audio / video analytics (the devices ingestion): once per ``source_event_id``."""
    if source_event_id is not None and not 1 <= len(source_event_id) <= 64:
        raise bad_input("sourceEventId must be 1 to 64 characters")
    hall = await system_hall(hall_id)
    draft = ServiceEventDraft(category, type_code, detail, at, zone_id, device_id)
    return await _service_event(hall, draft, source_event_id, None)


async def report_service_event(
    principal: Principal, hall_id: UUID, draft: ServiceEventDraft, idempotency_key: str | None = None
) -> ServiceQualityEvent:
    """An event reported by the hall's staff; a retry with the same idempotency key gets it back."""
    hall = await staff_hall(principal, hall_id)
    if draft.device_id is not None and not await device_at(principal, draft.device_id, hall.path):
        raise not_found("device (at that hall)")
    key = check_key(idempotency_key)
    source = f"{principal.user_id}:{key}" if key else None
    event = await _service_event(hall, draft, source, principal.user_id)
    if (event.category, event.type_code) != (draft.category, draft.type_code.strip()):
        raise conflict("幂等键已用于另一事件 (idempotencyKey already used for another event)")
    return event


async def _service_event(
    hall: Org, draft: ServiceEventDraft, source_event_id: str | None, reporter: UUID | None
) -> ServiceQualityEvent:
    type_code = draft.type_code.strip()
    if not 1 <= len(type_code) <= 40:
        raise bad_input("typeCode must be 1 to 40 characters")
    if len(draft.detail) > MAX_DETAIL:
        raise bad_input(f"detail must be at most {MAX_DETAIL} characters")
    moment = now()
    at = draft.at or moment
    if at.tzinfo is None:
        raise bad_input("at needs a time zone")
    if not moment - MAX_AGE <= at <= moment + timedelta(minutes=5):
        raise bad_input(f"at must be within the last {MAX_AGE.days} days, not in the future")
    zone = await _zone(hall, draft.zone_id)
    if source_event_id is not None and (
        found := await ServiceQualityEvent.get_or_none(source_event_id=source_event_id)
    ):
        return found
    async with change("operations", "ServiceQualityEvent") as audited:
        try:
            async with in_transaction("operations"):  # a savepoint: a concurrent twin may win
                event = await ServiceQualityEvent.create(
                    hall=hall,
                    org_path=hall.path,
                    zone=zone,
                    device_id=draft.device_id,
                    category=draft.category,
                    type_code=type_code,
                    detail=draft.detail,
                    at=at,
                    source_event_id=source_event_id,
                    reported_by=reporter,
                )
        except IntegrityError:
            if source_event_id is None:
                raise
            twin = await ServiceQualityEvent.get(source_event_id=source_event_id)
            audited.id = twin.id
            audited.detail["repeated"] = True
            return twin
        audited.id = event.id
        alert_id = await _apply_rules(hall, event)
        if alert_id is not None:
            await ServiceQualityEvent.filter(id=event.id).update(alert_id=alert_id)
            event.alert_id = alert_id
        await announce(hall, "quality")
    return event


async def _apply_rules(hall: Org, event: ServiceQualityEvent) -> UUID | None:
    """Raise (or count into) the alert of every active rule over the hall that the event's window
    now reaches the threshold of: one alert per rule × hall × window (告警去重 by its dedup key).
    Windows are fixed (tumbling) ``window_minutes`` long. The alert of the first rule that fired."""
    ancestors = [UUID(part) for part in hall.path.split("/") if part]
    rules = await ServiceQualityRule.filter(
        org_id__in=ancestors, category=event.category, active=True, type_code__in=["", event.type_code]
    ).order_by("-org_path", "type_code")
    fired: UUID | None = None
    for rule in rules:
        span = rule.window_minutes * 60
        index = int(event.at.timestamp()) // span
        start = datetime.fromtimestamp(index * span, tz=event.at.tzinfo)
        events = ServiceQualityEvent.filter(
            hall_id=hall.id, category=event.category, at__gte=start, at__lt=start + timedelta(seconds=span)
        )
        if rule.type_code:
            events = events.filter(type_code=rule.type_code)
        if await events.count() < rule.threshold:
            continue
        name = CATEGORY_NAMES[event.category]
        alert = await raise_system_alert(
            hall.id,
            AlertLevel(rule.level),
            f"{hall.name}{name}事件频发 ({rule.type_code or '全部类型'})",
            source=QUALITY_SOURCE,
            dedup_key=f"hall-quality:{rule.id}:{hall.id}:{index}",
            detail=f"{rule.window_minutes} 分钟内{name}事件达到 {rule.threshold} 次: {event.type_code}",
            device_id=event.device_id,
            moment=event.at,
        )
        if alert is not None and fired is None:
            fired = alert.id
    return fired


async def list_service_events(
    principal: Principal, hall_id: UUID, first: int, after: str | None
) -> Page[ServiceQualityEvent]:
    """A hall's service-quality events in the caller's scope, newest first."""
    return await hall_rows(principal, ServiceQualityEvent, hall_id, first, after)


@dataclass(frozen=True)
class QualityRuleDraft:
    org_id: UUID
    category: QualityCategory
    level: AlertLevel
    threshold: int
    window_minutes: int
    type_code: str = ""
    active: bool = True


async def set_service_quality_rule(principal: Principal, draft: QualityRuleDraft) -> ServiceQualityRule:
    """Create or replace the rule of (org, category, type code): admins of the subtree only."""
    org = await scoped(principal, Org, org_scope).get_or_none(id=draft.org_id)
    if org is None:
        raise not_found("org")
    require_hall_rule_admin(principal, org.path)
    type_code = draft.type_code.strip()
    if len(type_code) > 40:
        raise bad_input("typeCode must be at most 40 characters")
    if not 1 <= draft.threshold <= 1000:
        raise bad_input("threshold must be 1 to 1000")
    if not 1 <= draft.window_minutes <= 24 * 60:
        raise bad_input("windowMinutes must be 1 to 1440")
    values: dict[str, Any] = {
        "org_path": org.path,
        "level": str(draft.level),
        "threshold": draft.threshold,
        "window_minutes": draft.window_minutes,
        "active": draft.active,
        "created_by": principal.user_id,
    }
    key: dict[str, Any] = {"org_id": org.id, "category": draft.category, "type_code": type_code}
    async with change("operations", "ServiceQualityRule") as audited:
        rule = await ServiceQualityRule.get_or_none(**key)
        if rule is None:
            try:
                async with in_transaction("operations"):
                    rule = await ServiceQualityRule.create(**key, **values)
            except IntegrityError:
                rule = await ServiceQualityRule.get(**key)
        await ServiceQualityRule.filter(id=rule.id).update(**values)
        await rule.refresh_from_db()
        audited.id = rule.id
    return rule
