"""Trust only what the gateway sent, once: verify the gateway's signature on upstream requests and
its proof on upstream WebSockets, refusing anything stale or seen before.

HTTP (queries, mutations, ``_entities``): the gateway (``gateway/signing.ts``) signs the exact bytes
it sends. Each upstream POST carries a header ::

    x-dcms-signature: v1.<ts>.<nonce>.<sig>

``ts`` is the signing time in epoch milliseconds, ``nonce`` a random UUID, ``sig`` the base64
HMAC-SHA256 (``DCMS_GATEWAY_HMAC_SECRET``) of ::

    "v1\n" + ts + "\n" + nonce + "\n" + authorization + "\n" + client_ip + "\n" + body

where ``authorization`` is the request's ``Authorization`` header and ``client_ip`` its
``x-dcms-client-ip`` header (the caller's address, which lockout and the anonymous rate limit
count by; each its bytes, empty when there is none) and ``body`` the raw request body. So the
operation (query, variables, operationName, extensions, every operation of a batch), the caller's
identity and address are covered, and the subgraph
checks them before any GraphQL parsing or execution (only the body guard's well-formedness check
comes first): no re-serialisation, one HMAC over bytes it already holds.
A signature only verifies a POST (a GET's operation is in its URL, which is not signed).

WebSocket (subscriptions): in ``connection_init`` the gateway sends, beside the subscriber's
``authorization``, ``connectionParams["x-dcms-gateway"] = {ts, nonce, sig}``, ``sig`` over
``"ws-connect\n" + ts + "\n" + nonce + "\n" + authorization`` (UTF-8). The first line differs
from the HTTP one, so neither kind of signature can pass for the other.

Both are refused when older than ``MAX_AGE_SECONDS`` (or more than ``MAX_SKEW_SECONDS`` in the
future: clocks differ a little between hosts) or when their nonce was seen before:

- in this process, always (a set in memory, no await);
- by any replica (with ``REDIS_URL``: ``SET NX EX``), for a ``connection_init`` and for a request
  that holds a mutation. The subgraph asks Redis when it knows the operation's type, after
  parsing (schema/common/authentication.py via ``Context.first_use_everywhere``), once per
  request. A query is not checked across replicas: that round trip cost about 185 µs of Python
  CPU per request (as much as the ES256 check it replaced), and a captured query replayed within
  the 60 s to another worker or replica changes nothing and returns what its original response,
  on the same wire, already carried. A replayed mutation would repeat its effect: refused
  everywhere. The subgraph process itself calls ``check_here`` (sync) and claims the nonce in
  Redis later; ``check`` does both at once (tools, tests).

Tokens are trusted no more for being signed: the subgraph verifies each token's ES256 signature
once per process (security/tokens.py), the signature only vouches for where the request came from.

Outside dev mode a request without a valid signature is refused. In dev mode an unsigned request
passes (GraphiQL straight against a subgraph), a wrong or replayed signature never does.
"""

from __future__ import annotations

import base64
import binascii
import collections
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

import redis.asyncio as redis

from security.redis_pool import redis_client

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-dcms-signature"  # on a signed upstream HTTP request
VERSION = "v1"
WS_PROOF = "x-dcms-gateway"  # connectionParams[WS_PROOF] in an upstream connection_init
WS_PURPOSE = "ws-connect"
MAX_AGE_SECONDS = 60
MAX_SKEW_SECONDS = 5  # a signature this far in the future still passes: another host's clock
MAX_NONCE_LENGTH = 64  # a UUID is 36
REPLAYED = "gateway signature already used (replay)"

# -- what is signed ----------------------------------------------------------------------------------


def http_payload(ts: int, nonce: str, authorization: str | None, client_ip: str | None, body: bytes) -> bytes:
    """What the gateway signs for an HTTP request. Header values as Starlette gives them (decoded
    as latin-1), so encoding them back yields the bytes on the wire."""
    head = f"{VERSION}\n{ts}\n{nonce}\n{authorization or ''}\n{client_ip or ''}\n"
    return head.encode("latin-1") + body


def ws_payload(authorization: str | None, ts: int, nonce: str) -> bytes:
    """What the gateway signs in an upstream WebSocket's connection_init, as UTF-8 (connectionParams
    are JSON text). ``surrogatepass``: a lone surrogate, which the gateway's UTF-8 would have
    replaced, makes a proof that does not verify instead of an exception."""
    return f"{WS_PURPOSE}\n{ts}\n{nonce}\n{authorization or ''}".encode("utf-8", "surrogatepass")


def _hmac(secret: str | bytes, payload: bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, payload, hashlib.sha256).digest()


def _fresh(ts: int | None, nonce: str | None) -> tuple[int, str]:
    return (ts if ts is not None else int(time.time() * 1000)), nonce or str(uuid.uuid4())


def sign_http(
    secret: str,
    body: bytes,
    authorization: str | None = None,
    client_ip: str | None = None,
    *,
    ts: int | None = None,
    nonce: str | None = None,
) -> str:
    """The ``x-dcms-signature`` header the gateway would send now with ``body`` (tests and tools)."""
    ts, nonce = _fresh(ts, nonce)
    payload = http_payload(ts, nonce, authorization, client_ip, body)
    sig = base64.b64encode(_hmac(secret, payload)).decode()
    return f"{VERSION}.{ts}.{nonce}.{sig}"


def ws_proof(
    secret: str, authorization: str | None, *, ts: int | None = None, nonce: str | None = None
) -> dict[str, Any]:
    """``connectionParams[WS_PROOF]`` as the gateway would send it now (tests and tools)."""
    ts, nonce = _fresh(ts, nonce)
    sig = base64.b64encode(_hmac(secret, ws_payload(authorization, ts, nonce))).decode()
    return {"ts": ts, "nonce": nonce, "sig": sig}


# -- the seen nonces --------------------------------------------------------------------------------


class SeenNonces:
    """Nonces of the last ``ttl`` seconds: in this process always (``seen_here``), and in Redis
    (shared by every replica) when configured (``first_use_everywhere``). Redis down: the process's
    own set still refuses a replay to this replica; a warning is logged once per outage, not per
    request."""

    PREFIX = "dcms:gateway-nonce:"

    def __init__(self, ttl: int, redis_url: str | None = None) -> None:
        self._ttl = ttl
        self._seen: set[str] = set()
        # By arrival, so the oldest leave first: the set never holds more than `ttl` seconds' worth.
        self._expiry: collections.deque[tuple[float, str]] = collections.deque()
        self._redis = redis_client(redis_url) if redis_url else None
        self._redis_down = False

    def seen_here(self, nonce: str) -> bool:
        """True when this process saw ``nonce`` within the ttl; else remembers it."""
        now = time.monotonic()
        while self._expiry and self._expiry[0][0] <= now:
            self._seen.discard(self._expiry.popleft()[1])
        if nonce in self._seen:
            return True
        self._seen.add(nonce)
        self._expiry.append((now + self._ttl, nonce))
        return False

    async def first_use_everywhere(self, nonce: str) -> bool:
        """No replica used ``nonce`` before (Redis ``SET NX``); True without Redis or while it is
        away (the in-process set is all there is then)."""
        if self._redis is None:
            return True
        try:
            created = await self._redis.set(self.PREFIX + nonce, b"1", nx=True, ex=self._ttl)
        except (redis.RedisError, OSError) as error:
            if not self._redis_down:
                self._redis_down = True
                log.warning(
                    "gateway replay check: Redis unavailable (%s); only this process's nonces are "
                    "checked until it is back",
                    error,
                )
            return True
        if self._redis_down:
            self._redis_down = False
            log.warning("gateway replay check: Redis is back; nonces are shared by every replica again")
        return bool(created)

    async def first_use(self, nonce: str) -> bool:
        """Neither this process nor (with Redis) any replica saw ``nonce`` before."""
        if self.seen_here(nonce):
            return False
        return await self.first_use_everywhere(nonce)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


def nonce_of(signature: str) -> str:
    """The nonce of a well-formed ``x-dcms-signature`` value (one ``check_here`` accepted)."""
    return signature.split(".")[2]


# -- the check --------------------------------------------------------------------------------------


class GatewayTrust:
    """``check`` / ``check_ws`` return why a request or WebSocket is refused, or None."""

    def __init__(self, secret: str, *, require_signature: bool, redis_url: str | None = None) -> None:
        if require_signature and not secret:
            raise ValueError("DCMS_GATEWAY_HMAC_SECRET must be set outside dev mode")
        self._secret = secret.encode()
        self.require_signature = require_signature
        # A nonce must be remembered as long as its signature could still pass.
        self.nonces = SeenNonces(MAX_AGE_SECONDS + MAX_SKEW_SECONDS + 1, redis_url)

    async def check(
        self,
        signature: str | None,
        authorization: str | None,
        body: bytes,
        *,
        client_ip: str | None = None,
        method: str = "POST",
    ) -> str | None:
        """``check_here``, then the nonce claimed across replicas (Redis) too."""
        refusal = self.check_here(signature, authorization, body, client_ip=client_ip, method=method)
        if refusal is None and signature is not None:
            if not await self.nonces.first_use_everywhere(nonce_of(signature)):
                return REPLAYED
        return refusal

    def check_here(
        self,
        signature: str | None,
        authorization: str | None,
        body: bytes,
        *,
        client_ip: str | None = None,
        method: str = "POST",
    ) -> str | None:
        """One HTTP request (a batch is one body): its ``x-dcms-signature``, ``Authorization`` and
        ``x-dcms-client-ip`` headers and its raw body, before the operation is parsed. The nonce
        is checked in this process only: claim it across replicas with
        ``nonces.first_use_everywhere(nonce_of(signature))`` (a mutation, see the module)."""
        if signature is None:
            return "request not signed by the gateway" if self.require_signature else None
        parts = signature.split(".")
        if len(parts) != 4 or parts[0] != VERSION or not self._secret or method != "POST":
            return "invalid gateway signature"
        _, ts_text, nonce, sig = parts
        if not (ts_text.isascii() and ts_text.isdigit() and len(ts_text) <= 16):
            return "invalid gateway signature"
        if not nonce or len(nonce) > MAX_NONCE_LENGTH:
            return "invalid gateway signature"
        ts = int(ts_text)
        payload = http_payload(ts, nonce, authorization, client_ip, body)
        return self._verify(sig, payload, ts, nonce)

    async def check_ws(self, connection_params: Mapping[str, Any] | None) -> str | None:
        """A WebSocket's connection_init. Outside dev mode only the gateway may open one; in dev mode
        a client may too (with a token, checked per operation), but a wrong proof never passes."""
        params = connection_params or {}
        proof = params.get(WS_PROOF)
        if proof is None:
            return "WebSocket not opened by the gateway" if self.require_signature else None
        if not isinstance(proof, Mapping) or not self._secret:
            return "invalid gateway proof"
        ts, nonce, sig = proof.get("ts"), proof.get("nonce"), proof.get("sig")
        authorization = params.get("authorization")
        if not isinstance(ts, int) or isinstance(ts, bool) or not isinstance(nonce, str):
            return "invalid gateway proof"
        if not nonce or len(nonce) > MAX_NONCE_LENGTH:
            return "invalid gateway proof"
        if authorization is not None and not isinstance(authorization, str):
            return "invalid gateway proof"
        # The token is read from `authorization`, else `Authorization` (schema/common/context.py):
        # only the signed one may be there.
        if any(key != "authorization" and key.lower() == "authorization" for key in params):
            return "invalid gateway proof"
        refusal = self._verify(sig, ws_payload(authorization, ts, nonce), ts, nonce)
        if refusal is None and not await self.nonces.first_use_everywhere(nonce):
            return REPLAYED
        return refusal

    def _verify(self, sig: Any, payload: bytes, ts: int, nonce: str) -> str | None:
        if not isinstance(sig, str):
            return "invalid gateway signature"
        try:
            given = base64.b64decode(sig, validate=True)
        except (binascii.Error, ValueError):
            return "invalid gateway signature"
        if not hmac.compare_digest(given, _hmac(self._secret, payload)):
            return "invalid gateway signature"
        age = time.time() - ts / 1000
        if age > MAX_AGE_SECONDS or age < -MAX_SKEW_SECONDS:
            return f"gateway signature expired ({age:.0f} s old; at most {MAX_AGE_SECONDS} s)"
        # Only a valid signature takes a nonce: a forger cannot fill the set.
        if self.nonces.seen_here(nonce):
            return REPLAYED
        return None

    async def close(self) -> None:
        await self.nonces.close()
