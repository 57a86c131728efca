"""营销画布 (resolvers/marketing/canvas.py, campaigns.py, waves.py): graph checks with clear
BAD_USER_INPUT, the scenario library, templates sent down to member banks, a campaign's lifecycle and
its waves run by the job — one statement count per chunk whatever its size, a rerun contacting nobody
twice and awarding no points twice, monitoring per wave — and the message outbox and inbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.customers import CustomerTag, TagSource
from models.marketing import (
    Campaign,
    CampaignContact,
    CampaignStatus,
    CampaignWave,
    InboxMessage,
    MessageStatus,
    OutboundMessage,
    PointsEntry,
)
from models.operations import Org, OrgKind
from resolvers.common.errors import CodedError
from resolvers.marketing.canvas import Facts, parse_contents, parse_graph, walk
from resolvers.marketing.messages import Outgoing, RecordingSender, SendResult, deliver_messages, use_sender
from resolvers.marketing.scenarios import SCENARIOS, sms_then_call
from resolvers.marketing.waves import run_due_waves, run_wave_chunk
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_customer, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import count_statements
from tests.marketing.test_audiences import consent, consenting

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
async def own_outbox(database: Settings) -> None:
    """The outbox is the whole platform's and the tests share a database: messages other tests left
    queued are set aside (FAILED) so each test's delivery counts its own."""
    await OutboundMessage.filter(status=MessageStatus.QUEUED).update(status=MessageStatus.FAILED)


CONTENTS = [
    {"key": "sms", "kind": "SMS", "body": "{{surname}}先生/女士, 续存送{{points}}积分【{{bank}}】"},
    {"key": "call", "kind": "TEXT", "title": "话术", "body": "您好, 您的存款即将到期"},
]
# The waves and messages here run "as of" 300 days ahead: the session's test stack (its marketing
# jobs run due waves and deliver due messages against the same database) never finds them due.
AHEAD = timedelta(days=300)
GRAPH = sms_then_call({"criteria": {"tags": ["存款即将到期"]}})
CREATE = """mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id status
  graph { nodes { id kind channel } edges { from to when } } } }"""
SCHEDULE = "mutation($id: ID!, $at: DateTime!) { scheduleCampaign(id: $id, startsAt: $at) { status } }"
MONITOR = """query($id: ID!) { campaign(id: $id) { status waves { number status targeted contacted
  delivered responded converted pointsAwarded } } }"""


def _bad(graph: dict[str, Any], contents: list[dict[str, Any]] = CONTENTS) -> str:
    with pytest.raises(CodedError) as refused:
        parse_graph(graph, parse_contents(contents))
    assert refused.value.extensions["code"] == "BAD_USER_INPUT"
    return str(refused.value)


def _with(**changes: Any) -> dict[str, Any]:
    return {"nodes": changes.get("nodes", GRAPH["nodes"]), "edges": changes.get("edges", GRAPH["edges"])}


def test_a_canvas_is_checked_with_clear_errors() -> None:
    graph = parse_graph(GRAPH, parse_contents(CONTENTS))
    assert graph.waves == (0, 3)
    assert [n.id for n in walk(graph, 1, Facts()).sends] == ["sms"]
    assert [n.id for n in walk(graph, 2, Facts()).sends] == ["call"]
    assert walk(graph, 2, Facts(responded=True)).sends == []
    edges = GRAPH["edges"]
    assert "cycle" in _bad(_with(edges=[*edges[:-1], {"from": "call", "to": "asked"}]))
    assert "exactly one AUDIENCE" in _bad(
        _with(nodes=[*GRAPH["nodes"], {"id": "b", "kind": "AUDIENCE", "criteria": {}}])
    )
    assert "YES and a NO" in _bad(_with(edges=[e for e in edges if e.get("when") != "NO"]))
    assert "no outgoing edge" in _bad(_with(edges=[e for e in edges if e["from"] != "call"]))
    assert "cannot be reached" in _bad(_with(nodes=[*GRAPH["nodes"], {"id": "x", "kind": "END"}]))
    assert "unknown node" in _bad(_with(edges=[*edges, {"from": "end2", "to": "a"}]))
    assert "more than one outgoing" in _bad(_with(edges=[*edges, {"from": "sms", "to": "end"}]))
    assert "SMS content" in _bad(GRAPH, [{**CONTENTS[0], "kind": "TEXT"}, CONTENTS[1]])
    bad_variable = [{**CONTENTS[0], "body": "{{name}}您好"}, CONTENTS[1]]
    assert "unknown variables" in _bad(GRAPH, bad_variable)


def test_the_scenario_library_has_ten_valid_scenarios() -> None:
    assert len(SCENARIOS) >= 10
    assert len({s.code for s in SCENARIOS}) == len(SCENARIOS)
    for scenario in SCENARIOS:
        parse_graph(scenario.graph, parse_contents(scenario.contents))  # raises when invalid


async def _bank(database: Settings, customers: int) -> tuple[Tenant, str, list[Any]]:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    made = await consenting(tenant, customers)
    for customer in made:
        await CustomerTag.create(customer=customer, name="存款即将到期", source=TagSource.SYSTEM)
    hq = token_for(await make_user(tenant.bank, ("HQ_ADMIN",)), tenant.bank, database)
    return tenant, hq, made


async def _scheduled(database: Settings, hq: str, at: datetime) -> str:
    made = await execute(
        "marketing",
        CREATE,
        {"i": {"name": "到期续存", "graph": GRAPH, "contents": CONTENTS}},
        hq,
        settings=database,
    )
    assert made.errors is None, made.errors
    campaign = made.data["createCampaign"]["id"]
    scheduled = await execute(
        "marketing", SCHEDULE, {"id": campaign, "at": at.isoformat()}, hq, settings=database
    )
    assert scheduled.data == {"scheduleCampaign": {"status": "SCHEDULED"}}, scheduled.errors
    return str(campaign)


async def test_waves_run_once_and_a_rerun_contacts_nobody_twice(database: Settings) -> None:
    tenant, hq, made = await _bank(database, 6)
    excluded = await make_customer(tenant.branch, tenant.manager, "未授权")  # no consent: not targeted
    await CustomerTag.create(customer=excluded, name="存款即将到期", source=TagSource.SYSTEM)
    now = datetime.now(UTC) + AHEAD
    campaign_id = await _scheduled(database, hq, now)
    recorder = RecordingSender()
    use_sender(recorder)
    try:
        assert await run_due_waves(now, limit=4) == 6  # wave 1 in two chunks; wave 2 not yet due
        monitor = await execute("marketing", MONITOR, {"id": campaign_id}, hq, settings=database)
        waves = monitor.data["campaign"]["waves"]
        assert monitor.data["campaign"]["status"] == "RUNNING"
        assert waves[0] == {
            "number": 1,
            "status": "DONE",
            "targeted": 6,
            "contacted": 6,
            "delivered": 0,
            "responded": 0,
            "converted": 0,
            "pointsAwarded": 600,
        }
        assert waves[1]["status"] == "PENDING"
        assert await deliver_messages(now) == 6
        assert len(recorder.sent) == 6 and all(m.body.startswith(m.body[0] + "先生") for m in recorder.sent)
        assert "{{" not in recorder.sent[0].body and "测试农商银行" in recorder.sent[0].body

        # a rerun of wave 1: nobody is sent or awarded anything twice
        rerun = "mutation($c: ID!) { rerunCampaignWave(campaignId: $c, number: 1) { status } }"
        assert (await execute("marketing", rerun, {"c": campaign_id}, hq, settings=database)).data
        await run_due_waves(now, limit=4)
        assert await OutboundMessage.filter(campaign_id=campaign_id).count() == 6
        assert await PointsEntry.filter(campaign_id=campaign_id).count() == 6
        assert await CampaignContact.filter(campaign_id=campaign_id).count() == 6

        # one customer responds; wave 2 (three days on) calls only the others, through their manager
        responded = "mutation($c: ID!, $u: ID!) { recordCampaignResponse(campaignId: $c, customerId: $u) }"
        variables = {"c": campaign_id, "u": str(made[0].id)}
        answer = await execute("marketing", responded, variables, tenant.manager_token, settings=database)
        assert answer.data == {"recordCampaignResponse": True}, answer.errors
        later = now + timedelta(days=3, minutes=1)
        await run_due_waves(later)
        await run_due_waves(later)  # the empty chunk that closes wave 2 and the campaign
        monitor = await execute("marketing", MONITOR, {"id": campaign_id}, hq, settings=database)
        first, second = monitor.data["campaign"]["waves"]
        assert monitor.data["campaign"]["status"] == "FINISHED"
        assert (first["delivered"], first["responded"]) == (6, 1)
        assert (second["targeted"], second["contacted"], second["pointsAwarded"]) == (6, 5, 0)
        notes = await InboxMessage.filter(campaign_id=campaign_id)
        assert len(notes) == 5 and {n.recipient_id for n in notes} == {tenant.manager.id}
        assert made[0].id not in {n.customer_id for n in notes}
    finally:
        use_sender(None)


async def test_a_chunk_takes_the_same_statements_whatever_its_size(database: Settings) -> None:
    """A chunk of 10 and one of 200 customers: the same statements (on PostgreSQL one more for the
    advisory lock than on SQLite); delivering their messages too."""
    counts: dict[int, tuple[int, int]] = {}
    for size in (10, 200):
        _, hq, _ = await _bank(database, size)
        now = datetime.now(UTC) + AHEAD
        campaign_id = await _scheduled(database, hq, now)
        wave = await CampaignWave.get(campaign_id=campaign_id, number=1)
        with count_statements() as chunk:
            assert await run_wave_chunk(wave.id, limit=size, now=now) == size
        with count_statements() as delivery:
            assert await deliver_messages(now, limit=size) == size
        counts[size] = (chunk.count, delivery.count)
    assert counts[10] == counts[200], counts
    # (lock,) wave, audience, contacts, new contacts, messages, points, bank name, wave figures, campaign
    assert counts[10][0] <= 10 and counts[10][1] <= 4, counts


async def test_lifecycle_and_who_may_run_a_campaign(database: Settings) -> None:
    tenant, hq, _ = await _bank(database, 1)
    variables = {"i": {"name": "生日关怀", "scenarioCode": "BIRTHDAY_CARE"}}
    refused = await execute("marketing", CREATE, variables, tenant.manager_token, settings=database)
    assert codes(refused) == ["FORBIDDEN"]
    made = (await execute("marketing", CREATE, variables, hq, settings=database)).data["createCampaign"]
    assert made["status"] == "DRAFT" and len(made["graph"]["nodes"]) == 4
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert codes(
        await execute("marketing", SCHEDULE, {"id": made["id"], "at": past}, hq, settings=database)
    ) == ["BAD_USER_INPUT"]
    cancel = "mutation($id: ID!) { cancelCampaign(id: $id) { status } }"
    assert (await execute("marketing", cancel, {"id": made["id"]}, hq, settings=database)).data == {
        "cancelCampaign": {"status": "CANCELLED"}
    }
    assert codes(await execute("marketing", cancel, {"id": made["id"]}, hq, settings=database)) == [
        "CONFLICT"
    ]
    soon = datetime.now(UTC).isoformat()
    assert codes(
        await execute("marketing", SCHEDULE, {"id": made["id"], "at": soon}, hq, settings=database)
    ) == ["CONFLICT"]
    unknown = {"i": {"name": "x", "scenarioCode": "NOPE"}}
    assert codes(await execute("marketing", CREATE, unknown, hq, settings=database)) == ["BAD_USER_INPUT"]
    broken = {"i": {"name": "x", "graph": _with(edges=GRAPH["edges"][:-1]), "contents": CONTENTS}}
    result = await execute("marketing", CREATE, broken, hq, settings=database)
    assert codes(result) == ["BAD_USER_INPUT"] and "call" in result.errors[0].message
    assert await Campaign.filter(tenant_id=tenant.bank.id).count() == 1


async def test_a_province_template_is_sent_down_to_its_member_banks(database: Settings) -> None:
    tenant, hq, _ = await _bank(database, 0)
    root = await Org.get(id=tenant.bank.parent_id)
    other_province = await make_org("他省联社", OrgKind.PROVINCE_UNION)
    foreign = await make_org("他省农商银行", OrgKind.MEMBER_BANK, other_province, own_tenant=True)
    province = token_for(await make_user(root, ("PROVINCE_ADMIN",)), root, database)
    create = (
        """mutation($i: CreateCampaignTemplateInput!) { createCampaignTemplate(input: $i) { id tenantId } }"""
    )
    template = await execute(
        "marketing",
        create,
        {"i": {"name": "省联社到期续存", "scenarioCode": "MATURITY_RENEWAL"}},
        province,
        settings=database,
    )
    template_id = template.data["createCampaignTemplate"]["id"]
    assert template.data["createCampaignTemplate"]["tenantId"] is None
    send = "mutation($t: ID!, $b: [ID!]!) { sendDownCampaignTemplate(templateId: $t, tenantIds: $b) { id sourceId } }"
    for banks, who in (
        ([str(foreign.id)], province),
        ([str(uuid.uuid4())], province),
        ([str(tenant.bank.id)], hq),
    ):
        refused = await execute("marketing", send, {"t": template_id, "b": banks}, who, settings=database)
        assert codes(refused) in (["NOT_FOUND"], ["FORBIDDEN"]), banks
    sent = await execute(
        "marketing", send, {"t": template_id, "b": [str(tenant.bank.id)]}, province, settings=database
    )
    again = await execute(
        "marketing", send, {"t": template_id, "b": [str(tenant.bank.id)]}, province, settings=database
    )
    (copy,) = sent.data["sendDownCampaignTemplate"]
    assert again.data["sendDownCampaignTemplate"] == [copy] and copy["sourceId"] == template_id
    listed = await execute("marketing", "{ campaignTemplates { nodes { id } } }", {}, hq, settings=database)
    assert listed.data["campaignTemplates"]["nodes"] == [{"id": copy["id"]}]
    made = await execute(
        "marketing", CREATE, {"i": {"name": "本行续存", "templateId": copy["id"]}}, hq, settings=database
    )
    assert made.data["createCampaign"]["status"] == "DRAFT", made.errors
    theirs = await execute(
        "marketing", CREATE, {"i": {"name": "x", "templateId": template_id}}, hq, settings=database
    )
    assert codes(theirs) == ["NOT_FOUND"]  # the province's own, not sent to this bank


async def test_points_are_spent_only_when_enough(database: Settings) -> None:
    tenant, hq, made = await _bank(database, 2)
    now = datetime.now(UTC) + AHEAD
    await _scheduled(database, hq, now)
    await run_due_waves(now)
    customer = made[0]
    spend = """mutation($c: ID!, $n: Int!, $k: String!) { spendPoints(customerId: $c, amount: $n,
      reason: "兑换礼品", idempotencyKey: $k) { amount kind } }"""
    token = tenant.manager_token

    async def run(amount: int, key: str, who: str = token) -> Any:
        return await execute(
            "marketing", spend, {"c": str(customer.id), "n": amount, "k": key}, who, settings=database
        )

    assert (await run(60, "k1")).data == {"spendPoints": {"amount": -60, "kind": "SPEND"}}
    assert (await run(60, "k1")).data == {"spendPoints": {"amount": -60, "kind": "SPEND"}}  # the same spend
    short = await run(60, "k2")
    assert codes(short) == ["CONFLICT"] and short.errors[0].extensions["reason"] == "INSUFFICIENT_POINTS"
    other = await make_tenant(database, customers=0, grabbers=0, needs=0)
    assert codes(await run(1, "k3", other.manager_token)) == ["NOT_FOUND"]
    points = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer {
      points(latest: 5) { balance entries { kind amount } } } } }"""
    representation = {"r": [{"__typename": "Customer", "id": str(customer.id)}]}
    seen = await execute("marketing", points, representation, token, settings=database)
    assert seen.data["_entities"][0]["points"] == {
        "balance": 40,
        "entries": [{"kind": "SPEND", "amount": -60}, {"kind": "EARN", "amount": 100}],
    }
    hidden = await execute("marketing", points, representation, other.manager_token, settings=database)
    entity = hidden.data["_entities"][0]
    assert entity is None or entity["points"] is None, hidden.errors  # another bank's customer


async def test_the_inbox_is_its_recipients_and_failed_sends_back_off(database: Settings) -> None:
    tenant, _, made = await _bank(database, 1)
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",))
    note = await InboxMessage.create(
        tenant_id=tenant.bank.id, recipient_id=tenant.manager.id, title="请联系客户", key=f"t:{uuid.uuid4()}"
    )
    inbox = "{ inbox(unreadOnly: true) { nodes { id readAt } } }"
    read = "mutation($id: ID!) { markInboxMessageRead(id: $id) { readAt } }"
    theirs = token_for(colleague, tenant.branch, database)
    assert (await execute("marketing", inbox, {}, theirs, settings=database)).data["inbox"]["nodes"] == []
    assert codes(await execute("marketing", read, {"id": str(note.id)}, theirs, settings=database)) == [
        "NOT_FOUND"
    ]
    mine = (await execute("marketing", inbox, {}, tenant.manager_token, settings=database)).data["inbox"][
        "nodes"
    ]
    assert mine == [{"id": str(note.id), "readAt": None}]
    marked = await execute("marketing", read, {"id": str(note.id)}, tenant.manager_token, settings=database)
    assert marked.data["markInboxMessageRead"]["readAt"] is not None
    assert (await execute("marketing", inbox, {}, tenant.manager_token, settings=database)).data["inbox"][
        "nodes"
    ] == []

    class Down:
        async def send(self, message: Outgoing) -> SendResult:
            return SendResult(accepted=False, error="gateway down")

    now = datetime.now(UTC) + AHEAD
    message = await OutboundMessage.create(
        tenant_id=tenant.bank.id,
        customer_id=made[0].id,
        channel="SMS",
        body="您好",
        next_attempt_at=now,
        key=f"t:{uuid.uuid4()}",
    )
    use_sender(Down())
    try:
        at = now
        for attempt in range(1, 6):
            assert await deliver_messages(at) >= 1
            row = await OutboundMessage.get(id=message.id)
            if attempt < 5:
                assert (row.status, row.attempts) == (MessageStatus.QUEUED, attempt)
                assert row.next_attempt_at >= at + timedelta(seconds=30 * 2 ** (attempt - 1) - 1)
                at = row.next_attempt_at
        assert (row.status, row.last_error) == (MessageStatus.FAILED, "gateway down")
    finally:
        use_sender(None)
    await consent(made[0])  # (keeps the helper imported for the other tests' shape)
    assert CampaignStatus.FINISHED.value == "FINISHED"
