"""大众营销扫码 (subgraphs/opportunity_scan.py, resolvers/marketing/scan.py) and the live pool
(opportunityPool) through the real stack: a scan without login becomes one opportunity a day per
phone and code, matched to the bank's customer by the phone's blind index; the pool's subscribers
see it arrive and get claimed, each with only the customer they may see; bad bodies are 400, an
unknown code 404, a flood 429 — never 500."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, gql
from models.marketing import Opportunity, OpportunityStatus, QrCode
from models.operations import OrgKind
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from tests.support.stack import Stack
from tests.support.ws import socket

pytestmark = pytest.mark.e2e

MAKE = "mutation($i: CreateQrCodeInput!) { createQrCode(input: $i) { id token } }"
POOL_STREAM = """subscription($after: ID) { opportunityPool(after: $after) {
  eventId kind removeFromPool opportunity { id title status maskedPhone customer { id } } } }"""


async def make_code(stack: Stack, tenant: Tenant, **extra: Any) -> dict[str, Any]:
    variables = {"i": {"productName": "黔农e贷", "label": "网点海报", **extra}}
    return data(await gql(stack.gateway_url, MAKE, variables, tenant.manager_token))["createQrCode"]


def scan_url(stack: Stack, token: str) -> str:
    return f"{stack.subgraphs_url}/marketing/scan/{token}"


async def test_a_scan_is_one_opportunity_a_day(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    code = await make_code(stack, tenant)
    async with httpx.AsyncClient(timeout=10) as client:
        shown = await client.get(scan_url(stack, code["token"]))
        assert shown.json() == {"productName": "黔农e贷", "label": "网点海报"}
        lead = {"phone": "13912345678", "name": "王先生", "remark": "想了解贷款"}
        for _ in range(2):  # the same phone again the same day: one opportunity
            answer = await client.post(scan_url(stack, code["token"]), json=lead)
            assert answer.status_code == 200 and answer.json() == {"ok": True}
        customer = await client.post(scan_url(stack, code["token"]), json={"phone": "138 0000 0000"})
        assert customer.json() == {"ok": True}  # the same answer whether a customer or not
        for bad in (
            b"{",
            b"[]",
            b'{"phone": 5}',
            b'{"phone": "12345"}',
            b'{"phone": "13912345678", "name": 1}',
        ):
            refused = await client.post(
                scan_url(stack, code["token"]), content=bad, headers={"content-type": "application/json"}
            )
            assert refused.status_code == 400, refused.text
            assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        unknown = await client.post(scan_url(stack, "no-such-code"), json=lead)
        assert unknown.status_code == 404
    made = await Opportunity.filter(qr_code_id=uuid.UUID(code["id"])).order_by("created_at")
    assert len(made) == 2
    lead_row, matched = made
    assert (lead_row.customer_id, lead_row.masked_phone, lead_row.lead_phone) == (
        None,
        "139****5678",
        "13912345678",
    )
    assert matched.customer_id == tenant.customers[0].id  # matched by the phone's blind index
    assert all(o.status is OpportunityStatus.OPEN and "客户" not in o.title for o in made)


async def test_the_pool_stream_shows_arrival_and_claim_with_scoped_customers(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other_branch = await make_org("另一支行", OrgKind.BRANCH, tenant.bank)
    colleague = await make_user(other_branch, ("CUSTOMER_MANAGER",), "同事")
    colleague_token = token_for(colleague, other_branch, stack.settings)
    code = await make_code(stack, tenant)
    async with (
        socket(stack.gateway_ws, tenant.manager_token) as mine,
        socket(stack.gateway_ws, colleague_token) as theirs,
    ):
        await mine.subscribe("pool", POOL_STREAM)
        await theirs.subscribe("pool", POOL_STREAM)
        await asyncio.sleep(1.0)  # the subscriptions reach the subgraph
        async with httpx.AsyncClient(timeout=10) as client:
            await client.post(scan_url(stack, code["token"]), json={"phone": "13800000000"})
        seen_mine = (await mine.next(15))["payload"]["data"]["opportunityPool"]
        seen_theirs = (await theirs.next(15))["payload"]["data"]["opportunityPool"]
        assert seen_mine["kind"] == seen_theirs["kind"] == "AVAILABLE"
        assert seen_mine["opportunity"]["customer"] == {"id": str(tenant.customers[0].id)}
        assert seen_theirs["opportunity"]["customer"] is None  # a colleague's customer: not shown
        opportunity_id = seen_mine["opportunity"]["id"]
        claim = "mutation($id: ID!) { claimOpportunity(id: $id) { status } }"
        data(await gql(stack.gateway_url, claim, {"id": opportunity_id}, colleague_token))
        claimed = (await mine.next(15))["payload"]["data"]["opportunityPool"]
        assert (claimed["kind"], claimed["removeFromPool"], claimed["opportunity"]["id"]) == (
            "CLAIMED",
            True,
            opportunity_id,
        )
        assert claimed["opportunity"]["customer"] == {"id": str(tenant.customers[0].id)}
        lost = await gql(stack.gateway_url, claim, {"id": opportunity_id}, tenant.manager_token)
        assert [e["extensions"]["code"] for e in lost["errors"]] == ["CONFLICT"]
    # resume after the first event: the claim comes again, nothing before it
    async with socket(stack.gateway_ws, tenant.manager_token) as again:
        await again.subscribe("resume", POOL_STREAM, {"after": seen_mine["eventId"]})
        replayed = [(await again.next(15))["payload"]["data"]["opportunityPool"]]
        while replayed[-1]["opportunity"]["id"] != opportunity_id:
            replayed.append((await again.next(15))["payload"]["data"]["opportunityPool"])
        assert replayed[-1]["kind"] == "CLAIMED"


async def test_a_flood_of_scans_is_429(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    code = await make_code(stack, tenant)
    async with httpx.AsyncClient(timeout=10) as client:
        answers = [
            (await client.post(scan_url(stack, code["token"]), json={"phone": f"139{i:08d}"})).status_code
            for i in range(40)
        ]
    assert 429 in answers and set(answers) <= {200, 429}, answers
    assert await QrCode.exists(id=uuid.UUID(code["id"]))
