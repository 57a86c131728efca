"""What the telemetry (遥测) jobs do (jobs.py runs them), each run once across replicas (``exclusive``):

``roll_up``, every ``telemetry_rollup_seconds`` (60): the 1-minute roll-up of the raw
samples and the 1-hour roll-up of the minute roll-up, for the closed buckets since each one's
watermark (``TelemetryWatermark``) and the few before it again (late samples): one
INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE each, so recomputing a bucket gives the same row.

``maintain``, every ``telemetry_maintenance_seconds`` (3600). PostgreSQL: makes the
daily partitions (UTC days) from yesterday to ``telemetry_partitions_ahead`` days ahead and drops
those older than ``telemetry_retention_days`` (30); SQLite: deletes the samples past it. Both:
deletes the minute roll-ups past ``telemetry_minute_retention_days`` (90) and the hourly ones past
``telemetry_hour_retention_days`` (730).

``learn_baselines``, every ``baseline_job_seconds`` (3600): each (device, metric)'s baseline
(基准线): mean and standard deviation of the raw samples of the last ``baseline_days`` (7), from the
hourly roll-ups' counts, sums and sums of squares.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from models.devices import MetricBaseline, TelemetryWatermark
from models.devices.telemetry_sql import create_partition
from resolvers.common.clock import now
from resolvers.common.jobs import exclusive
from resolvers.common.rules import Rules
from resolvers.devices.telemetry import EPOCH, _conn, _postgres, _sql, micros

ROLLUP_LOCK = 0x7E_1E_01  # pg advisory lock keys: one run of each job at a time across replicas
MAINTENANCE_LOCK = 0x7E_1E_02
BASELINE_LOCK = 0x7E_1E_03
LATE = timedelta(minutes=5)  # the roll-ups recompute this much before their watermark (late samples)
PARTITION = re.compile(r"telemetry_p(\d{8})\Z")


def _floor(moment: datetime, seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=(micros(moment) // (seconds * 1_000_000)) * seconds)


def _param(pg: bool, moment: datetime) -> Any:
    return moment if pg else micros(moment)


_ROLLUP_PG = (
    "INSERT INTO {target} (device_id, metric, bucket, count, sum, sum_sq, min, max) "
    "SELECT device_id, metric, date_bin('{width}', {column}, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b, "
    "{aggregates} FROM {source} WHERE {column} >= $1 AND {column} < $2 GROUP BY device_id, metric, b "
    "ON CONFLICT (device_id, metric, bucket) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum, "
    "sum_sq = EXCLUDED.sum_sq, min = EXCLUDED.min, max = EXCLUDED.max"
)
_ROLLUP_SQLITE = (
    "INSERT INTO {target} (device_id, metric, bucket, count, sum, sum_sq, min, max) "
    "SELECT device_id, metric, ({column} / {micros}) * {micros} AS b, {aggregates} FROM {source} "
    "WHERE {column} >= ?1 AND {column} < ?2 GROUP BY device_id, metric, b "
    "ON CONFLICT (device_id, metric, bucket) DO UPDATE SET count = excluded.count, sum = excluded.sum, "
    "sum_sq = excluded.sum_sq, min = excluded.min, max = excluded.max"
)
_FROM_RAW = "count(*), sum(value), sum(value * value), min(value), max(value)"
_FROM_ROLLUP = "sum(count), sum(sum), sum(sum_sq), min(min), max(max)"

# name, source table, its time column, aggregates of it, bucket seconds
LEVELS = (
    ("minute", "telemetry", "at", _FROM_RAW, 60),
    ("hour", "telemetry_minute", "bucket", _FROM_ROLLUP, 3600),
)


async def roll_up(rules: Rules, moment: datetime | None = None, since: datetime | None = None) -> int:
    """One run of the roll-ups (minute, then hour): the buckets written or rewritten. ``since``
    recomputes from then instead of the watermarks (a backfill, e.g. after samples arrived late;
    not before ``telemetry_late_hours`` ago)."""
    moment = moment or now()
    written = 0
    async with exclusive("devices", ROLLUP_LOCK) as mine:
        if not mine:
            return 0
        conn = _conn()
        pg = _postgres(conn)
        closed = _floor(moment, 60)  # buckets ending by now are closed
        for name, source, column, aggregates, width in LEVELS:
            closed = _floor(closed, width)
            mark = await TelemetryWatermark.get_or_none(name=name)
            oldest = _floor(moment - timedelta(hours=rules.telemetry_late_hours), width)
            start = max(_floor(mark.upto - LATE, width), oldest) if mark else oldest
            if since is not None:
                start = max(_floor(since, width), oldest)
            if start < closed:
                template = _ROLLUP_PG if pg else _ROLLUP_SQLITE
                statement = template.format(
                    target=f"telemetry_{name}",
                    source=source,
                    column=column,
                    aggregates=aggregates,
                    width=f"{width} seconds",
                    micros=width * 1_000_000,
                )
                count, _ = await conn.execute_query(statement, [_param(pg, start), _param(pg, closed)])
                written += int(count or 0)
            if mark is None:
                await TelemetryWatermark.create(name=name, upto=closed)
            elif mark.upto < closed:
                mark.upto = closed
                await mark.save(update_fields=["upto"])
    return written


async def maintain(rules: Rules, moment: datetime | None = None) -> list[str]:
    """One run of the maintenance: the partitions made and dropped (PostgreSQL) and the rows past
    their retention deleted. What it did, as statements' descriptions."""
    moment = moment or now()
    today = moment.astimezone(UTC).date()
    done: list[str] = []
    async with exclusive("devices", MAINTENANCE_LOCK) as mine:
        if not mine:
            return done
        conn = _conn()
        pg = _postgres(conn)
        raw_cutoff = datetime.combine(
            today - timedelta(days=rules.telemetry_retention_days), datetime.min.time(), UTC
        )
        if pg:
            existing = await partitions()
            for offset in range(-1, rules.telemetry_partitions_ahead + 1):
                day = today + timedelta(days=offset)
                if day not in existing:
                    await conn.execute_script(create_partition(day))
                    done.append(f"created telemetry_p{day:%Y%m%d}")
            for day in sorted(existing):
                if day < raw_cutoff.date():
                    await conn.execute_script(f"DROP TABLE IF EXISTS telemetry_p{day:%Y%m%d}")
                    done.append(f"dropped telemetry_p{day:%Y%m%d}")
        else:
            count, _ = await conn.execute_query("DELETE FROM telemetry WHERE at < ?", [micros(raw_cutoff)])
            if count:
                done.append(f"deleted {count} samples")
        for table, days in (
            ("telemetry_minute", rules.telemetry_minute_retention_days),
            ("telemetry_hour", rules.telemetry_hour_retention_days),
        ):
            cutoff = moment - timedelta(days=days)
            count, _ = await conn.execute_query(
                _sql(conn, f"DELETE FROM {table} WHERE bucket < $1"), [_param(pg, cutoff)]
            )
            if count:
                done.append(f"deleted {count} rows of {table}")
    return done


async def partitions() -> set[date]:
    """PostgreSQL: the days ``telemetry`` has a partition for."""
    rows = await _conn().execute_query_dict(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'telemetry'::regclass"
    )
    days = set()
    for row in rows:
        if found := PARTITION.match(str(row["name"])):
            days.add(datetime.strptime(found.group(1), "%Y%m%d").date())
    return days


async def learn_baselines(rules: Rules, moment: datetime | None = None) -> int:
    """One run of the baseline learning: the baselines written (one SELECT, one upsert in batches)."""
    moment = moment or now()
    async with exclusive("devices", BASELINE_LOCK) as mine:
        if not mine:
            return 0
        conn = _conn()
        pg = _postgres(conn)
        since = moment - timedelta(days=rules.baseline_days)
        rows = await conn.execute_query_dict(
            _sql(
                conn,
                "SELECT device_id, metric, sum(count) AS n, sum(sum) AS s, sum(sum_sq) AS ss, "
                "count(*) AS hours FROM telemetry_hour WHERE bucket >= $1 GROUP BY device_id, metric",
            ),
            [_param(pg, since)],
        )
        baselines = []
        for row in rows:
            n = int(row["n"])
            if n == 0:
                continue
            mean = float(row["s"]) / n
            variance = max(float(row["ss"]) / n - mean * mean, 0.0)
            baselines.append(
                MetricBaseline(
                    id=uuid4(),
                    device_id=UUID(str(row["device_id"])),
                    metric=str(row["metric"]),
                    mean=mean,
                    stddev=math.sqrt(variance),
                    samples=n,
                    hours=int(row["hours"]),
                    learned_at=moment,
                )
            )
        if baselines:
            await MetricBaseline.bulk_create(
                baselines,
                batch_size=1000,
                on_conflict=["device_id", "metric"],
                update_fields=["mean", "stddev", "samples", "hours", "learned_at"],
            )
    return len(baselines)
