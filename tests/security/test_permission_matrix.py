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
from models.operations import Org, OrgKind, ServicePolicy, User
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


# -- marketing: 内容管理 / 产品推荐位 / 产品知识库 (issue 17) ---------------------------------------
# Who reads what of a portal's content and of a bank's knowledge base, and who writes it. A
# portal's editors (运营, and the bureau's 政府监管) see its articles in every state; everyone else,
# anonymous callers included, only the published ones; a bank's staff read its knowledge base.
READ, NONE, REFUSED = "READ", "NONE", "REFUSED"
CONTENT_CALLERS = (
    "anonymous",
    "portal operator",
    "portal regulator",
    "operator of another portal",
    "head office admin",
    "customer manager",
    "manager of another bank",
    "province admin",
    "hall manager",
)
EDITORS = {"portal operator", "portal regulator"}
BANK = {"head office admin", "customer manager"}


def _content_expected(entry: str, caller: str) -> str:
    if entry in ("article(published)", "publishedArticles", "searchArticles", "recommendationSlot"):
        return READ  # public
    if entry == "article(draft)":  # a public field: anyone not editing the portal learns nothing
        return READ if caller in EDITORS else NOT_FOUND_CODE
    if caller == "anonymous":
        return "UNAUTHENTICATED"
    if entry in ("articles(draft)", "recommendationSlots"):
        return READ if caller in EDITORS else NONE
    if entry in ("knowledgeEntry", "searchKnowledge", "knowledgeEntries"):
        return READ if caller in BANK else (NOT_FOUND_CODE if entry == "knowledgeEntry" else NONE)
    if entry == "createArticle":
        # 运营 write into their own portal (the tenant of their token), whichever it is
        return READ if caller in ("portal operator", "operator of another portal") else "FORBIDDEN"
    if entry == "createKnowledgeEntry":
        return READ if caller == "head office admin" else "FORBIDDEN"
    raise AssertionError(entry)


NOT_FOUND_CODE = "NOT_FOUND"


@dataclass
class ContentWorld:
    tokens: dict[str, str]
    variables: dict[str, Any]
    settings: Settings


@pytest.fixture(scope="module")
async def content_world(world: World) -> ContentWorld:
    from models.marketing import (
        Article,
        ArticleStatus,
        KnowledgeEntry,
        KnowledgeKind,
        RecommendationSlot,
        SearchKind,
    )
    from models.marketing.content import category_id
    from resolvers.marketing.search import document, index

    settings, tenant = world.settings, world.tenant
    portal = await make_org("矩阵门户", OrgKind.REGULATOR, own_tenant=True)
    other = await make_org("矩阵另一门户", OrgKind.REGULATOR, own_tenant=True)
    operator = await make_user(portal, ("OPERATOR",))
    regulator = await make_user(portal, ("REGULATOR",))
    foreign = await make_user(other, ("OPERATOR",))
    news = category_id("NEWS")
    draft = await Article.create(
        tenant_id=portal.id, category_id=news, title="矩阵草稿", created_by_id=operator.id
    )
    shown = await Article.create(
        tenant_id=portal.id,
        category_id=news,
        title="矩阵公告",
        status=ArticleStatus.PUBLISHED,
        published_at=datetime.now(UTC),
        created_by_id=operator.id,
    )
    await index(document(SearchKind.ARTICLE, shown.id, portal.id, shown.title, "", category_id=news))
    await RecommendationSlot.create(tenant_id=portal.id, code="HOME", name="首页", product_ids=[])
    entry = await KnowledgeEntry.create(
        tenant_id=tenant.bank.id, kind=KnowledgeKind.FAQ, title="矩阵问答", created_by_id=operator.id
    )
    await index(document(SearchKind.KNOWLEDGE, entry.id, tenant.bank.id, entry.title, "", facet="FAQ"))
    tokens = {
        "portal operator": token_for(operator, portal, settings),
        "portal regulator": token_for(regulator, portal, settings),
        "operator of another portal": token_for(foreign, other, settings),
        "head office admin": world.tokens["head office admin"],
        "customer manager": world.tokens["owner manager"],
        "manager of another bank": world.tokens["manager of another bank"],
        "province admin": world.tokens["province admin"],
        "hall manager": world.tokens["hall manager"],
    }
    variables = {
        "draft": str(draft.id),
        "shown": str(shown.id),
        "portal": str(portal.id),
        "entry": str(entry.id),
    }
    return ContentWorld(tokens, variables, settings)


CONTENT_ENTRIES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "article(draft)": ("query($draft: ID!) { article(id: $draft) { id } }", lambda d: d["article"]),
    "article(published)": ("query($shown: ID!) { article(id: $shown) { id } }", lambda d: d["article"]),
    "publishedArticles": (
        "query($portal: ID!) { publishedArticles(portal: $portal) { nodes { id } } }",
        lambda d: d["publishedArticles"]["nodes"],
    ),
    "searchArticles": (
        'query($portal: ID!) { searchArticles(portal: $portal, query: "矩阵") { nodes { rank } } }',
        lambda d: d["searchArticles"]["nodes"],
    ),
    "recommendationSlot": (
        'query($portal: ID!) { recommendationSlot(portal: $portal, code: "HOME") { id } }',
        lambda d: d["recommendationSlot"],
    ),
    "articles(draft)": ("{ articles(status: DRAFT) { nodes { id } } }", lambda d: d["articles"]["nodes"]),
    "recommendationSlots": ("{ recommendationSlots { id } }", lambda d: d["recommendationSlots"]),
    "knowledgeEntry": (
        "query($entry: ID!) { knowledgeEntry(id: $entry) { id } }",
        lambda d: d["knowledgeEntry"],
    ),
    "knowledgeEntries": ("{ knowledgeEntries { nodes { id } } }", lambda d: d["knowledgeEntries"]["nodes"]),
    "searchKnowledge": (
        '{ searchKnowledge(query: "矩阵") { nodes { rank } } }',
        lambda d: d["searchKnowledge"]["nodes"],
    ),
    "createArticle": (
        'mutation { createArticle(input: {categoryId: "%s", title: "矩阵新稿"}) { id } }',
        lambda d: d["createArticle"],
    ),
    "createKnowledgeEntry": (
        'mutation { createKnowledgeEntry(input: {kind: FAQ, title: "矩阵新条目"}) { id } }',
        lambda d: d["createKnowledgeEntry"],
    ),
}


@pytest.mark.parametrize("entry", list(CONTENT_ENTRIES))
@pytest.mark.parametrize("caller", CONTENT_CALLERS)
async def test_content_matrix(content_world: ContentWorld, caller: str, entry: str) -> None:
    from models.marketing.content import category_id

    query, pick = CONTENT_ENTRIES[entry]
    if "%s" in query:
        query = query % category_id("NEWS")
    names = {name for name in content_world.variables if f"${name}" in query}
    variables = {name: content_world.variables[name] for name in names}
    token = content_world.tokens.get(caller)
    result = await execute("marketing", query, variables, token, settings=content_world.settings)
    codes = [e.extensions["code"] for e in result.errors or []]
    node = pick(result.data) if result.data and not codes else None
    seen = codes[0] if codes else (READ if node else NONE)
    assert seen == _content_expected(entry, caller), (caller, entry, result.errors)


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


# -- marketing: schemes (营销方案) and work orders (营销工单) -----------------------------------------

SCHEME_CALLERS = {  # (sees the bank's scheme, sees the owner manager's work order)
    "owner manager": (True, True),
    "custodian (active)": (True, False),  # a manager of the branch: the scheme covers it, not the order
    "other manager, same branch": (True, False),
    "branch head": (True, True),  # 辖内
    "head office admin": (True, True),
    "province admin": (True, True),
    "regulator": (False, False),
    "manager of another bank": (False, False),
    "institution account manager": (False, False),
    "hall manager": (False, False),
}


async def _entry_points(
    world: World, token: str, type_name: str, id: str, root_list: str, root_one: str
) -> list[bool]:
    """Whether the row shows through the root list (every page of it: an every-tenant caller's
    list holds the other tests' rows too), the root field, and ``_entities``."""
    settings = world.settings
    page = f"query($a: String) {{ {root_list}(first: 100, after: $a) {{ nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}"
    listed_ids: list[dict[str, str]] = []
    after = None
    for _ in range(50):
        listed = await execute("marketing", page, {"a": after}, token, settings=settings)
        found = (listed.data or {}).get(root_list) or {}
        listed_ids += found.get("nodes", [])
        if {"id": id} in listed_ids or not found.get("pageInfo", {}).get("hasNextPage"):
            break
        after = found["pageInfo"]["endCursor"]
    one = await execute(
        "marketing",
        f"query($id: ID!) {{ {root_one}(id: $id) {{ id }} }}",
        {"id": id},
        token,
        settings=settings,
    )
    entity = await execute(
        "marketing",
        f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on {type_name} {{ id }} }} }}",
        {"r": [{"__typename": type_name, "id": id}]},
        token,
        settings=settings,
    )
    if one.data is None or one.data.get(root_one) is None:
        assert [e.extensions["code"] for e in one.errors or []] in (["NOT_FOUND"], ["FORBIDDEN"])
    return [
        {"id": id} in listed_ids,
        ((one.data or {}).get(root_one) or {}).get("id") == id,
        (((entity.data or {}).get("_entities") or [None])[0] or {}).get("id") == id,
    ]


@pytest.mark.parametrize("caller", list(SCHEME_CALLERS))
async def test_scheme_and_work_order_entry_points(world: World, caller: str) -> None:
    from datetime import date

    from models.marketing import MarketingScheme, SchemeKind, SchemeStatus, WorkOrder

    tenant = world.tenant
    scheme = await MarketingScheme.create(
        tenant_id=tenant.bank.id,
        org_id=tenant.bank.id,
        org_path=tenant.bank.path,
        kind=SchemeKind.PRECISION,
        name="矩阵方案",
        status=SchemeStatus.RUNNING,
        starts_on=date(2026, 12, 1),
        ends_on=date(2027, 1, 31),
        created_by=tenant.manager.id,
        list_complete=True,
    )
    order = await WorkOrder.create(
        scheme=scheme,
        tenant_id=tenant.bank.id,
        manager_id=tenant.manager.id,
        customer_id=tenant.customers[0].id,
        org_path=tenant.branch.path,
    )
    token = world.tokens[caller]
    sees_scheme, sees_order = SCHEME_CALLERS[caller]
    schemes = await _entry_points(
        world, token, "MarketingScheme", str(scheme.id), "marketingSchemes", "marketingScheme"
    )
    assert schemes == [sees_scheme] * 3, schemes
    orders = await _entry_points(world, token, "WorkOrder", str(order.id), "workOrders", "workOrder")
    assert orders == [sees_order] * 3, orders


# 商机 (marketing): an opportunity shows its customer only to who may see that customer, through
# every entry point (the pool, the root list, _entities); a scanned lead's phone only to its claimer.
SHOWN, NO_CUSTOMER = "SHOWN", "NO_CUSTOMER"
OPPORTUNITY_CALLERS = {
    "owner manager": SHOWN,
    "custodian (active)": SHOWN,
    "custodian (ended)": NO_CUSTOMER,
    "other manager, same branch": NO_CUSTOMER,
    "branch head": SHOWN,
    "head office admin": SHOWN,
    "province admin": SHOWN,
    "regulator": SHOWN,  # ALL scope, as before: it sees the customer (its PII hidden by customers)
    "manager of another bank": ABSENT,
    "institution account manager": ABSENT,
    "hall manager": ABSENT,
}
# The lists are paged through (the province's and the regulator's hold every bank's pool, and other
# tests' opportunities may come first).
OPPORTUNITY_ENTRIES = {
    "opportunityPool": (
        "query($after: String) { opportunityPool(first: 100, after: $after) { nodes { id customer { id } } "
        "pageInfo { hasNextPage endCursor } } }",
        "opportunityPool",
    ),
    "root opportunities": (
        "query($after: String) { opportunities(first: 100, after: $after) { nodes { id customer { id } } "
        "pageInfo { hasNextPage endCursor } } }",
        "opportunities",
    ),
    "_entities Opportunity": (
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Opportunity { id customer { id } } } }",
        "_entities",
    ),
}


async def _opportunity_of(world: World) -> Any:
    from models.marketing import Opportunity

    customer = world.tenant.customers[0]
    return await Opportunity.filter(customer_id=customer.id, status="OPEN").order_by("id").first()


@pytest.mark.parametrize("entry", list(OPPORTUNITY_ENTRIES))
@pytest.mark.parametrize("caller", list(OPPORTUNITY_CALLERS))
async def test_opportunity_customer(world: World, caller: str, entry: str) -> None:
    opportunity = await _opportunity_of(world)
    query, root = OPPORTUNITY_ENTRIES[entry]
    variables: dict[str, Any] = {"r": [{"__typename": "Opportunity", "id": str(opportunity.id)}]}
    if root != "_entities":
        variables = {"after": None}
    node: dict[str, Any] | None = None
    errors: list[Any] = []
    for _ in range(100):  # pages
        result = await execute("marketing", query, variables, world.tokens[caller], settings=world.settings)
        errors += result.errors or []
        rows = (result.data or {}).get(root)
        nodes = rows["nodes"] if isinstance(rows, dict) else rows or []
        node = next((n for n in nodes if n and n.get("id") == str(opportunity.id)), None)
        if node is not None or not isinstance(rows, dict) or not rows["pageInfo"]["hasNextPage"]:
            break
        variables = {"after": rows["pageInfo"]["endCursor"]}
    seen = (
        ABSENT
        if node is None
        else SHOWN
        if node["customer"] == {"id": str(world.tenant.customers[0].id)}
        else NO_CUSTOMER
    )
    assert seen == OPPORTUNITY_CALLERS[caller]
    assert not [e for e in errors if e.extensions["code"] not in ("NOT_FOUND", "FORBIDDEN")]


CLAIM_CALLERS = {
    "owner manager": "CLAIMED",
    "branch head": "CLAIMED",
    "head office admin": "FORBIDDEN",
    "regulator": "FORBIDDEN",
    "manager of another bank": "NOT_FOUND",
    "institution account manager": "FORBIDDEN",
    "hall manager": "FORBIDDEN",
}


@pytest.mark.parametrize("caller", list(CLAIM_CALLERS))
async def test_claim_and_lead_contact(world: World, caller: str) -> None:
    """认领 by role; the claimer alone reads a lead's phone, everyone else in the pool the masked one."""
    from models.marketing import Opportunity

    lead = await Opportunity.create(
        tenant_id=world.tenant.bank.id,
        title="扫码意向：黔农e贷",
        source="QR_SCAN",
        org_path=world.tenant.branch.path,
        lead_phone="13912345678",
        masked_phone="139****5678",
    )
    mutation = "mutation($id: ID!) { claimOpportunity(id: $id) { status leadPhone maskedPhone } }"
    result = await execute(
        "marketing", mutation, {"id": str(lead.id)}, world.tokens[caller], settings=world.settings
    )
    expected = CLAIM_CALLERS[caller]
    if expected != "CLAIMED":
        assert [e.extensions["code"] for e in result.errors] == [expected]
        return
    assert result.data["claimOpportunity"] == {
        "status": "CLAIMED",
        "leadPhone": "13912345678",
        "maskedPhone": "139****5678",
    }
    for other in ("other manager, same branch", "head office admin"):
        seen = await execute(
            "marketing",
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Opportunity { leadPhone maskedPhone } } }",
            {"r": [{"__typename": "Opportunity", "id": str(lead.id)}]},
            world.tokens[other],
            settings=world.settings,
        )
        assert (seen.data["_entities"][0] or {}).get("leadPhone") is None


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


# -- customers: business reports (业务报表) --------------------------------------------------------

REPORT_CALLERS = {  # (sees the owner manager's row, sees the branch's row, lists the definitions)
    "owner manager": (True, False, True),  # own row only
    "custodian (active)": (False, False, True),
    "custodian (ended)": (False, False, True),
    "other manager, same branch": (False, False, True),
    "branch head": (True, True, True),
    "head office admin": (True, True, True),
    "province admin": (True, True, True),
    "regulator": (False, False, False),
    "manager of another bank": (False, False, True),  # their own bank's reports, not these rows
    "institution account manager": (False, False, False),
    "hall manager": (False, False, False),
}
REPORT = """query($c: String!, $a: String) { businessReport(code: $c, period: MONTH, periodStart: "2098-11-01", first: 100, after: $a) {
  rows { nodes { keyId } pageInfo { hasNextPage endCursor } } export { contentBase64 } } }"""


@pytest.mark.parametrize("caller", list(REPORT_CALLERS))
async def test_business_report_rows_follow_the_report_scope(world: World, caller: str) -> None:
    """businessReport (rows and export) and reportDefinitions: by the reader's scope, never another bank's."""
    import base64
    import io
    from datetime import date

    from openpyxl import load_workbook

    from resolvers.customers.reports import generate_month

    await generate_month(date(2098, 11, 1))  # once: a rerun of a done month does nothing
    token, settings = world.tokens[caller], world.settings
    own, branch, lists = REPORT_CALLERS[caller]
    seen: dict[str, int] = {}
    for code in ("RETAIL_ASSETS_MANAGER", "RETAIL_ASSETS_ORG"):
        keys: set[str] = set()
        after = None
        while True:  # every page: an every-tenant reader's report holds the other tests' rows too
            result = await execute("customers", REPORT, {"c": code, "a": after}, token, settings=settings)
            assert not result.errors, result.errors
            report = result.data["businessReport"]
            keys |= {row["keyId"] for row in report["rows"]["nodes"]}
            if not report["rows"]["pageInfo"]["hasNextPage"]:
                break
            after = report["rows"]["pageInfo"]["endCursor"]
        seen |= {key: len(keys) for key in keys}
        sheet = load_workbook(io.BytesIO(base64.b64decode(report["export"]["contentBase64"]))).active
        assert sheet is not None and sheet.max_row - 3 == len(keys)  # the export: the same rows
    assert (str(world.tenant.manager.id) in seen) is own
    assert (str(world.tenant.branch.id) in seen) is branch
    listed = await execute("customers", "{ reportDefinitions { code } }", {}, token, settings=settings)
    assert bool(listed.data["reportDefinitions"]) is lists


# -- 日志管理 (issue 19): the login and operation logs, their exports and the menu usage counts ------
# Who may use each entry point (security/functions.py LOG_READ, MENU_USAGE_READ by default;
# recordPageViews: anyone logged in, about themselves). What each reader sees in it (their tenant;
# the province union's, every tenant): tests/operations/test_logs.py.
LOG_ENTRIES: dict[str, tuple[str, dict[str, Any]]] = {
    "loginEvents": ("query { loginEvents(first: 5) { nodes { username } } }", {}),
    "pageViews": ("query { pageViews(first: 5) { nodes { menuCode } } }", {}),
    "exportLoginEvents": ("query { exportLoginEvents { fileName } }", {}),
    "exportPageViews": ("query { exportPageViews { fileName } }", {}),
    "menuUsage": (
        "query($f: DateTime!, $t: DateTime!) { menuUsage(from: $f, to: $t) { menuCode } }",
        {"f": "2026-01-01T00:00:00+08:00", "t": "2026-02-01T00:00:00+08:00"},
    ),
    "recordPageViews": (
        "mutation($v: [PageViewInput!]!) { recordPageViews(views: $v) { received } }",
        {"v": []},  # refused as BAD_USER_INPUT once past the permission check
    ),
}
LOG_CALLERS = {  # role → entry points it may use
    "SECURITY_ADMIN": {"loginEvents", "pageViews", "exportLoginEvents", "exportPageViews", "menuUsage"},
    "AUDIT_ADMIN": {"loginEvents", "pageViews", "exportLoginEvents", "exportPageViews", "menuUsage"},
    "PLATFORM_ADMIN": {"menuUsage"},
    "PROVINCE_ADMIN": {"menuUsage"},
    "HQ_ADMIN": {"menuUsage"},
    "BRANCH_HEAD": set(),
    "CUSTOMER_MANAGER": set(),
    "REGULATOR": set(),
    "HALL_MANAGER": set(),
}


@pytest.mark.parametrize("entry", list(LOG_ENTRIES))
@pytest.mark.parametrize("role", list(LOG_CALLERS))
async def test_log_entry_points(world: World, role: str, entry: str) -> None:
    org = world.tenant.branch if role in ("BRANCH_HEAD", "CUSTOMER_MANAGER") else world.tenant.bank
    if role == "HALL_MANAGER":
        org = world.tenant.hall
    user = await make_user(org, (role,))
    query, variables = LOG_ENTRIES[entry]
    result = await execute(
        "operations", query, variables, token_for(user, org, world.settings), settings=world.settings
    )
    codes = [e.extensions["code"] for e in result.errors or []]
    if entry == "recordPageViews":
        assert codes == ["BAD_USER_INPUT"]  # anyone logged in reports their own views
    elif entry in LOG_CALLERS[role]:
        assert codes == [], result.errors
    else:
        assert codes == ["FORBIDDEN"] and result.data is None


async def test_log_entry_points_refuse_anonymous_callers(world: World) -> None:
    for entry, (query, variables) in LOG_ENTRIES.items():
        result = await execute("operations", query, variables, None, settings=world.settings)
        assert [e.extensions["code"] for e in result.errors or []] == ["UNAUTHENTICATED"], entry


# -- 角色管理, 菜单及功能管理 (issue 19): who reads and edits the role definitions ----------------------
# security/functions.py ROLE_READ, ROLE_MANAGE, MENU_USAGE_READ; functionCatalogue and myMenus:
# anyone logged in (their own menus). updateRole with an unknown function: BAD_USER_INPUT once past
# the permission check, so the matrix edits nothing (tests/operations/test_roles.py edits).
ROLE_ENTRIES: dict[str, tuple[str, dict[str, Any]]] = {
    "roles": ("query { roles { code functions } }", {}),
    "functionCatalogue": ("query { functionCatalogue { code } }", {}),
    "menuCatalogue": ("query { menuCatalogue { views menu { code } } }", {}),
    "myMenus": ("query { myMenus { code } }", {}),
    "updateRole": (
        "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { version } }",
        {"i": {"code": "HQ_ADMIN", "functions": ["NO_SUCH_FUNCTION"]}},
    ),
}
ROLE_CALLERS = {  # role (at the bank, or the province) → entry points beyond functionCatalogue, myMenus
    "PLATFORM_ADMIN@province": {"roles", "menuCatalogue", "updateRole"},
    "PLATFORM_ADMIN": {"roles", "menuCatalogue"},  # a bank's: the definitions are the platform's
    "SECURITY_ADMIN": {"roles", "menuCatalogue"},
    "AUDIT_ADMIN": {"roles", "menuCatalogue"},
    "PROVINCE_ADMIN": {"menuCatalogue"},
    "HQ_ADMIN": {"menuCatalogue"},
    "BRANCH_HEAD": set(),
    "CUSTOMER_MANAGER": set(),
    "REGULATOR": set(),
    "FI_ACCOUNT_MANAGER": set(),
}


@pytest.mark.parametrize("entry", list(ROLE_ENTRIES))
@pytest.mark.parametrize("role", list(ROLE_CALLERS))
async def test_role_entry_points(world: World, role: str, entry: str) -> None:
    from models.operations import Org

    org = world.tenant.branch if role in ("BRANCH_HEAD", "CUSTOMER_MANAGER") else world.tenant.bank
    if role.endswith("@province"):
        org = await Org.get(id=world.tenant.bank.parent_id)
    user = await make_user(org, (role.removesuffix("@province"),))
    query, variables = ROLE_ENTRIES[entry]
    result = await execute(
        "operations", query, variables, token_for(user, org, world.settings), settings=world.settings
    )
    codes = [e.extensions["code"] for e in result.errors or []]
    if entry == "updateRole" and role == "PLATFORM_ADMIN@province":
        assert codes == ["BAD_USER_INPUT"]
    elif entry in ("functionCatalogue", "myMenus") or entry in ROLE_CALLERS[role]:
        assert codes == [], result.errors
    else:
        assert codes == ["FORBIDDEN"] and result.data is None


async def test_role_entry_points_refuse_anonymous_callers(world: World) -> None:
    for entry, (query, variables) in ROLE_ENTRIES.items():
        result = await execute("operations", query, variables, None, settings=world.settings)
        assert [e.extensions["code"] for e in result.errors or []] == ["UNAUTHENTICATED"], entry


# -- marketing: 业绩管理 (performance indicators, targets, dashboard, leaderboard) --------------------
# Per caller: (sees the bank's indicator, its branch target, the owner manager's staff target,
# the branch target's trail), what the dashboard shows of the bank (FORBIDDEN, NONE, MINE: the own
# card, REACH: orgs and staff), whether the leaderboard lists the owner manager, and the code of
# each mutation (None: it succeeds).
FORBID, MISSING = "FORBIDDEN", "NOT_FOUND"
_OUTSIDER = ((False, False, False, False), FORBID, FORBID, (FORBID, FORBID, MISSING, FORBID))
_COLLEAGUE = ((True, False, False, False), "NONE", True, (FORBID, FORBID, MISSING, FORBID))
PERFORMANCE_CALLERS: dict[
    str, tuple[tuple[bool, bool, bool, bool], str, bool | str, tuple[str | None, ...]]
] = {
    "owner manager": ((True, False, True, False), "MINE", True, (FORBID, FORBID, MISSING, FORBID)),
    "custodian (active)": _COLLEAGUE,
    "custodian (ended)": _COLLEAGUE,
    "other manager, same branch": _COLLEAGUE,
    "branch head": (
        (True, True, True, True),
        "REACH",
        True,
        (FORBID, FORBID, MISSING, None),
    ),  # the hall: not theirs
    "head office admin": ((True, True, True, True), "REACH", True, (None, None, FORBID, FORBID)),
    "province admin": _OUTSIDER,  # a bank's performance is its own
    "regulator": _OUTSIDER,
    "manager of another bank": (
        (False, False, False, False),
        "NONE",
        False,
        (FORBID, FORBID, MISSING, FORBID),
    ),
    "institution account manager": _OUTSIDER,
    "hall manager": _OUTSIDER,
}
PERF_PERIOD = "2031-05"


@pytest.fixture(scope="module")
async def performance_ids(world: World) -> dict[str, str]:
    from decimal import Decimal

    from models.approvals import ApprovalFunction
    from models.marketing import (
        MeasureKind,
        PerformanceIndicator,
        PerformanceTarget,
        PeriodKind,
        TargetAction,
        TargetChange,
        TargetLevel,
        TargetStatus,
    )
    from resolvers.common.approvals import open_approval

    tenant = world.tenant
    proposer = await make_user(tenant.bank, ("HQ_ADMIN",))
    indicator = await PerformanceIndicator.create(
        tenant_id=tenant.bank.id,
        code="MATRIX_CONTACTS",
        name="客户接触",
        category="客户类",
        unit="次",
        measure=MeasureKind.CONTACTS,
        weight=Decimal(50),
        created_by=proposer.id,
        updated_by=proposer.id,
    )
    common: dict[str, Any] = {
        "tenant_id": tenant.bank.id,
        "indicator": indicator,
        "period": PERF_PERIOD,
        "created_by": proposer.id,
    }
    branch = await PerformanceTarget.create(
        level=TargetLevel.ORG,
        assignee_id=tenant.branch.id,
        org_path=tenant.branch.path,
        period_kind=PeriodKind.MONTH,
        target=Decimal(100),
        status=TargetStatus.APPROVED,
        **common,
    )
    staff = await PerformanceTarget.create(
        level=TargetLevel.STAFF,
        assignee_id=tenant.manager.id,
        org_path=tenant.branch.path,
        period_kind=PeriodKind.MONTH,
        target=Decimal(40),
        status=TargetStatus.APPROVED,
        parent_id=branch.id,
        **common,
    )
    await TargetChange.create(
        tenant_id=tenant.bank.id,
        target_id=branch.id,
        org_path=branch.org_path,
        assignee_id=branch.assignee_id,
        action=TargetAction.APPROVE,
        after=Decimal(100),
        actor_id=proposer.id,
    )
    hall_org = await Org.get(id=tenant.hall.id)
    pending = await PerformanceTarget.create(
        level=TargetLevel.ORG,
        assignee_id=hall_org.id,
        org_path=hall_org.path,
        period_kind=PeriodKind.MONTH,
        proposed=Decimal(10),
        status=TargetStatus.PENDING,
        proposed_by=proposer.id,
        **common,
    )
    await open_approval(
        ApprovalFunction.BRANCH_TARGET,
        pending.id,
        tenant_id=tenant.bank.id,
        org_path=hall_org.path,
        created_by=proposer.id,
        submitted_by=proposer.id,
        title="矩阵目标",
    )
    return {
        "indicator": str(indicator.id),
        "branch": str(branch.id),
        "staff": str(staff.id),
        "pending": str(pending.id),
    }


@pytest.mark.parametrize("caller", list(PERFORMANCE_CALLERS))
async def test_performance_entry_points(world: World, performance_ids: dict[str, str], caller: str) -> None:
    token, settings, ids = world.tokens[caller], world.settings, performance_ids
    (indicators, branch, staff, trail), board, leaders, mutations = PERFORMANCE_CALLERS[caller]

    async def run(query: str, variables: dict[str, Any] | None = None) -> Any:
        return await execute("marketing", query, variables or {}, token, settings=settings)

    listed = (await run("{ performanceIndicators { id } }")).data["performanceIndicators"]
    assert ({"id": ids["indicator"]} in listed) is indicators
    targets = await run(f'{{ performanceTargets(period: "{PERF_PERIOD}", first: 100) {{ nodes {{ id }} }} }}')
    nodes = targets.data["performanceTargets"]["nodes"]
    assert [{"id": ids["branch"]} in nodes, {"id": ids["staff"]} in nodes] == [branch, staff]
    for key, sees in (("branch", branch), ("staff", staff)):
        one = await run(
            "query($id: ID!) { performanceTarget(id: $id) { id indicator { id } } }", {"id": ids[key]}
        )
        assert (one.data is not None and one.data["performanceTarget"]["id"] == ids[key]) is sees
        if not sees:
            assert [e.extensions["code"] for e in one.errors] == ["NOT_FOUND"]
    history = await run(
        "query($t: ID) { performanceTargetHistory(targetId: $t) { nodes { id } } }", {"t": ids["branch"]}
    )
    assert bool(history.data["performanceTargetHistory"]["nodes"]) is trail
    dashboard = await run(
        f'{{ performanceDashboard(period: "{PERF_PERIOD}") {{ mine {{ score }} orgs {{ score }} staff {{ score }} }} }}'
    )
    if board == FORBID:
        assert [e.extensions["code"] for e in dashboard.errors] == [FORBID]
    else:
        seen = dashboard.data["performanceDashboard"]
        shown = "REACH" if seen["orgs"] and seen["staff"] else ("MINE" if seen["mine"] else "NONE")
        assert shown == board, seen
    leaderboard = await run(
        f'{{ performanceLeaderboard(period: "{PERF_PERIOD}", first: 100) {{ staff {{ id }} }} }}'
    )
    if leaders == FORBID:
        assert [e.extensions["code"] for e in leaderboard.errors] == [FORBID]
    else:
        entries = leaderboard.data["performanceLeaderboard"]
        assert ({"staff": {"id": str(world.tenant.manager.id)}} in entries) is leaders
    save = await run(
        "mutation($i: PerformanceIndicatorInput!) { savePerformanceIndicator(input: $i) { id } }",
        {
            "i": {
                "code": "MATRIX_CONTACTS",
                "name": "客户接触",
                "category": "客户类",
                "unit": "次",
                "measure": "CONTACTS",
                "weight": "50",
            }
        },
    )
    target_input = {
        "indicatorId": ids["indicator"],
        "orgId": str(world.tenant.branch.id),
        "period": PERF_PERIOD,
        "target": "100",
    }
    set_target = await run(
        "mutation($i: BranchTargetInput!) { setBranchTarget(input: $i) { id } }", {"i": target_input}
    )
    review = await run(
        'mutation($id: ID!) { reviewBranchTarget(id: $id, approve: true, comment: "同意") { id } }',
        {"id": ids["pending"]},
    )
    split = await run(
        "mutation($i: SplitBranchTargetInput!) { splitBranchTarget(input: $i) { id } }",
        {
            "i": {
                "targetId": ids["branch"],
                "shares": [{"staffId": str(world.tenant.manager.id), "target": "40"}],
            }
        },
    )
    got = tuple(
        ([e.extensions["code"] for e in r.errors or []] or [None])[0]
        for r in (save, set_target, review, split)
    )
    assert got == mutations, [r.errors for r in (save, set_target, review, split)]


# -- 平台管理 (issue 19): users, their change history, orgs and teams ------------------------------------
# Who may use each new entry point (security/duties.py, docs/operations.md "Platform administration"):
# users only by the security admin, orgs and teams only by the business admin, the history only by
# the audit admin; each within its reach. Another bank's admin is refused as if the target did not
# exist (NOT_FOUND); any other role FORBIDDEN. Every target is fresh per case.
ADMIN_CALLERS = (
    "security admin",
    "audit admin",
    "head office admin",
    "province admin",
    "branch head",
    "owner manager",
    "regulator",
    "security admin of another bank",
    "head office admin of another bank",
)
USER_MUTATIONS = {
    "createUser": "mutation($org: ID!, $name: String!) { createUser(input: {username: $name, "
    'displayName: "矩阵", orgId: $org, roles: ["CUSTOMER_MANAGER"]}) { user { id } } }',
    "updateUser": 'mutation($user: ID!) { updateUser(input: {id: $user, displayName: "矩阵改名"}) { id } }',
    "disableUser": "mutation($user: ID!) { disableUser(id: $user) { id } }",
    "enableUser": "mutation($user: ID!) { enableUser(id: $user) { id } }",
    "unlockUser": "mutation($user: ID!) { unlockUser(id: $user) { id } }",
    "resetUserPassword": "mutation($user: ID!) { resetUserPassword(id: $user) { temporaryPassword } }",
}
ORG_MUTATIONS = {
    "createOrg": "mutation($org: ID!, $name: String!) { createOrg(input: {parentId: $org, code: $name, "
    'name: "矩阵网点", kind: OUTLET}) { id } }',
    "updateOrg": 'mutation($outlet: ID!) { updateOrg(input: {id: $outlet, name: "矩阵改名"}) { id } }',
    "moveOrg": "mutation($outlet: ID!, $bank: ID!) { moveOrg(id: $outlet, parentId: $bank) { id } }",
    "closeOrg": "mutation($outlet: ID!) { closeOrg(id: $outlet) { id } }",
    "createTeam": 'mutation($org: ID!) { createTeam(orgId: $org, name: "矩阵团队") { id } }',
    "renameTeam": 'mutation($team: ID!) { renameTeam(id: $team, name: "矩阵改名") { id } }',
    "addTeamMembers": "mutation($team: ID!, $member: ID!) { addTeamMembers(teamId: $team, userIds: [$member]) { id } }",
    "removeTeamMembers": "mutation($team: ID!, $member: ID!) { removeTeamMembers(teamId: $team, userIds: [$member]) { id } }",
}
ADMIN_READS = {  # of the case's own unit (the ALL roles' lists hold every other test's rows too)
    "users": ("query($unit: ID!) { users(orgId: $unit) { nodes { id } } }", "users", "user"),
    "userChanges": (
        "query($user: ID!) { userChanges(userId: $user) { nodes { id } } }",
        "userChanges",
        "change",
    ),
    "teams": ("query($unit: ID!) { teams(orgId: $unit) { nodes { id members { id } } } }", "teams", "team"),
}
TENANT_READERS = {"security admin", "audit admin", "head office admin", "branch head", "owner manager"}


def _admin_expected(entry: str, caller: str) -> str:
    if entry in USER_MUTATIONS:
        owner, foreign = "security admin", "security admin of another bank"
    elif entry in ORG_MUTATIONS:
        owner, foreign = "head office admin", "head office admin of another bank"
    elif entry == "userChanges":
        return "READ" if caller == "audit admin" else "NONE"
    elif entry == "users":
        return "READ" if caller in TENANT_READERS | {"province admin", "regulator"} else "NONE"
    else:  # teams: whom sees the org's work (site_scope): the bank, the branch, the ALL roles
        return (
            "READ"
            if caller in {"head office admin", "branch head", "owner manager", "province admin", "regulator"}
            else "NONE"
        )
    return "OK" if caller == owner else "NOT_FOUND" if caller == foreign else "FORBIDDEN"


@pytest.fixture(scope="module")
async def admin_tokens(world: World) -> dict[str, str]:
    from models.operations import Org

    settings, bank = world.settings, world.tenant.bank
    other = await make_org("矩阵他行", OrgKind.MEMBER_BANK, await Org.get(id=bank.parent_id), own_tenant=True)
    people = {
        "security admin": (bank, "SECURITY_ADMIN"),
        "audit admin": (bank, "AUDIT_ADMIN"),
        "security admin of another bank": (other, "SECURITY_ADMIN"),
        "head office admin of another bank": (other, "HQ_ADMIN"),
    }
    tokens = {
        name: token_for(await make_user(org, (role,)), org, settings) for name, (org, role) in people.items()
    }
    return {**world.tokens, **tokens}


@pytest.mark.parametrize("entry", [*USER_MUTATIONS, *ORG_MUTATIONS, *ADMIN_READS])
@pytest.mark.parametrize("caller", ADMIN_CALLERS)
async def test_platform_admin_entry_points(
    world: World, admin_tokens: dict[str, str], caller: str, entry: str
) -> None:
    from models.operations import Team, TeamMember, UserChange

    tenant = world.tenant
    outlet = await make_org("矩阵网点", OrgKind.OUTLET, tenant.branch)  # empty: moved or closed
    unit = await make_org("矩阵单位", OrgKind.OUTLET, tenant.branch)  # the target user and its team
    target = await make_user(unit, ("CUSTOMER_MANAGER",))
    team = await Team.create(org=unit, name="矩阵团队", tenant_id=tenant.bank.id, org_path=unit.path)
    await TeamMember.create(team=team, user=target)
    change = await UserChange.create(user_id=target.id, seq=1, action="CREATED", org_path=unit.path)
    variables = {
        "org": str(tenant.branch.id),
        "bank": str(tenant.bank.id),
        "outlet": str(outlet.id),
        "unit": str(unit.id),
        "user": str(target.id),
        "team": str(team.id),
        "member": str(target.id),
        "name": f"m{uuid.uuid4().hex[:12]}",
    }
    token = admin_tokens[caller]
    if entry in ADMIN_READS:
        query, root, what = ADMIN_READS[entry]
        result = await execute("operations", query, variables, token, settings=world.settings)
        assert result.errors is None, result.errors
        wanted = {"user": target.id, "change": change.id, "team": team.id}[what]
        seen = str(wanted) in {n["id"] for n in result.data[root]["nodes"]}
        assert ("READ" if seen else "NONE") == _admin_expected(entry, caller)
        return
    query = {**USER_MUTATIONS, **ORG_MUTATIONS}[entry]
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    result = await execute("operations", query, used, token, settings=world.settings)
    observed = "OK" if result.errors is None else "/".join(e.extensions["code"] for e in result.errors)
    assert observed == _admin_expected(entry, caller)


USER_ENTITY = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on User { id permissions disabled mustChangePassword } } }"""


@pytest.mark.parametrize("caller", ADMIN_CALLERS)
async def test_user_entity_admin_fields(world: World, admin_tokens: dict[str, str], caller: str) -> None:
    """_entities User (how the gateway completes any link to a user) shows the admin fields
    (permissions, disabled, mustChangePassword) exactly to those who may list the user (the
    ``users`` row above): anyone else gets the entity NOT_FOUND, none of the values."""
    unit = await make_org("矩阵单位", OrgKind.OUTLET, world.tenant.branch)
    target = await make_user(unit, ("CUSTOMER_MANAGER",), permissions=("WHOLE_BANK_SEARCH",))
    await User.filter(id=target.id).update(must_change_password=True, disabled_at=datetime.now(UTC))
    variables = {"r": [{"__typename": "User", "id": str(target.id)}]}
    result = await execute(
        "operations", USER_ENTITY, variables, admin_tokens[caller], settings=world.settings
    )
    (found,) = (result.data or {}).get("_entities") or [None]
    if _admin_expected("users", caller) == "READ":
        assert result.errors is None, result.errors
        assert found == {
            "id": str(target.id),
            "permissions": ["WHOLE_BANK_SEARCH"],
            "disabled": True,
            "mustChangePassword": True,
        }
    else:
        assert found is None
        assert [e.extensions["code"] for e in result.errors or []] == ["NOT_FOUND"]
        assert "WHOLE_BANK_SEARCH" not in json.dumps([e.message for e in result.errors or []])


# -- issue 19, the workbench: 通知公告 (operations) and 工作报告 (marketing) -------------------------
# An announcement published for the owner manager's branch: its users read it (root list, root
# field, mark-read); the bank's head office and the province manage it (managed list, receipts,
# publish) and do not read it as an audience (it is not addressed above the branch); nobody else
# reaches it by any entry point.
READ, MANAGE = "READ", "MANAGE"
ANNOUNCEMENT_CALLERS = {
    "owner manager": READ,
    "custodian (active)": READ,
    "custodian (ended)": READ,
    "other manager, same branch": READ,
    "branch head": READ,
    "head office admin": MANAGE,
    "province admin": MANAGE,
    "regulator": ABSENT,
    "manager of another bank": ABSENT,
    "institution account manager": ABSENT,
    "hall manager": ABSENT,
}


@pytest.mark.parametrize("caller", list(ANNOUNCEMENT_CALLERS))
async def test_announcement_entry_points(world: World, caller: str) -> None:
    from models.operations import Announcement, AnnouncementStatus

    tenant, token = world.tenant, world.tokens[caller]
    notice = await Announcement.create(
        org=tenant.branch,
        org_path=tenant.branch.path,
        title="矩阵公告",
        body="正文",
        status=AnnouncementStatus.PUBLISHED,
        published_at=datetime.now(UTC),
        created_by=tenant.manager.id,
    )
    id = str(notice.id)

    async def run(query: str) -> Any:
        return await execute("operations", query, {"id": id}, token, settings=world.settings)

    expected = ANNOUNCEMENT_CALLERS[caller]
    listed = await run("{ announcements(first: 100) { nodes { id } } }")
    assert ({"id": id} in listed.data["announcements"]["nodes"]) is (expected == READ)
    one = await run("query($id: ID!) { announcement(id: $id) { id } }")
    assert (one.data["announcement"] is not None) is (expected != ABSENT)
    marked = await run("mutation($id: ID!) { markAnnouncementRead(id: $id) { read } }")
    assert codes_of(marked) == ([] if expected == READ else ["NOT_FOUND"])
    receipts = await run("query($id: ID!) { announcement(id: $id) { readCount receipts { readAt } } }")
    assert codes_of(receipts) == {READ: ["FORBIDDEN"], MANAGE: [], ABSENT: []}[expected]
    managed = await run("{ managedAnnouncements(first: 100) { nodes { id } } }")
    if expected == MANAGE:
        assert {"id": id} in managed.data["managedAnnouncements"]["nodes"]
    else:
        assert codes_of(managed) == ["FORBIDDEN"]
    publish = await run("mutation($id: ID!) { publishAnnouncement(id: $id) { status } }")
    assert codes_of(publish) == (
        [] if expected == MANAGE else ["FORBIDDEN"]
    )  # readers and others: not authors
    create = await execute(
        "operations",
        "mutation($i: CreateAnnouncementInput!) { createAnnouncement(input: $i) { id } }",
        {"i": {"orgId": str(tenant.branch.id), "title": "新公告", "body": "正文"}},
        token,
        settings=world.settings,
    )
    assert codes_of(create) == ([] if expected == MANAGE else ["FORBIDDEN"])


def codes_of(result: Any) -> list[str]:
    return [e.extensions["code"] for e in result.errors or []]


# A submitted report of the owner manager: its author reads it (not in the others' list), the
# branch head over them reads and returns it, head office and the province read it only, nobody
# else reaches it (NOT_FOUND, as an unknown id).
WORK_REPORT_CALLERS = {  # (by id, in workReports, returnWorkReport's answer)
    "owner manager": (True, False, ["FORBIDDEN"]),
    "custodian (active)": (False, False, ["NOT_FOUND"]),
    "custodian (ended)": (False, False, ["NOT_FOUND"]),
    "other manager, same branch": (False, False, ["NOT_FOUND"]),
    "branch head": (True, True, []),
    "head office admin": (True, True, ["FORBIDDEN"]),
    "province admin": (True, True, ["FORBIDDEN"]),
    "regulator": (False, False, ["NOT_FOUND"]),
    "manager of another bank": (False, False, ["NOT_FOUND"]),
    "institution account manager": (False, False, ["NOT_FOUND"]),
    "hall manager": (False, False, ["NOT_FOUND"]),
}


@pytest.mark.parametrize("caller", list(WORK_REPORT_CALLERS))
async def test_work_report_entry_points(world: World, caller: str) -> None:
    from datetime import date

    from models.marketing import WorkReport, WorkReportPeriod, WorkReportStatus

    tenant, token = world.tenant, world.tokens[caller]
    monday = date(2020, 1, 6) + timedelta(weeks=list(WORK_REPORT_CALLERS).index(caller))  # one period each
    report = await WorkReport.create(
        tenant_id=tenant.bank.id,
        user_id=tenant.manager.id,
        org_path=tenant.branch.path,
        period=WorkReportPeriod.WEEK,
        starts_on=monday,
        ends_on=monday + timedelta(days=6),
        summary="矩阵周报",
        status=WorkReportStatus.SUBMITTED,
        submitted_at=datetime.now(UTC),
    )
    id = str(report.id)

    async def run(query: str, variables: dict[str, Any]) -> Any:
        return await execute("marketing", query, variables, token, settings=world.settings)

    by_id, listed, returned = WORK_REPORT_CALLERS[caller]
    one = await run("query($id: ID!) { workReport(id: $id) { id } }", {"id": id})
    assert (one.data["workReport"] is not None) is by_id
    page = await run("{ workReports(first: 100) { nodes { id } } }", {})
    assert ({"id": id} in page.data["workReports"]["nodes"]) is listed
    edit = await run(
        "mutation($i: UpdateWorkReportInput!) { updateWorkReport(input: $i) { id } }",
        {"i": {"id": id, "summary": "x"}},
    )
    # its author may not edit it once submitted (CONFLICT); readers may not (FORBIDDEN); others: NOT_FOUND
    assert codes_of(edit) == (
        ["CONFLICT"] if caller == "owner manager" else ["FORBIDDEN"] if by_id else ["NOT_FOUND"]
    )
    back = await run(
        "mutation($i: ReturnWorkReportInput!) { returnWorkReport(input: $i) { status } }",
        {"i": {"id": id, "comment": "请补充"}},
    )
    assert codes_of(back) == returned
    assert (await WorkReport.get(id=report.id)).status == (
        WorkReportStatus.RETURNED if not returned else WorkReportStatus.SUBMITTED
    )


# -- 参数管理 (issue 19): parameters and setParameter -------------------------------------------------
# Read: the business admins (platform admin, head office admin) and the audit admin of the tenant;
# set: the business admins only; another bank's admins: NOT_FOUND (the tenant is out of their reach);
# everyone else FORBIDDEN. A bank of its own, so no other case's reminder threshold moves.
PARAMETER_ENTRIES = {
    "parameters": "query($bank: ID!) { parameters(tenant: $bank) { key value } }",
    "setParameter": "mutation($bank: ID!, $key: String!, $value: String!) { setParameter(key: $key, "
    "value: $value, tenant: $bank) { key value } }",
}
PARAMETER_CALLERS = {  # caller: (parameters, setParameter): setParameter sets the platform's escalation times
    "head office admin": ("OK", "FORBIDDEN"),
    "platform admin": ("OK", "OK"),
    "audit admin": ("OK", "FORBIDDEN"),
    "security admin": ("FORBIDDEN", "FORBIDDEN"),
    "branch head": ("FORBIDDEN", "FORBIDDEN"),
    "owner manager": ("FORBIDDEN", "FORBIDDEN"),
    "province admin": ("FORBIDDEN", "FORBIDDEN"),
    "regulator": ("FORBIDDEN", "FORBIDDEN"),
    "head office admin of another bank": ("NOT_FOUND", "NOT_FOUND"),
    "audit admin of another bank": ("NOT_FOUND", "NOT_FOUND"),  # the tenant is checked first
}


@pytest.fixture(scope="module")
async def parameter_world(world: World) -> tuple[Org, dict[str, str]]:
    settings = world.settings
    root = await Org.get(id=world.tenant.bank.parent_id)
    bank = await make_org("矩阵参数行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch = await make_org("矩阵参数支行", OrgKind.BRANCH, bank)
    people = {
        "head office admin": (bank, "HQ_ADMIN"),
        "platform admin": (bank, "PLATFORM_ADMIN"),
        "audit admin": (bank, "AUDIT_ADMIN"),
        "security admin": (bank, "SECURITY_ADMIN"),
        "branch head": (branch, "BRANCH_HEAD"),
        "owner manager": (branch, "CUSTOMER_MANAGER"),
        "head office admin of another bank": (world.tenant.bank, "HQ_ADMIN"),
        "audit admin of another bank": (world.tenant.bank, "AUDIT_ADMIN"),
    }
    tokens = {
        name: token_for(await make_user(org, (role,)), org, settings) for name, (org, role) in people.items()
    }
    return bank, {
        **tokens,
        "province admin": world.tokens["province admin"],
        "regulator": world.tokens["regulator"],
    }


@pytest.mark.parametrize("entry", PARAMETER_ENTRIES)
@pytest.mark.parametrize("caller", PARAMETER_CALLERS)
async def test_parameter_entry_points(
    world: World, parameter_world: tuple[Org, dict[str, str]], caller: str, entry: str
) -> None:
    bank, tokens = parameter_world
    policy = await ServicePolicy.create(code=f"M{uuid.uuid4().hex[:10]}", name="矩阵参数策略")
    key = f"servicePolicy.{policy.code}.stagnationMinutes"
    minutes = policy.stagnation_minutes + 1
    variables = {"bank": str(bank.id), "key": key, "value": str(minutes)}
    used = {k: v for k, v in variables.items() if f"${k}" in PARAMETER_ENTRIES[entry]}
    result = await execute(
        "operations", PARAMETER_ENTRIES[entry], used, tokens[caller], settings=world.settings
    )
    observed = "OK" if result.errors is None else "/".join(e.extensions["code"] for e in result.errors)
    assert observed == PARAMETER_CALLERS[caller][list(PARAMETER_ENTRIES).index(entry)]
    if entry == "setParameter":
        stored = (await ServicePolicy.get(id=policy.id)).stagnation_minutes
        assert (stored == minutes) is (observed == "OK")


# 注册 / 入驻 (resolvers/operations/onboarding.py): anyone, anonymous included, may ask for a signup code
# and register (a bad code is BAD_USER_INPUT, not UNAUTHENTICATED); only the platform operator lists,
# approves and rejects applications (an unknown id: NOT_FOUND); the operator and the province's
# business admin onboard institutions; every other caller FORBIDDEN, an anonymous one UNAUTHENTICATED.
ONBOARDING_ENTRIES = {
    "registerApplicant": 'mutation { registerApplicant(input: {kind: INDIVIDUAL, phone: "13912345678", '
    'code: "000000", name: "矩阵个人", username: "matrix_applicant", password: "Matrix@2026x"}) { id } }',
    "applicantApplications": "{ applicantApplications(first: 1) { nodes { id phone } } }",
    "approveApplicant": "mutation($id: ID!) { approveApplicant(id: $id) { id } }",
    "rejectApplicant": 'mutation($id: ID!) { rejectApplicant(id: $id, reason: "矩阵驳回") { id } }',
    "onboardInstitution": 'mutation($code: String!) { onboardInstitution(input: {code: $code, name: "矩阵机构", '
    'kind: "BANK", creditCode: "91350100M000100Y44", adminUsername: "matrix_fi", adminDisplayName: "矩阵"}) '
    "{ temporaryPassword } }",
}
ONBOARDING_CALLERS = {  # what each entry answers: OK, or the error code (BAD_USER_INPUT: reached the rule)
    "anonymous": (
        "BAD_USER_INPUT",
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
    ),
    "operator": ("BAD_USER_INPUT", "OK", "NOT_FOUND", "NOT_FOUND", "BAD_USER_INPUT"),
    "platform admin": ("BAD_USER_INPUT", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "BAD_USER_INPUT"),
    "bank platform admin": ("BAD_USER_INPUT", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"),
    "head office admin": ("BAD_USER_INPUT", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"),
    "province admin": ("BAD_USER_INPUT", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"),
    "regulator": ("BAD_USER_INPUT", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"),
    "owner manager": ("BAD_USER_INPUT", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"),
    "institution account manager": ("BAD_USER_INPUT", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"),
}


@pytest.fixture(scope="module")
async def onboarding_tokens(world: World) -> dict[str, str]:
    settings, bank = world.settings, world.tenant.bank
    root = await Org.get(id=bank.parent_id)
    platform = await make_org("矩阵金融服务平台", OrgKind.REGULATOR, None, own_tenant=True)
    people = {
        "operator": (platform, "OPERATOR"),
        "platform admin": (root, "PLATFORM_ADMIN"),  # the province's (no tenant)
        "bank platform admin": (bank, "PLATFORM_ADMIN"),
    }
    tokens = {
        name: token_for(await make_user(org, (role,)), org, settings) for name, (org, role) in people.items()
    }
    return {**world.tokens, **tokens}


@pytest.mark.parametrize("entry", ONBOARDING_ENTRIES)
@pytest.mark.parametrize("caller", ONBOARDING_CALLERS)
async def test_onboarding_entry_points(
    world: World, onboarding_tokens: dict[str, str], caller: str, entry: str
) -> None:
    query = ONBOARDING_ENTRIES[entry]
    variables = {"id": str(uuid.uuid4()), "code": f"MX{uuid.uuid4().hex[:8]}"}
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    result = await execute("operations", query, used, onboarding_tokens.get(caller), settings=world.settings)
    observed = "OK" if result.errors is None else "/".join(e.extensions["code"] for e in result.errors)
    assert observed == ONBOARDING_CALLERS[caller][list(ONBOARDING_ENTRIES).index(entry)]
