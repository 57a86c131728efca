"""客户画像 (customer 360): every block through the gateway, scopes on its sensitive field and
on every way in, and a constant number of SQL statements whatever the page size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import (
    ContactChannel,
    ContactRecord,
    CorporatePerson,
    Customer,
    CustomerKind,
    CustomerTag,
    ExternalRecord,
    ExternalSource,
    Holding,
    HoldingCategory,
    KeyEvent,
    KeyEventKind,
    OverdueRecord,
    PersonRole,
    RelationKind,
    Relationship,
    RepaymentInstallment,
    Shareholder,
    TagSource,
    ValueSnapshot,
)
from models.operations import OrgKind
from subgraphs.settings import Settings
from testkit.factories import Tenant, first_of_month, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted
from tests.support.stack import Stack

PROFILE = """
  tags { name source }
  systemTags: tags(source: SYSTEM) { name }
  holdings { category productName amount maturesOn }
  closed: holdings(current: false) { productName closedOn }
  valueTrend(months: 2) { month deposits wealth assets liabilities inflow outflow }
  keyEvents(last: 2) { kind title }
  contacts { channel summary backfilled contactAgainOn manager { id } }
  latestContact { summary }
  relationships { kind relatedName }
  controllers { role name idNumber }
  shareholders { name sharePercent }
  overdueRecords { loanNo amount settledOn }
  repaymentCalendar(start: $today, days: 60) { loanNo dueOn principal interest paid }
  externalData { source period title value }
"""
ONE = "query($id: ID!, $today: Date) { customer(id: $id) { name " + PROFILE + " } }"


async def fill_profile(customer: Customer, manager_id: object) -> None:
    """A corporate customer's 360 blocks, a few rows each."""
    now = datetime.now(UTC)
    today = date.today()
    customer.kind = CustomerKind.CORPORATE
    await customer.save(update_fields=["kind"])
    await CustomerTag.create(customer=customer, name="高净值", source=TagSource.SYSTEM)
    await CustomerTag.create(
        customer=customer, name="重点关注", source=TagSource.CUSTOM, created_by_id=manager_id
    )
    await Holding.create(
        customer=customer,
        category=HoldingCategory.DEPOSIT,
        product_name="三年定期",
        amount=Decimal("500000"),
        opened_on=today - timedelta(days=400),
        matures_on=today + timedelta(days=700),
    )
    await Holding.create(
        customer=customer,
        category=HoldingCategory.WEALTH,
        product_name="黔农理财1号",
        amount=Decimal("200000"),
        opened_on=today - timedelta(days=300),
        closed_on=today - timedelta(days=10),
    )
    for months_ago, deposits in ((2, "100"), (1, "200"), (0, "300")):
        await ValueSnapshot.create(
            customer=customer,
            month=first_of_month(months_ago),
            deposits=Decimal(deposits),
            wealth=Decimal("50"),
            inflow=Decimal("10"),
        )
    for days_ago, kind, title in (
        (300, KeyEventKind.FIRST_ACCOUNT, "首次开户"),
        (20, KeyEventKind.TIER_UP, "升级为财富客户"),
        (2, KeyEventKind.BUSINESS, "办理黔农e贷"),
    ):
        await KeyEvent.create(
            customer=customer, kind=kind, title=title, occurred_at=now - timedelta(days=days_ago)
        )
    await ContactRecord.create(
        customer=customer,
        manager_id=manager_id,
        channel=ContactChannel.VISIT,
        summary="上门走访，了解扩产计划",
        contacted_at=now - timedelta(days=3),
        backfilled=True,
        contact_again_on=today + timedelta(days=7),
    )
    await ContactRecord.create(
        customer=customer,
        manager_id=manager_id,
        channel=ContactChannel.PHONE,
        summary="电话回访",
        contacted_at=now,
    )
    await Relationship.create(
        customer=customer, kind=RelationKind.ENTERPRISE, related_name="贵州黔丰供应链有限公司"
    )
    await CorporatePerson.create(
        customer=customer, role=PersonRole.ACTUAL_CONTROLLER, name="王建国", id_number="520102197001011234"
    )
    await Shareholder.create(customer=customer, name="王建国", share_percent=Decimal("60.00"))
    await OverdueRecord.create(
        customer=customer, loan_no="L001", amount=Decimal("1200"), overdue_since=today - timedelta(days=40)
    )
    for offset, paid in ((-5, True), (25, False), (200, False)):
        await RepaymentInstallment.create(
            customer=customer,
            loan_no="L001",
            due_on=today + timedelta(days=offset),
            principal=Decimal("10000"),
            interest=Decimal("350"),
            paid=paid,
        )
    await ExternalRecord.create(
        customer=customer, source=ExternalSource.UTILITY, period="2026-10", title="电费", value="按时缴纳"
    )


@pytest.mark.e2e
async def test_every_block_of_the_360_view_through_the_gateway(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    customer = tenant.customers[0]
    await fill_profile(customer, tenant.manager.id)
    variables = {"id": str(customer.id), "today": date.today().isoformat()}
    seen = data(await gql(stack.gateway_url, ONE, variables, tenant.manager_token))["customer"]
    assert sorted((t["name"], t["source"]) for t in seen["tags"]) == [
        ("重点关注", "CUSTOM"),
        ("高净值", "SYSTEM"),
    ]
    assert seen["systemTags"] == [{"name": "高净值"}]
    assert [h["productName"] for h in seen["holdings"]] == ["三年定期"]
    assert [h["productName"] for h in seen["closed"]] == ["黔农理财1号"]
    assert [(v["deposits"], v["assets"]) for v in seen["valueTrend"]] == [
        ("200.00", "250.00"),
        ("300.00", "350.00"),
    ]
    assert [e["title"] for e in seen["keyEvents"]] == ["办理黔农e贷", "升级为财富客户"]
    assert [c["summary"] for c in seen["contacts"]] == ["电话回访", "上门走访，了解扩产计划"]
    assert seen["contacts"][1]["backfilled"] is True and seen["contacts"][1]["manager"] == {
        "id": str(tenant.manager.id)
    }
    assert seen["latestContact"] == {"summary": "电话回访"}
    assert seen["relationships"] == [{"kind": "ENTERPRISE", "relatedName": "贵州黔丰供应链有限公司"}]
    assert seen["controllers"] == [
        {"role": "ACTUAL_CONTROLLER", "name": "王建国", "idNumber": "520102197001011234"}
    ]
    assert seen["shareholders"] == [{"name": "王建国", "sharePercent": "60.00"}]
    assert seen["overdueRecords"] == [{"loanNo": "L001", "amount": "1200.00", "settledOn": None}]
    assert [i["paid"] for i in seen["repaymentCalendar"]] == [False]  # only the one due in the next 60 days
    assert seen["externalData"] == [
        {"source": "UTILITY", "period": "2026-10", "title": "电费", "value": "按时缴纳"}
    ]
    bad = await gql(
        stack.gateway_url,
        "query($id: ID!) { customer(id: $id) { keyEvents(last: 0) { title } } }",
        variables,
        tenant.manager_token,
    )
    assert error_codes(bad) == ["BAD_USER_INPUT"]


CONTROLLER = "query($id: ID!) { customer(id: $id) { controllers { name idNumber } tags { name } } }"


@pytest.mark.integration
async def test_the_controller_id_number_follows_the_pii_rule_and_others_see_nothing(
    database: Settings,
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    other = await make_tenant(database, customers=1, grabbers=0, needs=0)
    customer = tenant.customers[0]
    await fill_profile(customer, tenant.manager.id)
    head = await make_user(tenant.branch, ("BRANCH_HEAD",))
    regulator_org = await make_org("测试金融监管局", OrgKind.REGULATOR)
    regulator = await make_user(regulator_org, ("REGULATOR",))
    security_org = await make_org("测试安全", OrgKind.REGULATOR)
    security = await make_user(security_org, ("SECURITY_ADMIN",))
    variables = {"id": str(customer.id)}

    async def read(token: str) -> tuple[Any, list[str]]:
        result = await execute("customers", CONTROLLER, variables, token, settings=database)
        return (result.data or {}).get("customer"), codes(result)

    mine, errors = await read(tenant.manager_token)
    assert mine["controllers"] == [{"name": "王建国", "idNumber": "520102197001011234"}] and errors == []
    masked, errors = await read(token_for(head, tenant.branch, database))
    assert masked["controllers"] == [{"name": "王建国", "idNumber": "5201**********1234"}] and errors == []
    hidden, errors = await read(token_for(regulator, regulator_org, database))
    assert hidden["controllers"] == [{"name": "王建国", "idNumber": None}] and errors == ["FORBIDDEN"]
    assert await read(other.manager_token) == (None, [])  # another bank's manager: no customer, no blocks
    assert await read(token_for(security, security_org, database)) == (None, [])
    # _entities is a way in too: the same answer.
    entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { tags { name } } } }"
    reps = [{"__typename": "Customer", "id": str(customer.id)}]
    result = await execute("customers", entities, {"r": reps}, other.manager_token, settings=database)
    assert result.data == {"_entities": [None]}


@pytest.mark.integration
async def test_the_360_page_takes_the_same_statements_at_2_and_25_customers(database: Settings) -> None:
    tenant: Tenant = await make_tenant(database, customers=25, grabbers=0, needs=0)
    for customer in tenant.customers:
        await fill_profile(customer, tenant.manager.id)
    query = (
        "query($m: ID!, $first: Int!, $today: Date) { customers(managerId: $m, first: $first) "
        "{ edges { node { name " + PROFILE + " } } } }"
    )
    counts = []
    for first in (2, 25):
        variables = {"m": str(tenant.manager.id), "first": first, "today": date.today().isoformat()}
        statements, seen = await counted("customers", query, variables, tenant.manager_token, database)
        assert len(seen["customers"]["edges"]) == first
        counts.append(statements)
    assert counts[0] == counts[1], counts
    print(f"\n360 page of 2 / 25 customers: {counts} SQL statements")
