"""遥测 (telemetry) and 基准线 (baselines): samples stored in batches, each (device, metric) checked
against its fixed threshold or its learned baseline, charts read as downsampled series.

``record_telemetry`` is what ingestion calls inside its own ``devices`` transaction with a batch of
samples from many devices. Whatever the batch size it sends a constant number of statements: one
multi-row INSERT … ON CONFLICT DO NOTHING RETURNING (a redelivered sample changes nothing and
comes back from none of them), one SELECT of the batch's states, thresholds and baselines, one
upsert of the latest values, and when a (device, metric) crosses its limit, one conditional UPDATE
per direction, one SELECT of the devices concerned and the events (one outbox row each). The
conditional UPDATE (``breached = old``) decides each transition: a redelivery or a concurrent
replica cannot publish it twice.

The tables behind: models/devices/telemetry.py (thresholds, baselines, states) and
models/devices/telemetry_sql.py (the samples and roll-ups; PostgreSQL partitions by UTC day).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models.devices import Device, MetricBaseline, MetricState, MetricThreshold
from realtime.broker import DEVICE_STATUS
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, not_found
from resolvers.common.events import publish
from resolvers.common.loading import scoped
from resolvers.common.rules import Rules
from resolvers.devices.permissions import require_device_admin
from resolvers.devices.scopes import device_scope
from security.principal import Principal

METRIC_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
MAX_POINTS = 1000
FUTURE = timedelta(hours=1)  # a device clock may run this far ahead; beyond, the sample is dropped
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Sample:
    device_id: UUID
    metric: str
    at: datetime
    value: float


def _conn() -> BaseDBAsyncClient:
    """The devices connection: the running transaction's when there is one."""
    return connections.get("devices")


def _postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def _sql(conn: BaseDBAsyncClient, statement: str) -> str:
    """A statement written with PostgreSQL's numbered placeholders ($1), for ``conn``'s dialect."""
    return statement if _postgres(conn) else statement.replace("$", "?")


def micros(at: datetime) -> int:
    """SQLite's ``at`` and ``bucket``: integer microseconds since the epoch (UTC)."""
    delta = at - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=int(value))


def _time(conn: BaseDBAsyncClient, value: Any) -> datetime:
    """An ``at`` or ``bucket`` as read back from either dialect."""
    if _postgres(conn):
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return from_micros(int(value))


def _stamp(value: Any) -> datetime:
    """A Tortoise datetime column read by raw SQL (SQLite gives its text)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def valid(sample: Sample, earliest: datetime, latest: datetime) -> bool:
    """A metric name of ``[a-z][a-z0-9_]{0,39}``, a finite value, a time zone, a time in the window."""
    return (
        isinstance(sample.metric, str)
        and METRIC_NAME.match(sample.metric) is not None
        and isinstance(sample.value, int | float)
        and math.isfinite(sample.value)
        and isinstance(sample.at, datetime)
        and sample.at.tzinfo is not None
        and earliest <= sample.at <= latest
    )


# -- ingestion ----------------------------------------------------------------------------------------

_INSERT_PG = (
    "INSERT INTO telemetry (device_id, metric, at, value) "
    "SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::timestamptz[], $4::float8[]) "
    "ON CONFLICT DO NOTHING RETURNING device_id, metric, at, value"
)
_INSERT_SQLITE = (
    "INSERT INTO telemetry (device_id, metric, at, value) "
    "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), "
    "json_extract(j.value, '$[3]') FROM json_each(?1) AS j WHERE true "
    "ON CONFLICT DO NOTHING RETURNING device_id, metric, at, value"
)

# The batch's (device, metric) keys with their state, fixed threshold and baseline.
_LIMITS = (
    "SELECT k.device_id, k.metric, s.last_at, s.breached, t.high, t.low, b.mean, b.stddev, b.hours "
    "FROM {keys} LEFT JOIN metric_state s ON s.device_id = k.device_id AND s.metric = k.metric "
    "LEFT JOIN metric_threshold t ON t.device_id = k.device_id AND t.metric = k.metric "
    "LEFT JOIN metric_baseline b ON b.device_id = k.device_id AND b.metric = k.metric"
)
_KEYS_PG = "unnest($1::uuid[], $2::varchar[]) AS k(device_id, metric)"
_KEYS_SQLITE = (
    "(SELECT json_extract(j.value, '$[0]') AS device_id, json_extract(j.value, '$[1]') AS metric "
    "FROM json_each(?1) AS j) AS k"
)

_LATEST_PG = (
    "INSERT INTO metric_state (id, device_id, metric, last_value, last_at, breached) "
    "SELECT u.*, FALSE FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::float8[], $5::timestamptz[]) "
    "AS u ON CONFLICT (device_id, metric) DO UPDATE SET last_value = EXCLUDED.last_value, "
    "last_at = EXCLUDED.last_at WHERE metric_state.last_at <= EXCLUDED.last_at"
)
_LATEST_SQLITE = (
    "INSERT INTO metric_state (id, device_id, metric, last_value, last_at, breached) "
    "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), "
    "json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]'), 0 FROM json_each(?1) AS j WHERE true "
    "ON CONFLICT (device_id, metric) DO UPDATE SET last_value = excluded.last_value, "
    "last_at = excluded.last_at WHERE metric_state.last_at <= excluded.last_at"
)

_FLIP_PG = (
    "UPDATE metric_state SET breached = $1, changed_at = $2 WHERE breached = $3 "
    "AND (device_id, metric) IN (SELECT * FROM unnest($4::uuid[], $5::varchar[])) RETURNING device_id, metric"
)
_FLIP_SQLITE = (
    "UPDATE metric_state SET breached = ?1, changed_at = ?2 WHERE breached = ?3 "
    "AND device_id || '/' || metric IN (SELECT value FROM json_each(?4)) RETURNING device_id, metric"
)


@dataclass(frozen=True)
class Verdict:
    """How one value stands against its limits: breached (with which bound, limit and basis) or not."""

    breached: bool
    limit: float | None = None
    bound: str | None = None  # HIGH | LOW
    basis: str | None = None  # THRESHOLD | BASELINE


OK = Verdict(False)


def judge(value: float, row: dict[str, Any], rules: Rules) -> Verdict | None:
    """A fixed threshold (high and/or low) wins when set; else the baseline, once it has
    ``baseline_min_hours`` of history: breached outside mean ± k·σ (σ at least 1 % of |mean| and
    1e-6, so a flat history does not make every wiggle a breach). None: nothing to judge by."""
    high, low = row.get("high"), row.get("low")
    if high is not None or low is not None:
        if high is not None and value > high:
            return Verdict(True, float(high), "HIGH", "THRESHOLD")
        if low is not None and value < low:
            return Verdict(True, float(low), "LOW", "THRESHOLD")
        return OK
    mean, stddev, hours = row.get("mean"), row.get("stddev"), row.get("hours")
    if mean is None or stddev is None or (hours or 0) < rules.baseline_min_hours:
        return None
    band = rules.baseline_k * max(float(stddev), 0.01 * abs(float(mean)), 1e-6)
    if value > mean + band:
        return Verdict(True, float(mean) + band, "HIGH", "BASELINE")
    if value < mean - band:
        return Verdict(True, float(mean) - band, "LOW", "BASELINE")
    return OK


async def record_telemetry(
    samples: Sequence[Sample], moment: datetime | None = None, *, rules: Rules | None = None
) -> int:
    """Store ``samples`` (in the caller's ``devices`` transaction) and publish the breaches they
    start or end; the number stored. A bad sample (metric name, value not finite, time without a
    zone, older than ``telemetry_late_hours`` or over an hour ahead) is dropped, not raised; a
    sample already stored is not stored again."""
    rules = rules or Rules()
    moment = moment or now()
    earliest, latest = moment - timedelta(hours=rules.telemetry_late_hours), moment + FUTURE
    given = {(s.device_id, s.metric, s.at.astimezone(UTC)): s for s in samples if valid(s, earliest, latest)}
    if not given:
        return 0
    # In key order: concurrent batches then take their row locks in the same order (no deadlock).
    batch = {key: given[key] for key in sorted(given, key=lambda k: (str(k[0]), k[1], k[2]))}
    conn = _conn()
    if _postgres(conn):
        columns = list(zip(*batch, strict=True))
        params: list[Any] = [list(columns[0]), list(columns[1]), list(columns[2])]
        params.append([float(s.value) for s in batch.values()])
        stored = await conn.execute_query_dict(_INSERT_PG, params)
    else:
        rows = [[str(d), m, micros(at), float(s.value)] for (d, m, at), s in batch.items()]
        stored = await conn.execute_query_dict(_INSERT_SQLITE, [json.dumps(rows)])
    newest: dict[tuple[UUID, str], tuple[datetime, float]] = {}
    for row in stored:
        key = (UUID(str(row["device_id"])), str(row["metric"]))
        at = _time(conn, row["at"])
        if key not in newest or newest[key][0] < at:
            newest[key] = (at, float(row["value"]))
    if newest:
        await _check(conn, newest, moment, rules)
    return len(stored)


async def _check(
    conn: BaseDBAsyncClient,
    newest: dict[tuple[UUID, str], tuple[datetime, float]],
    moment: datetime,
    rules: Rules,
) -> None:
    """The latest values of the batch's keys, and the transitions they make (published once)."""
    keys = sorted(newest, key=lambda k: (str(k[0]), k[1]))  # row locks in one order across batches
    pg = _postgres(conn)
    if pg:
        limits = await conn.execute_query_dict(
            _LIMITS.format(keys=_KEYS_PG), [[d for d, _ in keys], [m for _, m in keys]]
        )
        values = [[uuid4() for _ in keys], [d for d, _ in keys], [m for _, m in keys]]
        values += [[newest[k][1] for k in keys], [newest[k][0] for k in keys]]
        await conn.execute_query(_LATEST_PG, values)
    else:
        limits = await conn.execute_query_dict(
            _LIMITS.format(keys=_KEYS_SQLITE), [json.dumps([[str(d), m] for d, m in keys])]
        )
        rows = [
            [str(uuid4()), str(d), m, newest[(d, m)][1], newest[(d, m)][0].isoformat(" ")] for d, m in keys
        ]
        await conn.execute_query(_LATEST_SQLITE, [json.dumps(rows)])
    verdicts: dict[tuple[UUID, str], Verdict] = {}
    for row in limits:
        key = (UUID(str(row["device_id"])), str(row["metric"]))
        at, value = newest[key]
        if row["last_at"] is not None and _stamp(row["last_at"]) > at:
            continue  # a late sample: the state already holds a newer one
        verdict = judge(value, row, rules)
        if verdict is not None and verdict.breached != bool(row["breached"]):
            verdicts[key] = verdict
    if not verdicts:
        return
    flipped: list[tuple[UUID, str]] = []
    for to in (True, False):
        wanted = [key for key in keys if key in verdicts and verdicts[key].breached is to]
        if wanted:
            flipped += await _flip(conn, wanted, to, moment)
    if not flipped:
        return
    devices = {d.id: d for d in await Device.filter(id__in=list({d for d, _ in flipped}))}
    for key in flipped:
        device = devices.get(key[0])
        if device is None:
            continue  # samples of a device that no longer exists: nobody to tell
        verdict, (at, value) = verdicts[key], newest[key]
        await publish(
            DEVICE_STATUS,
            "device.breach" if verdict.breached else "device.breach_cleared",
            device,
            hall_id=device.hall_id,
            org_path=device.org_path,
            metric=key[1],
            value=value,
            at=at,
            limit=verdict.limit,
            bound=verdict.bound,
            basis=verdict.basis,
        )


async def _flip(
    conn: BaseDBAsyncClient, keys: list[tuple[UUID, str]], to: bool, moment: datetime
) -> list[tuple[UUID, str]]:
    """Set ``breached`` to ``to`` on the keys where it is not yet: the keys this call changed."""
    if _postgres(conn):
        params: list[Any] = [to, moment, not to, [d for d, _ in keys], [m for _, m in keys]]
        rows = await conn.execute_query_dict(_FLIP_PG, params)
    else:
        names = json.dumps([f"{d}/{m}" for d, m in keys])
        rows = await conn.execute_query_dict(
            _FLIP_SQLITE, [int(to), moment.isoformat(" "), int(not to), names]
        )
    return [(UUID(str(row["device_id"])), str(row["metric"])) for row in rows]


# -- thresholds ---------------------------------------------------------------------------------------


async def set_metric_threshold(
    principal: Principal, device_id: UUID, metric: str, high: float | None, low: float | None
) -> MetricThreshold:
    """设置阈值: the fixed high and/or low limit of one metric of a device the caller sees (else
    NOT_FOUND) and runs (else FORBIDDEN); both None removes the fixed threshold (the baseline
    judges again). Takes effect from the next sample."""
    if not isinstance(metric, str) or METRIC_NAME.match(metric) is None:
        raise bad_input("metric must match [a-z][a-z0-9_]{0,39}")
    for name, value in (("high", high), ("low", low)):
        if value is not None and not math.isfinite(value):
            raise bad_input(f"{name} must be a finite number")
    if high is not None and low is not None and low >= high:
        raise bad_input("low must be below high")
    async with change("devices", "MetricThreshold") as audited:
        # The device row locked: two settings of its thresholds at once run in turn (no duplicate).
        device = await scoped(principal, Device, device_scope).select_for_update().get_or_none(id=device_id)
        if device is None:
            raise not_found("device")  # or out of scope: the same answer
        require_device_admin(principal)
        row = await MetricThreshold.get_or_none(device_id=device.id, metric=metric)
        if row is None:
            row = await MetricThreshold.create(
                device_id=device.id,
                org_path=device.org_path,
                metric=metric,
                high=high,
                low=low,
                set_by=principal.user_id,
            )
        else:
            row.high, row.low, row.set_by, row.org_path = high, low, principal.user_id, device.org_path
            await row.save(update_fields=["high", "low", "set_by", "org_path", "updated_at"])
        audited.id = row.id
        audited.detail.update(device_id=str(device.id), metric=metric, high=high, low=low)
    return row


# -- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    at: datetime  # the bucket's start
    avg: float
    min: float
    max: float
    count: int


@dataclass(frozen=True)
class Series:
    metric: str
    step_seconds: int
    points: list[Point]


@dataclass(frozen=True)
class SeriesPlan:
    """Where a chart's series is read from and how it is bucketed: ``table`` (raw or a roll-up),
    buckets of ``step`` seconds from ``origin`` (the start floored to the table's granularity)."""

    metric: str
    start: datetime
    end: datetime
    table: str
    step: int
    origin: datetime


SOURCES = (("telemetry", 1), ("telemetry_minute", 60), ("telemetry_hour", 3600))


def _retention(rules: Rules, table: str) -> timedelta:
    days = {
        "telemetry": rules.telemetry_retention_days,
        "telemetry_minute": rules.telemetry_minute_retention_days,
        "telemetry_hour": rules.telemetry_hour_retention_days,
    }[table]
    return timedelta(days=days)


def plan_series(
    metric: str, start: datetime, end: datetime, points: int, rules: Rules, moment: datetime | None = None
) -> SeriesPlan:
    """The source and step that give at most ``points`` buckets between ``start`` and ``end``: the
    coarsest source not coarser than the step needs (raw below a minute a point, the minute roll-up
    below an hour, else the hour roll-up), coarser still when ``start`` is past its retention.
    BAD_USER_INPUT for a bad metric name, ``start >= end``, points outside 1..1000, or a range
    reaching past the longest retention."""
    if not isinstance(metric, str) or METRIC_NAME.match(metric) is None:
        raise bad_input("metric must match [a-z][a-z0-9_]{0,39}")
    if not 1 <= points <= MAX_POINTS:
        raise bad_input(f"points must be between 1 and {MAX_POINTS}")
    if start.tzinfo is None or end.tzinfo is None:
        raise bad_input("from and to need a time zone")
    if start >= end:
        raise bad_input("from must be before to")
    moment = moment or now()
    if start < moment - _retention(rules, "telemetry_hour"):
        raise bad_input("the range reaches past the retention of telemetry (遥测保留期)")
    need = (end - start).total_seconds() / points
    index = max(i for i, (_, width) in enumerate(SOURCES) if width <= max(need, 1))
    while index < len(SOURCES) - 1 and start < moment - _retention(rules, SOURCES[index][0]):
        index += 1  # the finer source no longer holds the start of the range
    table, g = SOURCES[index]
    origin = EPOCH + timedelta(seconds=(micros(start) // (g * 1_000_000)) * g)
    span = (end - origin).total_seconds()
    step = g * max(1, math.ceil(span / (points * g)))
    return SeriesPlan(metric, start.astimezone(UTC), end.astimezone(UTC), table, step, origin)


_AGGREGATES = {
    "telemetry": ("at", "avg(value) AS avg, min(value) AS lo, max(value) AS hi, count(*) AS n"),
    "telemetry_minute": (
        "bucket",
        "sum(sum) / sum(count) AS avg, min(min) AS lo, max(max) AS hi, sum(count) AS n",
    ),
}
_AGGREGATES["telemetry_hour"] = _AGGREGATES["telemetry_minute"]


async def load_series(device_ids: Sequence[UUID], plan: SeriesPlan) -> dict[UUID, Series]:
    """Each device's series by ``plan``: one statement for all of them."""
    column, aggregates = _AGGREGATES[plan.table]
    conn = _conn()
    if _postgres(conn):
        slot = f"floor(EXTRACT(EPOCH FROM {column} - $5::timestamptz)::float8 / $6::float8)::bigint"
        params: list[Any] = [
            list(device_ids),
            plan.metric,
            plan.origin,
            plan.end,
            plan.origin,
            float(plan.step),
        ]
        ids = "device_id = ANY($1::uuid[])"
    else:
        slot = f"({column} - ?5) / ?6"
        params = [
            json.dumps([str(d) for d in device_ids]),
            plan.metric,
            micros(plan.origin),
            micros(plan.end),
        ]
        params += [micros(plan.origin), plan.step * 1_000_000]
        ids = "device_id IN (SELECT value FROM json_each(?1))"
    lower = plan.start if plan.table == "telemetry" else plan.origin
    params[2] = lower if _postgres(conn) else micros(lower)
    statement = _sql(
        conn,
        f"SELECT device_id, {slot} AS slot, {aggregates} FROM {plan.table} WHERE {ids} AND metric = $2 "
        f"AND {column} >= $3 AND {column} < $4 GROUP BY device_id, slot ORDER BY device_id, slot",
    )
    found: dict[UUID, list[Point]] = {d: [] for d in device_ids}
    for row in await conn.execute_query_dict(statement, params):
        at = plan.origin + timedelta(seconds=int(row["slot"]) * plan.step)
        point = Point(at, float(row["avg"]), float(row["lo"]), float(row["hi"]), int(row["n"]))
        found.setdefault(UUID(str(row["device_id"])), []).append(point)
    return {d: Series(plan.metric, plan.step, found[d]) for d in device_ids}


@dataclass(frozen=True)
class DeviceMetric:
    """One metric of a device: its latest value, fixed threshold, baseline and whether breached."""

    metric: str
    value: float | None
    at: datetime | None
    breached: bool
    high: float | None
    low: float | None
    baseline_mean: float | None
    baseline_stddev: float | None


async def load_metrics(device_ids: Sequence[UUID]) -> dict[UUID, list[DeviceMetric]]:
    """Every metric of each device (those with samples or a threshold), by name: three statements
    for all of them (states, thresholds, baselines), bounded by the devices' metrics."""
    ids = list(device_ids)
    states = await MetricState.filter(device_id__in=ids)
    thresholds = {(t.device_id, t.metric): t for t in await MetricThreshold.filter(device_id__in=ids)}
    baselines = {(b.device_id, b.metric): b for b in await MetricBaseline.filter(device_id__in=ids)}
    latest = {(s.device_id, s.metric): s for s in states}
    found: dict[UUID, list[DeviceMetric]] = {d: [] for d in ids}
    for key in sorted(set(latest) | set(thresholds), key=lambda k: (str(k[0]), k[1])):
        state, threshold, baseline = latest.get(key), thresholds.get(key), baselines.get(key)
        found[key[0]].append(
            DeviceMetric(
                metric=key[1],
                value=state.last_value if state else None,
                at=state.last_at if state else None,
                breached=bool(state and state.breached),
                high=threshold.high if threshold else None,
                low=threshold.low if threshold else None,
                baseline_mean=baseline.mean if baseline else None,
                baseline_stddev=baseline.stddev if baseline else None,
            )
        )
    return found
