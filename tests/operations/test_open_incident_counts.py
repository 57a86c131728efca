"""未关闭故障事件 by level (``openIncidentCounts``, the monitoring wall's panel): every level, the
open incidents in the caller's scope only (an org path out of scope gives zeros, like an unknown
one), in one SQL statement whatever the number of incidents."""

from __future__ import annotations

from datetime import date

import pytest

from models.operations import IncidentLevel, IncidentStatus, OrgKind
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, token_for
from testkit.sqlcount import counted
from tests.operations.test_incident_statistics import _incident

pytestmark = pytest.mark.integration

QUERY = "query($path: String) { openIncidentCounts(orgPath: $path) { level count } }"
LEVELS = ["LEVEL_1", "LEVEL_2", "LEVEL_3", "LEVEL_4"]


async def test_open_incidents_per_level_in_scope(database: Settings) -> None:
    bureau = await make_org("大屏信息处", OrgKind.GRID_COMPANY, own_tenant=True)
    hall, other_hall = (
        await make_org("大屏一厅", OrgKind.HALL, bureau),
        await make_org("大屏二厅", OrgKind.HALL, bureau),
    )
    month = date(2026, 6, 1)
    for _ in range(3):
        await _incident(hall, month, IncidentLevel.LEVEL_2)
    await _incident(other_hall, month, IncidentLevel.LEVEL_2, status=IncidentStatus.CONFIRMED)
    await _incident(hall, month, IncidentLevel.LEVEL_4, status=IncidentStatus.PENDING_CONFIRMATION)
    await _incident(hall, month, IncidentLevel.LEVEL_1, status=IncidentStatus.CLOSED)  # done: not counted
    await _incident(hall, month, IncidentLevel.LEVEL_1, status=IncidentStatus.ANALYSED)
    engineer = await make_user(bureau, ("OPS_ENGINEER",), "大屏运维")
    manager = await make_user(other_hall, ("HALL_MANAGER",), "二厅厅长")
    stranger_org = await make_org("别处信息处", OrgKind.GRID_COMPANY, own_tenant=True)
    stranger = await make_user(stranger_org, ("OPS_ENGINEER",), "外单位")
    mine = token_for(engineer, bureau, database)

    statements, result = await counted("operations", QUERY, {"path": None}, mine, database)
    assert statements == 1
    counts = result["openIncidentCounts"]
    assert [row["level"] for row in counts] == LEVELS  # every level, in order
    assert [row["count"] for row in counts] == [0, 4, 0, 1]
    # One hall's, by its path.
    _, one = await counted("operations", QUERY, {"path": other_hall.path}, mine, database)
    assert [row["count"] for row in one["openIncidentCounts"]] == [0, 1, 0, 0]
    # A hall manager sees their own hall only, even when naming the other's path.
    hall_manager = token_for(manager, other_hall, database)
    _, theirs = await counted("operations", QUERY, {"path": hall.path}, hall_manager, database)
    assert [row["count"] for row in theirs["openIncidentCounts"]] == [0, 0, 0, 0]
    _, own = await counted("operations", QUERY, {"path": None}, hall_manager, database)
    assert [row["count"] for row in own["openIncidentCounts"]] == [0, 1, 0, 0]
    # Out of scope: zeros, with or without the path.
    outsider = token_for(stranger, stranger_org, database)
    for path in (None, bureau.path, hall.path):
        _, seen = await counted("operations", QUERY, {"path": path}, outsider, database)
        assert [row["count"] for row in seen["openIncidentCounts"]] == [0, 0, 0, 0]


async def test_one_statement_whatever_the_number_of_incidents(database: Settings) -> None:
    bureau = await make_org("大屏信息处二", OrgKind.GRID_COMPANY, own_tenant=True)
    hall = await make_org("大屏三厅", OrgKind.HALL, bureau)
    for index in range(30):
        await _incident(hall, date(2026, 6, 1), list(IncidentLevel)[index % 4])
    engineer = await make_user(bureau, ("OPS_ENGINEER",), "大屏运维二")
    statements, result = await counted(
        "operations", QUERY, {"path": None}, token_for(engineer, bureau, database), database
    )
    assert statements == 1
    assert [row["count"] for row in result["openIncidentCounts"]] == [8, 8, 7, 7]
