"""Gateway trust: subgraphs run only gateway-signed requests outside dev mode, each signature once
and within 60 s (replays refused, across replicas too), WebSockets need the gateway's proof and a
token at connection_init (more in tests/test_subgraph_websockets.py), lone UTF-16 surrogates are a
coded error, the HTTP-subscription leak is closed, CORS and introspection."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import time
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
from security.gateway_trust import (
    EXTENSION,
    MAX_AGE_SECONDS,
    WS_PROOF,
    GatewayTrust,
    SeenNonces,
    sign,
    signing_payload,
    ws_payload,
    ws_proof,
)
from security.keys import load_token_keys
from subgraphs.app import build_app
from subgraphs.sdl import GATEWAY_DIR
from tests import services
from tests.conftest import Stack, free_port
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
    # the same signed request again (captured and replayed): refused, nothing runs
    replayed = await post(url, good, tenant.manager_token)
    assert error_codes(replayed) == ["FORBIDDEN"] and replayed["data"] is None, replayed
    assert "replay" in replayed["errors"][0]["message"]
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


# What node prints for each case: the payloads gateway/signing.ts signs (TypeScript loaded through
# the gateway's own importer hooks, as hive-gateway loads gateway.config.ts).
_NODE_PAYLOADS = """
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
register('@graphql-hive/importer/hooks', pathToFileURL('./'));
const { signingPayload, wsPayload } = await import('./signing.ts');
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map((c) =>
  c.ws ? wsPayload(c.authorization ?? undefined, c.ts, c.nonce) : signingPayload(c.query, c.variables, c.ts, c.nonce))));
"""


def test_python_signature_matches_the_gateway_plugin() -> None:
    """Byte for byte the payload gateway/signing.ts signs, for the awkward values too: numbers
    JavaScript prints unlike Python (1e-7, 0.00001, 1e21, 5.0), lone surrogates, keys whose UTF-16
    order is not their code point order, control and non-ASCII characters."""
    ts, nonce = 1733400000123, str(uuid.uuid4())
    tricky = {
        "r": [{"id": "a", "__typename": "客户"}],
        "n": 3,
        "f": 97.5,
        "small": [1e-7, 0.00001, 0.000001, 1.5e-10, -2.5e-8],
        "big": [1e21, 1e20, 1.2345678901234568e22, 5.0, -0.0, 123456789012345680000],
        "z": None,
        "b": True,
        "s": 'quote" back\\ \n\t\u2028 é \x7f \x00 \U0001f600',
        "lone": ["\ud800", "a\udfffb", "\udbff"],
        "\U0001f600": 1,
        "\uff01": 2,
        "unset": {"a": [None, {}], "e": {}},
    }
    cases: list[dict[str, Any]] = [
        {"query": ME, "variables": None},
        {"query": ME, "variables": {}},
        {"query": "query($r: [_Any!]!, $n: Int) { x }", "variables": tricky},
        {"query": 'query { x(s: "\ud800") }', "variables": None},
    ]
    ws_cases: list[dict[str, Any]] = [
        {"ws": True, "authorization": "Bearer abc.def"},
        {"ws": True, "authorization": None},
    ]
    for case in cases + ws_cases:
        case.update(ts=ts, nonce=nonce)
    output = subprocess.run(
        ["node", "--input-type=module", "-e", _NODE_PAYLOADS, json.dumps(cases + ws_cases)],
        cwd=GATEWAY_DIR,
        env={**os.environ, "DCMS_DEV": "1"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    expected = json.loads(output)
    python = [signing_payload(c["query"], c["variables"], ts, nonce) for c in cases]
    python += [ws_payload(c["authorization"], ts, nonce) for c in ws_cases]
    for mine, theirs in zip(python, expected, strict=True):
        assert mine == theirs.encode("utf-8", "surrogatepass")


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


async def test_production_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="DCMS_GATEWAY_HMAC_SECRET"):
        GatewayTrust("", require_signature=True)
    assert await GatewayTrust("", require_signature=False).check(ME, None, None) is None


# -- stale and replayed signatures ------------------------------------------------------------------


@pytest.mark.e2e
async def test_old_or_future_signatures_are_refused(stack: Stack, tenant: Tenant) -> None:
    url, secret = stack.subgraph("operations"), stack.settings.hmac_secret
    now = int(time.time() * 1000)
    for ts in (now - (MAX_AGE_SECONDS + 5) * 1000, now + 60_000):
        body = {"query": ME, "extensions": {EXTENSION: sign(secret, ME, None, ts=ts)}}
        refused = await post(url, body, tenant.manager_token)
        assert error_codes(refused) == ["FORBIDDEN"] and refused["data"] is None, refused
        assert "expired" in refused["errors"][0]["message"]
    # a little clock skew is fine: 2 s ahead, 50 s behind
    for ts in (now + 2_000, now - 50_000):
        body = {"query": ME, "extensions": {EXTENSION: sign(secret, ME, None, ts=ts)}}
        assert data(await post(url, body, tenant.manager_token))["me"]


async def test_proof_verification() -> None:
    """Unit: HTTP signatures and WebSocket proofs, each valid once, within the window, and neither
    passing for the other."""
    secret = "s" * 40
    trust = GatewayTrust(secret, require_signature=True)
    vars_ = {"id": "1"}
    assert (await trust.check(ME, vars_, {EXTENSION: sign(secret, ME, vars_)})) is None
    signed = sign(secret, ME, vars_)
    assert await trust.check(ME, vars_, {EXTENSION: signed}) is None
    assert "replay" in (await trust.check(ME, vars_, {EXTENSION: signed})).message  # type: ignore[union-attr]
    for bad in (
        {**sign(secret, ME, vars_), "ts": int(time.time() * 1000) - 1},  # ts changed after signing
        {**sign(secret, ME, vars_), "nonce": str(uuid.uuid4())},  # nonce changed after signing
        {**sign(secret, ME, vars_), "sig": "not base64!"},
        sign(secret, ME, vars_)["sig"],  # the old format: a bare signature
        {"ts": "1", "nonce": "n", "sig": ""},
    ):
        refusal = await trust.check(ME, vars_, {EXTENSION: bad})
        assert refusal is not None and refusal.extensions == {"code": "FORBIDDEN"}, bad
    old = sign(secret, ME, vars_, ts=int(time.time() * 1000) - (MAX_AGE_SECONDS + 1) * 1000)
    assert "expired" in (await trust.check(ME, vars_, {EXTENSION: old})).message  # type: ignore[union-attr]

    token = "Bearer abc"
    proof = ws_proof(secret, token)
    assert await trust.check_ws({"authorization": token, WS_PROOF: proof}) is None
    assert "replay" in (await trust.check_ws({"authorization": token, WS_PROOF: proof}) or "")
    assert await trust.check_ws({"authorization": token}) == "WebSocket not opened by the gateway"
    # bound to the token it came with
    assert await trust.check_ws({"authorization": "Bearer other", WS_PROOF: ws_proof(secret, token)})
    stale = ws_proof(secret, token, ts=int(time.time() * 1000) - (MAX_AGE_SECONDS + 1) * 1000)
    assert "expired" in (await trust.check_ws({"authorization": token, WS_PROOF: stale}) or "")
    # an HTTP signature is no WebSocket proof, and the other way round
    http = sign(secret, None, None)
    assert await trust.check_ws({WS_PROOF: http})
    assert await trust.check(None, None, {EXTENSION: ws_proof(secret, None)})
    # in dev mode a WebSocket without a proof is let through, a wrong proof never
    dev = GatewayTrust(secret, require_signature=False)
    assert await dev.check_ws({"authorization": token}) is None
    assert await dev.check_ws({"authorization": token, WS_PROOF: ws_proof("x" * 40, token)})


@pytest.mark.integration
async def test_a_replay_to_another_replica_is_refused() -> None:
    """Two replicas sharing Redis: a signature used at one is refused at the other."""
    url, secret = services.require_redis(), "r" * 40
    one, two = (GatewayTrust(secret, require_signature=True, redis_url=url) for _ in range(2))
    try:
        signed = {EXTENSION: sign(secret, ME, None)}
        assert await one.check(ME, None, signed) is None
        refused = await two.check(ME, None, signed)
        assert refused is not None and "replay" in refused.message
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
        signed = {**body, "extensions": {EXTENSION: sign(stack.settings.hmac_secret, LONE, variables)}}
        direct = await client.post(stack.subgraph("operations"), content=json.dumps(signed), headers=headers)
        unsigned = await client.post(stack.subgraph("operations"), content=json.dumps(body), headers=headers)
    for response in (through, direct):
        assert response.status_code in (200, 400), response.text
        assert error_codes(response.json()) == ["BAD_USER_INPUT"], response.text
    assert unsigned.status_code == 200 and error_codes(unsigned.json()) == ["FORBIDDEN"], unsigned.text


# -- WebSockets: the gateway's proof and a token in connection_init, or closed ---------------------


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
    url, secret = stack.subgraph("customers").replace("http://", "ws://"), stack.settings.hmac_secret
    assert await _connection_init(url, {}) == 4403
    forged = "Bearer forged"
    assert await _connection_init(url, {"authorization": forged, WS_PROOF: ws_proof(secret, forged)}) == 4403
    token = f"Bearer {tenant.manager_token}"
    ack = await _connection_init(url, {"authorization": token, WS_PROOF: ws_proof(secret, token)})
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
    body = {"query": query, "extensions": {EXTENSION: sign(stack.settings.hmac_secret, query, None)}}
    direct = await post(stack.subgraph("operations"), body, tenant.manager_token)
    assert "FORBIDDEN" in error_codes(direct) and not direct.get("data")
    # composition still reads the SDL
    sdl = "{ _service { sdl } }"
    body = {"query": sdl, "extensions": {EXTENSION: sign(stack.settings.hmac_secret, sdl, None)}}
    assert "@key" in data(await post(stack.subgraph("operations"), body))["_service"]["sdl"]
