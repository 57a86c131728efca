"""遥测与基准线 (resolvers/devices/telemetry.py, rollups.py): samples stored once, a breach and
its clearing published once, roll-ups equal to the raw aggregates, downsampled series bounded,
constant statements per batch and per request, partitions and retention, and scope."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from graphql import parse
from tortoise import connections
from tortoise.transactions import in_transaction

from models.devices import Device, DeviceKind, DeviceStatus, MetricBaseline, MetricThreshold, OutboxEvent
from models.devices.telemetry_sql import create_partition
from resolvers.common.clock import now
from resolvers.common.rules import Rules
from resolvers.devices.rollups import learn_baselines, maintain, partitions, roll_up
from resolvers.devices.telemetry import Sample, micros, record_telemetry
from security.query_limits import operation_cost
from subgraphs.registry import spec_of
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_staff, make_tenant
from testkit.inprocess import codes, execute
from testkit.sqlcount import count_statements, statements_of
from tests.support import services

pytestmark = pytest.mark.integration

RULES = Rules()
RULES_LIST = 20  # the default list size of the cost limit
SERIES = """query($id: ID!, $m: String!, $f: DateTime!, $t: DateTime!, $p: Int) { device(id: $id) {
  telemetry(metric: $m, from: $f, to: $t, points: $p) { metric stepSeconds points { at avg min max count } } } }"""
METRICS = "query($id: ID!) { device(id: $id) { metrics { metric value breached high low baselineMean } } }"
SET = """mutation($i: MetricThresholdInput!) { setMetricThreshold(input: $i) { metric high low device { id } } }"""


def _pg() -> bool:
    return connections.get("devices").capabilities.dialect == "postgres"


async def _store(samples: list[Sample], moment: datetime | None = None) -> int:
    async with in_transaction("devices"):
        return await record_telemetry(samples, moment)


async def _rows(device: Device) -> int:
    conn = connections.get("devices")
    sql = "SELECT count(*) AS n FROM telemetry WHERE device_id = " + ("$1" if _pg() else "?")
    rows = await conn.execute_query_dict(sql, [device.id if _pg() else str(device.id)])
    return int(rows[0]["n"])


async def _events(device: Device, type_: str) -> list[OutboxEvent]:
    rows = await OutboxEvent.filter(type=type_).all()
    return [row for row in rows if row.payload["id"] == str(device.id)]


async def _device(tenant: Tenant, n: int = 0) -> Device:
    return await Device.create(
        code=f"T{uuid.uuid4().hex[:10]}",
        name=f"遥测终端{n}",
        kind=DeviceKind.SERVER,
        hall_id=tenant.hall.id,
        org_path=tenant.hall.path,
        status=DeviceStatus.ONLINE,
    )


async def test_same_sample_twice_is_one_row(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    at = now() - timedelta(seconds=5)
    sample = Sample(tenant.device.id, "cpu", at, 42.0)
    assert await _store([sample, sample]) == 1
    assert await _store([sample]) == 0
    assert await _rows(tenant.device) == 1


async def test_bad_samples_are_dropped_not_raised(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    at, d = now() - timedelta(seconds=1), tenant.device.id
    bad = [
        Sample(d, "CPU", at, 1.0),
        Sample(d, "cpu-load", at, 1.0),
        Sample(d, "x" * 41, at, 1.0),
        Sample(d, "cpu", at, float("nan")),
        Sample(d, "cpu", at, float("inf")),
        Sample(d, "cpu", at.replace(tzinfo=None), 1.0),
        Sample(d, "cpu", at - timedelta(days=3), 1.0),
        Sample(d, "cpu", at + timedelta(days=1), 1.0),
    ]
    assert await _store([*bad, Sample(d, "memory", at, 3.0)]) == 1


async def test_breach_publishes_once_and_clear_publishes_cleared(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    device = tenant.device
    await MetricThreshold.create(
        device_id=device.id, org_path=device.org_path, metric="temperature", high=60.0, set_by=uuid.uuid4()
    )
    start = now() - timedelta(minutes=1)
    hot = [Sample(device.id, "temperature", start + timedelta(seconds=i), 70.0 + i) for i in range(5)]
    assert await _store(hot) == 5
    assert await _store(hot) == 0  # the same batch again: nothing stored, nothing published
    hotter = [Sample(device.id, "temperature", start + timedelta(seconds=10), 90.0)]
    assert await _store(hotter) == 1  # still breached: no second event
    breaches = await _events(device, "device.breach")
    assert len(breaches) == 1
    scope = breaches[0].scope
    assert scope["metric"] == "temperature" and scope["bound"] == "HIGH" and scope["basis"] == "THRESHOLD"
    assert scope["value"] == 74.0 and scope["limit"] == 60.0 and scope["hall_id"] == str(device.hall_id)
    cool = [Sample(device.id, "temperature", start + timedelta(seconds=20), 40.0)]
    assert await _store(cool) == 1
    assert await _store(cool) == 0
    cleared = await _events(device, "device.breach_cleared")
    assert len(cleared) == 1 and cleared[0].scope["metric"] == "temperature"
    late = [Sample(device.id, "temperature", start + timedelta(seconds=15), 99.0)]
    assert await _store(late) == 1  # older than the latest value: judged by nothing
    assert len(await _events(device, "device.breach")) == 1


async def test_baseline_breach_needs_history_and_threshold_wins(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    device = tenant.device
    baseline: dict[str, Any] = {"device_id": device.id, "mean": 50.0, "stddev": 5.0, "samples": 1000}
    await MetricBaseline.create(id=uuid.uuid4(), metric="cpu", hours=48, learned_at=now(), **baseline)
    await MetricBaseline.create(id=uuid.uuid4(), metric="memory", hours=2, learned_at=now(), **baseline)
    await MetricBaseline.create(id=uuid.uuid4(), metric="disk", hours=48, learned_at=now(), **baseline)
    await MetricThreshold.create(
        device_id=device.id, org_path=device.org_path, metric="disk", high=95.0, set_by=uuid.uuid4()
    )
    at = now() - timedelta(seconds=2)
    await _store([Sample(device.id, m, at, 80.0) for m in ("cpu", "memory", "disk")])
    breaches = await _events(device, "device.breach")
    assert [(e.scope["metric"], e.scope["basis"], e.scope["limit"]) for e in breaches] == [
        ("cpu", "BASELINE", 65.0)
    ]
    await _store([Sample(device.id, "cpu", at + timedelta(seconds=1), 20.0)])  # below 35: LOW
    assert len(await _events(device, "device.breach_cleared")) == 0  # still breached, other side


async def _spread(device: Device, start: datetime, seconds: int, every: int = 1) -> list[Sample]:
    return [
        Sample(device.id, "cpu", start + timedelta(seconds=i), float((i * 7) % 100))
        for i in range(0, seconds, every)
    ]


async def test_rollups_equal_raw_aggregates_and_baselines_learn(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    device = tenant.device
    start = now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    samples = await _spread(device, start, 3 * 3600, every=10)
    assert await _store(samples) == len(samples)
    later = start + timedelta(hours=3, minutes=2)
    # ``since``: the stack's own job may have moved the watermarks past these samples already
    await roll_up(RULES, later, since=start)
    await roll_up(RULES, later, since=start)  # again: the same rows
    conn = connections.get("devices")
    param = device.id if _pg() else str(device.id)
    where = " WHERE device_id = " + ("$1" if _pg() else "?") + " ORDER BY bucket"
    minutes = await conn.execute_query_dict("SELECT * FROM telemetry_minute" + where, [param])
    hours = await conn.execute_query_dict("SELECT * FROM telemetry_hour" + where, [param])
    assert len(minutes) == 180 and len(hours) == 3
    for rows, width in ((minutes, 60), (hours, 3600)):
        for row in rows:
            bucket = (
                row["bucket"]
                if _pg()
                else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=row["bucket"])
            )
            inside = [s.value for s in samples if bucket <= s.at < bucket + timedelta(seconds=width)]
            assert (row["count"], row["sum"], row["min"], row["max"]) == (
                len(inside),
                pytest.approx(sum(inside)),
                min(inside),
                max(inside),
            )
    assert await learn_baselines(Rules(baseline_days=1), later) >= 1
    learned = await MetricBaseline.get(device_id=device.id, metric="cpu")
    values = [s.value for s in samples]
    mean = sum(values) / len(values)
    assert learned.samples == len(values) and learned.hours == 3
    assert learned.mean == pytest.approx(mean)
    assert learned.stddev == pytest.approx((sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5)


async def test_series_are_downsampled_and_bounded(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    device = tenant.device
    start = now().replace(microsecond=0) - timedelta(minutes=20)
    samples = await _spread(device, start, 600)
    await _store(samples)
    await roll_up(RULES, since=start)  # a point a minute or more reads the minute roll-up
    variables: dict[str, Any] = {"id": str(device.id), "m": "cpu", "f": start.isoformat()}
    for points in (1, 7, 120, 1000):
        given = variables | {"t": (start + timedelta(minutes=10)).isoformat(), "p": points}
        result = await execute("devices", SERIES, given, tenant.hall_token, settings=database)
        assert result.errors is None, result.errors
        series = result.data["device"]["telemetry"]
        assert 1 <= len(series["points"]) <= points
        assert sum(p["count"] for p in series["points"]) == 600
        assert min(p["min"] for p in series["points"]) == min(s.value for s in samples)
    bad = [
        variables | {"t": start.isoformat(), "p": 10},  # from = to
        variables | {"t": (start + timedelta(minutes=1)).isoformat(), "p": 0},
        variables | {"t": (start + timedelta(minutes=1)).isoformat(), "p": 1001},
        variables | {"m": "Bad Name", "t": (start + timedelta(minutes=1)).isoformat(), "p": 10},
        variables | {"f": (start - timedelta(days=800)).isoformat(), "t": start.isoformat(), "p": 10},
    ]
    for given in bad:
        result = await execute("devices", SERIES, given, tenant.hall_token, settings=database)
        assert codes(result) == ["BAD_USER_INPUT"], given


async def test_statements_constant_for_devices_and_batches(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    devices = [await _device(tenant, i) for i in range(49)]
    start = now().replace(microsecond=0) - timedelta(minutes=5)
    batch = [
        Sample(d.id, m, start + timedelta(seconds=s), 1.0)
        for d in devices
        for m in ("cpu", "net_in")
        for s in range(10)
    ]
    await _store(batch[:20])
    counts = []
    for size in (10, 1000):
        chunk = [Sample(s.device_id, s.metric, s.at + timedelta(seconds=30), 2.0) for s in batch[:size]]
        with count_statements() as counter:
            await _store(chunk)
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 6, counts
    query = """query($h: ID!, $n: Int!, $f: DateTime!, $t: DateTime!) { devices(hallId: $h, first: $n) {
      nodes { telemetry(metric: "cpu", from: $f, to: $t, points: 30) { points { avg } } metrics { metric value } } } }"""
    given = {"h": str(tenant.hall.id), "f": start.isoformat(), "t": now().isoformat()}
    one = await statements_of("devices", query, given | {"n": 1}, tenant.hall_token, database)
    fifty = await statements_of("devices", query, given | {"n": 50}, tenant.hall_token, database)
    assert one == fifty <= 8, (one, fifty)


async def test_partitions_and_retention(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    today = now().date()
    conn = connections.get("devices")
    old = now() - timedelta(days=RULES.telemetry_retention_days + 5)
    if services.STORAGE == "real":
        await conn.execute_script(create_partition(old.date()))
        await conn.execute_query("INSERT INTO telemetry VALUES ($1, 'cpu', $2, 1.0)", [tenant.device.id, old])
        assert old.date() in await partitions()
    else:
        await conn.execute_query(
            "INSERT INTO telemetry VALUES (?, 'cpu', ?, 1.0)", [str(tenant.device.id), micros(old)]
        )
    done = await maintain(RULES)
    assert await _rows(tenant.device) == 0
    if services.STORAGE == "real":
        days = await partitions()
        assert {today + timedelta(days=i) for i in range(RULES.telemetry_partitions_ahead + 1)} <= days
        assert old.date() not in days and f"dropped telemetry_p{old:%Y%m%d}" in done
    await maintain(RULES)  # again: nothing to do, no error


async def test_thresholds_and_telemetry_stay_in_scope(database: Settings) -> None:
    a = await make_tenant(database, customers=0, grabbers=0, needs=0)
    b = await make_tenant(database, customers=0, grabbers=0, needs=0)
    _engineer, engineer = await make_staff(a.hall, ("OPS_ENGINEER",), database)
    _regulator, regulator = await make_staff(a.hall, ("REGULATOR",), database)
    given = {"i": {"deviceId": str(a.device.id), "metric": "cpu", "high": 90.0, "low": 5.0}}
    for token in (b.hall_token, a.manager_token):
        result = await execute("devices", SET, given, token, settings=database)
        assert codes(result) == ["NOT_FOUND"]
    assert codes(await execute("devices", SET, given, regulator, settings=database)) == ["FORBIDDEN"]
    assert not await MetricThreshold.filter(device_id=a.device.id).exists()
    bad = {"i": given["i"] | {"low": 95.0}}
    assert codes(await execute("devices", SET, bad, engineer, settings=database)) == ["BAD_USER_INPUT"]
    result = await execute("devices", SET, given, engineer, settings=database)
    assert result.errors is None and result.data["setMetricThreshold"]["high"] == 90.0
    again = await execute(
        "devices", SET, given | {"i": given["i"] | {"high": 80.0}}, a.hall_token, settings=database
    )
    assert again.errors is None
    assert await MetricThreshold.filter(device_id=a.device.id).count() == 1
    await _store([Sample(a.device.id, "cpu", now() - timedelta(seconds=1), 85.0)])
    metrics = await execute("devices", METRICS, {"id": str(a.device.id)}, a.hall_token, settings=database)
    assert metrics.data["device"]["metrics"] == [
        {"metric": "cpu", "value": 85.0, "breached": True, "high": 80.0, "low": 5.0, "baselineMean": None}
    ]
    start = now() - timedelta(minutes=5)
    series = {"id": str(a.device.id), "m": "cpu", "f": start.isoformat(), "t": now().isoformat(), "p": 10}
    theirs = await execute("devices", SERIES, series, b.hall_token, settings=database)
    assert theirs.data == {"device": None}
    entities = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Device {
      metrics { metric } telemetry(metric: "cpu", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { metric } } } }"""
    reps = {"r": [{"__typename": "Device", "id": str(a.device.id)}]}
    result = await execute("devices", entities, reps, b.hall_token, settings=database)
    assert "NOT_FOUND" in codes(result) and not (result.data or {}).get("_entities", [None])[0]


def test_series_cost_counts_its_points() -> None:
    """The query cost limit (security/query_limits.py, gateway/limits.ts) counts a series by its
    ``points``: 50 devices of 1,000-point series are refused, as their rows would be."""
    query = """query($p: Int) { device(id: "00000000-0000-0000-0000-000000000000") {
      telemetry(metric: "cpu", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", points: $p) {
        metric points { at avg } } } }"""
    schema = spec_of("devices").schema._schema
    cost = {p: operation_cost(schema, parse(query), None, {"p": p}, RULES_LIST) for p in (10, 1000)}
    assert cost == {10: 2 + 10 * 4, 1000: 2 + 1000 * 4}


async def test_threshold_set_twice_at_once_is_one_row(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    given = {"i": {"deviceId": str(tenant.device.id), "metric": "disk", "high": 90.0}}
    results = await asyncio.gather(
        *(execute("devices", SET, given, tenant.hall_token, settings=database) for _ in range(3))
    )
    assert [codes(r) for r in results] == [[], [], []]
    assert await MetricThreshold.filter(device_id=tenant.device.id, metric="disk").count() == 1
