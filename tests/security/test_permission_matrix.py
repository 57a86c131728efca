"""The permission matrix: roles × sensitive fields × entry points, generated, asserting no leak.

For each caller and each way of reaching a customer's (or an order's) sensitive fields, the
value must be the full one, the masked one, hidden (null with FORBIDDEN), or the whole entity
absent — exactly as security/scopes.py and security/masking.py say, and never the full value
anywhere else (including error messages)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise

from models.customers import AssignmentKind, CustomerAssignment
from models.operations import Org, OrgKind
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.inprocess import execute

pytestmark = pytest.mark.integration

PHONE, PHONE_MASKED = "13800000000", "138****0000"
ID_NUMBER, ID_MASKED = "520102199001011234", "5201**********1234"
ADDRESS, ADDRESS_MASKED = "贵州省贵阳市观山湖区长岭北路1号", "贵州省贵阳市****"
FULL, MASKED, HIDDEN, ABSENT = "FULL", "MASKED", "HIDDEN", "ABSENT"


@dataclass
class World:
    tenant: Tenant
    tokens: dict[str, str]
    settings: Settings


CALLERS = {
    "owner manager": FULL,
    "custodian (active)": FULL,
    "custodian (ended)": ABSENT,
    "other manager, same branch": ABSENT,
    "branch head": MASKED,
    "head office admin": MASKED,
    "province admin": MASKED,
    "regulator": HIDDEN,
    "manager of another bank": ABSENT,
    "institution account manager": ABSENT,
    "hall manager": ABSENT,
}


@pytest.fixture(scope="module")
async def world(database) -> World:
    settings = database
    tenant = await make_tenant(settings, customers=2, grabbers=2, needs=1)
    other = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    branch, bank = tenant.branch, tenant.bank
    root = await Org.get(id=bank.parent_id)
    colleague = await make_user(branch, ("CUSTOMER_MANAGER",))
    custodian = await make_user(branch, ("CUSTOMER_MANAGER",))
    ended = await make_user(branch, ("CUSTOMER_MANAGER",))
    now = datetime.now(UTC)
    for user, ends in ((custodian, now + timedelta(days=3)), (ended, now - timedelta(minutes=1))):
        for customer in tenant.customers:
            await CustomerAssignment.create(
                customer=customer, manager_id=user.id, kind=AssignmentKind.CUSTODIAN, ends_at=ends
            )
    head = await make_user(branch, ("BRANCH_HEAD",))
    hq = await make_user(bank, ("HQ_ADMIN",))
    province = await make_user(root, ("PROVINCE_ADMIN",))
    regulator_org = await make_org("测试金融监管局", OrgKind.REGULATOR, None)
    regulator = await make_user(regulator_org, ("REGULATOR",))
    _, grabber_token = tenant.grabbers[0]
    tokens = {
        "owner manager": tenant.manager_token,
        "custodian (active)": token_for(custodian, branch, settings),
        "custodian (ended)": token_for(ended, branch, settings),
        "other manager, same branch": token_for(colleague, branch, settings),
        "branch head": token_for(head, branch, settings),
        "head office admin": token_for(hq, bank, settings),
        "province admin": token_for(province, root, settings),
        "regulator": token_for(regulator, regulator_org, settings),
        "manager of another bank": other.manager_token,
        "institution account manager": grabber_token,
        "hall manager": tenant.hall_token,
    }
    return World(tenant, tokens, settings)


FIELDS = "id phone idNumber address"


def _customer_entry(query: str, pick: Callable[[Any], Any], subgraph: str = "customers") -> Callable:
    async def run(world: World, token: str) -> tuple[Any, Any]:
        customer = world.tenant.customers[0]
        variables = {
            "id": str(customer.id),
            "m": str(world.tenant.manager.id),
            "r": [{"__typename": "Customer", "id": str(customer.id)}],
            "u": [{"__typename": "User", "id": str(world.tenant.manager.id)}],
            "o": [{"__typename": "Org", "id": str(world.tenant.branch.id)}],
        }
        result = await execute(subgraph, query, variables, token, settings=world.settings)
        node = pick(result.data) if result.data else None
        if isinstance(node, list):
            node = next((n for n in node if n and n.get("id") == str(customer.id)), None)
        return node, result.errors

    return run


ENTRY_POINTS: dict[str, Callable[[World, str], Awaitable[tuple[Any, Any]]]] = {
    "root customer(id)": _customer_entry(
        f"query($id: ID!) {{ customer(id: $id) {{ {FIELDS} }} }}", lambda d: d["customer"]
    ),
    "root customers list": _customer_entry(
        f"query($m: ID) {{ customers(first: 100, managerId: $m) {{ nodes {{ {FIELDS} }} }} }}",
        lambda d: d["customers"]["nodes"],
    ),
    "nested User.customers (_entities User)": _customer_entry(
        f"query($u: [_Any!]!) {{ _entities(representations: $u) {{ ... on User {{ customers(first: 50) {{ nodes {{ {FIELDS} }} }} }} }} }}",
        lambda d: (d["_entities"][0] or {}).get("customers", {}).get("nodes", []),
    ),
    "nested Org.customers (_entities Org)": _customer_entry(
        f"query($o: [_Any!]!) {{ _entities(representations: $o) {{ ... on Org {{ customers(first: 50) {{ nodes {{ {FIELDS} }} }} }} }} }}",
        lambda d: (d["_entities"][0] or {}).get("customers", {}).get("nodes", []),
    ),
    "_entities Customer": _customer_entry(
        f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Customer {{ {FIELDS} }} }} }}",
        lambda d: d["_entities"][0],
    ),
    "nested Reminder.customer": _customer_entry(
        f"query($id: ID!) {{ customer(id: $id) {{ reminders(first: 5) {{ nodes {{ customer {{ {FIELDS} }} }} }} }} }}",
        lambda d: ((d["customer"] or {}).get("reminders", {}).get("nodes") or [{}])[0].get("customer"),
    ),
}


def _observed(node: Any, errors: Any) -> str:
    if node is None:
        return ABSENT
    values = (node["phone"], node["idNumber"], node["address"])
    if values == (PHONE, ID_NUMBER, ADDRESS):
        return FULL
    if values == (PHONE_MASKED, ID_MASKED, ADDRESS_MASKED):
        return MASKED
    if values == (None, None, None):
        codes = {e.extensions["code"] for e in errors or []}
        return HIDDEN if codes == {"FORBIDDEN"} else f"null with {codes}"
    return f"unexpected {node}"


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize("caller", list(CALLERS))
async def test_customer_pii(world: World, caller: str, entry: str) -> None:
    node, errors = await ENTRY_POINTS[entry](world, world.tokens[caller])
    expected = CALLERS[caller]
    if entry.startswith("nested Reminder") and caller not in ("owner manager", "province admin", "regulator"):
        expected = ABSENT  # reminders are personal: only their manager (and ALL-scope roles) list them
    assert _observed(node, errors) == expected
    assert PHONE not in json.dumps([str(e) for e in errors or []], ensure_ascii=False)  # no leak in errors


ORDER_CALLERS = {
    "the grabber": FULL,
    "another account manager": HIDDEN,
    "regulator": HIDDEN,
    "bank manager of the applicant": MASKED,
}


@pytest.mark.parametrize("caller", list(ORDER_CALLERS))
async def test_need_contact_after_grab(world: World, caller: str) -> None:
    need = world.tenant.needs[0]
    (_, grabber_token), (_, other_token) = world.tenant.grabbers[:2]
    grab = "mutation($id: ID!) { grabNeed(id: $id) { id } }"
    await execute("finance", grab, {"id": str(need.id)}, grabber_token, settings=world.settings)
    token = {
        "the grabber": grabber_token,
        "another account manager": other_token,
        "regulator": world.tokens["regulator"],
        "bank manager of the applicant": world.tenant.manager_token,
    }[caller]
    query = "query($id: ID!) { financingNeed(id: $id) { contactName contactPhone } }"
    result = await execute("finance", query, {"id": str(need.id)}, token, settings=world.settings)
    node = result.data["financingNeed"] if result.data else None
    seen = (
        ABSENT
        if node is None
        else FULL
        if node == {"contactName": "王建国", "contactPhone": "13912345678"}
        else MASKED
        if node == {"contactName": "王**", "contactPhone": "139****5678"}
        else HIDDEN
        if node == {"contactName": None, "contactPhone": None}
        else str(node)
    )
    if caller == "another account manager":
        assert seen in (ABSENT, HIDDEN)  # a grabbed order leaves other institutions' view
    else:
        assert seen == ORDER_CALLERS[caller]


async def test_contact_hidden_before_the_grab(world: World) -> None:
    """A need open to an institution shows its staff everything but the contact; a need not
    open to their institution (no matching product) does not show at all."""
    other = await make_tenant(world.settings, customers=1, grabbers=1, needs=1)
    query = "query($id: ID!) { financingNeed(id: $id) { status contactPhone } }"
    _, token = other.grabbers[0]
    result = await execute("finance", query, {"id": str(other.needs[0].id)}, token, settings=world.settings)
    assert result.data["financingNeed"] == {"status": "OPEN", "contactPhone": None}
    assert [e.extensions["code"] for e in result.errors] == ["FORBIDDEN"]
    _, unmatched = world.tenant.grabbers[1]
    result = await execute(
        "finance", query, {"id": str(other.needs[0].id)}, unmatched, settings=world.settings
    )
    assert result.data["financingNeed"] is None and result.errors is None


MUTATION_CALLERS = {
    "owner manager": FULL,
    "branch head": MASKED,
    "manager of another bank": "NOT_FOUND",
    "regulator": HIDDEN,
}


@pytest.mark.parametrize("caller", list(MUTATION_CALLERS))
async def test_mutation_payload_is_scoped_and_masked(world: World, caller: str) -> None:
    mutation = (
        f"""mutation($i: AddReminderInput!) {{ addReminder(input: $i) {{ customer {{ {FIELDS} }} }} }}"""
    )
    variables = {"i": {"customerId": str(world.tenant.customers[1].id), "kind": "SCHEDULE", "title": "回访"}}
    result = await execute("customers", mutation, variables, world.tokens[caller], settings=world.settings)
    expected = MUTATION_CALLERS[caller]
    if expected == "NOT_FOUND":
        assert [e.extensions["code"] for e in result.errors] == ["NOT_FOUND"]
        return
    # The reminder goes to the primary manager; the payload's customer is read with the caller's rights.
    node = result.data["addReminder"]["customer"] if result.data else None
    assert _observed(node, result.errors) == expected


async def test_unknown_and_foreign_ids_look_the_same(world: World) -> None:
    query = "query($id: ID!) { customer(id: $id) { id } }"
    token = world.tokens["manager of another bank"]
    foreign = await execute(
        "customers", query, {"id": str(world.tenant.customers[0].id)}, token, settings=world.settings
    )
    unknown = await execute("customers", query, {"id": str(uuid.uuid4())}, token, settings=world.settings)
    assert foreign.data == unknown.data == {"customer": None}


@pytest.mark.parametrize(("caller", "audited"), [("owner manager", True), ("branch head", False)])
async def test_unmasked_reads_are_audited_masked_ones_are_not(
    world: World, caller: str, audited: bool
) -> None:
    customer = world.tenant.customers[0]
    request_id = f"req-{uuid.uuid4()}"
    query = "query($id: ID!) { customer(id: $id) { phone idNumber address } }"
    result = await execute(
        "customers",
        query,
        {"id": str(customer.id)},
        world.tokens[caller],
        settings=world.settings,
        request_id=request_id,
    )
    assert result.errors is None
    records = await Tortoise.apps["customers"]["AuditRecord"].filter(request_id=request_id)
    if audited:
        (record,) = records
        assert (record.action, record.target_type, record.target_id) == (
            "pii.read",
            "Customer",
            str(customer.id),
        )
        assert sorted(record.detail["fields"]) == ["address", "idNumber", "phone"]
    else:
        assert records == []


# -- marketing: stored audiences (目标客群) ---------------------------------------------------------

AUDIENCE_CALLERS = {  # sees the bank's audience through the list and _entities; may preview criteria
    "owner manager": (True, "FORBIDDEN"),
    "branch head": (True, None),
    "head office admin": (True, None),
    "province admin": (True, "FORBIDDEN"),  # sees every bank's; defines none (no bank of its own)
    "regulator": (True, "FORBIDDEN"),  # ALL scope (bank_scope): reads criteria, no customer in them
    "manager of another bank": (False, "FORBIDDEN"),
    "institution account manager": (False, "FORBIDDEN"),
    "hall manager": (False, "FORBIDDEN"),
}


@pytest.mark.parametrize("caller", list(AUDIENCE_CALLERS))
async def test_audience_entry_points(world: World, caller: str) -> None:
    from models.marketing import Audience

    audience = await Audience.create(
        tenant_id=world.tenant.bank.id, name="矩阵客群", criteria={}, created_by=world.tenant.manager.id
    )
    token, settings = world.tokens[caller], world.settings
    sees, preview_code = AUDIENCE_CALLERS[caller]
    listed = await execute(
        "marketing", "{ audiences(first: 100) { nodes { id } } }", {}, token, settings=settings
    )
    assert ({"id": str(audience.id)} in listed.data["audiences"]["nodes"]) is sees
    representation = [{"__typename": "Audience", "id": str(audience.id)}]
    entity = await execute(
        "marketing",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Audience { id name } } }",
        {"r": representation},
        token,
        settings=settings,
    )
    assert ((entity.data or {}).get("_entities") or [None])[0] == (
        {"id": str(audience.id), "name": "矩阵客群"} if sees else None
    )
    preview = await execute(
        "marketing", "{ audiencePreview(criteria: {}) { count } }", {}, token, settings=settings
    )
    assert [e.extensions["code"] for e in preview.errors or []] == ([preview_code] if preview_code else [])


# -- marketing: the campaign canvas, points and the inbox ----------------------------------------

CANVAS_CALLERS = {  # sees the bank's campaign and template (list, root field, _entities); its inbox
    "owner manager": True,
    "branch head": True,
    "head office admin": True,
    "province admin": True,
    "regulator": True,  # ALL scope (bank_scope): campaigns name no customer
    "manager of another bank": False,
    "institution account manager": False,
    "hall manager": False,
}


@pytest.mark.parametrize("caller", list(CANVAS_CALLERS))
async def test_canvas_entry_points(world: World, caller: str) -> None:
    from models.marketing import Campaign, CampaignTemplate, InboxMessage

    bank, maker = world.tenant.bank, world.tenant.manager.id
    campaign = await Campaign.create(tenant_id=bank.id, org_path=bank.path, name="矩阵活动", created_by=maker)
    template = await CampaignTemplate.create(
        tenant_id=bank.id, org_path=bank.path, name="矩阵模板", created_by=maker
    )
    note = await InboxMessage.create(
        tenant_id=bank.id, recipient_id=maker, title="任务", key=f"m:{uuid.uuid4()}"
    )
    token, settings, sees = world.tokens[caller], world.settings, CANVAS_CALLERS[caller]

    async def run(query: str, variables: dict[str, Any] | None = None) -> Any:
        return (await execute("marketing", query, variables or {}, token, settings=settings)).data

    listed = await run("{ campaigns(first: 100) { nodes { id } } }")
    assert ({"id": str(campaign.id)} in listed["campaigns"]["nodes"]) is sees
    root = await run(
        "query($id: ID!) { campaign(id: $id) { id waves { number } } }", {"id": str(campaign.id)}
    )
    assert (root["campaign"] is not None) is sees
    templates = await run("{ campaignTemplates(first: 100) { nodes { id } } }")
    assert ({"id": str(template.id)} in templates["campaignTemplates"]["nodes"]) is sees
    entities = await run(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Campaign { id } ... on CampaignTemplate { id } } }",
        {
            "r": [
                {"__typename": "Campaign", "id": str(campaign.id)},
                {"__typename": "CampaignTemplate", "id": str(template.id)},
            ]
        },
    )
    assert [e is not None for e in entities["_entities"]] == [sees, sees]
    inbox = await run("{ inbox(first: 100) { nodes { id } } }")
    assert ({"id": str(note.id)} in inbox["inbox"]["nodes"]) is (
        caller == "owner manager"
    )  # its recipient only


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_customer_points_follow_the_customer_scope(world: World, caller: str) -> None:
    """Customer.points (营销信息 of the 360) shows only for a customer the caller may see."""
    customer = world.tenant.customers[0]
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { points { balance } } } }"""
    variables = {"r": [{"__typename": "Customer", "id": str(customer.id)}]}
    result = await execute("marketing", query, variables, world.tokens[caller], settings=world.settings)
    entity = (result.data or {}).get("_entities", [None])[0]
    seen = entity is not None and entity["points"] is not None
    assert seen is (CALLERS[caller] != ABSENT), (entity, result.errors)
