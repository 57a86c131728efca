"""备份作业 and 数据备份记录: the backup job type and its runs (reads models/operations ``BackupJob``)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from models.operations import BackupJob as BackupJobRow
from resolvers.common.pagination import page_in
from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import BackupCheck, BackupFrequency, BackupRunStatus
from schema.operations.federation import Device
from schema.operations.types.orgs import Org


@strawberry.type(description="数据备份记录: one run of a backup job")
class BackupRun:
    id: strawberry.ID
    started_at: datetime
    finished_at: datetime
    status: BackupRunStatus
    size_bytes: float | None = strawberry.field(description="bytes written (a Float: it may pass 2^31)")
    check_result: BackupCheck = strawberry.field(description="校验")
    check_note: str
    reported_by: strawberry.ID
    created_at: datetime


@strawberry.type(description="备份计划 (CST)")
class BackupSchedule:
    frequency: BackupFrequency
    at: str = strawberry.field(description="HH:MM, CST")
    weekday: int | None = strawberry.field(description="WEEKLY: 1 = Monday … 7 = Sunday")
    day_of_month: int | None = strawberry.field(description="MONTHLY: 1–28")


@strawberry.federation.type(keys=["id"], description="备份作业 (backup job)")
class BackupJob:
    id: strawberry.ID
    name: str
    system: str = strawberry.field(description="what it backs up")
    expected_minutes: int
    grace_minutes: int
    retention_days: int
    active: bool
    last_success_at: datetime | None = strawberry.field(description="start of the latest good run")
    created_at: datetime

    @strawberry.field
    @staticmethod
    def schedule(parent: strawberry.Parent[BackupJobRow]) -> BackupSchedule:
        at = f"{parent.at_minute // 60:02d}:{parent.at_minute % 60:02d}"
        return BackupSchedule(
            frequency=parent.frequency, at=at, weekday=parent.weekday, day_of_month=parent.day_of_month
        )

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[BackupJobRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @strawberry.field
    @staticmethod
    def device(parent: strawberry.Parent[BackupJobRow]) -> Device | None:
        return Device(id=strawberry.ID(str(parent.device_id))) if parent.device_id else None

    @strawberry.field(description="数据备份记录, newest first")
    @staticmethod
    async def runs(
        parent: strawberry.Parent[BackupJobRow], info: Info, first: int = 20, after: str | None = None
    ) -> Connection[BackupRun]:
        history = await info.context.loaders.backup_runs.load(parent.id)
        return cast(Connection[BackupRun], page_in(history, first, after))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> BackupJob:
        return entity(cls, await info.context.loaders.backup_job.load(parse_id(id)))
