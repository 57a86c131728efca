"""故障事件统计: per month (CST, the month of the report) and level, in one SQL statement whatever
the number of incidents, over the incidents in the caller's scope.

Definitions (ours; seed 004 names the service levels, not the formulas):

- reported: incidents reported in the month; closed: those of them closed (or analysed since).
- MTTA (mean time to acknowledge): the mean of report → confirmation (``respond_seconds``), over
  the confirmed ones.
- MTTR (mean time to resolve): the mean of report → handed over as fixed, time pending the
  reporter excluded (``resolve_seconds``), over the closed ones.
- SLA compliance: the share of the closed ones that missed no target (respond, on site, resolve:
  the breach flags the SLA job sets, escalation.py ``check_sla``); null when none is closed.
- escalations: how many times they were escalated (by the matrix or for standing still).
- satisfaction: the mean survey score (1–5) of the closed ones that gave one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.expressions import Q
from tortoise.functions import Avg, Count, Sum

from models.operations import Incident, IncidentLevel
from resolvers.common.errors import bad_input
from resolvers.common.loading import scoped
from resolvers.operations.scopes import incident_scope
from resolvers.operations.sla import DONE
from security.principal import Principal

MAX_MONTHS = 24


@dataclass(frozen=True)
class IncidentStatistic:
    month: date
    level: IncidentLevel
    reported: int
    closed: int
    mtta_seconds: float | None
    mttr_seconds: float | None
    sla_compliance: float | None
    escalations: int
    satisfaction: float | None


async def incident_statistics(principal: Principal, start: date, end: date) -> list[IncidentStatistic]:
    """The months from ``start``'s to ``end``'s (at most 24), each level with incidents, in order."""
    first, last = start.replace(day=1), end.replace(day=1)
    if last < first or (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise bad_input(f"from must not be after to, and the range at most {MAX_MONTHS} months")
    closed = Q(status__in=DONE)
    met = closed & Q(respond_breached=False, on_site_breached=False, resolve_breached=False)
    rows = (
        await scoped(principal, Incident, incident_scope)
        .filter(month__gte=first, month__lte=last)
        .annotate(
            reported=Count("id"),
            closed=Count("id", _filter=closed),
            met=Count("id", _filter=met),
            mtta=Avg("respond_seconds"),
            mttr=Avg("resolve_seconds", _filter=closed),
            escalated=Sum("escalations"),
            score=Avg("satisfaction", _filter=closed),
        )
        .group_by("month", "level")
        .order_by("month", "level")
        .values("month", "level", "reported", "closed", "met", "mtta", "mttr", "escalated", "score")
    )
    return [
        IncidentStatistic(
            month=_date(row["month"]),
            level=IncidentLevel(row["level"]),
            reported=row["reported"],
            closed=row["closed"],
            mtta_seconds=_number(row["mtta"]),
            mttr_seconds=_number(row["mttr"]),
            sla_compliance=round(row["met"] / row["closed"], 4) if row["closed"] else None,
            escalations=int(row["escalated"] or 0),
            satisfaction=_number(row["score"]),
        )
        for row in rows
    ]


def _number(value: object) -> float | None:
    return round(float(str(value)), 2) if value is not None else None  # a Decimal on PostgreSQL


def _date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# 监控大屏 (the monitoring wall)


@dataclass(frozen=True)
class IncidentLevelCount:
    level: IncidentLevel
    count: int


async def open_incident_counts(principal: Principal, org_path: str | None = None) -> list[IncidentLevelCount]:
    """未关闭故障事件 by level (一级 … 四级): the incidents in the caller's scope (as
    ``incident_statistics``) not yet closed or analysed, optionally under one org path; every
    level, 0 included, in level order. One SQL statement whatever the number of incidents."""
    queryset = scoped(principal, Incident, incident_scope).exclude(status__in=DONE)
    if org_path:
        queryset = queryset.filter(org_path__startswith=org_path)
    rows = await queryset.annotate(open=Count("id")).group_by("level").values("level", "open")
    counts = {IncidentLevel(row["level"]): int(row["open"]) for row in rows}
    return [IncidentLevelCount(level, counts.get(level, 0)) for level in IncidentLevel]
