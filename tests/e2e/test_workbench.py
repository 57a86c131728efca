"""首页 / 移动工作台: the clients' one workbench document (clients/web/src/h5/workbench.ts) through the
real gateway, as a customer manager and as their branch head; and what it costs: the same number of
SQL statements with 10 and with 100 items in every list (run in process, each subgraph's part of
the document as the gateway's plan sends it)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    REMOVE,
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    VariableNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor
from graphql.utilities import TypeInfo
from graphql.utilities.type_info import TypeInfoVisitor

from clients.python.dcms_client import data, gql
from models.customers import ApprovalRequest, Reminder, ReminderKind, ScheduleItem
from models.marketing import (
    MarketingScheme,
    MeasureKind,
    PerformanceIndicator,
    PerformanceTarget,
    PeriodKind,
    SchemeKind,
    SchemeStatus,
    TargetLevel,
    TargetStatus,
    WorkOrder,
)
from models.operations import Announcement, AnnouncementRead, AnnouncementStatus, IncidentLevel
from resolvers.common.clock import CST
from resolvers.operations.incidents import report_incident
from security.principal import Principal
from subgraphs.registry import spec_of
from testkit.factories import Tenant, make_staff, make_tenant, make_user, token_for
from testkit.inprocess import execute
from testkit.sqlcount import count_statements
from tests.support.stack import Stack

DOCUMENT_FILE = Path(__file__).parents[2] / "clients" / "web" / "src" / "h5" / "workbench.ts"
SUBGRAPHS = ("operations", "customers", "marketing", "finance", "devices")


def workbench() -> str:
    """The document as the clients send it (the text inside ``graphql(`…`)``)."""
    match = re.search(r"graphql\(`(.*?)`\)", DOCUMENT_FILE.read_text(encoding="utf-8"), re.DOTALL)
    assert match is not None, DOCUMENT_FILE
    return match.group(1)


def a_day_ahead() -> tuple[date, dict[str, str]]:
    """A day well in the future stands for "today": the stack's reminder job leaves it alone. Its
    bounds in UTC, as the web client sends them (``toISOString()``)."""
    day = datetime.now(CST).date() + timedelta(days=60)
    start = datetime.combine(day, time(), CST).astimezone(UTC)
    end = (start + timedelta(days=1)).isoformat()
    return day, {"dayStart": start.isoformat(), "dayEnd": end, "period": f"{day:%Y-%m}"}


async def _scheme(tenant: Tenant) -> MarketingScheme:
    today = date.today()
    return await MarketingScheme.create(
        tenant_id=tenant.bank.id,
        org_id=tenant.bank.id,
        org_path=tenant.bank.path,
        kind=SchemeKind.PRECISION,
        name="工作台方案",
        status=SchemeStatus.RUNNING,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=90),
        created_by=tenant.manager.id,
        list_complete=True,
    )


# -- through the gateway --------------------------------------------------------------------------

ADD_SCHEDULE = "mutation($i: ScheduleItemInput!) { addScheduleItem(input: $i) { id } }"
TIER_CHANGE = """mutation($c: ID!) { requestTierChange(customerId: $c, toTier: WEALTH, reason: "资产增长") {
  status } }"""
ANNOUNCE = "mutation($i: CreateAnnouncementInput!) { createAnnouncement(input: $i) { id } }"
MARK = "mutation($id: ID!) { markAnnouncementRead(id: $id) { id read } }"
DRAFT = "mutation { draftWorkReport(period: WEEK) { id } }"
UPDATE = "mutation($i: UpdateWorkReportInput!) { updateWorkReport(input: $i) { id } }"
SUBMIT = "mutation($id: ID!) { submitWorkReport(id: $id) { status } }"
RETURN = "mutation($i: ReturnWorkReportInput!) { returnWorkReport(input: $i) { status } }"


@pytest.mark.e2e
async def test_the_workbench_as_a_manager_and_as_their_branch_head(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=2, grabbers=0, needs=0)
    head, head_token = await make_staff(tenant.branch, ("BRANCH_HEAD",), settings)
    _, hq = await make_staff(tenant.bank, ("HQ_ADMIN",), settings)
    manager = tenant.manager_token
    day, window = a_day_ahead()

    starts = datetime.combine(day, time(10), CST).isoformat()
    data(await gql(url, ADD_SCHEDULE, {"i": {"title": "拜访客户", "startsAt": starts}}, manager))
    data(await gql(url, TIER_CHANGE, {"c": str(tenant.customers[0].id)}, manager))
    notice = {
        "orgId": str(tenant.branch.id),
        "title": "系统维护通知",
        "body": "周六晚系统维护",
        "publish": True,
    }
    announcement = data(await gql(url, ANNOUNCE, {"i": notice}, hq))["createAnnouncement"]["id"]
    scheme = await _scheme(tenant)
    for customer in tenant.customers:
        await WorkOrder.create(
            scheme=scheme,
            tenant_id=tenant.bank.id,
            manager_id=tenant.manager.id,
            customer_id=customer.id,
            org_path=tenant.branch.path,
        )
    report = data(await gql(url, DRAFT, None, manager))["draftWorkReport"]["id"]
    data(await gql(url, UPDATE, {"i": {"id": report, "summary": "本周走访 2 户"}}, manager))
    data(await gql(url, SUBMIT, {"id": report}, manager))

    mine = data(await gql(url, workbench(), window, manager))
    assert [item["title"] for item in mine["mySchedule"]] == ["拜访客户"]
    assert len(mine["myReminders"]["nodes"]) == 2  # the tenant's two maturity reminders
    assert mine["pendingApprovals"] == []  # a manager decides nothing here
    assert {o["customer"]["id"] for o in mine["workOrders"]["nodes"]} == {str(c.id) for c in tenant.customers}
    assert all(o["scheme"]["name"] == "工作台方案" for o in mine["workOrders"]["nodes"])
    assert "incidents" not in mine  # not for this role ($withIncidents)
    assert [(a["id"], a["read"]) for a in mine["announcements"]["nodes"]] == [(announcement, False)]
    assert mine["announcementUnreadCount"] == 1
    assert (mine["myWorkReport"]["id"], mine["myWorkReport"]["status"]) == (report, "SUBMITTED")

    # The branch head: the manager's tier change waits for them; the same announcement; no report yet.
    theirs = data(await gql(url, workbench(), {**window, "withIncidents": True}, head_token))
    [waiting] = [p for p in theirs["pendingApprovals"] if p["function"] == "TIER_CHANGE"]
    assert waiting["submittedBy"]["id"] == str(tenant.manager.id) and waiting["stepName"] == "辖内审批"
    assert [a["id"] for a in theirs["announcements"]["nodes"]] == [announcement]
    assert theirs["incidents"]["nodes"] == [] and theirs["myWorkReport"] is None
    assert theirs["mySchedule"] == [] and theirs["workOrders"]["nodes"] == []
    assert head.id != tenant.manager.id

    # Read and returned: the manager's workbench shows both.
    data(await gql(url, MARK, {"id": announcement}, manager))
    data(await gql(url, RETURN, {"i": {"id": report, "comment": "请补充下周计划"}}, head_token))
    again = data(await gql(url, workbench(), window, manager))
    assert again["announcementUnreadCount"] == 0 and again["announcements"]["nodes"][0]["read"] is True
    assert (again["myWorkReport"]["status"], again["myWorkReport"]["returnComment"]) == (
        "RETURNED",
        "请补充下周计划",
    )


# -- statements: the same at 10 and 100 items per list ------------------------------------------------


def _root_fields(subgraph: str) -> set[str]:
    query = spec_of(subgraph).schema._schema.query_type
    assert query is not None
    return set(query.fields)


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.used.add(node.name.value)


def _variables(fields: list[FieldNode]) -> set[str]:
    """The variables ``fields`` use (arguments and directives)."""
    found = _Variables()
    for field in fields:
        visit(field, found)
    return found.used


class _Foreign(Visitor):
    """Drops the fields the subgraph does not define (another subgraph's fields of an entity: the
    gateway asks that subgraph for them in one ``_entities`` call per list)."""

    def __init__(self, info: TypeInfo) -> None:
        super().__init__()
        self.info = info

    def enter_field(self, node: FieldNode, *_: Any) -> object:
        return REMOVE if self.info.get_field_def() is None else None


def split(document: str) -> dict[str, str]:
    """Each subgraph's part of the document: its root fields, and the variables they use (what the
    gateway's plan sends it; the names of the leaderboard's staff and orgs come from operations)."""
    tree = parse(document)
    [operation] = [d for d in tree.definitions if isinstance(d, OperationDefinitionNode)]
    owners = {name: subgraph for subgraph in SUBGRAPHS for name in _root_fields(subgraph)}
    parts: dict[str, list[FieldNode]] = {}
    for subgraph in {
        owners[f.name.value] for f in operation.selection_set.selections if isinstance(f, FieldNode)
    }:
        info = TypeInfo(spec_of(subgraph).schema._schema)
        local = visit(operation, TypeInfoVisitor(info, _Foreign(info)))
        for selection in local.selection_set.selections:
            assert isinstance(selection, FieldNode)
            if owners[selection.name.value] == subgraph:
                parts.setdefault(subgraph, []).append(selection)
    documents = {}
    for subgraph, fields in parts.items():
        used = _variables(fields)
        part = OperationDefinitionNode(
            operation=operation.operation,
            name=operation.name,
            directives=(),
            variable_definitions=tuple(
                v for v in operation.variable_definitions or () if v.variable.name.value in used
            ),
            selection_set=type(operation.selection_set)(selections=tuple(fields)),
        )
        documents[subgraph] = print_ast(DocumentNode(definitions=(part,)))
    return documents


async def _arrange(settings: Any, n: int) -> tuple[str, dict[str, Any]]:
    """A branch head with ``n`` of everything the workbench lists: schedule items today, unread
    reminders, approvals waiting, open work orders, open incidents they reported, announcements
    addressed to them (every other one read), their report of the week, and ``n`` of their
    managers ranked on the month's 绩效龙虎榜 (one indicator, a staff target each)."""
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    head = await make_user(tenant.branch, ("BRANCH_HEAD",), "支行行长")
    token = token_for(head, tenant.branch, settings)
    customer = tenant.customers[0]
    day, window = a_day_ahead()
    bank = tenant.bank.id
    indicator = await PerformanceIndicator.create(
        tenant_id=bank,
        code=f"W{uuid.uuid4().hex[:8]}",
        name="管户客户数",
        category="客户类",
        unit="户",
        measure=MeasureKind.CUSTOMERS_MANAGED,
        weight=Decimal(100),
        created_by=head.id,
        updated_by=head.id,
    )
    for i in range(n):
        ranked = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), f"客户经理{i}")
        await PerformanceTarget.create(
            tenant_id=bank,
            indicator=indicator,
            level=TargetLevel.STAFF,
            assignee_id=ranked.id,
            org_path=tenant.branch.path,
            period=window["period"],
            period_kind=PeriodKind.MONTH,
            target=Decimal(10),
            status=TargetStatus.APPROVED,
            created_by=head.id,
        )
        starts = datetime.combine(day, time(8), CST) + timedelta(minutes=i)
        await ScheduleItem.create(
            manager_id=head.id, tenant_id=bank, title=f"日程{i}", starts_at=starts, remind_at=starts
        )
        await Reminder.create(
            customer=customer,
            manager_id=head.id,
            tenant_id=bank,
            kind=ReminderKind.SCHEDULE,
            title=f"提醒{i}",
        )
        await ApprovalRequest.create(
            tenant_id=bank,
            function="TIER_CHANGE",
            subject_id=uuid.uuid4(),
            org_path=tenant.branch.path,
            title=f"调级申请{i}",
            created_by=tenant.manager.id,
            submitted_by=tenant.manager.id,
            steps=[{"name": "辖内审批", "roles": ["BRANCH_HEAD"]}],
            roles=",BRANCH_HEAD,",
        )
        scheme = await _scheme(tenant)
        await WorkOrder.create(
            scheme=scheme,
            tenant_id=bank,
            manager_id=head.id,
            customer_id=customer.id,
            org_path=tenant.branch.path,
        )
        notice = await Announcement.create(
            org=tenant.branch,
            org_path=tenant.branch.path,
            title=f"公告{i}",
            body="正文",
            status=AnnouncementStatus.PUBLISHED,
            published_at=datetime.now(UTC),
            created_by=tenant.manager.id,
        )
        if i % 2:
            await AnnouncementRead.create(announcement=notice, user_id=head.id, org_path=notice.org_path)
    principal = Principal(
        user_id=head.id,
        username=head.username,
        roles=("BRANCH_HEAD",),
        org_id=tenant.branch.id,
        org_path=tenant.branch.path,
        tenant_id=bank,
    )
    for i in range(n):
        await report_incident(principal, tenant.branch.id, f"网点终端故障{i}", IncidentLevel.LEVEL_4)
    drafted = await execute(
        "marketing", "mutation { draftWorkReport(period: WEEK) { id } }", {}, token, settings=settings
    )
    assert not drafted.errors, drafted.errors
    return token, {**window, "first": n, "withIncidents": True}


async def _statements(settings: Any, token: str, variables: dict[str, Any], n: int) -> dict[str, int]:
    counts = {}
    for subgraph, document in split(workbench()).items():
        with count_statements() as counter:
            result = await execute(subgraph, document, variables, token, settings=settings)
        assert not result.errors, (subgraph, result.errors)
        for name, value in result.data.items():
            nodes = value.get("nodes") if isinstance(value, dict) else value
            if isinstance(nodes, list):  # every list full: n items
                assert len(nodes) == n, (name, len(nodes))
        counts[subgraph] = counter.count
    return counts


@pytest.mark.integration
async def test_the_workbench_costs_the_same_statements_at_10_and_100_items(database: Any) -> None:
    settings = database
    figures = {}
    for n in (10, 100):
        token, variables = await _arrange(settings, n)
        figures[n] = await _statements(settings, token, variables, n)
    print(f"\nworkbench statements per subgraph at 10 items: {figures[10]}, at 100: {figures[100]}")
    assert figures[10] == figures[100]
    assert sum(figures[10].values()) == sum(figures[100].values())
