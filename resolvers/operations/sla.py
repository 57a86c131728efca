"""SLA of incidents (服务级别): which policy times an incident, which calendar its report fell in,
its due times, and its clocks at a moment. Pure functions over rows, except the two reads.

- The policy: the one of the nearest org on the incident's org path, else the default.
- The calendar: WORKING_HOURS when reported on a working day (finance's working-day calendar:
  Monday–Friday except the days it says otherwise) between the policy's start and end (10:00–20:00
  CST), else OFF_HOURS. The targets of that calendar apply for the incident's whole life: seed
  003's "响应时间工作日10:00~20:00期间为0.5小时，其余期间为1小时" chooses by when the call came.
- The clocks run in wall time (7×24 service), from the report. While the incident is pending the
  reporter's confirmation the resolve clock stands still; when the reporter sends it back the
  resolve due time moves on by the time it stood (``paused_seconds``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tortoise.expressions import Q

from models.operations import (
    Incident,
    IncidentLevel,
    IncidentStatus,
    ServiceCalendar,
    ServicePolicy,
    ServiceTarget,
)
from resolvers.common.clock import CST
from resolvers.operations.directory import is_working_day

OPEN = (
    IncidentStatus.REPORTED,
    IncidentStatus.CONFIRMED,
    IncidentStatus.CLASSIFIED,
    IncidentStatus.ASSIGNED,
    IncidentStatus.IN_PROGRESS,
    IncidentStatus.TESTING,
)  # the states an incident is being worked in: every clock and the escalation run
DONE = (IncidentStatus.CLOSED, IncidentStatus.ANALYSED)


class SlaKind(StrEnum):
    RESPOND = "RESPOND"  # 响应: confirmed by the service desk
    ON_SITE = "ON_SITE"  # 到场: an engineer on site (stops too when resolved remotely)
    RESOLVE = "RESOLVE"  # 排除故障: handed to the reporter as fixed


async def policy_for(org_path: str) -> ServicePolicy:
    """The policy of the nearest org on ``org_path`` that has one, else the default (one statement)."""
    ids = [part for part in org_path.split("/") if part]
    candidates = await ServicePolicy.filter(Q(org_id__in=ids) | Q(is_default=True))
    by_org = {str(p.org_id): p for p in candidates if p.org_id is not None}
    for org_id in reversed(ids):
        if org_id in by_org:
            return by_org[org_id]
    default = next((p for p in candidates if p.is_default), None)
    if default is None:
        raise LookupError("no default service policy: run `dcms migrate` first")
    return default


async def calendar_at(moment: datetime, policy: ServicePolicy) -> ServiceCalendar:
    local = moment.astimezone(CST)
    minute = local.hour * 60 + local.minute
    if policy.work_start_minute <= minute < policy.work_end_minute and await is_working_day(local.date()):
        return ServiceCalendar.WORKING_HOURS
    return ServiceCalendar.OFF_HOURS


async def target_of(policy_id: object, level: IncidentLevel, calendar: ServiceCalendar) -> ServiceTarget:
    target = await ServiceTarget.get_or_none(policy_id=policy_id, level=level, calendar=calendar)
    if target is None:
        raise LookupError(f"service policy {policy_id} has no target for {level} in {calendar}")
    return target


def due_times(reported_at: datetime, target: ServiceTarget, paused_seconds: int) -> dict[str, datetime]:
    """The due times of an incident reported at ``reported_at`` under ``target``, as columns."""
    return {
        "respond_due_at": reported_at + timedelta(minutes=target.respond_minutes),
        "on_site_due_at": reported_at + timedelta(minutes=target.on_site_minutes),
        "resolve_due_at": reported_at + timedelta(minutes=target.resolve_minutes, seconds=paused_seconds),
    }


@dataclass(frozen=True)
class SlaClock:
    """One target of an incident at a moment: due when, done when (null: still running), whether
    it is (or was) missed, whether it stands still, and the seconds left (negative: overdue)."""

    kind: SlaKind
    due_at: datetime
    done_at: datetime | None
    breached: bool
    paused: bool
    remaining_seconds: int | None  # null once done


def clocks(incident: Incident, moment: datetime) -> Sequence[SlaClock]:
    """The respond, on-site and resolve clocks of ``incident`` at ``moment`` (no statement).

    The resolve clock is done once the reporter closed it (at ``resolved_at``, when it was handed
    over); pending their confirmation it stands still at the moment it was handed over. The on-site
    clock stops at arrival, or at the hand-over when it was fixed remotely."""
    handed_over = incident.resolved_at if incident.status not in OPEN else None
    resolved = handed_over if incident.status in DONE else None
    paused = incident.paused_at is not None
    return (
        _clock(
            SlaKind.RESPOND, incident.respond_due_at, incident.confirmed_at, moment, incident.respond_breached
        ),
        _clock(
            SlaKind.ON_SITE,
            incident.on_site_due_at,
            incident.on_site_at or handed_over,
            moment,
            incident.on_site_breached,
        ),
        _clock(
            SlaKind.RESOLVE,
            incident.resolve_due_at,
            resolved,
            incident.paused_at or moment,
            incident.resolve_breached,
            paused,
        ),
    )


def _clock(
    kind: SlaKind,
    due: datetime,
    done: datetime | None,
    moment: datetime,
    recorded: bool,
    paused: bool = False,
) -> SlaClock:
    """``recorded``: the SLA job found it missed (it stays missed)."""
    if done is not None:
        return SlaClock(kind, due, done, recorded or done > due, False, None)
    return SlaClock(kind, due, None, recorded or moment > due, paused, int((due - moment).total_seconds()))
