"""备份作业 (backup jobs) and their runs (数据备份记录): a unit's jobs with their schedules in CST,
and each run reported by staff or a backup tool (``report_backup_run``, idempotent). A failed run
or a failed check (校验) raises an alert in the report's transaction; a run that did not come in
time is found by the ``check_backups`` job (jobs.py) through ``missed_slots``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.operations import (
    AlertLevel,
    BackupCheck,
    BackupFrequency,
    BackupJob,
    BackupRun,
    BackupRunStatus,
)
from resolvers.common.changes import change
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.alerts import raise_system_alert
from resolvers.operations.changes import ops_unit
from resolvers.operations.permissions import require_ops_author
from resolvers.operations.scopes import backup_scope
from security.principal import Principal

MAX_MINUTES = 7 * 24 * 60  # expected duration and grace: up to a week each


@dataclass(frozen=True)
class Schedule:
    """When a job runs, in CST: DAILY at ``at``; WEEKLY on ``weekday`` (1 = Monday) at ``at``;
    MONTHLY on ``day_of_month`` (1–28) at ``at``."""

    frequency: BackupFrequency
    at: str  # "HH:MM"
    weekday: int | None = None
    day_of_month: int | None = None


@dataclass(frozen=True)
class JobDraft:
    org_id: UUID
    name: str
    system: str
    schedule: Schedule
    expected_minutes: int
    grace_minutes: int
    retention_days: int
    device_id: UUID | None = None


@dataclass(frozen=True)
class RunReport:
    job_id: UUID
    started_at: datetime
    finished_at: datetime
    status: BackupRunStatus
    idempotency_key: str
    size_bytes: int | None = None
    check_result: BackupCheck = BackupCheck.NOT_CHECKED
    check_note: str = ""


def _minute_of_day(at: str) -> int:
    try:
        hours, minutes = (int(part) for part in at.split(":"))
    except ValueError as exc:
        raise bad_input("schedule time must be HH:MM") from exc
    if not (0 <= hours < 24 and 0 <= minutes < 60 and len(at) == 5):
        raise bad_input("schedule time must be HH:MM")
    return hours * 60 + minutes


def _schedule_columns(schedule: Schedule) -> dict[str, int | BackupFrequency | None]:
    weekday = day = None
    if schedule.frequency is BackupFrequency.WEEKLY:
        if schedule.weekday is None or not 1 <= schedule.weekday <= 7:
            raise bad_input("a WEEKLY schedule needs weekday 1 (Monday) to 7 (Sunday)")
        weekday = schedule.weekday
    if schedule.frequency is BackupFrequency.MONTHLY:
        if schedule.day_of_month is None or not 1 <= schedule.day_of_month <= 28:
            raise bad_input("a MONTHLY schedule needs dayOfMonth 1 to 28 (a day every month has)")
        day = schedule.day_of_month
    return {
        "frequency": schedule.frequency,
        "at_minute": _minute_of_day(schedule.at),
        "weekday": weekday,
        "day_of_month": day,
    }


async def create_backup_job(principal: Principal, draft: JobDraft) -> BackupJob:
    """A backup job of an org the caller runs systems at. The job's name is unique at its org: the
    same create again gets the job back; another job under that name is CONFLICT."""
    if not draft.name.strip() or len(draft.name) > 100 or not draft.system.strip() or len(draft.system) > 100:
        raise bad_input("name and system must be 1 to 100 characters")
    for what, minutes in (("expectedMinutes", draft.expected_minutes), ("graceMinutes", draft.grace_minutes)):
        if not 0 <= minutes <= MAX_MINUTES:
            raise bad_input(f"{what} must be 0 to {MAX_MINUTES}")
    if not 1 <= draft.retention_days <= 3650:
        raise bad_input("retentionDays must be 1 to 3650")
    columns = _schedule_columns(draft.schedule)
    org = await ops_unit(principal, draft.org_id, draft.device_id)
    values: dict[str, Any] = {
        **columns,
        "system": draft.system,
        "device_id": draft.device_id,
        "expected_minutes": draft.expected_minutes,
        "grace_minutes": draft.grace_minutes,
        "retention_days": draft.retention_days,
    }
    async with change("operations", "BackupJob") as audited:
        try:
            async with in_transaction("operations"):  # a savepoint: the name may be taken
                job = await BackupJob.create(
                    org=org, org_path=org.path, name=draft.name, created_by=principal.user_id, **values
                )
        except IntegrityError:
            job = await BackupJob.get(org_id=org.id, name=draft.name)
            if any(getattr(job, name) != value for name, value in values.items()):
                raise conflict("该机构已有同名备份作业 (a backup job of that name exists)") from None
            audited.detail["repeated"] = True
        audited.id = job.id
    return job


async def set_backup_job_active(principal: Principal, job_id: UUID, active: bool) -> BackupJob:
    """Pause or resume a job (a paused job is not checked)."""
    job = await scoped(principal, BackupJob, backup_scope).get_or_none(id=job_id)
    if job is None:
        raise not_found("backup job")
    require_ops_author(principal, job.org_path)
    async with change("operations", "BackupJob", job.id):
        await BackupJob.filter(id=job.id).update(active=active)
    job.active = active
    return job


async def report_backup_run(principal: Principal, report: RunReport) -> BackupRun:
    """数据备份记录: one run of a job. A retry with the same idempotency key gets the first run back
    (the same key for another run is CONFLICT). A FAILED run or a CHECK_FAILED check raises an
    alert at once, in the same transaction (one per run); a good run moves the job's
    ``last_success_at``, which the missing-backup check reads."""
    key = check_key(report.idempotency_key)
    assert key is not None
    if report.finished_at < report.started_at:
        raise bad_input("finishedAt must not be before startedAt")
    if report.size_bytes is not None and report.size_bytes < 0:
        raise bad_input("sizeBytes must not be negative")
    job = await scoped(principal, BackupJob, backup_scope).get_or_none(id=report.job_id)
    if job is None:
        raise not_found("backup job")
    require_ops_author(principal, job.org_path)
    async with change("operations", "BackupRun") as audited:
        run, created = await once(
            "operations",
            key,
            lambda: BackupRun.get_or_none(reported_by=principal.user_id, idempotency_key=key),
            lambda: BackupRun.create(
                job_id=job.id,
                org_path=job.org_path,
                started_at=report.started_at,
                finished_at=report.finished_at,
                status=report.status,
                size_bytes=report.size_bytes,
                check_result=report.check_result,
                check_note=report.check_note,
                reported_by=principal.user_id,
                idempotency_key=key,
            ),
        )
        if not created:
            if (run.job_id, run.status, run.started_at) != (job.id, report.status, report.started_at):
                raise conflict("幂等键已用于另一次备份 (idempotencyKey already used for another run)")
            audited.id = run.id
            audited.detail["repeated"] = True
            return run
        audited.id = run.id
        if good(run):
            later = Q(last_success_at__isnull=True) | Q(last_success_at__lt=run.started_at)
            await BackupJob.filter(later, id=job.id).update(last_success_at=run.started_at)
        else:
            what = "备份失败" if run.status is BackupRunStatus.FAILED else "备份校验失败"
            await raise_system_alert(
                job.org_id,
                AlertLevel.WARNING,
                f"{what}：{job.name}",
                source="backup",
                dedup_key=f"backup-run:{run.id}",
                detail=f"{job.system} {run.started_at.isoformat()} {run.check_note}".strip(),
                device_id=job.device_id,
            )
    return run


def good(run: BackupRun) -> bool:
    """A run the job can count on: it succeeded and its check did not fail."""
    return run.status is BackupRunStatus.SUCCEEDED and run.check_result is not BackupCheck.CHECK_FAILED


async def list_backup_jobs(principal: Principal, first: int, after: str | None) -> Page[BackupJob]:
    """The backup jobs in the caller's scope, newest first."""
    return await paginate(scoped(principal, BackupJob, backup_scope), first, after, newest_first=True)


# -- the schedule -------------------------------------------------------------------------------------


def latest_slot(job: BackupJob, at: datetime) -> datetime:
    """The latest time at or before ``at`` the job was scheduled to start (aware, CST)."""
    local = at.astimezone(CST)
    start = time(job.at_minute // 60, job.at_minute % 60, tzinfo=CST)
    if job.frequency is BackupFrequency.DAILY:
        slot = datetime.combine(local.date(), start)
        return slot if slot <= local else slot - timedelta(days=1)
    if job.frequency is BackupFrequency.WEEKLY:
        back = (local.isoweekday() - (job.weekday or 1)) % 7
        slot = datetime.combine(local.date() - timedelta(days=back), start)
        return slot if slot <= local else slot - timedelta(days=7)
    slot = datetime.combine(local.date().replace(day=job.day_of_month or 1), start)
    if slot <= local:
        return slot
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return slot.replace(year=year, month=month)


def missed_slots(job: BackupJob, moment: datetime) -> list[datetime]:
    """The job's latest scheduled runs whose deadline (start + expected duration + grace) has
    passed at ``moment`` with no good run since (``last_success_at``), latest first, at most two
    (two in a row is what makes the alert CRITICAL). Slots before the job existed do not count.
    A run counts for a slot when it started no earlier than ``grace`` before it (a tool's clock
    or queue may start it a little early)."""
    grace = timedelta(minutes=job.grace_minutes)
    slot = latest_slot(job, moment - timedelta(minutes=job.expected_minutes) - grace)
    missed: list[datetime] = []
    while len(missed) < 2 and slot >= job.created_at:
        if job.last_success_at is not None and job.last_success_at >= slot - grace:
            break
        missed.append(slot)
        slot = latest_slot(job, slot - timedelta(minutes=1))
    return missed
