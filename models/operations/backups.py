"""备份作业 (backup jobs, seed 004 "备份作业检查", "数据备份记录"): what a unit backs up and when,
and each run's outcome and check (校验). A job whose expected run did not succeed in time raises
an alert (resolvers/operations/jobs.py ``check_backups``)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.operations import Org


class BackupFrequency(StrEnum):
    DAILY = "DAILY"  # every day at HH:MM (CST)
    WEEKLY = "WEEKLY"  # on a weekday (1 = Monday … 7 = Sunday) at HH:MM
    MONTHLY = "MONTHLY"  # on a day of the month (1–28) at HH:MM


class BackupRunStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class BackupCheck(StrEnum):
    """校验: whether the backup was checked to be restorable."""

    VERIFIED = "VERIFIED"
    CHECK_FAILED = "CHECK_FAILED"
    NOT_CHECKED = "NOT_CHECKED"


class BackupJob(Entity):
    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="backup_jobs", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)  # copied for scope filtering
    name = fields.CharField(max_length=100)
    system = fields.CharField(max_length=100)  # what it backs up
    device_id = fields.UUIDField(null=True, db_index=True)  # a devices-subgraph Device
    frequency = fields.CharEnumField(BackupFrequency, max_length=8)
    at_minute = fields.IntField()  # minutes after CST midnight the run starts (HH:MM)
    weekday = fields.IntField(null=True)  # WEEKLY: 1 = Monday … 7 = Sunday
    day_of_month = fields.IntField(null=True)  # MONTHLY: 1–28 (every month has it)
    expected_minutes = fields.IntField()  # how long a run takes
    grace_minutes = fields.IntField()  # how late it may finish before it counts as missing
    retention_days = fields.IntField()
    active = fields.BooleanField(default=True)
    created_by = fields.UUIDField()
    # The start of the latest good run (SUCCEEDED, check not failed), kept here when a run is
    # reported so the check reads every job with it in one plain query.
    last_success_at = fields.DatetimeField(null=True)

    class Meta:
        table = "backup_job"
        indexes = (("created_at", "id"),)
        unique_together = (("org_id", "name"),)  # a repeated create finds the job


class BackupRun(Entity):
    job: fields.ForeignKeyRelation[BackupJob] = fields.ForeignKeyField(
        "operations.BackupJob", related_name="runs", on_delete=fields.CASCADE
    )
    job_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)  # the job's, for scope filtering
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField()
    status = fields.CharEnumField(BackupRunStatus, max_length=10)
    size_bytes = fields.BigIntField(null=True)
    check_result = fields.CharEnumField(BackupCheck, max_length=12, default=BackupCheck.NOT_CHECKED)
    check_note = fields.TextField(default="")
    reported_by = fields.UUIDField()
    idempotency_key = fields.CharField(max_length=64)  # a retry of the report finds the first run

    class Meta:
        table = "backup_run"
        indexes = (("job_id", "created_at"),)
        unique_together = (("reported_by", "idempotency_key"),)
