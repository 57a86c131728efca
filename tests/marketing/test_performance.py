"""业绩管理 (resolvers/marketing/performance.py, performance_scores.py), in process on the test
storage: indicators by head office, branch targets approved with four eyes, the split to staff
and its ceiling, the trail (留痕), progress and scores from the platform's data, the dashboard and
the leaderboard per scope, and constant statements at N and 10·N targets. Periods are in 2031, out
of the background jobs' reach."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from models.customers import Customer
from models.customers.profile import ContactChannel, ContactRecord
from models.marketing import (
    MarketingScheme,
    PerformanceIndicator,
    PerformanceTarget,
    SchemeKind,
    SchemeStatus,
    TargetLevel,
    TargetStatus,
    WorkOrder,
    WorkOrderStatus,
)
from models.operations import Org, User
from resolvers.marketing import performance_scores
from subgraphs.settings import Settings
from testkit.factories import make_customer, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import count_statements
from tests.marketing.test_schemes import Bank as SchemeBank
from tests.marketing.test_schemes import make_bank as make_scheme_bank

pytestmark = pytest.mark.integration

PERIOD = "2031-03"
SAVE = """mutation($i: PerformanceIndicatorInput!) { savePerformanceIndicator(input: $i) { id code weight measure } }"""
SET = """mutation($i: BranchTargetInput!) { setBranchTarget(input: $i) { id status target proposed } }"""
REVIEW = """mutation($id: ID!, $a: Boolean!, $c: String!) {
  reviewBranchTarget(id: $id, approve: $a, comment: $c) { id status target proposed } }"""
SPLIT = (
    """mutation($i: SplitBranchTargetInput!) { splitBranchTarget(input: $i) { id target staff { id } } }"""
)
HISTORY = """query($t: ID) { performanceTargetHistory(targetId: $t) {
  nodes { action before after actor { id } } } }"""
DASHBOARD = """query($p: String!) { performanceDashboard(period: $p) {
  period mine { score rank rankOf targets { actual target completion indicator { code } } }
  orgs { org { id } score targets { actual } } staff { staff { id } score rank } } }"""
LEADERBOARD = """query($p: String!, $n: Int!) { performanceLeaderboard(period: $p, first: $n) {
  rank score staff { id } org { id } } }"""


@dataclass
class Bank(SchemeBank):
    """The bank of tests/marketing/test_schemes.py (head office, reviewers, two branches and their
    heads and managers), asked as one of its people."""

    async def run(self, query: str, variables: dict[str, Any], user: User) -> Any:
        return await execute("marketing", query, variables, self.token(user), settings=self.settings)


async def make_bank(settings: Settings) -> Bank:
    return Bank(**vars(await make_scheme_bank(settings)))


def indicator_input(
    code: str = "CONTACTS_M", measure: str = "CONTACTS", weight: str = "40"
) -> dict[str, Any]:
    return {
        "code": code,
        "name": "客户接触",
        "category": "客户类",
        "unit": "次",
        "measure": measure,
        "weight": weight,
    }


async def indicator(bank: Bank, **kw: Any) -> str:
    result = await bank.run(SAVE, {"i": indicator_input(**kw)}, bank.hq)
    assert not result.errors, result.errors
    return str(result.data["savePerformanceIndicator"]["id"])


async def approved_target(bank: Bank, indicator_id: str, value: str, org: Org | None = None) -> str:
    org = org or bank.tenant.branch
    i = {"indicatorId": indicator_id, "orgId": str(org.id), "period": PERIOD, "target": value}
    made = await bank.run(SET, {"i": i}, bank.hq)
    assert not made.errors, made.errors
    id = made.data["setBranchTarget"]["id"]
    decided = await bank.run(REVIEW, {"id": id, "a": True, "c": "同意"}, bank.reviewer)
    assert decided.data["reviewBranchTarget"]["status"] == "APPROVED", decided.errors
    return str(id)


async def test_indicators_are_head_office_data(database) -> None:
    bank = await make_bank(database)
    first = await bank.run(SAVE, {"i": indicator_input()}, bank.hq)
    again = await bank.run(SAVE, {"i": indicator_input(weight="25.5")}, bank.hq)
    assert first.data["savePerformanceIndicator"]["id"] == again.data["savePerformanceIndicator"]["id"]
    assert again.data["savePerformanceIndicator"]["weight"] == "25.50"
    assert codes(await bank.run(SAVE, {"i": indicator_input()}, bank.tenant.manager)) == ["FORBIDDEN"]
    assert codes(await bank.run(SAVE, {"i": indicator_input()}, bank.head)) == ["FORBIDDEN"]
    for bad in ({"code": "bad code"}, {"weight": "101"}, {"weight": "1.234"}):
        result = await bank.run(SAVE, {"i": indicator_input() | bad}, bank.hq)
        assert codes(result) == ["BAD_USER_INPUT"], bad
    listed = await bank.run("{ performanceIndicators { code } }", {}, bank.tenant.manager)
    assert listed.data["performanceIndicators"] == [{"code": "CONTACTS_M"}]
    other = await make_bank(database)
    theirs = await other.run("{ performanceIndicators { code } }", {}, other.hq)
    assert theirs.data["performanceIndicators"] == []


async def test_branch_target_takes_effect_once_approved_by_someone_else(database) -> None:
    bank = await make_bank(database)
    ind = await indicator(bank)
    i = {
        "indicatorId": ind,
        "orgId": str(bank.tenant.branch.id),
        "period": PERIOD,
        "target": "100",
        "comment": "首次下达",
    }
    made = (await bank.run(SET, {"i": i}, bank.hq)).data["setBranchTarget"]
    assert (made["status"], made["target"], made["proposed"]) == ("PENDING", None, "100.00")
    repeat = (await bank.run(SET, {"i": i}, bank.hq)).data["setBranchTarget"]
    assert repeat["id"] == made["id"]  # the same proposal again: the same target
    other = await bank.run(SET, {"i": i | {"target": "90"}}, bank.hq)
    assert codes(other) == ["CONFLICT"]
    assert other.errors[0].extensions["reason"] == "PENDING_APPROVAL"
    # Four eyes: the proposer cannot decide (nor is HQ_ADMIN a step of the flow), a manager neither.
    assert codes(await bank.run(REVIEW, {"id": made["id"], "a": True, "c": ""}, bank.hq)) == ["FORBIDDEN"]
    # One person holding both roles proposes as HQ_ADMIN, then may not approve as HQ_REVIEWER.
    both = await make_user(bank.tenant.bank, ("HQ_ADMIN", "HQ_REVIEWER"), "兼岗")
    as_admin = token_for(both, bank.tenant.bank, bank.settings)
    proposal = await execute(
        "marketing", SET, {"i": i | {"orgId": str(bank.branch2.id)}}, as_admin, settings=bank.settings
    )
    assert not proposal.errors, proposal.errors
    both.roles = ["HQ_REVIEWER", "HQ_ADMIN"]
    as_reviewer = token_for(both, bank.tenant.bank, bank.settings)
    own_id = proposal.data["setBranchTarget"]["id"]
    own = await execute(
        "marketing", REVIEW, {"id": own_id, "a": True, "c": ""}, as_reviewer, settings=bank.settings
    )
    assert codes(own) == ["FORBIDDEN"]
    assert "四眼" in own.errors[0].message or "创建人" in own.errors[0].message
    decided = (await bank.run(REVIEW, {"id": made["id"], "a": True, "c": "同意"}, bank.reviewer)).data
    assert decided["reviewBranchTarget"] == {
        "id": made["id"],
        "status": "APPROVED",
        "target": "100.00",
        "proposed": None,
    }
    again = await bank.run(REVIEW, {"id": made["id"], "a": True, "c": "同意"}, bank.reviewer)
    assert again.data["reviewBranchTarget"]["status"] == "APPROVED"  # the reviewer's repeat
    # A revision waits; the figure in force stays until decided; a rejection keeps it.
    revised = (await bank.run(SET, {"i": i | {"target": "150"}}, bank.hq)).data["setBranchTarget"]
    assert (revised["status"], revised["target"], revised["proposed"]) == ("PENDING", "100.00", "150.00")
    assert codes(await bank.run(REVIEW, {"id": made["id"], "a": False, "c": ""}, bank.reviewer)) == [
        "BAD_USER_INPUT"
    ]
    rejected = (await bank.run(REVIEW, {"id": made["id"], "a": False, "c": "过高"}, bank.reviewer)).data
    assert rejected["reviewBranchTarget"]["target"] == "100.00"
    history = (await bank.run(HISTORY, {"t": made["id"]}, bank.hq)).data["performanceTargetHistory"]["nodes"]
    assert [(h["action"], h["before"], h["after"]) for h in history] == [
        ("REJECT", "100.00", "100.00"),
        ("SET", "100.00", "150.00"),
        ("APPROVE", None, "100.00"),
        ("SET", None, "100.00"),
    ]
    assert history[-1]["actor"]["id"] == str(bank.hq.id)
    # Ids of another bank, and the bank itself as the org: NOT_FOUND.
    other = await make_bank(database)
    foreign = await indicator(other)
    assert codes(await bank.run(SET, {"i": i | {"indicatorId": foreign}}, bank.hq)) == ["NOT_FOUND"]
    assert codes(await bank.run(SET, {"i": i | {"orgId": str(other.tenant.branch.id)}}, bank.hq)) == [
        "NOT_FOUND"
    ]
    assert codes(await bank.run(SET, {"i": i | {"orgId": str(bank.tenant.bank.id)}}, bank.hq)) == [
        "NOT_FOUND"
    ]
    assert codes(await other.run(REVIEW, {"id": made["id"], "a": True, "c": "x"}, other.reviewer)) == [
        "NOT_FOUND"
    ]
    assert codes(await bank.run(SET, {"i": i | {"period": "2031-13"}}, bank.hq)) == ["BAD_USER_INPUT"]
    assert codes(await bank.run(SET, {"i": i | {"target": "-1"}}, bank.hq)) == ["BAD_USER_INPUT"]


async def test_split_to_staff_within_the_branch_target(database) -> None:
    bank = await make_bank(database)
    ind = await indicator(bank)
    pending = await bank.run(
        SET,
        {"i": {"indicatorId": ind, "orgId": str(bank.branch2.id), "period": PERIOD, "target": "10"}},
        bank.hq,
    )
    target = await approved_target(bank, ind, "100")
    manager, colleague = bank.tenant.manager, bank.colleague

    def split(*shares: tuple[User, str], target_id: str = target) -> dict[str, Any]:
        return {
            "i": {"targetId": target_id, "shares": [{"staffId": str(u.id), "target": v} for u, v in shares]}
        }

    over = await bank.run(SPLIT, split((manager, "60"), (colleague, "41")), bank.head)
    assert codes(over) == ["BAD_USER_INPUT"]
    assert over.errors[0].extensions["reason"] == "SPLIT_EXCEEDS_TARGET"
    assert codes(await bank.run(SPLIT, split((manager, "10")), manager)) == ["FORBIDDEN"]
    assert codes(await bank.run(SPLIT, split((manager, "10")), bank.hq)) == ["FORBIDDEN"]
    assert codes(await bank.run(SPLIT, split((manager, "10")), bank.head2)) == [
        "NOT_FOUND"
    ]  # not their branch
    assert codes(await bank.run(SPLIT, split((bank.manager2, "10")), bank.head)) == [
        "NOT_FOUND"
    ]  # another branch's
    assert codes(await bank.run(SPLIT, split((bank.head, "10")), bank.head)) == ["NOT_FOUND"]  # not a manager
    other = await make_bank(database)
    assert codes(await bank.run(SPLIT, split((other.tenant.manager, "10")), bank.head)) == ["NOT_FOUND"]
    waiting = pending.data["setBranchTarget"]["id"]
    assert codes(await bank.run(SPLIT, split((bank.manager2, "1"), target_id=waiting), bank.head2)) == [
        "CONFLICT"
    ]
    done = await bank.run(SPLIT, split((manager, "60"), (colleague, "40")), bank.head)
    assert not done.errors, done.errors
    assert sorted(r["target"] for r in done.data["splitBranchTarget"]) == ["40.00", "60.00"]
    again = await bank.run(SPLIT, split((manager, "60"), (colleague, "40")), bank.head)
    assert again.data == done.data  # a repeat changes nothing
    resplit = await bank.run(SPLIT, split((manager, "70")), bank.head)
    assert [r["staff"]["id"] for r in resplit.data["splitBranchTarget"]] == [str(manager.id)]
    below = await bank.run(
        SET,
        {"i": {"indicatorId": ind, "orgId": str(bank.tenant.branch.id), "period": PERIOD, "target": "50"}},
        bank.hq,
    )
    assert codes(below) == ["BAD_USER_INPUT"]
    assert below.errors[0].extensions["reason"] == "TARGET_BELOW_SPLIT"
    history = (await bank.run(HISTORY, {"t": None}, manager)).data["performanceTargetHistory"]["nodes"]
    assert [(h["action"], h["before"], h["after"]) for h in history] == [
        ("SPLIT", "60.00", "70.00"),
        ("SPLIT", None, "60.00"),
    ]
    theirs = (await bank.run(HISTORY, {"t": None}, colleague)).data["performanceTargetHistory"]["nodes"]
    assert [h["action"] for h in theirs] == ["REMOVE", "SPLIT"]
    assert (await other.run(HISTORY, {"t": target}, other.hq)).data["performanceTargetHistory"]["nodes"] == []
    mine = await bank.run(
        'query { performanceTargets(period: "2031-03") { nodes { level target } } }', {}, manager
    )
    assert mine.data["performanceTargets"]["nodes"] == [{"level": "STAFF", "target": "70.00"}]


async def _activity(bank: Bank, contacts: dict[User, int], orders: dict[User, int]) -> None:
    """Contacts (customers subgraph) and converted work orders (marketing) in March 2031."""
    customer = bank.tenant.customers[0]
    at = datetime(2031, 3, 10, 4, tzinfo=UTC)
    await ContactRecord.bulk_create(
        [
            ContactRecord(
                customer=customer,
                manager_id=u.id,
                channel=ContactChannel.PHONE,
                summary="回访",
                contacted_at=at,
            )
            for u, n in contacts.items()
            for _ in range(n)
        ]
    )
    scheme = await MarketingScheme.create(
        tenant_id=bank.tenant.bank.id,
        org_id=bank.tenant.bank.id,
        org_path=bank.tenant.bank.path,
        kind=SchemeKind.MASS,
        list_complete=True,  # no list to build: out of the list job's reach
        name="业绩测试",
        status=SchemeStatus.RUNNING,
        starts_on=datetime(2031, 3, 1).date(),
        ends_on=datetime(2031, 3, 31).date(),
        created_by=bank.hq.id,
    )
    await WorkOrder.bulk_create(
        [
            WorkOrder(
                scheme_id=scheme.id,
                tenant_id=bank.tenant.bank.id,
                manager_id=u.id,
                customer_id=(await make_customer(bank.tenant.branch, u, "工单客户")).id,
                org_path=bank.tenant.branch.path,
                status=WorkOrderStatus.DONE,
                feedback_at=at,
            )
            for u, n in orders.items()
            for _ in range(n)
        ]
    )


async def test_progress_scores_dashboard_and_leaderboard(database) -> None:
    bank = await make_bank(database)
    contacts = await indicator(bank, code="CONTACTS_M", measure="CONTACTS", weight="60")
    orders = await indicator(bank, code="ORDERS_M", measure="WORK_ORDERS_DONE", weight="40")
    manager, colleague = bank.tenant.manager, bank.colleague
    for ind, total, shares in ((contacts, "20", ("10", "10")), (orders, "10", ("5", "5"))):
        target = await approved_target(bank, ind, total)
        await bank.run(
            SPLIT,
            {
                "i": {
                    "targetId": target,
                    "shares": [
                        {"staffId": str(manager.id), "target": shares[0]},
                        {"staffId": str(colleague.id), "target": shares[1]},
                    ],
                }
            },
            bank.head,
        )
    await _activity(bank, {manager: 15, colleague: 5, bank.manager2: 3}, {manager: 2, colleague: 5})
    # manager: contacts 150% (capped 120) × 60 + orders 40% × 40 → (72 + 16) = 88.00
    # colleague: contacts 50% × 60 + orders 100% × 40 → 70.00
    mine = (await bank.run(DASHBOARD, {"p": PERIOD}, manager)).data["performanceDashboard"]
    assert mine["mine"]["score"] == "88.00" and (mine["mine"]["rank"], mine["mine"]["rankOf"]) == (1, 2)
    assert sorted(
        (t["indicator"]["code"], t["actual"], t["completion"]) for t in mine["mine"]["targets"]
    ) == [("CONTACTS_M", "15", 1.5), ("ORDERS_M", "2", 0.4)]
    assert mine["orgs"] == [] and mine["staff"] == []
    theirs = (await bank.run(DASHBOARD, {"p": PERIOD}, colleague)).data["performanceDashboard"]["mine"]
    assert (theirs["score"], theirs["rank"]) == ("70.00", 2)
    for viewer in (bank.head, bank.hq):
        board = (await bank.run(DASHBOARD, {"p": PERIOD}, viewer)).data["performanceDashboard"]
        assert [(o["org"]["id"], sorted(t["actual"] for t in o["targets"])) for o in board["orgs"]] == [
            (str(bank.tenant.branch.id), ["23", "7"])  # the branch counts its customers' rows
        ]
        assert [(s["staff"]["id"], s["score"], s["rank"]) for s in board["staff"]] == [
            (str(manager.id), "88.00", 1),
            (str(colleague.id), "70.00", 2),
        ]
    head2 = (await bank.run(DASHBOARD, {"p": PERIOD}, bank.head2)).data["performanceDashboard"]
    assert head2["orgs"] == [] and head2["staff"] == []  # another branch's figures: none
    board = await bank.run(LEADERBOARD, {"p": PERIOD, "n": 10}, colleague)
    assert [(e["rank"], e["staff"]["id"], e["score"]) for e in board.data["performanceLeaderboard"]] == [
        (1, str(manager.id), "88.00"),
        (2, str(colleague.id), "70.00"),
    ]
    top = await bank.run(LEADERBOARD, {"p": PERIOD, "n": 1}, bank.hq)
    assert [e["staff"]["id"] for e in top.data["performanceLeaderboard"]] == [str(manager.id)]
    assert (await bank.run(LEADERBOARD, {"p": PERIOD, "n": 10}, bank.manager2)).data[
        "performanceLeaderboard"
    ] == []
    assert codes(await bank.run(LEADERBOARD, {"p": PERIOD, "n": 0}, bank.hq)) == ["BAD_USER_INPUT"]
    other = await make_bank(database)
    assert (await other.run(LEADERBOARD, {"p": PERIOD, "n": 10}, other.hq)).data[
        "performanceLeaderboard"
    ] == []
    assert (await other.run(DASHBOARD, {"p": PERIOD}, other.hq)).data["performanceDashboard"]["staff"] == []


async def _targets(bank: Bank, staff: int) -> None:
    """``staff`` managers of the branch with a target on each of three indicators (rows, fast)."""
    users = [await make_user(bank.tenant.branch, ("CUSTOMER_MANAGER",), f"经理{n}") for n in range(staff)]
    rows = []
    for code, measure in (("C", "CONTACTS"), ("W", "WORK_ORDERS_DONE"), ("D", "DEPOSIT_BALANCE")):
        ind = await PerformanceIndicator.create(
            tenant_id=bank.tenant.bank.id,
            code=f"{code}_{uuid.uuid4().hex[:6].upper()}",
            name=code,
            category="客户类",
            unit="次",
            measure=measure,
            weight=Decimal(10),
            created_by=bank.hq.id,
            updated_by=bank.hq.id,
        )
        parent = await PerformanceTarget.create(
            tenant_id=bank.tenant.bank.id,
            indicator=ind,
            level=TargetLevel.ORG,
            assignee_id=bank.tenant.branch.id,
            org_path=bank.tenant.branch.path,
            period=PERIOD,
            period_kind="MONTH",
            target=Decimal(1000),
            status=TargetStatus.APPROVED,
            created_by=bank.hq.id,
        )
        rows += [
            PerformanceTarget(
                tenant_id=bank.tenant.bank.id,
                indicator=ind,
                level=TargetLevel.STAFF,
                assignee_id=u.id,
                org_path=bank.tenant.branch.path,
                period=PERIOD,
                period_kind="MONTH",
                target=Decimal(10),
                status=TargetStatus.APPROVED,
                parent_id=parent.id,
                created_by=bank.head.id,
            )
            for u in users
        ]
    await PerformanceTarget.bulk_create(rows)
    await _activity(bank, {u: 1 for u in users}, {u: 1 for u in users})


async def _cost(database: Settings, staff: int, query: str, first: int = 100) -> tuple[Any, int, int]:
    """``query`` asked by the branch head of a fresh bank with ``staff`` managers' targets: the
    result, the statements and the rows it read."""
    bank = await make_bank(database)
    await _targets(bank, staff)
    with count_statements() as counter:
        result = await bank.run(query, {"p": PERIOD, "n": first}, bank.head)
    return result, counter.count, counter.rows


@pytest.mark.parametrize("query", [DASHBOARD, LEADERBOARD])
async def test_statements_do_not_grow_with_the_targets(database, query: str) -> None:
    measured = [await _cost(database, staff, query) for staff in (3, 30)]
    assert [r.errors for r, _, _ in measured] == [None, None]
    counts = [(statements, rows) for _, statements, rows in measured]
    print(f"(statements, rows) at 3 and 30 staff: {counts}")
    assert counts[0][0] == counts[1][0], counts


async def test_the_leaderboard_reads_its_reach_up_to_a_hard_cap(database, monkeypatch) -> None:
    """A rank needs every score of the reach, and a score the customers subgraph's figures (another
    database): no ORDER BY … LIMIT ranks them, so the rows read grow with the staff (printed
    above) — up to MAX_RANKED_TARGETS. Past it the leaderboard is refused having read one row
    more than the cap, never ranked over a part."""
    _, _, rows_at_n = await _cost(database, 3, LEADERBOARD, 1)
    monkeypatch.setattr(performance_scores, "MAX_RANKED_TARGETS", 3 * 3)  # the staff targets at N
    refused, _, rows = await _cost(database, 30, LEADERBOARD, 1)
    assert codes(refused) == ["CONFLICT"]
    assert refused.errors[0].extensions == {"code": "CONFLICT", "reason": "TOO_MANY_TO_RANK", "limit": 9}
    assert rows <= rows_at_n + 1, (rows, rows_at_n)


async def test_every_measure_reads_its_rows(database) -> None:
    """Each measure kind, for this month, per person and for the branch (its subtree's customers)."""
    from datetime import date, timedelta

    from models.customers.profile import Holding, HoldingCategory
    from models.marketing import MeasureKind, Opportunity, OpportunityStatus
    from resolvers.common.clock import CST, now
    from resolvers.marketing.performance import parse_period
    from resolvers.marketing.performance_scores import measure

    bank = await make_bank(database)
    tenant_id, manager, colleague = bank.tenant.bank.id, bank.tenant.manager, bank.colleague
    today = now().astimezone(CST).date()
    period = parse_period(today.strftime("%Y-%m"))
    mine = await make_customer(bank.tenant.branch, colleague, "存贷客户")
    holdings = [  # (category, amount, opened, closed): only those open at the day count
        (HoldingCategory.DEPOSIT, "1000.50", date(2020, 1, 1), None),
        (HoldingCategory.DEPOSIT, "200", date(2020, 1, 1), today - timedelta(days=40)),  # closed before
        (HoldingCategory.DEPOSIT, "300", today + timedelta(days=1), None),  # opened after
        (HoldingCategory.LOAN, "5000", date(2020, 1, 1), None),
    ]
    await Holding.bulk_create(
        [
            Holding(customer=mine, category=c, product_name="p", amount=Decimal(a), opened_on=o, closed_on=x)
            for c, a, o, x in holdings
        ]
    )
    for finished in (now(), now() - timedelta(days=400)):  # this period's, and last year's
        await Opportunity.create(
            tenant_id=tenant_id,
            customer_id=mine.id,
            title="理财",
            status=OpportunityStatus.CONVERTED,
            claimed_by_id=colleague.id,
            org_path=bank.tenant.branch.path,
            finished_at=finished,
        )

    async def figure(kind: MeasureKind, person: User | None = None) -> Decimal:
        rows = await measure(kind, tenant_id, period)
        if person is not None:
            return sum((r.value for r in rows if r.person_id == person.id), Decimal(0))
        branch = bank.tenant.branch.path
        return sum((r.value for r in rows if r.org_path.startswith(branch)), Decimal(0))

    managed = await Customer.filter(primary_manager_id=manager.id).count()
    assert await figure(MeasureKind.CUSTOMERS_MANAGED, manager) == managed
    assert await figure(MeasureKind.NEW_CUSTOMERS, colleague) == 1  # created now
    assert await figure(MeasureKind.DEPOSIT_BALANCE, colleague) == Decimal("1000.50")
    assert await figure(MeasureKind.LOAN_BALANCE) == Decimal(5000)
    assert await figure(MeasureKind.OPPORTUNITIES_CONVERTED, colleague) == 1
    assert await figure(MeasureKind.CONTACTS, colleague) == 0
    assert await figure(MeasureKind.WORK_ORDERS_DONE, colleague) == 0
