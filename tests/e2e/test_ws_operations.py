"""Queries and mutations over graphql-transport-ws through the real gateway; a mutation over HTTP
GET still refused; graphql-sse's single connection mode refused with a coded error.

Before gateway/streams.ts `useWebSocketOperations`, every mutation over graphql-ws got Yoga's
405 "Can only perform a mutation operation from a POST request": the gateway hands Yoga the
socket's upgrade request, a GET, as the operation's request.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, gql
from models.operations import Alert
from testkit.factories import Tenant, make_tenant
from tests.support.stack import Stack
from tests.support.ws import socket

pytestmark = pytest.mark.e2e

RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id title } }"
GRAB = "mutation($id: ID!) { grabNeed(id: $id) { need { id } } }"
ME = "{ me { displayName } }"


def _alert(tenant: Tenant, title: str) -> dict[str, Any]:
    return {"i": {"orgId": str(tenant.hall.id), "level": "INFO", "title": title}}


async def test_queries_and_mutations_run_over_one_graphql_ws_socket(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    async with socket(stack.gateway_ws, tenant.hall_token) as ws:
        assert data(await ws.run(ME))["me"]["displayName"] == tenant.hall_manager.display_name
        first = data(await ws.run(RAISE, _alert(tenant, "经WS告警一")))["raiseAlert"]
        second = data(await ws.run(RAISE, _alert(tenant, "经WS告警二")))["raiseAlert"]
        assert (first["title"], second["title"]) == ("经WS告警一", "经WS告警二")
        assert data(await ws.run(ME))["me"]  # the socket still serves queries after mutations
    stored = await Alert.filter(id__in=[first["id"], second["id"]]).values_list("title", flat=True)
    assert sorted(stored) == ["经WS告警一", "经WS告警二"]  # really written, once each


async def test_a_grab_client_grabs_over_its_socket(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=1, needs=1)
    need = str(tenant.needs[0].id)
    async with socket(stack.gateway_ws, tenant.grabbers[0][1]) as ws:
        grabbed = data(await ws.run(GRAB, {"id": need}))["grabNeed"]
        assert grabbed["need"]["id"] == need
        assert data(await ws.run(ME))["me"]  # and the socket goes on


async def test_a_mutation_over_http_get_is_still_refused(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    title = "经GET告警"
    query = f'mutation {{ raiseAlert(input: {{orgId: "{tenant.hall.id}", level: INFO, title: "{title}"}}) {{ id }} }}'
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(
            stack.gateway_url,
            params={"query": query},
            headers={"authorization": f"Bearer {tenant.hall_token}"},
        )
    assert response.status_code == 405, response.text
    assert "POST" in response.json()["errors"][0]["message"]
    assert not await Alert.filter(title=title).exists()
    # the same over POST is fine: it was the method, not the mutation
    data(await gql(stack.gateway_url, RAISE, _alert(tenant, title), tenant.hall_token))


async def test_graphql_sse_single_connection_mode_is_refused_with_a_code(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    auth = {"authorization": f"Bearer {tenant.hall_token}"}
    token = {**auth, "x-graphql-event-stream-token": "a-reserved-token"}
    title = "经单连接SSE告警"
    async with httpx.AsyncClient(timeout=10) as client:
        answers = {
            "reserve (PUT)": await client.put(stack.gateway_url, headers=auth),
            "operation (POST with the token)": await client.post(
                stack.gateway_url, json={"query": RAISE, "variables": _alert(tenant, title)}, headers=token
            ),
            "stream (GET with the token)": await client.get(
                stack.gateway_url,
                params={"token": "a-reserved-token"},
                headers={**auth, "accept": "text/event-stream"},
            ),
        }
    for step, response in answers.items():
        assert response.status_code in (400, 405), (step, response.status_code, response.text)
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (step, error)
        assert error["extensions"]["reason"] == "SSE_SINGLE_CONNECTION_UNSUPPORTED", (step, error)
        assert "singleConnection: false" in error["message"]
    assert answers["reserve (PUT)"].status_code == 405
    assert not await Alert.filter(title=title).exists()  # the POSTed mutation did not run
