"""The telemetry tables Tortoise does not describe (see models/devices/telemetry.py), per dialect.

PostgreSQL: ``telemetry`` is partitioned by range of ``at``, one partition per UTC day named
``telemetry_pYYYYMMDD`` (made ahead and dropped after the retention by the maintenance job,
resolvers/devices/rollups.py); ``at`` and ``bucket`` are ``timestamptz``.
SQLite: one plain table of each; ``at`` and ``bucket`` are integer microseconds since the epoch
(UTC), so buckets are integer arithmetic and comparisons exact.

The roll-ups ``telemetry_minute`` and ``telemetry_hour`` hold per (device, metric, bucket) the
count, sum, sum of squares (for the baselines' standard deviation), min and max.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

ROLLUPS = ("telemetry_minute", "telemetry_hour")

_ROLLUP_COLUMNS = ", ".join(
    ["count BIGINT NOT NULL"]
    + [f"{name} DOUBLE PRECISION NOT NULL" for name in ("sum", "sum_sq", "min", "max")]
)

POSTGRES = [
    "CREATE TABLE IF NOT EXISTS telemetry (device_id UUID NOT NULL, metric VARCHAR(40) NOT NULL, "
    "at TIMESTAMPTZ NOT NULL, value DOUBLE PRECISION NOT NULL, PRIMARY KEY (device_id, metric, at)) "
    "PARTITION BY RANGE (at)",
    *(
        f"CREATE TABLE IF NOT EXISTS {table} (device_id UUID NOT NULL, metric VARCHAR(40) NOT NULL, "
        f"bucket TIMESTAMPTZ NOT NULL, {_ROLLUP_COLUMNS}, PRIMARY KEY (device_id, metric, bucket))"
        for table in ROLLUPS
    ),
    *(f"CREATE INDEX IF NOT EXISTS {table}_bucket ON {table} (bucket)" for table in ROLLUPS),
    "CREATE INDEX IF NOT EXISTS telemetry_at ON telemetry (at)",
]

SQLITE = [
    "CREATE TABLE IF NOT EXISTS telemetry (device_id CHAR(36) NOT NULL, metric VARCHAR(40) NOT NULL, "
    "at INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (device_id, metric, at)) WITHOUT ROWID",
    *(
        f"CREATE TABLE IF NOT EXISTS {table} (device_id CHAR(36) NOT NULL, metric VARCHAR(40) NOT NULL, "
        f"bucket INTEGER NOT NULL, {_ROLLUP_COLUMNS.replace('DOUBLE PRECISION', 'REAL')}, "
        "PRIMARY KEY (device_id, metric, bucket)) WITHOUT ROWID"
        for table in ROLLUPS
    ),
    *(f"CREATE INDEX IF NOT EXISTS {table}_bucket ON {table} (bucket)" for table in ROLLUPS),
    "CREATE INDEX IF NOT EXISTS telemetry_at ON telemetry (at)",
]


def partition_name(day: date) -> str:
    return f"telemetry_p{day:%Y%m%d}"


def create_partition(day: date) -> str:
    """The statement that makes ``day``'s partition (UTC midnight to midnight), when missing."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF telemetry "
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    )


def first_partitions(today: date, ahead: int = 3) -> list[str]:
    """Yesterday's, today's and ``ahead`` days' partitions: the migration makes them, so samples
    can be stored before the maintenance job first runs."""
    return [create_partition(today + timedelta(days=offset)) for offset in range(-1, ahead + 1)]


class TelemetryTables(ops.TortoiseOperation):
    """Makes the raw and roll-up tables for the connection's dialect (no model state: Tortoise
    does not know these tables)."""

    def describe(self) -> str:
        return "Create the telemetry tables (partitioned by day on PostgreSQL)"

    def state_forward(self, app_label: str, state: Any) -> None:
        return None

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: BaseSchemaEditor | None = None
    ) -> None:
        if state_editor is None:
            return
        if state_editor.client.capabilities.dialect == "postgres":
            statements = POSTGRES + first_partitions(datetime.now(UTC).date())
        else:
            statements = SQLITE
        for statement in statements:
            await state_editor._run_sql(statement)
