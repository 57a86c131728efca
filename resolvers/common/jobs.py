"""Background jobs of a subgraph (deadline checks, reminder generation): run once across
replicas, and again every so often.

``exclusive`` is one job run's transaction. On PostgreSQL it takes a transaction-level advisory
lock, so of several replicas starting a run at once one does the work and the others learn at
once that they need not. On SQLite (one process) every transaction takes the write lock first
(subgraphs/sqlite_engine.py), which is lock enough.

``every`` runs a job for the life of the app (subgraphs/app.py starts each subgraph's ``jobs``)
and wakes the outbox relay when a run published events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from tortoise.transactions import in_transaction

from observability.metrics import JOB_DURATION, JOB_RUNS
from realtime.hub import Realtime
from security.outage import unavailable

log = logging.getLogger(__name__)


@asynccontextmanager
async def exclusive(app: str, lock: int) -> AsyncIterator[bool]:
    """A transaction on ``app``'s connection that yields whether this run holds ``lock``."""
    async with in_transaction(app) as connection:
        if connection.capabilities.dialect != "postgres":
            yield True
            return
        rows = await connection.execute_query_dict(f"SELECT pg_try_advisory_xact_lock({int(lock)}) AS got")
        yield bool(rows[0]["got"])


def job_name(run: Callable[..., object]) -> str:
    """A job's metrics label: its function's name (a lambda's must be given: ``every(name=…)``)."""
    name = getattr(run, "__name__", "") or "job"
    return "job" if name == "<lambda>" else name


async def every(
    realtime: Realtime,
    app: str,
    interval: float,
    run: Callable[[], Awaitable[object]],
    name: str | None = None,
) -> None:
    """Run ``run`` now and then every ``interval`` seconds, in every replica (``exclusive`` makes
    that harmless); a run returns what it did (a count or a list), a failed run is logged and
    does not stop the next. A database or Redis outage is logged once (security/outage.py), not
    once per run. Each run counts in ``dcms_job_runs_total`` and ``dcms_job_duration_seconds``
    under ``name`` (default: the function's name; observability/metrics.py)."""
    label = name or job_name(run)
    while True:
        await run_counted(app, label, run, realtime)
        await asyncio.sleep(interval)


async def run_counted(
    app: str, name: str, run: Callable[[], Awaitable[object]], realtime: Realtime | None = None
) -> str:
    """One run of a job, counted; answers its outcome (ok, failed, unavailable)."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        if await run() and realtime is not None:
            realtime.relay.wake({app})  # what the run published goes out now
    except Exception as error:
        if unavailable(error) is None:
            outcome = "failed"
            log.exception("%s job %s failed", app, name)
        else:
            outcome = "unavailable"
    JOB_RUNS.labels(app, name, outcome).inc()
    JOB_DURATION.labels(app, name).observe(time.perf_counter() - started)
    return outcome
