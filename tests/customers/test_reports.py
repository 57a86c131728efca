"""业务报表: month-end snapshots and report rows by org and manager (resolvers/customers/reports.py),
read through GraphQL in the reader's scope and exported as XLSX with the bank's headers; reruns
replace, never duplicate; a snapshot chunk and a page cost the same statements at N and 10·N; a
new report is one definition. Months in 2099 keep the data out of the stack's job (last month)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from models.customers import (
    ContactChannel,
    ContactRecord,
    Customer,
    CustomerKind,
    CustomerTier,
    Holding,
    HoldingCategory,
    ReportPeriod,
    ReportRow,
    ReportSnapshot,
    TierChange,
)
from models.operations import Org, OrgKind, User
from resolvers.common.clock import CST
from resolvers.customers import reports
from resolvers.customers.report_definitions import Dimension, Family, Measure, ReportDefinition
from subgraphs.settings import Settings
from testkit.factories import make_customer, make_org, make_user, token_for
from testkit.inprocess import execute
from testkit.sqlcount import count_statements, statements_of

pytestmark = pytest.mark.integration

JAN, MAR = date(2099, 1, 1), date(2099, 3, 1)
READ = """query($c: String!, $p: ReportPeriod!, $s: Date!, $n: Int = 50, $a: String) {
  businessReport(code: $c, period: $p, periodStart: $s, first: $n, after: $a) {
    period periodStart definition { code title headers }
    rows { nodes { keyId label values } pageInfo { hasNextPage endCursor } } } }"""
EXPORT = """query($c: String!, $p: ReportPeriod!, $s: Date!) {
  businessReport(code: $c, period: $p, periodStart: $s, first: 1) { export { fileName contentType contentBase64 } } }"""


@dataclass
class World:
    settings: Settings
    bank: Org
    other_bank: Org
    branch: Org
    outlet: Org
    other_branch: Org
    manager: User
    other_manager: User
    crowd: list[User]  # 20 more managers of the branch, one corporate customer each
    tokens: dict[str, str]


OPENED = date(2098, 6, 1)


def _holding(
    customer: Customer, category: HoldingCategory, product: str, amount: int, **more: Any
) -> Holding:
    return Holding(
        customer=customer,
        category=category,
        product_name=product,
        amount=Decimal(amount),
        opened_on=OPENED,
        **more,
    )


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CST)


@pytest.fixture(scope="module")
async def world(database: Settings) -> World:
    settings = database
    root = await make_org("报表省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("报表农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch = await make_org("报表一支行", OrgKind.BRANCH, bank)
    outlet = await make_org("报表一支行营业部", OrgKind.OUTLET, branch)
    other_branch = await make_org("报表二支行", OrgKind.BRANCH, bank)
    other_bank = await make_org("别家农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    other_bank_branch = await make_org("别家支行", OrgKind.BRANCH, other_bank)
    manager = await make_user(outlet, ("CUSTOMER_MANAGER",), "报表经理")
    other_manager = await make_user(other_branch, ("CUSTOMER_MANAGER",), "二支行经理")
    foreign_manager = await make_user(other_bank_branch, ("CUSTOMER_MANAGER",), "别家经理")
    head = await make_user(branch, ("BRANCH_HEAD",), "一支行行长")
    hq = await make_user(bank, ("HQ_ADMIN",), "总行")
    foreign_hq = await make_user(other_bank, ("HQ_ADMIN",), "别家总行")
    regulator_org = await make_org("报表监管局", OrgKind.REGULATOR, None)
    regulator = await make_user(regulator_org, ("REGULATOR",))
    # The manager's two corporate customers and one retail one; the other branch's one; the other bank's one.
    big = await make_customer(
        outlet, manager, "贵阳钢材有限公司", kind=CustomerKind.CORPORATE, aum=Decimal("2000000")
    )
    small = await make_customer(
        outlet, manager, "花溪米粉店", kind=CustomerKind.CORPORATE, aum=Decimal("50000")
    )
    await make_customer(outlet, manager, "张三", aum=Decimal("300000"))
    elsewhere = await make_customer(
        other_branch, other_manager, "遵义建材公司", kind=CustomerKind.CORPORATE, aum=Decimal("10")
    )
    await make_customer(other_bank_branch, foreign_manager, "别家公司", kind=CustomerKind.CORPORATE)
    year = timedelta(days=365)
    deposit, loan = HoldingCategory.DEPOSIT, HoldingCategory.LOAN
    await Holding.bulk_create(
        [
            _holding(big, deposit, "单位活期", 500_000),
            _holding(big, deposit, "单位定期一年", 300_000, matures_on=OPENED + year),
            _holding(big, loan, "流动资金贷款", 1_000_000, matures_on=OPENED + year),
            _holding(small, deposit, "单位活期", 20_000),
            # closed before January: in no 2099 snapshot
            _holding(small, deposit, "已销户", 999_999, closed_on=date(2098, 12, 1)),
            _holding(elsewhere, deposit, "单位活期", 70_000),
        ]
    )
    for customer, channel, day in (
        (big, ContactChannel.VISIT, JAN),
        (big, ContactChannel.PHONE, MAR),
        (big, ContactChannel.WECHAT, MAR),
    ):
        await ContactRecord.create(
            customer=customer,
            manager_id=manager.id,
            channel=channel,
            summary="走访",
            contacted_at=_at(day.replace(day=15)),
        )
    up = await TierChange.create(customer=big, from_tier="ORDINARY", to_tier="WEALTH", actor_id=hq.id)
    down = await TierChange.create(customer=small, from_tier="GROWTH", to_tier="POTENTIAL", actor_id=hq.id)
    await TierChange.filter(id=up.id).update(created_at=_at(date(2099, 1, 20)))
    await TierChange.filter(id=down.id).update(created_at=_at(date(2099, 3, 20)))
    await Customer.filter(id=big.id).update(tier=CustomerTier.WEALTH)
    crowd = [await make_user(branch, ("CUSTOMER_MANAGER",), "团队经理") for _ in range(20)]
    for member in crowd:
        await make_customer(branch, member, "小微企业", kind=CustomerKind.CORPORATE)
    tokens = {
        "manager": token_for(manager, outlet, settings),
        "other manager": token_for(other_manager, other_branch, settings),
        "branch head": token_for(head, branch, settings),
        "head office": token_for(hq, bank, settings),
        "other bank's head office": token_for(foreign_hq, other_bank, settings),
        "regulator": token_for(regulator, regulator_org, settings),
    }
    for month in (JAN, MAR):
        await reports.generate_month(month, chunk=200, force=True)
    return World(
        settings, bank, other_bank, branch, outlet, other_branch, manager, other_manager, crowd, tokens
    )


async def _read(
    world: World, caller: str, code: str, period: str = "MONTH", start: date = MAR, **more: Any
) -> Any:
    variables = {"c": code, "p": period, "s": start.isoformat(), **more}
    return await execute("customers", READ, variables, world.tokens[caller], settings=world.settings)


def _rows(result: Any) -> dict[str, list[str]]:
    assert not result.errors, result.errors
    return {row["keyId"]: row["values"] for row in result.data["businessReport"]["rows"]["nodes"]}


async def test_figures_by_org_and_by_manager(world: World) -> None:
    outlet, manager = str(world.outlet.id), str(world.manager.id)
    # 单位存款产品汇总: 存款客户数, 存款账户数, 存款余额(万元), 户均存款(万元) — the closed account left out.
    deposits = _rows(await _read(world, "head office", "CORP_DEPOSIT_SUMMARY_ORG"))
    assert deposits[outlet] == ["2", "3", "82.00", "41.00"]
    assert deposits[str(world.other_branch.id)] == ["1", "1", "7.00", "7.00"]
    terms = _rows(await _read(world, "head office", "CORP_DEPOSIT_TERMS_MANAGER"))
    assert terms[manager] == ["52.00", "30.00", "0.00", "0.00", "82.00", "63.41"]
    loans = _rows(await _read(world, "head office", "CORP_DEPOSIT_LOAN_ORG"))
    assert loans[outlet] == ["2", "82.00", "100.00", "121.95", "2", "1"]
    assets = _rows(await _read(world, "head office", "CORP_ASSETS_MANAGER"))
    assert assets[manager] == ["2", "205.00", "1", "0", "1", "0", "0"]
    retail = _rows(await _read(world, "head office", "RETAIL_ASSETS_MANAGER"))
    assert retail[manager][:2] == ["1", "30.00"]
    # 客户接触: March alone, and the quarter (January's visit too).
    contacts = _rows(await _read(world, "head office", "CORP_CONTACTS_MANAGER"))
    assert contacts[manager] == ["2", "1", "2", "0", "1", "1", "50.00"]
    quarter = _rows(await _read(world, "head office", "CORP_CONTACTS_MANAGER", "QUARTER", JAN))
    assert quarter[manager] == ["2", "1", "3", "1", "1", "1", "50.00"]
    # 等级变动: 本月 (March: one down), 本年 (January's up and March's down).
    month = _rows(await _read(world, "head office", "CORP_TIER_MONTH_ORG"))
    assert month[outlet] == ["2", "0", "1", "-1", "1"]
    year = _rows(await _read(world, "head office", "CORP_TIER_YEAR_MANAGER"))
    assert year[manager] == ["2", "1", "1", "0", "2"]
    result = await _read(world, "head office", "CORP_TIERS_ORG")
    report = result.data["businessReport"]
    assert report["definition"]["title"] == "小微企业和公司客户等级统计表（机构维度）"
    assert report["definition"]["headers"][:2] == ["机构", "客户数(户)"]
    labels = {r["keyId"]: r["label"] for r in report["rows"]["nodes"]}
    assert labels[outlet] == "报表一支行营业部"


SEES = {  # (sees the outlet's org row, sees the manager's own row, sees the other branch's rows)
    "manager": (False, True, False),
    "other manager": (False, False, True),
    "branch head": (True, True, False),
    "head office": (True, True, True),
    "other bank's head office": (False, False, False),
    "regulator": (False, False, False),
}


@pytest.mark.parametrize("caller", list(SEES))
async def test_rows_follow_the_readers_scope(world: World, caller: str) -> None:
    by_org = _rows(await _read(world, caller, "CORP_ASSETS_ORG"))
    by_manager = _rows(await _read(world, caller, "CORP_ASSETS_MANAGER"))
    org, own, other = SEES[caller]
    assert (str(world.outlet.id) in by_org) is org
    assert (str(world.manager.id) in by_manager) is own
    assert (str(world.other_branch.id) in by_org or str(world.other_manager.id) in by_manager) is other
    keys = [*by_org, *by_manager]
    seen = await ReportRow.filter(key_id__in=keys).values_list("tenant_id", flat=True)
    own_bank = world.other_bank if caller == "other bank's head office" else world.bank
    assert set(seen) <= {own_bank.id}  # never another tenant's
    if caller == "manager":
        assert set(by_manager) == {str(world.manager.id)} and by_org == {}
    exported = await execute(
        "customers",
        EXPORT,
        {"c": "CORP_ASSETS_MANAGER", "p": "MONTH", "s": MAR.isoformat()},
        world.tokens[caller],
        settings=world.settings,
    )
    book = load_workbook(
        io.BytesIO(base64.b64decode(exported.data["businessReport"]["export"]["contentBase64"]))
    )
    sheet = book.active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][0] == "公司客户资产分布情况（客户经理维度）——月报"
    assert list(lines[2]) == list(reports.REPORTS["CORP_ASSETS_MANAGER"].headers)
    assert len(lines) - 3 == len(by_manager)  # the same rows as the reader sees, no more
    definitions = await execute(
        "customers", "{ reportDefinitions { code } }", {}, world.tokens[caller], settings=world.settings
    )
    assert bool(definitions.data["reportDefinitions"]) is (caller not in ("regulator",))


async def test_bad_input_is_a_coded_error(world: World) -> None:
    for code, period, start in (
        ("NO_SUCH_REPORT", "MONTH", MAR),
        ("CORP_TIERS_ORG", "QUARTER", JAN),  # a monthly report only
        ("CORP_CONTACTS_ORG", "QUARTER", MAR),  # not a quarter's first month
    ):
        result = await _read(world, "head office", code, period, start)
        assert [e.extensions["code"] for e in result.errors] == ["BAD_USER_INPUT"], (code, result.errors)


async def test_rerun_replaces_and_never_duplicates(world: World) -> None:
    customers = await Customer.filter(created_at__lt=_at(date(2099, 4, 1))).count()
    before = await ReportRow.filter(period_start=MAR).count()
    assert await reports.generate_month(MAR) == 0  # done: nothing again
    assert await reports.generate_month(MAR, chunk=7, force=True) > 0  # a forced rerun, other chunks
    assert await ReportSnapshot.filter(month=MAR).count() == customers
    assert await ReportRow.filter(period_start=MAR).count() == before
    # A chunk run again over the same customers (as after a crash before its commit) replaces its rows.
    run = await reports.start_month(date(2099, 8, 1))
    assert await reports.snapshot_chunk(run.month, 5) == 5
    await type(run).filter(id=run.id).update(cursor=None, snapshotted=0)
    assert await reports.snapshot_chunk(run.month, 5) == 5
    assert await ReportSnapshot.filter(month=run.month).count() == 5


async def test_statements_are_constant(world: World) -> None:
    """A snapshot chunk of 5 or of 50 customers, a page of 2 or 20 rows, and an export: the same."""
    month = date(2099, 9, 1)
    more = await make_org("报表三支行", OrgKind.BRANCH, world.bank)
    await Customer.bulk_create(
        [
            Customer(
                customer_no=f"RPT{more.code}{i:03d}",
                name=f"批量客户{i}",
                kind=CustomerKind.CORPORATE,
                tenant_id=world.bank.id,
                org_id=more.id,
                org_path=more.path,
                primary_manager_id=world.crowd[0].id,
            )
            for i in range(60)
        ]
    )
    await reports.start_month(month)
    counts = []
    for size in (5, 50):
        with count_statements() as counter:
            assert await reports.snapshot_chunk(month, size) == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    await reports.generate_month(MAR, chunk=500, force=True)
    variables = {"c": "CORP_ASSETS_MANAGER", "p": "MONTH", "s": MAR.isoformat()}
    token = world.tokens["branch head"]
    small = await statements_of("customers", READ, variables | {"n": 2}, token, world.settings)
    large = await statements_of("customers", READ, variables | {"n": 20}, token, world.settings)
    assert small == large == 1
    assert await statements_of("customers", EXPORT, variables, token, world.settings) == 2


async def test_a_new_report_is_one_definition(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    visits = ReportDefinition(
        code="CORP_VISITS_ORG",
        title="公司客户走访统计表（机构维度）",
        family=Family.CONTACT,
        dimension=Dimension.ORG,
        measures=(
            Measure("走访客户(户)", "COUNT(DISTINCT CASE WHEN s.contact_visits > 0 THEN s.customer_id END)"),
            Measure("走访次数(次)", "SUM(s.contact_visits)"),
        ),
        periods=(ReportPeriod.MONTH, ReportPeriod.QUARTER),
        where="s.kind = 'CORPORATE'",
    )
    monkeypatch.setitem(reports.REPORTS, visits.code, visits)
    await reports.generate_month(MAR, force=True)
    quarter = _rows(await _read(world, "branch head", "CORP_VISITS_ORG", "QUARTER", JAN))
    assert quarter[str(world.outlet.id)] == ["1", "1"]
    listed = await execute(
        "customers",
        "{ reportDefinitions(family: CONTACT) { code headers } }",
        {},
        world.tokens["head office"],
        settings=world.settings,
    )
    assert {"code": "CORP_VISITS_ORG", "headers": ["机构", "走访客户(户)", "走访次数(次)"]} in listed.data[
        "reportDefinitions"
    ]


def test_the_shipped_families_have_both_dimensions() -> None:
    shipped = {(d.family, d.dimension) for d in reports.REPORTS.values()}
    assert shipped == {(family, dimension) for family in Family for dimension in Dimension}
    assert reports.periods_ending(date(2099, 6, 1)) == [
        (ReportPeriod.MONTH, date(2099, 6, 1)),
        (ReportPeriod.QUARTER, date(2099, 4, 1)),
        (ReportPeriod.HALF_YEAR, date(2099, 1, 1)),
    ]
