"""监管统计: figures, rates and period-on-period change per institution / product and per district,
who may see them, and a constant number of SQL statements whatever the number of handlings.

Every test arranges handlings in periods of its own (years no other test writes to) and reads
back only its own institutions and districts, since the database is shared by the run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import data, gql
from models.finance import (
    FinancialProduct,
    Handling,
    HandlingStatus,
    Institution,
    OrderKind,
)
from models.operations import Org, OrgKind
from resolvers.finance.statistics import periods
from subgraphs.settings import Settings
from testkit.factories import make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

STATISTICS = """query($period: StatisticsPeriod!, $group: StatisticsGroup!, $start: Date!, $end: Date!, $inst: ID) {
  marketplaceStatistics(period: $period, groupBy: $group, start: $start, end: $end, institutionId: $inst) {
    period institution { id name } product { id name } orders processed processingRate preReviewPassRate
    appliedAmount creditedAmount disbursedAmount
    ordersChange appliedAmountChange creditedAmountChange disbursedAmountChange
  }
}"""

TRENDS = """query($period: StatisticsPeriod!, $start: Date!, $end: Date!) {
  districtTrends(period: $period, start: $start, end: $end) {
    period district orders appliedAmount disbursedAmount ordersChange
  }
}"""

S = HandlingStatus


async def make_handling(
    institution: Institution,
    week: date,
    amount: str,
    status: HandlingStatus,
    *,
    product: FinancialProduct | None = None,
    month: date | None = None,
    district: str = "",
    passed: bool | None = None,
    credit: str | None = None,
    disbursed: str | None = None,
) -> Handling:
    """A 受理单 straight in the table: an application when ``product`` is given, else a need."""
    return await Handling.create(
        order_kind=OrderKind.APPLICATION if product else OrderKind.NEED,
        order_no=f"T{uuid.uuid4().hex[:12]}",
        product_id=product.id if product else None,
        institution=institution,
        status=status,
        amount=Decimal(amount),
        district=district,
        week=week,
        month=month or week.replace(day=1),
        pre_review_passed=passed,
        credit_amount=Decimal(credit) if credit else None,
        disbursed_amount=Decimal(disbursed) if disbursed else None,
    )


@dataclass
class World:
    settings: Settings
    institution: Institution  # A: the handlings below
    product: FinancialProduct  # A's listed product
    other: Institution  # B: one handling in the first week
    districts: tuple[str, str]
    regulator: str  # tokens
    fi_admin: str  # FI_ADMIN of A
    account_manager: str  # FI_ACCOUNT_MANAGER of A
    customer_manager: str


@pytest.fixture(scope="module")
async def world(database: Settings) -> World:
    settings = database
    tenant = await make_tenant(settings, customers=1, grabbers=1, needs=0)
    other = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    a, b = tenant.institution, other.institution
    product = await FinancialProduct.get(institution_id=a.id)
    d1, d2 = (f"测试区{uuid.uuid4().hex[:6]}" for _ in range(2))
    p = product
    # 2021-02: one disbursed application (the previous month of March).
    await make_handling(
        a,
        date(2021, 2, 15),
        "60000",
        S.DISBURSED,
        product=p,
        district=d1,
        passed=True,
        credit="60000",
        disbursed="50000",
    )
    # Week 2021-03-01 (the week before, 02-22, is empty: its change is null).
    await make_handling(
        a,
        date(2021, 3, 1),
        "100000",
        S.DISBURSED,
        product=p,
        district=d1,
        passed=True,
        credit="80000",
        disbursed="80000",
    )
    await make_handling(a, date(2021, 3, 1), "50000.50", S.REJECTED, product=p, district=d1, passed=False)
    await make_handling(a, date(2021, 3, 1), "200000", S.GRABBED, district=d1)  # a need, not yet processed
    await make_handling(
        a, date(2021, 3, 1), "30000", S.WITHDRAWN, product=p, district=d2
    )  # withdrawn unprocessed
    # Week 2021-03-08.
    await make_handling(
        a, date(2021, 3, 8), "120000.25", S.CREDITED, product=p, district=d1, passed=True, credit="100000.10"
    )
    await make_handling(a, date(2021, 3, 8), "10000", S.ASSIGNED, product=p, district=d1)
    await make_handling(
        a, date(2021, 3, 8), "300000", S.NOT_SELECTED, district=d1, passed=True
    )  # offered, not picked
    await make_handling(
        a, date(2021, 3, 8), "100000", S.NOT_SELECTED, district=d2
    )  # closed before pre-review
    await make_handling(a, date(2021, 3, 8), "40000", S.TRANSFERRED, product=p, district=d2)  # 转单 away
    # Week 2021-03-29, after two empty weeks: compared with 03-22 (empty), not with 03-08.
    await make_handling(a, date(2021, 3, 29), "20000", S.GRABBED, product=p, district=d1)
    # April.
    await make_handling(a, date(2021, 4, 5), "50000", S.PRE_REVIEWED, district=d2, passed=True)
    # Institution B, first week.
    await make_handling(b, date(2021, 3, 1), "70000", S.PRE_REVIEWED, district=d2, passed=True)

    regulator_org = await make_org("测试金融监管局", OrgKind.REGULATOR, None)
    regulator = await make_user(regulator_org, ("REGULATOR",))
    institution_org = await Org.get(id=a.org_id)
    admin = await make_user(institution_org, ("FI_ADMIN",), "机构管理员", institution_id=a.id)
    return World(
        settings=settings,
        institution=a,
        product=product,
        other=b,
        districts=(d1, d2),
        regulator=token_for(regulator, regulator_org, settings),
        fi_admin=token_for(admin, institution_org, settings),
        account_manager=tenant.grabbers[0][1],
        customer_manager=tenant.manager_token,
    )


async def _run(world: World, query: str, variables: dict[str, Any], token: str) -> Any:
    return await execute("finance", query, variables, token, settings=world.settings)


async def _statistics(world: World, token: str, **variables: Any) -> list[dict[str, Any]]:
    result = await _run(world, STATISTICS, {"inst": None, **variables}, token)
    assert result.errors is None, result.errors
    return result.data["marketplaceStatistics"]


def _mine(rows: list[dict[str, Any]], institution: Institution) -> list[dict[str, Any]]:
    return [row for row in rows if row["institution"]["id"] == str(institution.id)]


async def test_weekly_by_institution(world: World) -> None:
    rows = await _statistics(
        world, world.regulator, period="WEEK", group="INSTITUTION", start="2021-03-03", end="2021-03-31"
    )
    mine = _mine(rows, world.institution)
    assert [row["period"] for row in mine] == ["2021-03-01", "2021-03-08", "2021-03-29"]  # start → its Monday
    first, second, after_gap = mine
    assert first == {
        "period": "2021-03-01",
        "institution": {"id": str(world.institution.id), "name": "测试小贷公司"},
        "product": None,
        "orders": 4,
        "processed": 2,  # the disbursed and the rejected one; not the grabbed need, not the withdrawn
        "processingRate": 0.5,
        "preReviewPassRate": 0.5,
        "appliedAmount": "380000.50",
        "creditedAmount": "80000.00",
        "disbursedAmount": "80000.00",
        "ordersChange": None,  # the week before (02-22) had nothing
        "appliedAmountChange": None,
        "creditedAmountChange": None,
        "disbursedAmountChange": None,
    }
    assert second["orders"] == 5
    assert second["processed"] == 2  # credited, and the need offered but not selected
    assert second["processingRate"] == 0.4
    assert second["preReviewPassRate"] == 1.0
    assert (second["appliedAmount"], second["creditedAmount"], second["disbursedAmount"]) == (
        "570000.25",
        "100000.10",
        "0.00",
    )
    assert second["ordersChange"] == 0.25
    assert second["appliedAmountChange"] == pytest.approx(0.5, abs=1e-4)  # 189999.75 / 380000.50
    assert second["creditedAmountChange"] == pytest.approx(0.25, abs=1e-4)
    assert second["disbursedAmountChange"] == -1.0
    # After two empty weeks the previous calendar week (03-22) had nothing: no change, not −80 %.
    assert after_gap["orders"] == 1 and after_gap["ordersChange"] is None
    assert after_gap["processingRate"] == 0.0 and after_gap["preReviewPassRate"] is None
    # Institution B has its own row for the first week.
    other = _mine(rows, world.other)
    assert [(row["period"], row["orders"], row["processingRate"]) for row in other] == [
        ("2021-03-01", 1, 1.0)
    ]


async def test_monthly_by_institution(world: World) -> None:
    rows = await _statistics(
        world,
        world.regulator,
        period="MONTH",
        group="INSTITUTION",
        start="2021-03-15",
        end="2021-04-30",
        inst=str(world.institution.id),
    )
    assert {row["institution"]["id"] for row in rows} == {str(world.institution.id)}
    march, april = rows
    assert march["period"] == "2021-03-01"  # start → the first of its month
    assert (march["orders"], march["processed"], march["processingRate"], march["preReviewPassRate"]) == (
        10,
        4,
        0.4,
        0.75,
    )
    assert (march["appliedAmount"], march["creditedAmount"], march["disbursedAmount"]) == (
        "970000.75",
        "180000.10",
        "80000.00",
    )
    # February: 1 order, 60000 applied, 60000 credited, 50000 disbursed.
    assert march["ordersChange"] == 9.0
    assert march["appliedAmountChange"] == pytest.approx(910000.75 / 60000, abs=1e-4)
    assert march["creditedAmountChange"] == pytest.approx(120000.10 / 60000, abs=1e-4)
    assert march["disbursedAmountChange"] == 0.6
    assert april["period"] == "2021-04-01"
    assert (april["orders"], april["processingRate"], april["preReviewPassRate"]) == (1, 1.0, 1.0)
    assert april["ordersChange"] == -0.9
    assert april["appliedAmountChange"] == pytest.approx((50000 - 970000.75) / 970000.75, abs=1e-4)
    assert april["creditedAmountChange"] == -1.0
    assert april["disbursedAmountChange"] == -1.0


async def test_weekly_by_product(world: World) -> None:
    rows = await _statistics(
        world, world.regulator, period="WEEK", group="PRODUCT", start="2021-03-01", end="2021-03-14"
    )
    mine = {
        (row["period"], row["product"]["name"] if row["product"] else None): row
        for row in _mine(rows, world.institution)
    }
    assert set(mine) == {
        ("2021-03-01", "测试经营贷"),
        ("2021-03-01", None),  # the institution's financing needs
        ("2021-03-08", "测试经营贷"),
        ("2021-03-08", None),
    }
    assert mine[("2021-03-01", "测试经营贷")]["product"]["id"] == str(world.product.id)
    product_w1, need_w1 = mine[("2021-03-01", "测试经营贷")], mine[("2021-03-01", None)]
    assert (product_w1["orders"], product_w1["processed"], product_w1["appliedAmount"]) == (3, 2, "180000.50")
    assert (need_w1["orders"], need_w1["processed"], need_w1["appliedAmount"]) == (1, 0, "200000.00")
    product_w2, need_w2 = mine[("2021-03-08", "测试经营贷")], mine[("2021-03-08", None)]
    assert (product_w2["orders"], product_w2["ordersChange"]) == (3, 0.0)
    assert (need_w2["orders"], need_w2["processed"], need_w2["ordersChange"]) == (2, 1, 1.0)
    assert need_w2["preReviewPassRate"] == 1.0


async def test_district_trends(world: World) -> None:
    result = await _run(
        world, TRENDS, {"period": "WEEK", "start": "2021-03-01", "end": "2021-03-14"}, world.regulator
    )
    assert result.errors is None, result.errors
    d1, d2 = world.districts
    rows = {
        (row["period"], row["district"]): row
        for row in result.data["districtTrends"]
        if row["district"] in world.districts
    }
    assert rows[("2021-03-01", d1)] == {
        "period": "2021-03-01",
        "district": d1,
        "orders": 3,
        "appliedAmount": "350000.50",
        "disbursedAmount": "80000.00",
        "ordersChange": None,
    }
    assert (rows[("2021-03-01", d2)]["orders"], rows[("2021-03-01", d2)]["appliedAmount"]) == (2, "100000.00")
    assert (rows[("2021-03-08", d1)]["orders"], rows[("2021-03-08", d1)]["ordersChange"]) == (3, 0.0)
    assert (rows[("2021-03-08", d2)]["orders"], rows[("2021-03-08", d2)]["ordersChange"]) == (2, 0.0)
    assert len(rows) == 4

    monthly = await _run(
        world, TRENDS, {"period": "MONTH", "start": "2021-03-01", "end": "2021-04-30"}, world.regulator
    )
    assert monthly.errors is None, monthly.errors
    months = {
        (row["period"], row["district"]): (row["orders"], row["ordersChange"])
        for row in monthly.data["districtTrends"]
        if row["district"] in world.districts
    }
    assert months == {
        ("2021-03-01", d1): (7, 6.0),  # February: 1
        ("2021-03-01", d2): (4, None),  # nothing in February
        ("2021-04-01", d2): (1, -0.75),
    }


async def test_institution_admin_sees_only_its_own(world: World) -> None:
    rows = await _statistics(
        world, world.fi_admin, period="WEEK", group="INSTITUTION", start="2021-03-01", end="2021-03-31"
    )
    assert rows and {row["institution"]["id"] for row in rows} == {str(world.institution.id)}
    assert [row["orders"] for row in rows] == [4, 5, 1]
    own = await _statistics(
        world,
        world.fi_admin,
        period="WEEK",
        group="PRODUCT",
        start="2021-03-01",
        end="2021-03-07",
        inst=str(world.institution.id),
    )
    assert sorted(row["orders"] for row in own) == [1, 3]
    trends = await _run(
        world, TRENDS, {"period": "WEEK", "start": "2021-03-01", "end": "2021-03-07"}, world.fi_admin
    )
    assert trends.errors is None, trends.errors
    d2 = world.districts[1]
    # B's handling in d2 is not counted: only A's withdrawn application.
    assert [row["orders"] for row in trends.data["districtTrends"] if row["district"] == d2] == [1]
    other = await _run(
        world,
        STATISTICS,
        {
            "period": "WEEK",
            "group": "INSTITUTION",
            "start": "2021-03-01",
            "end": "2021-03-31",
            "inst": str(world.other.id),
        },
        world.fi_admin,
    )
    assert codes(other) == ["FORBIDDEN"]


@pytest.mark.parametrize("caller", ["customer_manager", "account_manager"])
async def test_others_are_forbidden(world: World, caller: str) -> None:
    token = getattr(world, caller)
    variables = {"period": "MONTH", "group": "INSTITUTION", "start": "2021-03-01", "end": "2021-03-31"}
    result = await _run(world, STATISTICS, variables, token)
    assert codes(result) == ["FORBIDDEN"]
    assert result.data is None
    trends = await _run(world, TRENDS, {"period": "MONTH", "start": "2021-03-01", "end": "2021-03-31"}, token)
    assert codes(trends) == ["FORBIDDEN"]


@pytest.mark.parametrize(("start", "end"), [("2021-03-31", "2021-03-01"), ("2019-01-01", "2021-03-01")])
async def test_bad_range(world: World, start: str, end: str) -> None:
    variables = {"period": "WEEK", "group": "INSTITUTION", "start": start, "end": end}
    assert codes(await _run(world, STATISTICS, variables, world.regulator)) == ["BAD_USER_INPUT"]
    trends = await _run(world, TRENDS, {"period": "WEEK", "start": start, "end": end}, world.regulator)
    assert codes(trends) == ["BAD_USER_INPUT"]


async def _arrange(settings: Settings, handlings: int, week: date) -> None:
    """``handlings`` spread over two weeks of a fresh institution, half applications, half needs."""
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    product = await FinancialProduct.get(institution_id=tenant.institution.id)
    second = date.fromordinal(week.toordinal() + 7)
    for i in range(handlings):
        await make_handling(
            tenant.institution,
            week if i % 2 else second,
            f"{1000 + i}.10",
            S.CREDITED if i % 3 else S.GRABBED,
            product=product if i % 4 else None,
            passed=True if i % 3 else None,
            credit="900" if i % 3 else None,
            district=f"计数区{i % 5}",
        )


async def test_statement_count_does_not_grow_with_rows(world: World) -> None:
    counts: dict[int, list[int]] = {}
    for n, week in ((5, date(2019, 6, 3)), (50, date(2019, 9, 2))):
        await _arrange(world.settings, n, week)
        end = date.fromordinal(week.toordinal() + 13).isoformat()
        runs = []
        for query, variables in (
            (
                STATISTICS,
                {"period": "WEEK", "group": "PRODUCT", "start": week.isoformat(), "end": end, "inst": None},
            ),
            (TRENDS, {"period": "WEEK", "start": week.isoformat(), "end": end}),
        ):
            statements, seen = await counted("finance", query, variables, world.regulator, world.settings)
            runs.append(statements)
        rows = seen["districtTrends"]
        assert sum(row["orders"] for row in rows) == n  # only this institution's handlings in these weeks
        counts[n] = runs
    # marketplaceStatistics: the statistics statement, the institutions, the products; trends: one.
    assert counts[5] == counts[50] == [3, 1], counts


@pytest.mark.e2e
async def test_statistics_through_the_gateway(stack: Stack) -> None:
    settings = stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    product = await FinancialProduct.get(institution_id=tenant.institution.id)
    a = tenant.institution
    await make_handling(
        a,
        date(2020, 5, 4),
        "1000.10",
        S.DISBURSED,
        product=product,
        passed=True,
        credit="1000",
        disbursed="900.50",
    )
    await make_handling(a, date(2020, 5, 11), "2000", S.GRABBED, product=product)
    await make_handling(a, date(2020, 5, 11), "3000", S.REJECTED, product=product, passed=False)
    regulator_org = await make_org("测试金融监管局", OrgKind.REGULATOR, None)
    regulator = await make_user(regulator_org, ("REGULATOR",))
    token = token_for(regulator, regulator_org, settings)
    variables = {
        "period": "WEEK",
        "group": "PRODUCT",
        "start": "2020-05-04",
        "end": "2020-05-17",
        "inst": str(a.id),
    }
    rows = data(await gql(stack.gateway_url, STATISTICS, variables, token))["marketplaceStatistics"]
    assert [
        (r["period"], r["product"]["name"], r["orders"], r["processingRate"], r["preReviewPassRate"])
        for r in rows
    ] == [("2020-05-04", "测试经营贷", 1, 1.0, 1.0), ("2020-05-11", "测试经营贷", 2, 0.5, 0.0)]
    assert (rows[0]["disbursedAmount"], rows[1]["appliedAmount"], rows[1]["ordersChange"]) == (
        "900.50",
        "5000.00",
        1.0,
    )
    assert rows[1]["institution"] == {"id": str(a.id), "name": "测试小贷公司"}


def test_statistics_periods_are_cst_weeks_and_months() -> None:
    assert periods(datetime(2026, 11, 22, 17, 0, tzinfo=UTC)) == (date(2026, 11, 23), date(2026, 11, 1))
