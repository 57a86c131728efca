"""工作报告 (resolvers/marketing/reports.py), in process on both storages: a draft filled from the
period's activity (contacts in customers, work-order feedback, opportunities claimed, followed up
and converted, counted inside the period only), one report per user and period however often it is
asked for, edited, submitted to the branch head, returned with a comment, submitted again; who
else may read or return it (another branch, another bank, a colleague: as an unknown id)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from models.customers import ContactRecord
from models.marketing import (
    FeedbackResult,
    MarketingScheme,
    Opportunity,
    OpportunityFollowUp,
    OpportunityStatus,
    SchemeKind,
    SchemeStatus,
    WorkOrder,
    WorkOrderFeedback,
    WorkReport,
    WorkReportPeriod,
)
from models.operations import OrgKind
from resolvers.common.clock import CST
from resolvers.marketing.reports import period_of, today
from testkit.factories import Tenant, make_customer, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute

pytestmark = pytest.mark.integration

FIELDS = """id period startsOn endsOn status summary plan returnComment submittedAt author { id }
  figures { contacts visits calls workOrdersProcessed workOrdersConverted workOrderAmount
    opportunitiesClaimed opportunityFollowUps opportunitiesConverted opportunityAmount }"""
DRAFT = f"mutation($p: WorkReportPeriod!, $d: Date) {{ draftWorkReport(period: $p, day: $d) {{ {FIELDS} }} }}"
UPDATE = "mutation($i: UpdateWorkReportInput!) { updateWorkReport(input: $i) { id status summary plan } }"
SUBMIT = "mutation($id: ID!) { submitWorkReport(id: $id) { id status submittedAt } }"
RETURN = "mutation($i: ReturnWorkReportInput!) { returnWorkReport(input: $i) { id status returnComment } }"
ONE = "query($id: ID!) { workReport(id: $id) { id status } }"
LIST = "query { workReports(first: 50) { nodes { id status author { id } } } }"
MINE = """query($p: WorkReportPeriod!, $d: Date) { myWorkReport(period: $p, day: $d) { id status }
  myWorkReports(first: 10) { nodes { id } } }"""


@dataclass
class Branch:
    tenant: Tenant
    head: str
    other_branch_head: str
    colleague: str
    other_bank_head: str
    hq: str


async def make_branch(settings: Any) -> Branch:
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    head = await make_user(tenant.branch, ("BRANCH_HEAD",), "支行行长")
    second = await make_org("测试二支行", OrgKind.BRANCH, tenant.bank)
    second_head = await make_user(second, ("BRANCH_HEAD",), "二支行行长")
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "同事")
    other_head = await make_user(other.branch, ("BRANCH_HEAD",), "他行行长")
    hq = await make_user(tenant.bank, ("HQ_ADMIN",), "总行")
    return Branch(
        tenant,
        token_for(head, tenant.branch, settings),
        token_for(second_head, second, settings),
        token_for(colleague, tenant.branch, settings),
        token_for(other_head, other.branch, settings),
        token_for(hq, tenant.bank, settings),
    )


async def run(settings: Any, query: str, token: str, **variables: Any) -> Any:
    return await execute("marketing", query, variables, token, settings=settings)


async def ok(settings: Any, query: str, token: str, **variables: Any) -> Any:
    result = await run(settings, query, token, **variables)
    assert not result.errors, result.errors
    return result.data


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), CST)


async def arrange_activity(tenant: Tenant, monday: date) -> None:
    """In the week of ``monday``: 3 contacts (1 visit, 2 calls), 2 work orders given feedback (one
    converted, 5,000 元, and given feedback twice), 2 opportunities claimed, one converted (8,000
    元), 1 follow-up; and the same once more the week before, which must not count."""
    manager, bank = tenant.manager, tenant.bank
    customer = tenant.customers[0]
    scheme = await MarketingScheme.create(
        tenant_id=bank.id,
        org_id=bank.id,
        org_path=bank.path,
        kind=SchemeKind.PRECISION,
        name="报告方案",
        status=SchemeStatus.RUNNING,
        starts_on=monday - timedelta(days=30),
        ends_on=monday + timedelta(days=30),
        created_by=manager.id,
        list_complete=True,
    )
    extra = await make_customer(tenant.branch, manager, "报告客户")
    for when in (monday, monday - timedelta(days=7)):
        for channel in ("VISIT", "PHONE", "PHONE"):
            await ContactRecord.create(
                customer=customer,
                manager_id=manager.id,
                channel=channel,
                summary="回访",
                contacted_at=at(when),
            )
        await OpportunityFollowUp.create(
            opportunity_id=uuid.uuid4(),
            tenant_id=bank.id,
            manager_id=manager.id,
            channel="PHONE",
            note="跟进",
        )
    # Follow-ups carry their creation time: move the earlier week's back.
    follow_ups = await OpportunityFollowUp.filter(manager_id=manager.id).order_by("created_at")
    await OpportunityFollowUp.filter(id=follow_ups[0].id).update(created_at=at(monday - timedelta(days=7)))
    await OpportunityFollowUp.filter(id=follow_ups[1].id).update(created_at=at(monday, 11))
    for customer_id, result, amount in (
        (customer.id, FeedbackResult.CONTACTED, Decimal(0)),
        (extra.id, FeedbackResult.CONVERTED, Decimal("5000")),
    ):
        order = await WorkOrder.create(
            scheme=scheme,
            tenant_id=bank.id,
            manager_id=manager.id,
            customer_id=customer_id,
            org_path=tenant.branch.path,
        )
        for n in (1, 2) if result is FeedbackResult.CONTACTED else (1,):
            feedback = await WorkOrderFeedback.create(
                work_order=order,
                client_id=uuid.uuid4().hex,
                given_by=manager.id,
                channel="PHONE",
                result=result,
                amount=amount,
            )
            await WorkOrderFeedback.filter(id=feedback.id).update(created_at=at(monday + timedelta(days=n)))
    won: tuple[tuple[OpportunityStatus, Decimal | None], ...] = (
        (OpportunityStatus.CLAIMED, None),
        (OpportunityStatus.CONVERTED, Decimal("8000")),
    )
    for status, won_amount in won:
        await Opportunity.create(
            tenant_id=bank.id,
            customer_id=customer.id,
            title="报告商机",
            status=status,
            claimed_by_id=manager.id,
            org_path=tenant.branch.path,
            claimed_at=at(monday + timedelta(days=2)),
            converted_amount=won_amount,
            finished_at=at(monday + timedelta(days=3)) if won_amount else None,
        )
    await Opportunity.create(  # claimed the week before: not counted
        tenant_id=bank.id,
        customer_id=customer.id,
        title="上周商机",
        status=OpportunityStatus.CLAIMED,
        claimed_by_id=manager.id,
        org_path=tenant.branch.path,
        claimed_at=at(monday - timedelta(days=6)),
    )


async def test_draft_submit_return_resubmit(database: Any) -> None:
    branch = await make_branch(database)
    tenant = branch.tenant
    monday, sunday = period_of(WorkReportPeriod.WEEK, today() - timedelta(days=7))
    await arrange_activity(tenant, monday)
    day = str(monday + timedelta(days=3))
    drafted = (await ok(database, DRAFT, tenant.manager_token, p="WEEK", d=day))["draftWorkReport"]
    assert (drafted["startsOn"], drafted["endsOn"], drafted["status"]) == (str(monday), str(sunday), "DRAFT")
    assert drafted["figures"] == {
        "contacts": 3,
        "visits": 1,
        "calls": 2,
        "workOrdersProcessed": 2,
        "workOrdersConverted": 1,
        "workOrderAmount": "5000.00",
        "opportunitiesClaimed": 2,
        "opportunityFollowUps": 1,
        "opportunitiesConverted": 1,
        "opportunityAmount": "8000.00",
    }
    # One report per user and period: asked again (twice at once too), the same one.
    again = await asyncio.gather(
        *(run(database, DRAFT, tenant.manager_token, p="WEEK", d=str(sunday)) for _ in range(3))
    )
    assert {r.data["draftWorkReport"]["id"] for r in again} == {drafted["id"]}
    assert await WorkReport.filter(user_id=tenant.manager.id).count() == 1
    id = drafted["id"]

    # A draft is its author's only: the branch head does not see it yet.
    assert (await ok(database, ONE, branch.head, id=id))["workReport"] is None
    assert codes(await run(database, SUBMIT, tenant.manager_token, id=id)) == ["BAD_USER_INPUT"]  # no summary
    await ok(database, UPDATE, tenant.manager_token, i={"id": id, "summary": "走访 3 户", "plan": "跟进商机"})
    submitted = await ok(database, SUBMIT, tenant.manager_token, id=id)
    assert submitted["submitWorkReport"]["status"] == "SUBMITTED"
    assert codes(await run(database, UPDATE, tenant.manager_token, i={"id": id, "summary": "改"})) == [
        "CONFLICT"
    ]
    # A submitted report stays as submitted when drafted again.
    assert (await ok(database, DRAFT, tenant.manager_token, p="WEEK", d=day))["draftWorkReport"][
        "status"
    ] == ("SUBMITTED")

    listed = await ok(database, LIST, branch.head)
    assert [n["id"] for n in listed["workReports"]["nodes"]] == [id]
    assert [n["id"] for n in (await ok(database, LIST, branch.hq))["workReports"]["nodes"]] == [id]
    returned = await ok(database, RETURN, branch.head, i={"id": id, "comment": "请补充商机转化情况"})
    assert returned["returnWorkReport"] == {
        "id": id,
        "status": "RETURNED",
        "returnComment": "请补充商机转化情况",
    }
    assert codes(await run(database, RETURN, branch.head, i={"id": id, "comment": "再退"})) == ["CONFLICT"]
    await ok(database, UPDATE, tenant.manager_token, i={"id": id, "summary": "走访 3 户，转化 1 笔"})
    assert (await ok(database, SUBMIT, tenant.manager_token, id=id))["submitWorkReport"][
        "status"
    ] == "SUBMITTED"
    mine = await ok(database, MINE, tenant.manager_token, p="WEEK", d=day)
    assert mine["myWorkReport"] == {"id": id, "status": "SUBMITTED"}
    assert (await ok(database, MINE, tenant.manager_token, p="MONTH", d=day))["myWorkReport"] is None


async def test_out_of_scope_and_bad_input(database: Any) -> None:
    branch = await make_branch(database)
    tenant = branch.tenant
    drafted = await ok(database, DRAFT, tenant.manager_token, p="MONTH")
    id = drafted["draftWorkReport"]["id"]
    await ok(database, UPDATE, tenant.manager_token, i={"id": id, "summary": "本月总结"})
    await ok(database, SUBMIT, tenant.manager_token, id=id)
    # Another branch's head, another bank's, a colleague: as an unknown id (read, return, edit).
    for token in (branch.other_branch_head, branch.other_bank_head, branch.colleague):
        assert (await ok(database, ONE, token, id=id))["workReport"] is None
        assert id not in [n["id"] for n in (await ok(database, LIST, token))["workReports"]["nodes"]]
        assert codes(await run(database, RETURN, token, i={"id": id, "comment": "退回"})) == ["NOT_FOUND"]
        assert codes(await run(database, SUBMIT, token, id=id)) == ["NOT_FOUND"]
    # Head office reads but does not return; nobody returns their own report.
    assert codes(await run(database, RETURN, branch.hq, i={"id": id, "comment": "退回"})) == ["FORBIDDEN"]
    head_report = (await ok(database, DRAFT, branch.head, p="WEEK"))["draftWorkReport"]["id"]
    await ok(database, UPDATE, branch.head, i={"id": head_report, "summary": "支行周报"})
    await ok(database, SUBMIT, branch.head, id=head_report)
    assert codes(await run(database, RETURN, branch.head, i={"id": head_report, "comment": "x"})) == [
        "FORBIDDEN"
    ]
    # The head edits nobody's text; a hall manager writes no report.
    assert codes(await run(database, UPDATE, branch.head, i={"id": id, "summary": "改"})) == ["FORBIDDEN"]
    assert codes(await run(database, DRAFT, tenant.hall_token, p="WEEK")) == ["FORBIDDEN"]
    # Bad input: a future period, an empty comment, an id that is none.
    future = str(today() + timedelta(days=40))
    assert codes(await run(database, DRAFT, tenant.manager_token, p="MONTH", d=future)) == ["BAD_USER_INPUT"]
    assert codes(await run(database, RETURN, branch.head, i={"id": id, "comment": " "})) == ["BAD_USER_INPUT"]
    assert codes(await run(database, SUBMIT, tenant.manager_token, id="nope")) == ["BAD_USER_INPUT"]
    assert codes(await run(database, SUBMIT, tenant.manager_token, id=str(uuid.uuid4()))) == ["NOT_FOUND"]


async def test_days_out_of_range_are_bad_input(database: Any) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    for day in ("0001-01-01", "9999-12-31"):
        assert codes(await run(database, DRAFT, tenant.manager_token, p="WEEK", d=day)) == ["BAD_USER_INPUT"]
        assert codes(await run(database, MINE, tenant.manager_token, p="MONTH", d=day)) == ["BAD_USER_INPUT"]
