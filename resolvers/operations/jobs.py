"""Background jobs of the operations subgraph (started with the app, one task each per process).

``supervision_alerts``: 督办预警, 催单 and 贷后预警 from the finance marketplace, raised here as
alerts for the institution's org (alerts.py ``raise_event_alert``): the institution's staff and
the regulator see them in ``alerts``. A durable consumer (realtime/consumer.py): each event once.

``device_events``: a device offline, faulty or past its baseline raises an alert, resolved when it
recovers; what the halls' devices report (visitors, service quality, tickets) becomes hall figures
(device_events.py). A durable consumer of the devices subgraph's DEVICE_STATUS stream.

``watch_incidents``: every minute, the incidents' missed SLA targets and escalations
(escalation.py), each check once across replicas.

``alert_escalation``: an unacknowledged critical alert older than ``Rules.alert_incident_minutes``
becomes an incident (``escalate_stale_alerts``), once across replicas.

``watch_backups``: 备份作业检查, a backup that did not come in time raises an alert (``check_backups``).

``log_retention``: 日志保存, the login and operation logs past their retention deleted in bounded
batches (logs.py ``purge_logs``), every ``Rules.log_retention_seconds``, once across replicas.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from uuid import UUID

from models.operations import Alert, AlertLevel, AlertStatus, BackupJob, ConsumerCursor
from realtime.broker import DEVICE_STATUS, SUPERVISION
from realtime.consumer import consume
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.clock import CST, now
from resolvers.common.jobs import every, exclusive
from resolvers.common.rules import Rules
from resolvers.operations import escalation
from resolvers.operations.alerts import escalate_alert, raise_event_alert, raise_system_alert
from resolvers.operations.backups import missed_slots
from resolvers.operations.device_events import announce_changed_halls, on_device_event
from resolvers.operations.incidents import report_from_alert
from resolvers.operations.inspections import create_due_tasks
from resolvers.operations.logs import purge_logs
from resolvers.operations.signup import deliver_signup_messages

log = logging.getLogger(__name__)

HALL_ANNOUNCE_SECONDS = 1.0  # a hall whose devices changed is announced at most this often

SOURCES = {"warning.raised": "supervision", "order.urged": "urge", "risk.post_loan": "post_loan"}


async def alert_from_supervision(event: Event) -> bool:
    """One alert per event (its id is unique on the alert, so a repeat raises nothing): True when
    it raised one."""
    scope = event.scope
    try:
        org_id = UUID(str(scope.get("org_id")))
    except ValueError:
        log.warning("supervision event %s names no org id: %r", event.id, scope.get("org_id"))
        return False
    alert = await raise_event_alert(
        event.id,
        org_id,
        level=AlertLevel(scope.get("level", "WARNING")),
        title=str(scope.get("title", "")),
        detail=str(scope.get("detail", "")),
        source=SOURCES.get(event.type, "finance"),
    )
    return alert is not None


async def supervision_alerts(realtime: Realtime, rules: Rules) -> None:
    await consume(realtime, "finance-supervision-alerts", SUPERVISION, alert_from_supervision, ConsumerCursor)


async def device_events(realtime: Realtime, rules: Rules) -> None:
    """The devices subgraph's events: alerts raised and resolved, hall figures, and each second the
    halls whose devices changed announced (device_events.py)."""
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(consume(realtime, "device-events", DEVICE_STATUS, on_device_event, ConsumerCursor))
        tasks.create_task(every(realtime, "operations", HALL_ANNOUNCE_SECONDS, announce_changed_halls))


async def check_incidents(moment: datetime | None = None) -> int:
    """One round of the incident checks (escalation.py): missed SLA targets, then escalations."""
    return await escalation.check_sla(moment) + await escalation.escalate(moment)


async def watch_incidents(realtime: Realtime, rules: Rules) -> None:
    """Every ``rules.incident_check_seconds`` (60, ``DCMS_INCIDENT_CHECK_SECONDS``)."""
    await every(realtime, "operations", rules.incident_check_seconds, check_incidents)


# -- alert escalation (issue 15): 告警升级为故障事件 -------------------------------------------------

ESCALATION_LOCK = 0x5D_C0_70  # pg advisory lock key: one escalation run at a time across replicas
ESCALATION_BATCH = 200  # alerts escalated per run at most; the next run takes the rest


async def escalate_stale_alerts(
    moment: datetime | None = None, minutes: int = Rules.alert_incident_minutes
) -> int:
    """Every CRITICAL alert still OPEN (nobody acknowledged it), not silenced and not yet an
    incident, raised more than ``minutes`` ago, becomes an incident (故障事件), once across
    replicas (``exclusive``) and once per alert (its ``incident_id``). Returns how many."""
    moment = moment or now()
    async with exclusive("operations", ESCALATION_LOCK) as mine:
        if not mine:
            return 0
        stale = await (
            Alert.filter(
                level=AlertLevel.CRITICAL,
                status=AlertStatus.OPEN,
                silenced=False,
                incident_id__isnull=True,
                created_at__lte=moment - timedelta(minutes=minutes),
            )
            .order_by("created_at", "id")
            .limit(ESCALATION_BATCH)
        )
        escalated = 0
        for alert in stale:
            incident = await report_from_alert(alert, moment)
            escalated += await escalate_alert(alert, incident.id, moment)
        return escalated


async def alert_escalation(realtime: Realtime, rules: Rules) -> None:
    """Every ``rules.alert_escalation_seconds`` (60), escalate stale critical alerts."""

    async def run() -> int:
        return await escalate_stale_alerts(minutes=rules.alert_incident_minutes)

    await every(realtime, "operations", rules.alert_escalation_seconds, run, name="escalate_stale_alerts")


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------

BACKUP_LOCK = 0x5D_C0_B4  # pg advisory lock key: one missing-backup check at a time across replicas


async def check_backups(moment: datetime | None = None) -> int:
    """备份缺失: for each active job whose latest expected run is past its deadline (start +
    expected duration + grace) with no good run since, raise one alert per missed run (dedup key
    ``backup-missing:<job>:<CST date>``), CRITICAL when the run before was missed too. Once across
    replicas (``exclusive``). Two statements whatever the number of jobs (the jobs, each with its
    ``last_success_at``; the alerts already raised for the missed runs), plus one raise per missed
    run not alerted yet: a check that finds the same run still missing raises nothing more (the
    alert's count stays). Returns the number of alerts raised."""
    moment = moment or now()
    async with exclusive("operations", BACKUP_LOCK) as mine:
        if not mine:
            return 0
        due: dict[str, tuple[BackupJob, AlertLevel, datetime]] = {}
        for job in await BackupJob.filter(active=True):
            missed = missed_slots(job, moment)
            if missed:
                level = AlertLevel.CRITICAL if len(missed) > 1 else AlertLevel.WARNING
                due[f"backup-missing:{job.id}:{missed[0].astimezone(CST).date().isoformat()}"] = (
                    job,
                    level,
                    missed[0],
                )
        if not due:
            return 0
        raised = set(await Alert.filter(dedup_key__in=list(due)).values_list("dedup_key", flat=True))
        fresh = [(key, *due[key]) for key in due if key not in raised]
        for key, job, level, slot in fresh:
            await raise_system_alert(
                job.org_id,
                level,
                f"备份缺失：{job.name}",
                source="backup",
                dedup_key=key,
                detail=f"{job.system}: no good run since the run due at {slot.isoformat()}",
                device_id=job.device_id,
                moment=moment,
            )
        return len(fresh)


async def watch_backups(realtime: Realtime, rules: Rules) -> None:
    """Every ``rules.backup_check_seconds`` (300), check for missing backups."""
    await every(realtime, "operations", rules.backup_check_seconds, check_backups)


async def inspection_tasks(realtime: Realtime, rules: Rules) -> None:
    """巡检: every ``rules.inspection_job_seconds`` (300), make the due inspection tasks and mark
    the missed ones (inspections.py ``create_due_tasks``)."""
    await every(realtime, "operations", rules.inspection_job_seconds, create_due_tasks)


async def log_retention(realtime: Realtime, rules: Rules) -> None:
    """日志保存: the logs past their retention deleted (logs.py ``purge_logs``)."""
    await every(
        realtime, "operations", rules.log_retention_seconds, lambda: purge_logs(rules), name="purge_logs"
    )


SIGNUP_DELIVERY_SECONDS = 2.0  # a signup code is awaited by someone at a form


async def signup_messages(realtime: Realtime, rules: Rules) -> None:
    """验证码短信: every 2 s, hand the queued signup texts to the message gateway (signup.py)."""
    await every(realtime, "operations", SIGNUP_DELIVERY_SECONDS, deliver_signup_messages)
