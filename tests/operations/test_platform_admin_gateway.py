"""平台管理 through the real gateway and the running subgraphs: two createUser of one username at
once make one user; disabling a user ends its live subscription at once (4403, SESSION_REVOKED) and
refuses its token; a closed org's customers reach its successor through the customers subgraph's
consumer of the ``org.closed`` event (the job running in the stack, not called by the test)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import Customer
from models.operations import Org, OrgKind, User
from testkit.factories import make_customer, make_org, make_tenant, make_user, token_for
from tests.e2e.test_streams import ALERTS, _closed, _ending, _live
from tests.support.stack import Stack
from tests.support.ws import Socket

pytestmark = pytest.mark.e2e

CREATE_USER = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } temporaryPassword } }"


async def _security_admin(stack: Stack, org: Org) -> str:
    return token_for(await make_user(org, ("SECURITY_ADMIN",), "安全管理员"), org, stack.settings)


async def test_two_creates_of_one_username_at_once_make_one_user(stack: Stack) -> None:
    bank = await make_org("并发新增农商银行", OrgKind.MEMBER_BANK, None, own_tenant=True)
    token = await _security_admin(stack, bank)
    username = f"twin{uuid.uuid4().hex[:10]}"
    user = {"username": username, "displayName": "并发", "orgId": str(bank.id), "roles": ["CUSTOMER_MANAGER"]}
    variables = {"i": user}
    results = await asyncio.gather(*(gql(stack.gateway_url, CREATE_USER, variables, token) for _ in range(4)))
    outcomes = sorted("OK" if not r.get("errors") else error_codes(r)[0] for r in results)
    assert outcomes == ["CONFLICT", "CONFLICT", "CONFLICT", "OK"], results
    assert await User.filter(username=username).count() == 1


async def test_disabling_a_user_ends_its_live_subscription_at_once(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    root = await Org.get(id=tenant.bank.parent_id)
    token = await _security_admin(stack, root)  # the province's: the hall is in its reach
    socket = await Socket.open(stack.gateway_ws, tenant.hall_token)
    await socket.subscribe("1", ALERTS)
    await _live(stack, socket, tenant)
    disable = "mutation($id: ID!) { disableUser(id: $id) { disabled } }"
    result = await gql(stack.gateway_url, disable, {"id": str(tenant.hall_manager.id)}, token)
    assert data(result) == {"disableUser": {"disabled": True}}
    messages, code = await _closed(socket, within=5.0)  # announced at once, not at the next recheck
    assert _ending(messages) == "SESSION_REVOKED" and code == 4403
    assert error_codes(await gql(stack.gateway_url, "{ me { id } }", token=tenant.hall_token)) == [
        "UNAUTHENTICATED"
    ]


async def test_a_closed_orgs_customers_reach_its_successor_through_the_event(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    outlet = await make_org("撤销网点", OrgKind.OUTLET, tenant.branch)
    successor = await make_org("承接网点", OrgKind.OUTLET, tenant.branch)
    customers = [await make_customer(outlet, tenant.manager, f"撤销网点客户{i}") for i in range(3)]
    admin = token_for(
        await make_user(tenant.bank, ("HQ_ADMIN",), "总行业务管理"), tenant.bank, stack.settings
    )
    close = "mutation($id: ID!, $s: ID) { closeOrg(id: $id, successorId: $s) { closedAt } }"
    result = await gql(stack.gateway_url, close, {"id": str(outlet.id), "s": str(successor.id)}, admin)
    assert data(result)["closeOrg"]["closedAt"]
    ids = [c.id for c in customers]
    for _ in range(200):  # the relay publishes, the customers job consumes: wait for it, at most 20 s
        moved = await Customer.filter(id__in=ids, org_id=successor.id, org_path=successor.path).count()
        if moved == len(ids):
            break
        await asyncio.sleep(0.1)
    assert moved == len(ids)
