"""Gateway trust: subgraphs run only gateway-signed requests outside dev mode (the signature covers
the raw body and the authorization header), each signature once and within 60 s (replays refused,
across replicas too), WebSockets need the gateway's proof and a token at connection_init (more in
tests/security/test_subgraph_websockets.py), lone UTF-16 surrogates are a coded error, the
HTTP-subscription leak is closed, CORS and introspection."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, error_codes, gql
from security.crypto import load_cipher
from security.gateway_trust import (
    MAX_AGE_SECONDS,
    WS_PROOF,
    GatewayTrust,
    SeenNonces,
    sign_http,
)
from security.keys import load_token_keys
from subgraphs.app import build_app
from testkit.factories import Tenant, make_tenant, offline_settings
from tests.support import services
from tests.support.signing import body_bytes, signed_headers, signed_post, ws_proof
from tests.support.stack import Stack, free_port
from tests.support.ws import connection_init

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


async def send(url: str, content: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """These exact bytes and headers (a signature made for other ones, say)."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, content=content, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def post_signed(
    stack: Stack, url: str, body: Any, token: str | None = None, **kw: Any
) -> dict[str, Any]:
    response = await signed_post(stack.settings.hmac_secret, url, body, token, **kw)
    assert response.status_code == 200, response.text
    return response.json()


# -- HTTP straight to a subgraph (the stack runs with DCMS_DEV=0) ----------------------------------


@pytest.mark.e2e
async def test_direct_subgraph_calls_need_the_gateway_signature(stack: Stack, tenant: Tenant) -> None:
    url, secret = stack.subgraph("operations"), stack.settings.hmac_secret
    token = f"Bearer {tenant.manager_token}"
    unsigned = await post(url, {"query": ME}, tenant.manager_token)
    assert error_codes(unsigned) == ["FORBIDDEN"] and unsigned["data"] is None
    me = body_bytes({"query": ME})
    forged = await send(url, me, signed_headers("not-the-secret", me, token))
    assert error_codes(forged) == ["FORBIDDEN"]
    # a signature of another query (replayed onto this one) does not verify either
    other = signed_headers(secret, body_bytes({"query": "{ me { username } }"}), token)
    assert error_codes(await send(url, me, other)) == ["FORBIDDEN"]
    good = signed_headers(secret, me, token)
    assert data(await send(url, me, good))["me"]["id"] == str(tenant.manager.id)
    # the same signed request again (captured and replayed): refused, nothing runs
    replayed = await send(url, me, good)
    assert error_codes(replayed) == ["FORBIDDEN"] and replayed["data"] is None, replayed
    assert "replay" in replayed["errors"][0]["message"]
    # _entities too: the variables are part of the signed body
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName } } }"
    reps = {"r": [{"__typename": "User", "id": str(tenant.manager.id)}]}
    body = body_bytes({"query": query, "variables": reps})
    assert data(await send(url, body, signed_headers(secret, body, token)))["_entities"][0]["displayName"]
    tampered = body_bytes(
        {"query": query, "variables": {"r": [{"__typename": "User", "id": str(uuid.uuid4())}]}}
    )
    assert error_codes(await send(url, tampered, signed_headers(secret, body, token))) == ["FORBIDDEN"]


@pytest.mark.e2e
async def test_the_signature_covers_the_identity_and_the_operation_name(stack: Stack, tenant: Tenant) -> None:
    """A signed request cannot be re-addressed to another caller (the authorization header is
    signed) nor have another of its operations run (operationName is in the signed body)."""
    url, secret = stack.subgraph("operations"), stack.settings.hmac_secret
    manager, other = f"Bearer {tenant.manager_token}", f"Bearer {tenant.hall_token}"
    me = body_bytes({"query": ME})
    for signed_for, sent_with in ((manager, other), (None, manager), (manager, None)):
        headers = signed_headers(secret, me, signed_for)
        headers.pop("authorization", None)
        if sent_with:
            headers["authorization"] = sent_with
        refused = await send(url, me, headers)
        assert error_codes(refused) == ["FORBIDDEN"] and refused["data"] is None, (signed_for, sent_with)
    two = "query Me { me { id } } query Name { me { username } }"
    signed = body_bytes({"query": two, "operationName": "Me"})
    renamed = body_bytes({"query": two, "operationName": "Name"})
    assert error_codes(await send(url, renamed, signed_headers(secret, signed, manager))) == ["FORBIDDEN"]
    assert data(await send(url, signed, signed_headers(secret, signed, manager)))["me"]["id"]
    # extensions too, and what is not JSON-equivalent but byte-different (a space) is not the same body
    assert error_codes(await send(url, me + b" ", signed_headers(secret, me, manager))) == ["FORBIDDEN"]


@pytest.mark.e2e
async def test_gateway_signed_requests_pass(stack: Stack, tenant: Tenant) -> None:
    """Root fields on one subgraph and `_entities` on two others, all signed by the real gateway."""
    query = """query { me { id customers(first: 1) { nodes { name opportunities(first: 1) { nodes { title } } } } } }"""
    result = data(await gql(stack.gateway_url, query, None, tenant.manager_token))
    assert result["me"]["id"] == str(tenant.manager.id)


ODD = 'emoji 😀, line separator \u2028, paragraph \u2029, quote " backslash \\ tab \t, 客户, \u00e9\u0301'


@pytest.mark.e2e
async def test_the_real_gateway_signatures_verify(stack: Stack) -> None:
    """Whatever the gateway sends verifies at the subgraphs (which run in production mode, so any
    failure would be FORBIDDEN): queries, mutations, a client batch, `_entities` batched over 20
    references, and values whose JSON text differs between JavaScript and Python (1e-7, 5.0,
    astral and line-separator characters)."""
    tenant = await make_tenant(stack.settings, customers=20, grabbers=0, needs=0)
    # `_entities` with 20 representations per subgraph call: opportunities (marketing), managers
    query = """query($first: Int!) { customers(first: $first) { nodes {
        name primaryManager { displayName } opportunities(first: 1) { nodes { title } } } } }"""
    nodes = data(await gql(stack.gateway_url, query, {"first": 20}, tenant.manager_token))["customers"][
        "nodes"
    ]
    assert len(nodes) == 20 and all(n["primaryManager"]["displayName"] for n in nodes), nodes
    assert all(n["opportunities"]["nodes"] for n in nodes), nodes
    # mutations with awkward values, read back: the subgraph got (and verified) these very bytes
    add = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id title } }"
    reminder = {"customerId": str(tenant.customers[0].id), "kind": "LOAN_MATURITY", "title": ODD}
    added = data(await gql(stack.gateway_url, add, {"i": reminder}, tenant.manager_token))["addReminder"]
    assert added["title"] == ODD
    beat = "mutation($i: HeartbeatInput!) { reportHeartbeat(input: $i) { id cpu memory } }"
    for cpu, memory in ((1e-7, 1e-6), (0.000001, 5.0), (2.5e-8, 99.99999999999999)):  # percentages
        heartbeat = {"deviceId": str(tenant.device.id), "status": "ONLINE", "cpu": cpu, "memory": memory}
        device = data(await gql(stack.gateway_url, beat, {"i": heartbeat}, tenant.hall_token))[
            "reportHeartbeat"
        ]
        assert (device["cpu"], device["memory"]) == (cpu, memory), device
    # a client batch through the gateway: each operation a signed upstream request of its own
    by_phone = "query($t: String!) { customers(first: 1, phone: $t) { nodes { id } } }"
    batch = [{"query": ME}, {"query": by_phone, "variables": {"t": ODD}}]
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            stack.gateway_url, json=batch, headers={"authorization": f"Bearer {tenant.manager_token}"}
        )
    assert response.status_code == 200 and all(not r.get("errors") for r in response.json()), response.text


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
        body = body_bytes({"query": query})
        unsigned = (await client.post("/operations/graphql", json={"query": query})).json()
        wrong = signed_headers("x" * 40, body)
        forged = (await client.post("/operations/graphql", content=body, headers=wrong)).json()
        right = signed_headers(settings.hmac_secret, body)
        signed = (await client.post("/operations/graphql", content=body, headers=right)).json()
    assert error_codes(unsigned) == ([] if dev_mode else ["FORBIDDEN"])
    assert error_codes(forged) == ["FORBIDDEN"]
    assert "@key" in signed["data"]["_service"]["sdl"]


async def test_production_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="DCMS_GATEWAY_HMAC_SECRET"):
        GatewayTrust("", require_signature=True)
    assert await GatewayTrust("", require_signature=False).check(None, None, b"{}") is None


# -- stale and replayed signatures ------------------------------------------------------------------


@pytest.mark.e2e
async def test_old_or_future_signatures_are_refused(stack: Stack, tenant: Tenant) -> None:
    url, secret = stack.subgraph("operations"), stack.settings.hmac_secret
    now = int(time.time() * 1000)
    for ts in (now - (MAX_AGE_SECONDS + 5) * 1000, now + 60_000):
        refused = (await signed_post(secret, url, {"query": ME}, tenant.manager_token, ts=ts)).json()
        assert error_codes(refused) == ["FORBIDDEN"] and refused["data"] is None, refused
        assert "expired" in refused["errors"][0]["message"]
    # a little clock skew is fine: 2 s ahead, 50 s behind
    for ts in (now + 2_000, now - 50_000):
        assert data((await signed_post(secret, url, {"query": ME}, tenant.manager_token, ts=ts)).json())["me"]


async def test_proof_verification() -> None:
    """Unit: HTTP signatures and WebSocket proofs, each valid once, within the window, bound to
    the body and the authorization header, and neither passing for the other."""
    secret = "s" * 40
    trust = GatewayTrust(secret, require_signature=True)
    body, token = body_bytes({"query": ME, "variables": {"id": "1"}}), "Bearer abc"
    assert await trust.check(sign_http(secret, body, token), token, body) is None
    signed = sign_http(secret, body, token)
    assert await trust.check(signed, token, body) is None
    assert "replay" in (await trust.check(signed, token, body) or "")
    version, ts, nonce, sig = sign_http(secret, body, token).split(".")
    for bad, authorization, sent, method in (
        (f"{version}.{int(ts) - 1}.{nonce}.{sig}", token, body, "POST"),  # ts changed after signing
        (f"{version}.{ts}.{uuid.uuid4()}.{sig}", token, body, "POST"),  # nonce changed after signing
        (f"v2.{ts}.{nonce}.{sig}", token, body, "POST"),
        (f"{version}.{ts}.{nonce}.not base64!", token, body, "POST"),
        (f"{version}.{ts}.{nonce}", token, body, "POST"),
        (f"{version}.-{ts}.{nonce}.{sig}", token, body, "POST"),
        (f"{version}.{'9' * 5000}.{nonce}.{sig}", token, body, "POST"),
        (f"{version}.{ts}..{sig}", token, body, "POST"),
        (sig, token, body, "POST"),  # a bare signature
        (sign_http(secret, body, token), "Bearer other", body, "POST"),  # another caller
        (sign_http(secret, body, token), None, body, "POST"),
        (sign_http(secret, body, None), token, body, "POST"),
        (sign_http(secret, body, token), token, body.replace(b'"1"', b'"2"'), "POST"),  # another body
        (sign_http(secret, b"", token), token, b"", "GET"),  # a GET's operation is in its (unsigned) URL
    ):
        refusal = await trust.check(bad, authorization, sent, method=method)
        assert refusal, bad  # a reason to refuse (answered FORBIDDEN by subgraphs/app.py)
    old = sign_http(secret, body, token, ts=int(time.time() * 1000) - (MAX_AGE_SECONDS + 1) * 1000)
    assert "expired" in (await trust.check(old, token, body) or "")
    # The caller's address (lockout, the anonymous rate limit count by it) is signed too.
    from_a = sign_http(secret, body, token, "10.0.0.1")
    assert await trust.check(from_a, token, body, client_ip="10.0.0.2")
    assert await trust.check(from_a, token, body) and await trust.check(
        sign_http(secret, body, token), token, body, client_ip="10.0.0.1"
    )
    assert (
        await trust.check(sign_http(secret, body, token, "10.0.0.1"), token, body, client_ip="10.0.0.1")
        is None
    )

    proof = ws_proof(secret, token)
    assert await trust.check_ws({"authorization": token, WS_PROOF: proof}) is None
    assert "replay" in (await trust.check_ws({"authorization": token, WS_PROOF: proof}) or "")
    assert await trust.check_ws({"authorization": token}) == "WebSocket not opened by the gateway"
    # bound to the token it came with, and only that token may be there
    assert await trust.check_ws({"authorization": "Bearer other", WS_PROOF: ws_proof(secret, token)})
    assert await trust.check_ws({"Authorization": token, WS_PROOF: ws_proof(secret, None)})
    stale = ws_proof(secret, token, ts=int(time.time() * 1000) - (MAX_AGE_SECONDS + 1) * 1000)
    assert "expired" in (await trust.check_ws({"authorization": token, WS_PROOF: stale}) or "")
    # an HTTP signature is no WebSocket proof, and the other way round
    _, ts, nonce, sig = sign_http(secret, b"", token).split(".")
    assert await trust.check_ws(
        {"authorization": token, WS_PROOF: {"ts": int(ts), "nonce": nonce, "sig": sig}}
    )
    ws = ws_proof(secret, token)
    assert await trust.check(f"v1.{ws['ts']}.{ws['nonce']}.{ws['sig']}", token, b"")
    # in dev mode a WebSocket without a proof is let through, a wrong proof never
    dev = GatewayTrust(secret, require_signature=False)
    assert await dev.check_ws({"authorization": token}) is None
    assert await dev.check_ws({"authorization": token, WS_PROOF: ws_proof("x" * 40, token)})


@pytest.mark.integration
async def test_a_replay_to_another_replica_is_refused() -> None:
    """Two replicas sharing Redis: a signature used at one is refused at the other by ``check``
    (tools) and ``check_ws``. A subgraph checks an HTTP request's nonce in process and claims it in
    Redis only for a mutation: tests/security/test_revocation_sync.py."""
    url, secret = services.require_redis(), "r" * 40
    one, two = (GatewayTrust(secret, require_signature=True, redis_url=url) for _ in range(2))
    try:
        body = body_bytes({"query": ME})
        signed = sign_http(secret, body)
        assert await one.check(signed, None, body) is None
        refused = await two.check(signed, None, body)
        assert refused is not None and "replay" in refused
        proof = {WS_PROOF: ws_proof(secret, None)}
        assert await two.check_ws(proof) is None and await one.check_ws(proof)
    finally:
        await one.close()
        await two.close()


async def test_without_redis_replays_are_still_refused_in_process(caplog: pytest.LogCaptureFixture) -> None:
    """Redis unreachable: this process's own nonces still refuse a replay; one warning, not one per
    request."""
    nonces = SeenNonces(ttl=66, redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    try:
        with caplog.at_level(logging.WARNING, logger="security.gateway_trust"):
            fresh = [str(uuid.uuid4()) for _ in range(5)]
            assert all([await nonces.first_use(n) for n in fresh])
            assert not await nonces.first_use(fresh[0])
        warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
        assert len(warnings) == 1, caplog.text
    finally:
        await nonces.close()


# -- lone UTF-16 surrogates: a coded error, never HTTP 500 --------------------------------------------


LONE = "query($q: String) { orgs(first: 1, after: $q) { nodes { id } } }"


@pytest.mark.e2e
async def test_a_lone_surrogate_is_a_coded_error_not_a_500(stack: Stack, tenant: Tenant) -> None:
    variables = {"q": "\ud800"}
    body = {"query": LONE, "variables": variables}
    headers = {"authorization": f"Bearer {tenant.manager_token}", "content-type": "application/json"}
    # json.dumps escapes it as \ud800, as a browser's JSON.stringify would
    async with httpx.AsyncClient(timeout=30) as client:
        through = await client.post(stack.gateway_url, content=json.dumps(body), headers=headers)
        unsigned = await client.post(stack.subgraph("operations"), content=json.dumps(body), headers=headers)
    direct = await signed_post(
        stack.settings.hmac_secret, stack.subgraph("operations"), body, tenant.manager_token
    )
    for response in (through, direct):
        assert response.status_code in (200, 400), response.text
        assert error_codes(response.json()) == ["BAD_USER_INPUT"], response.text
    assert unsigned.status_code == 200 and error_codes(unsigned.json()) == ["FORBIDDEN"], unsigned.text


# -- WebSockets: the gateway's proof and a token in connection_init, or closed ---------------------


@pytest.mark.e2e
async def test_websocket_without_a_valid_token_is_closed_at_init(stack: Stack, tenant: Tenant) -> None:
    url, secret = stack.subgraph("customers").replace("http://", "ws://"), stack.settings.hmac_secret
    assert await connection_init(url, {}) == 4403
    forged = "Bearer forged"
    assert await connection_init(url, {"authorization": forged, WS_PROOF: ws_proof(secret, forged)}) == 4403
    token = f"Bearer {tenant.manager_token}"
    ack = await connection_init(url, {"authorization": token, WS_PROOF: ws_proof(secret, token)})
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


async def _simple(stack: Stack, origin: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(
            stack.gateway_url, json={"query": "{ __typename }"}, headers={"origin": origin}
        )


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


@pytest.mark.e2e
async def test_cors_answers_only_allowed_origins(stack: Stack) -> None:
    allowed = stack.settings.cors_origins[0]
    for response in (await _preflight(stack, allowed), await _simple(stack, allowed)):
        assert response.headers.get("access-control-allow-origin") == allowed
        assert response.headers.get("access-control-allow-credentials") == "true"
        assert "origin" in response.headers.get("vary", "").lower()
    allowed_headers = (await _preflight(stack, allowed)).headers.get("access-control-allow-headers", "")
    assert {"authorization", "content-type", "x-request-id"} <= {
        h.strip() for h in allowed_headers.lower().split(",")
    }
    # Not `Access-Control-Allow-Origin: null`: a sandboxed iframe or a file:// page sends
    # `Origin: null` and would pass it. No CORS header at all, so the browser shares nothing.
    for origin in ("https://evil.example", "null", allowed + ".evil.example"):
        for response in (await _preflight(stack, origin), await _simple(stack, origin)):
            assert response.status_code < 500
            assert _cors_headers(response) == {}, (origin, response.headers)


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
    direct = await post_signed(stack, stack.subgraph("operations"), {"query": query}, tenant.manager_token)
    assert "FORBIDDEN" in error_codes(direct) and not direct.get("data")
    # composition still reads the SDL
    sdl = "{ _service { sdl } }"
    assert (
        "@key"
        in data(await post_signed(stack, stack.subgraph("operations"), {"query": sdl}))["_service"]["sdl"]
    )
