"""备份作业 and 数据备份记录 (resolvers/operations/backups.py, jobs.py ``check_backups``) through the
real gateway: a backup that does not come in time raises one alert (the test clock moves, no
sleeps), two missed in a row a CRITICAL one; a failed run or check raises one at once; a retried
report is the first run; the check costs the same statements whatever the number of jobs; callers
of another tenant see no job and report no run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.operations import Alert, BackupFrequency, BackupJob
from resolvers.common.clock import CST
from resolvers.operations.jobs import check_backups
from testkit.factories import Tenant, make_tenant, make_user, token_for
from testkit.sqlcount import count_statements
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

CREATE = """mutation($i: CreateBackupJobInput!) {
  createBackupJob(input: $i) { id active schedule { frequency at } org { id } } }"""
REPORT = """mutation($i: ReportBackupRunInput!) { reportBackupRun(input: $i) { id status checkResult } }"""
JOB = """query($id: ID!, $first: Int!, $after: String) { backupJob(id: $id) {
  id name lastSuccessAt runs(first: $first, after: $after) { nodes { id startedAt }
  pageInfo { hasNextPage endCursor } } } }"""
JOBS = "query { backupJobs(first: 100) { nodes { id runs(first: 5) { nodes { id } } } } }"
ACTIVE = "mutation($id: ID!, $a: Boolean!) { setBackupJobActive(id: $id, active: $a) { id active } }"


@dataclass
class Unit:
    tenant: Tenant
    engineer: str


async def make_unit(stack: Stack) -> Unit:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    engineer = await make_user(tenant.hall, ("OPS_ENGINEER",), "运维工程师")
    return Unit(tenant, token_for(engineer, tenant.hall, stack.settings))


def job_input(unit: Unit, at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "i": {
            "orgId": str(unit.tenant.hall.id),
            "name": f"核心库全量备份-{uuid.uuid4().hex[:6]}",
            "system": "核心数据库",
            "schedule": {"frequency": "DAILY", "at": at.astimezone(CST).strftime("%H:%M")},
            "expectedMinutes": 60,
            "graceMinutes": 30,
            "retentionDays": 30,
            **extra,
        }
    }


async def create_job(stack: Stack, unit: Unit, at: datetime, **extra: Any) -> str:
    result = await gql(stack.gateway_url, CREATE, job_input(unit, at, **extra), unit.engineer)
    return str(data(result)["createBackupJob"]["id"])


def run_input(job_id: str, started: datetime, status: str = "SUCCEEDED", **extra: Any) -> dict[str, Any]:
    return {
        "i": {
            "jobId": job_id,
            "startedAt": started.isoformat(),
            "finishedAt": (started + timedelta(minutes=40)).isoformat(),
            "status": status,
            "idempotencyKey": str(uuid.uuid4()),
            "sizeBytes": 3 * 2**33,
            "checkResult": "VERIFIED",
            **extra,
        }
    }


async def alerts_of(job_id: str) -> list[Alert]:
    return await Alert.filter(dedup_key__startswith=f"backup-missing:{job_id}:").order_by("created_at")


def next_slot(minutes_ahead: int = 120) -> datetime:
    """A daily time this far ahead, to the minute: the stack's own check (real time) finds
    nothing due before the test is over; the test clock moves past it."""
    return (datetime.now(UTC) + timedelta(minutes=minutes_ahead)).replace(second=0, microsecond=0)


async def test_a_missing_backup_raises_one_alert_then_critical_when_missed_again(stack: Stack) -> None:
    unit = await make_unit(stack)
    first_run = next_slot()
    job_id = await create_job(stack, unit, first_run)
    deadline = first_run + timedelta(minutes=60 + 30)
    await check_backups(deadline - timedelta(minutes=1))  # not late yet
    assert await alerts_of(job_id) == []
    await check_backups(deadline + timedelta(minutes=1))
    (alert,) = await alerts_of(job_id)
    assert (alert.level, alert.source, alert.org_id, alert.count) == (
        "WARNING",
        "backup",
        unit.tenant.hall.id,
        1,
    )
    assert alert.title.startswith("备份缺失")
    assert alert.dedup_key == f"backup-missing:{job_id}:{first_run.astimezone(CST).date().isoformat()}"
    await check_backups(deadline + timedelta(minutes=30))  # still missing: still the one alert, unchanged
    (again,) = await alerts_of(job_id)
    assert (again.id, again.count) == (alert.id, 1)

    # The next day's run is reported (by the backup tool, early by a minute): that day, no new alert.
    second_run = first_run + timedelta(days=1)
    data(
        await gql(
            stack.gateway_url, REPORT, run_input(job_id, second_run - timedelta(minutes=1)), unit.engineer
        )
    )
    await check_backups(deadline + timedelta(days=1, minutes=1))
    assert [a.id for a in await alerts_of(job_id)] == [alert.id]

    # Two days without a run: the alert of the second is CRITICAL.
    await check_backups(deadline + timedelta(days=3, minutes=1))
    levels = [a.level for a in await alerts_of(job_id)]
    assert levels == ["WARNING", "CRITICAL"]

    # A paused job is not checked.
    assert data(await gql(stack.gateway_url, ACTIVE, {"id": job_id, "a": False}, unit.engineer))
    await check_backups(deadline + timedelta(days=5, minutes=1))
    assert len(await alerts_of(job_id)) == 2


async def test_a_failed_run_or_check_raises_an_alert_at_once_and_a_retry_reports_once(stack: Stack) -> None:
    unit = await make_unit(stack)
    job_id = await create_job(stack, unit, next_slot())
    started = datetime.now(UTC) - timedelta(hours=1)
    failed = run_input(job_id, started, "FAILED", checkResult="NOT_CHECKED", checkNote="磁带库离线")
    run = data(await gql(stack.gateway_url, REPORT, failed, unit.engineer))["reportBackupRun"]
    retry = data(await gql(stack.gateway_url, REPORT, failed, unit.engineer))["reportBackupRun"]
    assert retry["id"] == run["id"]
    (alert,) = await Alert.filter(dedup_key=f"backup-run:{run['id']}")
    assert (alert.level, alert.source, alert.count) == ("WARNING", "backup", 1)
    assert alert.title.startswith("备份失败")
    other = {"i": {**failed["i"], "status": "SUCCEEDED"}}  # the same key for another run
    assert error_codes(await gql(stack.gateway_url, REPORT, other, unit.engineer)) == ["CONFLICT"]

    unchecked = run_input(
        job_id, started + timedelta(minutes=5), checkResult="CHECK_FAILED", checkNote="校验和不符"
    )
    run2 = data(await gql(stack.gateway_url, REPORT, unchecked, unit.engineer))["reportBackupRun"]
    (alert2,) = await Alert.filter(dedup_key=f"backup-run:{run2['id']}")
    assert alert2.title.startswith("备份校验失败")
    job = await BackupJob.get(id=job_id)
    assert job.last_success_at is None  # neither run is one to count on

    good = run_input(job_id, started + timedelta(minutes=10))
    run3 = data(await gql(stack.gateway_url, REPORT, good, unit.engineer))["reportBackupRun"]
    assert not await Alert.filter(dedup_key=f"backup-run:{run3['id']}").exists()
    assert (await BackupJob.get(id=job_id)).last_success_at == started + timedelta(minutes=10)

    # Runs newest first, page by page.
    page = data(await gql(stack.gateway_url, JOB, {"id": job_id, "first": 2}, unit.engineer))["backupJob"]
    assert [n["id"] for n in page["runs"]["nodes"]] == [run3["id"], run2["id"]]
    cursor = page["runs"]["pageInfo"]["endCursor"]
    rest = data(await gql(stack.gateway_url, JOB, {"id": job_id, "first": 2, "after": cursor}, unit.engineer))
    assert [n["id"] for n in rest["backupJob"]["runs"]["nodes"]] == [run["id"]]
    bad = run_input(job_id, started, finishedAt=(started - timedelta(minutes=1)).isoformat())
    assert error_codes(await gql(stack.gateway_url, REPORT, bad, unit.engineer)) == ["BAD_USER_INPUT"]


async def test_creating_a_job_again_finds_it_and_schedules_are_checked(stack: Stack) -> None:
    unit = await make_unit(stack)
    variables = job_input(unit, next_slot())
    first = data(await gql(stack.gateway_url, CREATE, variables, unit.engineer))["createBackupJob"]
    again = data(await gql(stack.gateway_url, CREATE, variables, unit.engineer))["createBackupJob"]
    assert again["id"] == first["id"] and first["active"] is True
    other = {"i": {**variables["i"], "retentionDays": 90}}
    assert error_codes(await gql(stack.gateway_url, CREATE, other, unit.engineer)) == ["CONFLICT"]
    at = next_slot()
    for schedule in (
        {"frequency": "DAILY", "at": "25:00"},
        {"frequency": "DAILY", "at": "2:00"},
        {"frequency": "WEEKLY", "at": "02:00"},
        {"frequency": "WEEKLY", "at": "02:00", "weekday": 8},
        {"frequency": "MONTHLY", "at": "02:00", "dayOfMonth": 31},
    ):
        result = await gql(stack.gateway_url, CREATE, job_input(unit, at, schedule=schedule), unit.engineer)
        assert error_codes(result) == ["BAD_USER_INPUT"], schedule
    weekly = job_input(unit, at, schedule={"frequency": "WEEKLY", "at": "02:30", "weekday": 7})
    created = data(await gql(stack.gateway_url, CREATE, weekly, unit.engineer))["createBackupJob"]
    assert created["schedule"] == {"frequency": "WEEKLY", "at": "02:30"}


async def test_the_check_costs_the_same_statements_whatever_the_number_of_jobs(stack: Stack) -> None:
    unit = await make_unit(stack)
    moment = datetime.now(UTC)
    await check_backups(moment)  # whatever is due (other tests' jobs) is raised now
    with count_statements() as few:
        await check_backups(moment)
    for _ in range(8):  # jobs not due at ``moment``
        await create_job(stack, unit, next_slot())
    with count_statements() as many:
        assert await check_backups(moment) == 0
    assert many.count == few.count <= 3, many.statements


async def test_another_tenant_sees_no_job_and_reports_no_run(stack: Stack) -> None:
    unit = await make_unit(stack)
    other = await make_unit(stack)
    job_id = await create_job(stack, unit, next_slot())
    for token in (other.engineer, other.tenant.hall_token, unit.tenant.manager_token):
        assert data(await gql(stack.gateway_url, JOB, {"id": job_id, "first": 5}, token))["backupJob"] is None
        listed = data(await gql(stack.gateway_url, JOBS, {}, token))["backupJobs"]["nodes"]
        assert job_id not in {n["id"] for n in listed}
        report = run_input(job_id, datetime.now(UTC) - timedelta(hours=1))
        assert error_codes(await gql(stack.gateway_url, REPORT, report, token)) == ["NOT_FOUND"]
        assert error_codes(await gql(stack.gateway_url, ACTIVE, {"id": job_id, "a": False}, token)) == [
            "NOT_FOUND"
        ]
    theirs = job_input(unit, next_slot())
    assert error_codes(await gql(stack.gateway_url, CREATE, theirs, other.engineer)) == ["NOT_FOUND"]
    job = await BackupJob.get(id=job_id)
    assert (job.active, job.last_success_at, job.frequency) == (True, None, BackupFrequency.DAILY)
    listed = data(await gql(stack.gateway_url, JOBS, {}, unit.tenant.hall_token))["backupJobs"]["nodes"]
    assert job_id in {n["id"] for n in listed}
