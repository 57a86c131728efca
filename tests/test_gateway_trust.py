"""Gateway trust: subgraphs run only gateway-signed requests outside dev mode, WebSockets need a
token at connection_init, the HTTP-subscription leak is closed, CORS and introspection."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from clients.python.dcms_client import data, error_codes, gql
from security.crypto import load_cipher
from security.gateway_trust import EXTENSION, GatewayTrust, sign, signing_payload
from security.keys import load_token_keys
from subgraphs.app import build_app
from subgraphs.sdl import GATEWAY_DIR
from tests.conftest import Stack
from tests.factories import Tenant, make_tenant, offline_settings

ME = "query Me { me { id } }"


@pytest.fixture
async def tenant(stack: Stack) -> Tenant:
    return await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)


async def post(url: str, body: Any, token: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# -- HTTP straight to a subgraph (the stack runs with DCMS_DEV=0) ----------------------------------


@pytest.mark.e2e
async def test_direct_subgraph_calls_need_the_gateway_signature(stack: Stack, tenant: Tenant) -> None:
    url, secret = stack.subgraph("operations"), stack.settings.hmac_secret
    unsigned = await post(url, {"query": ME}, tenant.manager_token)
    assert error_codes(unsigned) == ["FORBIDDEN"] and unsigned["data"] is None
    forged = {"query": ME, "extensions": {EXTENSION: sign("not-the-secret", ME, None)}}
    assert error_codes(await post(url, forged, tenant.manager_token)) == ["FORBIDDEN"]
    # a signature of another query (replayed onto this one) does not verify either
    other = {"query": ME, "extensions": {EXTENSION: sign(secret, "{ me { username } }", None)}}
    assert error_codes(await post(url, other, tenant.manager_token)) == ["FORBIDDEN"]
    good = {"query": ME, "extensions": {EXTENSION: sign(secret, ME, None)}}
    assert data(await post(url, good, tenant.manager_token))["me"]["id"] == str(tenant.manager.id)
    # _entities too: variables are part of what is signed
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName } } }"
    reps = {"r": [{"__typename": "User", "id": str(tenant.manager.id)}]}
    body = {"query": query, "variables": reps, "extensions": {EXTENSION: sign(secret, query, reps)}}
    assert data(await post(url, body, tenant.manager_token))["_entities"][0]["displayName"]
    tampered = {**body, "variables": {"r": [{"__typename": "User", "id": str(uuid.uuid4())}]}}
    assert error_codes(await post(url, tampered, tenant.manager_token)) == ["FORBIDDEN"]


@pytest.mark.e2e
async def test_gateway_signed_requests_pass(stack: Stack, tenant: Tenant) -> None:
    """Root fields on one subgraph and `_entities` on two others, all signed by the real gateway."""
    query = """query { me { id customers(first: 1) { nodes { name opportunities(first: 1) { nodes { title } } } } } }"""
    result = data(await gql(stack.gateway_url, query, None, tenant.manager_token))
    assert result["me"]["id"] == str(tenant.manager.id)


def test_python_signature_matches_the_gateway_plugin() -> None:
    """Byte for byte the payload @graphql-mesh/hmac-upstream-signature signs (its own serializer)."""
    cases = [
        {"query": ME, "variables": None},
        {"query": ME, "variables": {}},
        {
            "query": "query($r: [_Any!]!, $n: Int) { x }",
            "variables": {
                "r": [{"id": "a", "__typename": "客户"}],
                "n": 3,
                "f": 97.5,
                "z": None,
                "b": True,
                "s": 'quote" back\\ \n\t\u2028 é',
            },
        },
    ]
    script = (
        "import { defaultParamsSerializer } from '@graphql-mesh/hmac-upstream-signature';"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map((c) => defaultParamsSerializer(c))));"
    )
    output = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(cases)],
        cwd=GATEWAY_DIR,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for case, expected in zip(cases, json.loads(output), strict=True):
        assert signing_payload(case["query"], case["variables"]).decode() == expected


# -- dev mode: unsigned allowed (GraphiQL on a subgraph), a wrong signature never ----------------


@pytest.mark.integration
@pytest.mark.parametrize("dev_mode", [True, False])
async def test_dev_mode_allows_unsigned_but_never_a_wrong_signature(tmp_path: Path, dev_mode: bool) -> None:
    settings = offline_settings(tmp_path, dev_mode, hmac_secret="h" * 40)
    load_token_keys(replace(settings, dev_mode=True))  # outside dev mode keys must exist already
    load_cipher(replace(settings, dev_mode=True))
    app = build_app(settings, ("operations",))
    query = "{ _service { sdl } }"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        unsigned = (await client.post("/operations/graphql", json={"query": query})).json()
        wrong = {"query": query, "extensions": {EXTENSION: sign("x" * 40, query, None)}}
        forged = (await client.post("/operations/graphql", json=wrong)).json()
        right = {"query": query, "extensions": {EXTENSION: sign(settings.hmac_secret, query, None)}}
        signed = (await client.post("/operations/graphql", json=right)).json()
    assert error_codes(unsigned) == ([] if dev_mode else ["FORBIDDEN"])
    assert error_codes(forged) == ["FORBIDDEN"]
    assert "@key" in signed["data"]["_service"]["sdl"]


def test_production_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="DCMS_GATEWAY_HMAC_SECRET"):
        GatewayTrust("", require_signature=True)
    assert GatewayTrust("", require_signature=False).check(ME, None, None) is None


# -- WebSockets: a token in connection_init, or closed -----------------------------------------------


async def _connection_init(url: str, payload: dict[str, Any]) -> dict[str, Any] | int:
    """The ack message, or the close code."""
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), 5))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else -1


@pytest.mark.e2e
async def test_websocket_without_a_valid_token_is_closed_at_init(stack: Stack, tenant: Tenant) -> None:
    url = stack.subgraph("customers").replace("http://", "ws://")
    assert await _connection_init(url, {}) == 4403
    assert await _connection_init(url, {"authorization": "Bearer forged"}) == 4403
    ack = await _connection_init(url, {"authorization": f"Bearer {tenant.manager_token}"})
    assert isinstance(ack, dict) and ack["type"] == "connection_ack"


# -- the HTTP-subscription leak ----------------------------------------------------------------------


async def _open_websockets(stack: Stack) -> int:
    async with httpx.AsyncClient() as client:
        return int((await client.get(f"{stack.subgraphs_url}/healthz")).json()["websockets"])


async def _settled_websockets(stack: Stack) -> int:
    """Once earlier tests' upstream sockets have finished closing (the gateway closes them lazily)."""
    count = await _open_websockets(stack)
    for _ in range(20):
        await asyncio.sleep(0.5)
        count, previous = await _open_websockets(stack), count
        if count == previous == 0:
            break
    return count


@pytest.mark.e2e
async def test_subscription_over_plain_http_opens_nothing_upstream(stack: Stack, tenant: Tenant) -> None:
    before = await _settled_websockets(stack)
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            stack.gateway_url,
            json={"query": "subscription { reminders { reminder { title } } }"},
            headers={"authorization": f"Bearer {tenant.manager_token}", "accept": "application/json"},
        )
    await asyncio.sleep(1.0)
    # Without the guard in gateway/limits.ts: a 406 here, and one more WebSocket upstream, forever.
    assert await _open_websockets(stack) <= before, "the gateway left an upstream subscription open"
    assert error_codes(response.json()) == ["BAD_USER_INPUT"], response.text
    # the same subscription over SSE still works: the guard only refuses what cannot stream
    async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=5)) as client:
        async with client.stream(
            "POST",
            stack.gateway_url,
            json={"query": "subscription { reminders { reminder { title } } }"},
            headers={"authorization": f"Bearer {tenant.manager_token}", "accept": "text/event-stream"},
        ) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")


# -- CORS and introspection at the gateway -----------------------------------------------------------


async def _preflight(stack: Stack, origin: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.options(
            stack.gateway_url,
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type, x-request-id",
            },
        )


@pytest.mark.e2e
async def test_cors_preflight_answers_only_allowed_origins(stack: Stack) -> None:
    allowed = stack.settings.cors_origins[0]
    response = await _preflight(stack, allowed)
    assert response.headers.get("access-control-allow-origin") == allowed
    assert response.headers.get("access-control-allow-credentials") == "true"
    allowed_headers = response.headers.get("access-control-allow-headers", "").lower()
    assert {"authorization", "content-type", "x-request-id"} <= {
        h.strip() for h in allowed_headers.split(",")
    }
    other = await _preflight(stack, "https://evil.example")
    assert other.headers.get("access-control-allow-origin") in (None, "null")


@pytest.mark.e2e
async def test_introspection_is_refused_outside_dev_mode(stack: Stack, tenant: Tenant) -> None:
    query = "{ __schema { queryType { name } } }"
    async with httpx.AsyncClient() as client:
        response = await client.post(
            stack.gateway_url,
            json={"query": query},
            headers={"authorization": f"Bearer {tenant.manager_token}"},
        )
    assert not (response.json().get("data") or {}).get("__schema"), response.text
    assert set(error_codes(response.json())) == {"FORBIDDEN"}, response.text
    body = {"query": query, "extensions": {EXTENSION: sign(stack.settings.hmac_secret, query, None)}}
    direct = await post(stack.subgraph("operations"), body, tenant.manager_token)
    assert "FORBIDDEN" in error_codes(direct) and not direct.get("data")
    # composition still reads the SDL
    sdl = "{ _service { sdl } }"
    body = {"query": sdl, "extensions": {EXTENSION: sign(stack.settings.hmac_secret, sdl, None)}}
    assert "@key" in data(await post(stack.subgraph("operations"), body))["_service"]["sdl"]
