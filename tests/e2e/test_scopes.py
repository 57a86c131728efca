"""Scopes and masking on the live entry points, through the real gateway: subscription events
reach only subscribers in scope, with fields masked per subscriber."""

from __future__ import annotations

import httpx
import pytest

from clients.python.dcms_client import data, gql, subscribe_ws
from testkit.factories import make_tenant
from tests.support.stack import Stack
from tests.support.streams import first_event

pytestmark = pytest.mark.e2e


async def test_subscription_payload_masks_per_subscriber(stack: Stack) -> None:
    """Nested fields of an event resolve with the subscriber's rights: the owner gets the PII in
    full (other callers are covered by tests/security/test_permission_matrix.py and the grab pool
    tests in tests/finance/test_streams.py)."""
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    query = "subscription { reminders { reminder { customer { phone idNumber } } } }"
    events = subscribe_ws(stack.gateway_ws, query, None, tenant.manager_token)
    add = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
    variables = {"i": {"customerId": str(tenant.customers[0].id), "kind": "SCHEDULE", "title": "回访"}}

    async def remind() -> None:
        data(await gql(stack.gateway_url, add, variables, tenant.manager_token))

    payload = await first_event(events, remind)
    assert payload["data"]["reminders"]["reminder"]["customer"] == {
        "phone": "13800000000",
        "idNumber": "520102199001011234",
    }


async def test_gateway_enforces_required_scopes(stack: Stack) -> None:
    """`grabNeed` needs the FI_ACCOUNT_MANAGER role and `auditRecords` AUDIT_ADMIN: the gateway
    refuses other roles before any subgraph is asked (generic auth's code)."""
    tenant = await make_tenant(stack.settings, customers=1, grabbers=1, needs=1)
    grab = "mutation($id: ID!) { grabNeed(id: $id) { id } }"
    search = "{ auditRecords(first: 1) { edges { node { action } } } }"
    for query, variables, token in (
        (grab, {"id": str(tenant.needs[0].id)}, tenant.manager_token),
        (search, None, tenant.hall_token),
    ):
        async with httpx.AsyncClient(timeout=30) as client:
            body = {"query": query, "variables": variables or {}}
            response = await client.post(
                stack.gateway_url, json=body, headers={"authorization": f"Bearer {token}"}
            )
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHORIZED_FIELD_OR_TYPE"]
    # the right role passes the gateway
    data(await gql(stack.gateway_url, grab, {"id": str(tenant.needs[0].id)}, tenant.grabbers[0][1]))
