"""角色管理 through the real gateway and the running subgraphs, without a restart: an edit removing
ORDER_GRAB from FI_ACCOUNT_MANAGER makes the grabber's token from before it stale (the subgraph
answers UNAUTHENTICATED, ROLE_CHANGED), its refreshed token is refused the grab by the gateway's
``@requiresScopes`` (the same functions, read from the token), and putting ORDER_GRAB back lets the
next refreshed token grab. An edit of the hall manager's role ends its live subscription at once
(4403, ROLE_CHANGED). The in-process side: tests/operations/test_roles.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.operations import Org, OrgKind
from security.functions import DEFAULT_FUNCTIONS
from security.roles import ROLE_LABELS, Role
from testkit.factories import make_org, make_tenant, make_user, token_for
from tests.e2e.test_streams import ALERTS, _closed, _ending, _live
from tests.support.stack import Stack
from tests.support.ws import Socket

pytestmark = pytest.mark.e2e

PASSWORD = "Role-Gateway-Password-2026!"
LOGIN = (
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }"
)
REFRESH = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }"
UPDATE = "mutation($i: UpdateRoleInput!) { updateRole(input: $i) { version functions } }"
GRAB = "mutation($id: ID!) { grabNeed(id: $id) { status } }"


async def _platform_admin(stack: Stack) -> str:
    root = await make_org("角色网关测试省联社", OrgKind.PROVINCE_UNION)
    return token_for(await make_user(root, ("PLATFORM_ADMIN",), "平台管理员"), root, stack.settings)


async def _edit(stack: Stack, admin: str, **fields: Any) -> dict[str, Any]:
    return data(await gql(stack.gateway_url, UPDATE, {"i": fields}, admin))["updateRole"]


async def test_an_edit_takes_effect_at_the_gateway_and_the_subgraph_without_a_restart(stack: Stack) -> None:
    admin = await _platform_admin(stack)
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=2)
    institution_org = await Org.get(id=tenant.institution.org_id)
    grabber = await make_user(
        institution_org, ("FI_ACCOUNT_MANAGER",), "客户经理", PASSWORD, institution_id=tenant.institution.id
    )
    tokens = data(await gql(stack.gateway_url, LOGIN, {"u": grabber.username, "p": PASSWORD}))["login"]
    first, second = (str(need.id) for need in tenant.needs)
    assert data(await gql(stack.gateway_url, GRAB, {"id": first}, tokens["accessToken"]))["grabNeed"]
    everything = sorted(DEFAULT_FUNCTIONS[Role.FI_ACCOUNT_MANAGER])
    try:
        edited = await _edit(
            stack, admin, code="FI_ACCOUNT_MANAGER", functions=[f for f in everything if f != "ORDER_GRAB"]
        )
        assert "ORDER_GRAB" not in edited["functions"]
        # The token from before the edit still names ORDER_GRAB, so the gateway lets it through; the
        # subgraph refuses it as stale, and the client refreshes.
        stale = await gql(stack.gateway_url, GRAB, {"id": second}, tokens["accessToken"])
        assert error_codes(stale) == ["UNAUTHENTICATED"]
        assert stale["errors"][0]["extensions"]["reason"] == "ROLE_CHANGED"
        tokens = data(await gql(stack.gateway_url, REFRESH, {"t": tokens["refreshToken"]}))["refreshToken"]
        async with httpx.AsyncClient(timeout=30) as client:  # the gateway answers it with HTTP 401
            variables = {"query": GRAB, "variables": {"id": second}}
            headers = {"authorization": f"Bearer {tokens['accessToken']}"}
            refused = (await client.post(stack.gateway_url, json=variables, headers=headers)).json()
        assert error_codes(refused) == ["UNAUTHORIZED_FIELD_OR_TYPE"]  # the gateway's @requiresScopes
        assert data(await gql(stack.gateway_url, "{ me { username } }", None, tokens["accessToken"]))
    finally:
        await _edit(stack, admin, code="FI_ACCOUNT_MANAGER", functions=everything)
    tokens = data(await gql(stack.gateway_url, REFRESH, {"t": tokens["refreshToken"]}))["refreshToken"]
    grabbed = data(await gql(stack.gateway_url, GRAB, {"id": second}, tokens["accessToken"]))
    assert grabbed["grabNeed"]["status"] == "GRABBED"


async def test_an_edit_ends_the_roles_live_subscriptions_at_once(stack: Stack) -> None:
    admin = await _platform_admin(stack)
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    socket = await Socket.open(stack.gateway_ws, tenant.hall_token)
    await socket.subscribe("1", ALERTS)
    await _live(stack, socket, tenant)
    try:
        await _edit(stack, admin, code="HALL_MANAGER", name="营业厅经理")
        messages, code = await _closed(socket, within=5.0)  # announced at once, not at the next recheck
        assert _ending(messages) == "ROLE_CHANGED" and code == 4403
    finally:
        await _edit(stack, admin, code="HALL_MANAGER", name=ROLE_LABELS[Role.HALL_MANAGER])
