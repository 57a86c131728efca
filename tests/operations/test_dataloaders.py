"""Dataloaders of the operations subgraph: a constant number of SQL statements per batch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.operations import (
    BackupFrequency,
    BackupJob,
    BackupRun,
    BackupRunStatus,
    ChangeKind,
    ChangeRequest,
    ChangeRisk,
    ChangeStep,
)
from tests.support.entities import batch_statements, province_batch

pytestmark = pytest.mark.integration


async def test_user_entities_batch(database) -> None:
    tenants, token = await province_batch(database)
    ids = [t.grabbers[0][0].id for t in tenants]
    selection = "displayName org { name parent { name } }"
    counts = await batch_statements("operations", "User", selection, ids, (1, 3), token, database)
    assert 1 <= counts[0] == counts[1] <= 3, ("operations", counts)


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------


async def test_backup_job_and_change_entities_batch(database) -> None:
    tenants, token = await province_batch(database)
    now = datetime.now(UTC)
    jobs, changes = [], []
    for tenant in tenants:
        hall, who = tenant.hall, tenant.hall_manager.id
        job = await BackupJob.create(
            org=hall,
            org_path=hall.path,
            name=f"日备-{uuid.uuid4().hex[:6]}",
            system="核心库",
            frequency=BackupFrequency.DAILY,
            at_minute=120,
            expected_minutes=60,
            grace_minutes=30,
            retention_days=30,
            created_by=who,
        )
        for hours in (1, 2):
            started = now - timedelta(hours=hours)
            await BackupRun.create(
                job=job,
                org_path=hall.path,
                started_at=started,
                finished_at=started,
                reported_by=who,
                status=BackupRunStatus.SUCCEEDED,
                idempotency_key=uuid.uuid4().hex,
            )
        change = await ChangeRequest.create(
            org=hall,
            org_path=hall.path,
            kind=ChangeKind.STORAGE,
            title="扩容",
            risk=ChangeRisk.LOW,
            planned_start=now,
            planned_end=now + timedelta(hours=1),
            rollback_plan="回退",
            requested_by=who,
        )
        await ChangeStep.create(
            change=change, org_path=hall.path, to_status="DRAFT", actor_id=who, actor_name="u"
        )
        jobs.append(job.id)
        changes.append(change.id)
    selection = "name org { name } runs(first: 1) { nodes { status } }"
    counts = await batch_statements("operations", "BackupJob", selection, jobs, (1, 3), token, database)
    assert 1 <= counts[0] == counts[1] <= 3, ("BackupJob", counts)
    selection = "title org { name } steps { toStatus }"
    counts = await batch_statements(
        "operations", "ChangeRequest", selection, changes, (1, 3), token, database
    )
    assert 1 <= counts[0] == counts[1] <= 3, ("ChangeRequest", counts)
