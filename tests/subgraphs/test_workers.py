"""``dcms serve --workers N`` (subgraphs/cli.py): several processes behind one port with
PostgreSQL + Redis, each answering; background jobs still do their work once; the embedded default
(SQLite, in-memory broker and sessions) refuses more than one worker."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from models.customers import Reminder, ReminderKind, ScheduleItem
from subgraphs.gateway import wait_until_up
from subgraphs.settings import Settings, usable_cores
from testkit.factories import make_tenant
from tests.support import services
from tests.support.stack import free_port, subprocess_env
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def test_the_default_is_one_worker_per_core_with_shared_state_else_one(database: Settings) -> None:
    embedded = replace(database, database_url=None, redis_url=None, workers=None)
    shared = replace(database, database_url="postgres://x/y", redis_url="redis://x/0", workers=None)
    assert embedded.worker_count == 1
    assert shared.worker_count == usable_cores()
    assert replace(shared, workers=3).worker_count == 3


async def run(command: list[str], env: dict[str, str]) -> tuple[int | None, bytes]:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, err


async def test_the_embedded_default_refuses_more_than_one_worker(database: Settings) -> None:
    env = {k: v for k, v in subprocess_env(database).items() if k not in ("DATABASE_URL", "REDIS_URL")}
    command = [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(free_port())]
    status, err = await run([*command, "--workers", "2"], env)
    assert status == 2
    assert b"need shared state: set DATABASE_URL (PostgreSQL) and REDIS_URL" in err
    status, err = await run(command, {**env, "DCMS_WORKERS": "2"})
    assert status == 2 and b"need shared state" in err
    status, err = await run([*command, "--workers", "0"], env)
    assert status == 2 and b"at least 1" in err


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)


async def test_workers_serve_one_port_and_jobs_run_once(database: Settings, tmp_path: Path) -> None:
    env = {**subprocess_env(database), "DCMS_REMINDER_JOB_SECONDS": "1"}
    port = free_port()
    command = [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(port), "--workers", "2"]
    if not database.shared_state:  # the embedded default: refused (the test above), nothing served
        status, err = await run(command, env)
        assert status == 2 and b"need shared state" in err
        return

    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    now = datetime.now(UTC)
    await ScheduleItem.create(
        manager_id=tenant.manager.id,
        tenant_id=tenant.bank.id,
        title="拜访多进程合作社",
        starts_at=now + timedelta(minutes=30),
        remind_at=now - timedelta(minutes=1),
    )
    log = tmp_path / "serve.log"
    server = start(command, env, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        pids: set[str] = set()
        for _ in range(300):  # a new connection each time: the kernel hands it to either worker
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.get(f"http://127.0.0.1:{port}/healthz")
            assert answer.status_code == 200
            pids.add(answer.headers["x-dcms-pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2, f"one process answered 300 connections: {pids}"
        assert str(server.pid) not in pids  # the supervisor accepts nothing itself

        async def reminded() -> bool:
            return await Reminder.filter(manager_id=tenant.manager.id, kind=ReminderKind.SCHEDULE).exists()

        await eventually(reminded, seconds=20)
        # Both workers run the job every second: four rounds each later there is still one.
        await asyncio.sleep(4)
        reminders = await Reminder.filter(manager_id=tenant.manager.id, kind=ReminderKind.SCHEDULE)
        assert len(reminders) == 1
        # /metrics from either worker sums both: their figures are in shared files (subgraphs/metrics.py)
        files = {p.name for p in (database.var_dir / "metrics" / str(port)).glob("*.db")}
        assert {f"counter_{pid}.db" for pid in pids} <= files, files
        async with httpx.AsyncClient(timeout=10) as client:
            scraped = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert 'dcms_job_runs_total{job="generate_reminders",outcome="ok",subgraph="customers"}' in scraped
    finally:
        services.stop(server)
    assert "(2 worker processes)" in log.read_text()
