"""授权 (consents) and 营销过滤 (marketing filter) through the gateway: the credit report opens
only with a live consent (refused before, after revoking and after expiry), who may record,
revoke and read, the marketing filter and its list, and constant statements for a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import Consent, ExternalRecord, ExternalSource
from subgraphs.settings import Settings
from testkit.factories import make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted
from tests.support.stack import Stack

REPORT = "query($id: ID!) { customer(id: $id) { creditReport { source title value } } }"
CONSENTS = "query($id: ID!) { customer(id: $id) { consents { id purpose live evidence revokedAt } } }"
GRANT = """mutation($i: ConsentInput!) { grantConsent(input: $i) {
  id purpose live evidence grantedBy { id } customer { name } } }"""
REVOKE = "mutation($id: ID!) { revokeConsent(id: $id) { id live revokedAt } }"


def _in(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@pytest.mark.e2e
async def test_the_credit_report_needs_a_live_consent(stack: Stack) -> None:
    url = stack.gateway_url
    tenant = await make_tenant(stack.settings, customers=2, grabbers=0, needs=0)
    customer = tenant.customers[0]
    await ExternalRecord.create(
        customer=customer, source=ExternalSource.RATING, period="2026Q3", title="人行征信", value="无不良记录"
    )
    await ExternalRecord.create(
        customer=customer, source=ExternalSource.UTILITY, period="2026-10", title="电费", value="按时缴纳"
    )
    variables = {"id": str(customer.id)}
    mine = tenant.manager_token

    async def report(token: str = mine) -> tuple[object, list[str]]:
        result = await gql(url, REPORT, variables, token)
        return (result.get("data") or {}).get("customer"), error_codes(result)

    assert (await report())[1] == ["CONSENT_REQUIRED"]
    # In a list, the refusal nulls that customer's report only: the page still comes back.
    page = await gql(url, "{ customers(first: 10) { nodes { id creditReport { title } } } }", None, mine)
    assert error_codes(page) == ["CONSENT_REQUIRED"] * 2
    nodes = sorted(page["data"]["customers"]["nodes"], key=lambda n: n["id"])
    assert nodes == [{"id": i, "creditReport": None} for i in sorted(str(c.id) for c in tenant.customers)]
    consent = {
        "customerId": str(customer.id),
        "purpose": "CREDIT_REPORT",
        "expiresAt": _in(365),
        "evidence": "SQ-001",
    }
    # A consent for another purpose opens nothing.
    data(await gql(url, GRANT, {"i": {**consent, "purpose": "RECOMMENDATION"}}, mine))
    assert (await report())[1] == ["CONSENT_REQUIRED"]
    granted = data(await gql(url, GRANT, {"i": consent}, mine))["grantConsent"]
    assert granted["live"] is True and granted["grantedBy"] == {"id": str(tenant.manager.id)}
    assert granted["customer"] == {"name": customer.name}
    assert data(await gql(url, GRANT, {"i": consent}, mine))["grantConsent"]["id"] == granted["id"]  # repeat
    assert await report() == (
        {"creditReport": [{"source": "RATING", "title": "人行征信", "value": "无不良记录"}]},
        [],
    )

    revoked = data(await gql(url, REVOKE, {"id": granted["id"]}, mine))["revokeConsent"]
    assert revoked["live"] is False and revoked["revokedAt"] is not None
    again = data(await gql(url, REVOKE, {"id": granted["id"]}, mine))["revokeConsent"]
    assert again["revokedAt"] == revoked["revokedAt"]  # revoking twice changes nothing
    assert (await report())[1] == ["CONSENT_REQUIRED"]

    # A consent that ran out: refused again.
    fresh = data(await gql(url, GRANT, {"i": {**consent, "evidence": "SQ-002"}}, mine))["grantConsent"]
    assert (await report())[1] == []
    await Consent.filter(id=fresh["id"]).update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    assert (await report())[1] == ["CONSENT_REQUIRED"]
    listed = data(await gql(url, CONSENTS, variables, mine))["customer"]["consents"]
    assert [(c["evidence"], c["purpose"], c["live"]) for c in listed] == [
        ("SQ-002", "CREDIT_REPORT", False),
        ("SQ-001", "CREDIT_REPORT", False),
        ("SQ-001", "RECOMMENDATION", True),
    ]
    for bad in ({"expiresAt": _in(-1)}, {"expiresAt": _in(3000)}, {"evidence": " "}):
        assert error_codes(await gql(url, GRANT, {"i": {**consent, **bad}}, mine)) == ["BAD_USER_INPUT"], bad


@pytest.mark.e2e
async def test_only_the_customers_managers_and_head_office_use_consents(stack: Stack) -> None:
    url = stack.gateway_url
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    customer = tenant.customers[0]
    variables = {"id": str(customer.id)}
    consent = {
        "customerId": str(customer.id),
        "purpose": "CREDIT_REPORT",
        "expiresAt": _in(30),
        "evidence": "SQ-9",
    }
    hq = await make_user(tenant.bank, ("HQ_ADMIN",))
    hq_token = token_for(hq, tenant.bank, stack.settings)
    granted = data(await gql(url, GRANT, {"i": consent}, hq_token))["grantConsent"]  # head office records
    assert data(await gql(url, REPORT, variables, hq_token))["customer"] == {"creditReport": []}
    # A manager who sees the customer only through whole-bank search may not use the consent.
    searcher = await make_user(
        tenant.branch, ("CUSTOMER_MANAGER",), "客户经理", permissions=("WHOLE_BANK_SEARCH",)
    )
    search_token = token_for(searcher, tenant.branch, stack.settings)
    assert error_codes(await gql(url, REPORT, variables, search_token)) == ["FORBIDDEN"]
    assert error_codes(await gql(url, GRANT, {"i": consent}, search_token)) == ["FORBIDDEN"]
    assert error_codes(await gql(url, REVOKE, {"id": granted["id"]}, search_token)) == ["FORBIDDEN"]
    # Another bank's manager: no customer, no consents, nothing to grant or revoke.
    assert data(await gql(url, CONSENTS, variables, other.manager_token))["customer"] is None
    assert error_codes(await gql(url, GRANT, {"i": consent}, other.manager_token)) == ["NOT_FOUND"]
    assert error_codes(await gql(url, REVOKE, {"id": granted["id"]}, other.manager_token)) == ["NOT_FOUND"]
    assert data(await gql(url, REPORT, variables, tenant.manager_token))["customer"] == {"creditReport": []}


EXCLUDE = """mutation($c: ID!, $r: String!) { excludeFromMarketing(customerId: $c, reason: $r) {
  id reason createdBy { id } customer { name marketingExcluded } } }"""
INCLUDE = "mutation($c: ID!) { includeInMarketing(customerId: $c) { name marketingExcluded } }"
EXCLUDED = "{ marketingExclusions(first: 50) { nodes { reason customer { name } } } }"


@pytest.mark.e2e
async def test_the_marketing_filter(stack: Stack) -> None:
    url = stack.gateway_url
    tenant = await make_tenant(stack.settings, customers=2, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    customer = tenant.customers[0]
    mine = tenant.manager_token
    variables = {"c": str(customer.id), "r": "客户要求不再接收营销信息"}
    excluded = data(await gql(url, EXCLUDE, variables, mine))["excludeFromMarketing"]
    assert excluded["customer"] == {"name": customer.name, "marketingExcluded": True}
    assert excluded["createdBy"] == {"id": str(tenant.manager.id)}
    assert data(await gql(url, EXCLUDE, variables, mine))["excludeFromMarketing"]["id"] == excluded["id"]
    listing = data(await gql(url, EXCLUDED, {}, mine))["marketingExclusions"]["nodes"]
    assert listing == [{"reason": "客户要求不再接收营销信息", "customer": {"name": customer.name}}]
    page = "{ customers(first: 10) { nodes { name marketingExcluded } } }"
    flags = data(await gql(url, page, {}, mine))["customers"]["nodes"]
    assert sorted((n["name"], n["marketingExcluded"]) for n in flags) == [("客户0", True), ("客户1", False)]
    # Out of scope: another bank's manager sees no exclusion and excludes nothing here.
    assert data(await gql(url, EXCLUDED, {}, other.manager_token))["marketingExclusions"]["nodes"] == []
    assert error_codes(await gql(url, EXCLUDE, variables, other.manager_token)) == ["NOT_FOUND"]
    assert error_codes(await gql(url, INCLUDE, {"c": str(customer.id)}, other.manager_token)) == ["NOT_FOUND"]
    assert error_codes(await gql(url, EXCLUDE, {**variables, "r": " "}, mine)) == ["BAD_USER_INPUT"]
    included = data(await gql(url, INCLUDE, {"c": str(customer.id)}, mine))["includeInMarketing"]
    assert included == {"name": customer.name, "marketingExcluded": False}
    assert data(await gql(url, EXCLUDED, {}, mine))["marketingExclusions"]["nodes"] == []


PAGE = """query($m: ID!, $first: Int!) { customers(managerId: $m, first: $first) { nodes {
  marketingExcluded consents { purpose live } creditReport { title } } } }"""


@pytest.mark.integration
async def test_consents_and_the_filter_take_the_same_statements_at_2_and_10(database: Settings) -> None:
    tenant = await make_tenant(database, customers=10, grabbers=0, needs=0)
    for customer in tenant.customers:
        await Consent.create(
            customer=customer,
            tenant_id=tenant.bank.id,
            purpose="CREDIT_REPORT",
            granted_by=tenant.manager.id,
            evidence="SQ",
            expires_at=datetime.now(UTC) + timedelta(days=30),
        )
    counts = []
    for first in (2, 10):
        variables = {"m": str(tenant.manager.id), "first": first}
        statements, seen = await counted("customers", PAGE, variables, tenant.manager_token, database)
        assert len(seen["customers"]["nodes"]) == first
        counts.append(statements)
    assert counts[0] == counts[1], counts


@pytest.mark.integration
async def test_another_bank_reaches_no_consent_through_entities(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    other = await make_tenant(database, customers=1, grabbers=0, needs=0)
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer {
      marketingExcluded consents { purpose } creditReport { title } } } }"""
    reps = {"r": [{"__typename": "Customer", "id": str(tenant.customers[0].id)}]}
    result = await execute("customers", query, reps, other.manager_token, settings=database)
    # Out of scope is answered like a missing customer: null, with NOT_FOUND at that index.
    assert codes(result) == ["NOT_FOUND"] and result.data == {"_entities": [None]}
