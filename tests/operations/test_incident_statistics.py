"""故障事件统计 (resolvers/operations/statistics.py): the figures per month and level, only over the
incidents in the caller's scope, in one SQL statement whatever the number of incidents."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from models.operations import (
    Incident,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
    Org,
    OrgKind,
    ServicePolicy,
)
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted

pytestmark = pytest.mark.integration

QUERY = """query($from: Date!, $to: Date!) { incidentStatistics(from: $from, to: $to) {
  month level reported closed mttaSeconds mttrSeconds slaCompliance escalations satisfaction } }"""


async def _incident(org: Org, month: date, level: IncidentLevel, **values: Any) -> Incident:
    at = datetime(month.year, month.month, 10, 2, 0, tzinfo=UTC)
    policy = await ServicePolicy.get(is_default=True)
    return await Incident.create(
        code=f"INC-{uuid.uuid4().hex[:10]}",
        org=org,
        org_path=org.path,
        tenant_id=org.tenant_id,
        title="统计用",
        level=level,
        source=IncidentSource.STAFF,
        policy=policy,
        calendar="WORKING_HOURS",
        month=month,
        reported_at=at,
        last_moved_at=at,
        respond_due_at=at,
        on_site_due_at=at,
        resolve_due_at=at,
        **values,
    )


async def _world(settings: Settings, extra: int) -> tuple[str, str, Org]:
    bureau = await make_org("统计信息处", OrgKind.GRID_COMPANY, own_tenant=True)
    room = await make_org("统计机房", OrgKind.HALL, bureau)
    closed = {"status": IncidentStatus.CLOSED}
    may, june = date(2026, 5, 1), date(2026, 6, 1)
    await _incident(
        room,
        may,
        IncidentLevel.LEVEL_1,
        respond_seconds=600,
        resolve_seconds=3600,
        satisfaction=5,
        escalations=1,
        **closed,
    )
    await _incident(
        room,
        may,
        IncidentLevel.LEVEL_1,
        respond_seconds=1200,
        resolve_seconds=7200,
        satisfaction=3,
        resolve_breached=True,
        escalations=2,
        **closed,
    )
    await _incident(room, may, IncidentLevel.LEVEL_1, respond_seconds=300)  # still open
    await _incident(
        room,
        june,
        IncidentLevel.LEVEL_4,
        status=IncidentStatus.ANALYSED,
        respond_seconds=60,
        resolve_seconds=600,
    )
    for _ in range(extra):
        await _incident(room, june, IncidentLevel.LEVEL_3)
    engineer = await make_user(bureau, ("OPS_ENGINEER",), "统计运维")
    other_bureau = await make_org("别的信息处", OrgKind.GRID_COMPANY, own_tenant=True)
    stranger = await make_user(other_bureau, ("OPS_ENGINEER",), "外单位")
    return token_for(engineer, bureau, settings), token_for(stranger, other_bureau, settings), room


async def test_figures_per_month_and_level_in_scope(database: Settings) -> None:
    mine, stranger, _ = await _world(database, extra=0)
    variables = {"from": "2026-05-01", "to": "2026-06-30"}
    statements, result = await counted("operations", QUERY, variables, mine, database)
    assert statements == 1
    rows = {(r["month"], r["level"]): r for r in result["incidentStatistics"]}
    may = rows[("2026-05-01", "LEVEL_1")]
    assert (may["reported"], may["closed"], may["escalations"]) == (3, 2, 3)
    assert may["mttaSeconds"] == 700.0  # (600 + 1200 + 300) / 3 confirmed
    assert may["mttrSeconds"] == 5400.0 and may["satisfaction"] == 4.0  # the closed two
    assert may["slaCompliance"] == 0.5  # one of the two closed missed its resolve target
    june = rows[("2026-06-01", "LEVEL_4")]
    assert (june["closed"], june["slaCompliance"], june["satisfaction"]) == (1, 1.0, None)
    _, theirs = await counted("operations", QUERY, variables, stranger, database)
    assert theirs["incidentStatistics"] == []


async def test_one_statement_whatever_the_number_of_incidents(database: Settings) -> None:
    token, _, _ = await _world(database, extra=40)
    variables = {"from": "2026-06-01", "to": "2026-06-30"}
    statements, result = await counted("operations", QUERY, variables, token, database)
    assert statements == 1
    assert {"LEVEL_3", "LEVEL_4"} <= {r["level"] for r in result["incidentStatistics"]}


async def test_a_range_over_24_months_is_refused(database: Settings) -> None:
    token, _, _ = await _world(database, extra=0)
    result = await execute(
        "operations", QUERY, {"from": "2024-01-01", "to": "2026-01-01"}, token, settings=database
    )
    assert codes(result) == ["BAD_USER_INPUT"]
