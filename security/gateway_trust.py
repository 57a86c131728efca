"""Trust only what the gateway sent, once: verify the gateway's signature on upstream requests and
its proof on upstream WebSockets, refusing anything stale or seen before.

HTTP (queries, mutations, ``_entities``): the gateway (``gateway/signing.ts``) signs every upstream
execution request with HMAC-SHA256 (``DCMS_GATEWAY_HMAC_SECRET``) over the canonical JSON of
``{nonce, query, ts, variables}`` and puts ``{ts, nonce, sig}`` in ``extensions["dcms-signature"]``.
``ts`` is the signing time in epoch milliseconds, ``nonce`` a random UUID.

WebSocket (subscriptions): in ``connection_init`` the gateway sends, beside the subscriber's
``authorization``, ``connectionParams["x-dcms-gateway"] = {ts, nonce, sig}`` signed over
``{authorization, nonce, purpose: "ws-connect", ts}``. No HTTP payload has a ``purpose`` key, so
neither kind of signature can pass for the other.

Both are refused when older than ``MAX_AGE_SECONDS`` (or more than ``MAX_SKEW_SECONDS`` in the
future: clocks differ a little between hosts) or when their nonce was seen before, in this
process and, with ``REDIS_URL``, by any replica (``SET NX EX``). A captured request or
``connection_init`` is therefore worth nothing to whoever captured it.

Canonical JSON, byte for byte what ``gateway/signing.ts`` ``canonicalJson`` writes: object keys
sorted by UTF-16 code units (JavaScript's default sort), no spaces, strings as ``JSON.stringify``
writes them (no ASCII escaping; lone UTF-16 surrogates escaped as ``\\udXXX``), numbers as
JavaScript prints them (``1e-7``, not Python's ``1e-07``), ``variables`` left out when empty.
Checked against node in tests/test_gateway_trust.py.

Outside dev mode a request without a valid signature is refused. In dev mode an unsigned request
passes (GraphiQL straight against a subgraph), a wrong or replayed signature never does.
"""

from __future__ import annotations

import base64
import binascii
import collections
import decimal
import hashlib
import hmac
import json
import logging
import math
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

import redis.asyncio as redis

from schema.common.errors import CodedError, ErrorCode, bad_input
from security.redis_pool import redis_client

log = logging.getLogger(__name__)

EXTENSION = "dcms-signature"  # extensions[EXTENSION] on a signed HTTP request
WS_PROOF = "x-dcms-gateway"  # connectionParams[WS_PROOF] in an upstream connection_init
WS_PURPOSE = "ws-connect"
MAX_AGE_SECONDS = 60
MAX_SKEW_SECONDS = 5  # a signature this far in the future still passes: another host's clock

_SURROGATE = re.compile("[\ud800-\udfff]")


# -- canonical JSON ---------------------------------------------------------------------------------


# JSON.stringify's string escapes (quote, backslash, control characters; nothing else). A lone
# surrogate stays as it is here: `canonical_json` escapes those in the finished text, where a
# surrogate character can only stand inside a string.
_js_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _escape_surrogates(text: str) -> str:
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _js_number(value: float) -> str:
    """ECMAScript Number::toString: shortest round-trip digits, exponent only below 1e-6 or from 1e21."""
    if not math.isfinite(value):
        return "null"  # what JSON.stringify writes; never on the wire (JSON has no NaN)
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = decimal.Decimal(repr(abs(value))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    k, n = len(digits), int(exponent) + len(digits)  # value = 0.digits × 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def canonical_json(value: Any) -> str:
    """JSON that ``gateway/signing.ts`` writes for the same value, character for character."""
    return _escape_surrogates(_canonical(value))


def _canonical(value: Any) -> str:
    # Exact type checks first: the values come from json.loads (dict, list, str, int, float, bool,
    # None); the ABC checks below only serve callers in process.
    kind = type(value)
    if kind is str:
        return _js_string(value)  # type: ignore[no-any-return]
    if kind is dict:
        keys = sorted(value)
        if not "".join(keys).isascii():  # JavaScript sorts by UTF-16 code units
            keys.sort(key=_utf16)
        return "{" + ",".join([_js_string(k) + ":" + _canonical(value[k]) for k in keys]) + "}"
    if kind is list:
        return "[" + ",".join([_canonical(item) for item in value]) + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, str):
        return _js_string(str(value))  # type: ignore[no-any-return]
    if isinstance(value, Mapping):
        return _canonical({str(k): v for k, v in value.items()})
    if isinstance(value, list | tuple):
        return _canonical(list(value))
    raise TypeError(f"not JSON: {type(value).__name__}")


def _utf8(text: str) -> bytes:
    # Lone surrogates were escaped by canonical_json, so this cannot fail on a string from JSON.
    return text.encode("utf-8")


def _http_text(
    query: str | None, variables: Mapping[str, Any] | None, ts: int | None, nonce: str | None
) -> str:
    """The canonical JSON of an HTTP request's signed document, lone surrogates not yet escaped."""
    document: dict[str, Any] = {"query": query, "ts": ts, "nonce": nonce}
    if variables:
        document["variables"] = variables
    return _canonical({k: v for k, v in document.items() if v is not None})


def signing_payload(
    query: str | None, variables: Mapping[str, Any] | None, ts: int | None, nonce: str | None
) -> bytes:
    """What the gateway signs for an HTTP request, byte for byte."""
    return _utf8(_escape_surrogates(_http_text(query, variables, ts, nonce)))


def ws_payload(authorization: str | None, ts: int, nonce: str) -> bytes:
    """What the gateway signs in an upstream WebSocket's connection_init."""
    document: dict[str, Any] = {"purpose": WS_PURPOSE, "ts": ts, "nonce": nonce}
    if authorization is not None:
        document["authorization"] = authorization
    return _utf8(canonical_json(document))


def _hmac(secret: str | bytes, payload: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return base64.b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode()


def _fresh() -> tuple[int, str]:
    return int(time.time() * 1000), str(uuid.uuid4())


def sign(
    secret: str,
    query: str | None,
    variables: Mapping[str, Any] | None,
    *,
    ts: int | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """``extensions[EXTENSION]`` as the gateway would send it now (tests and tools)."""
    now, new_nonce = _fresh()
    ts, nonce = ts if ts is not None else now, nonce or new_nonce
    return {"ts": ts, "nonce": nonce, "sig": _hmac(secret, signing_payload(query, variables, ts, nonce))}


def ws_proof(
    secret: str, authorization: str | None, *, ts: int | None = None, nonce: str | None = None
) -> dict[str, Any]:
    """``connectionParams[WS_PROOF]`` as the gateway would send it now (tests and tools)."""
    now, new_nonce = _fresh()
    ts, nonce = ts if ts is not None else now, nonce or new_nonce
    return {"ts": ts, "nonce": nonce, "sig": _hmac(secret, ws_payload(authorization, ts, nonce))}


def has_lone_surrogate(query: str | None, variables: Any) -> bool:
    if query and _SURROGATE.search(query):
        return True
    return variables is not None and bool(_SURROGATE.search(_canonical(variables)))


# -- the seen nonces --------------------------------------------------------------------------------


class SeenNonces:
    """Nonces of the last ``ttl`` seconds: in this process always, and in Redis (shared by every
    replica) when configured. Redis down: the process's own set still refuses a replay to this
    replica; a warning is logged once per outage, not per request."""

    PREFIX = "dcms:gateway-nonce:"

    def __init__(self, ttl: int, redis_url: str | None = None) -> None:
        self._ttl = ttl
        self._seen: set[str] = set()
        # By arrival, so the oldest leave first: the set never holds more than `ttl` seconds' worth.
        self._expiry: collections.deque[tuple[float, str]] = collections.deque()
        self._redis = redis_client(redis_url) if redis_url else None
        self._redis_down = False

    async def first_use(self, nonce: str) -> bool:
        now = time.monotonic()
        while self._expiry and self._expiry[0][0] <= now:
            self._seen.discard(self._expiry.popleft()[1])
        if nonce in self._seen:
            return False
        self._seen.add(nonce)
        self._expiry.append((now + self._ttl, nonce))
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

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


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
        self, query: str | None, variables: Mapping[str, Any] | None, extensions: Mapping[str, Any] | None
    ) -> CodedError | None:
        signature = (extensions or {}).get(EXTENSION)
        if signature is None:
            if self.require_signature:
                return _forbidden("request not signed by the gateway")
            return _invalid_unicode(query, variables)
        if not isinstance(signature, Mapping) or not self._secret:
            return _forbidden("invalid gateway signature")
        ts, nonce, sig = signature.get("ts"), signature.get("nonce"), signature.get("sig")
        if not isinstance(ts, int) or not isinstance(nonce, str) or not nonce:
            return _forbidden("invalid gateway signature")
        try:
            text = _http_text(query, variables, ts, nonce)
        except TypeError:  # not from JSON: a caller in process
            return _forbidden("invalid gateway signature")
        refusal = await self._verify(sig, _utf8(_escape_surrogates(text)), ts, nonce)
        if refusal:
            return _forbidden(refusal)
        return _lone_surrogate() if _SURROGATE.search(text) else None

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
        if not isinstance(ts, int) or not isinstance(nonce, str) or not nonce:
            return "invalid gateway proof"
        if authorization is not None and not isinstance(authorization, str):
            return "invalid gateway proof"
        return await self._verify(sig, ws_payload(authorization, ts, nonce), ts, nonce)

    async def _verify(self, sig: Any, payload: bytes, ts: int, nonce: str) -> str | None:
        if not isinstance(sig, str):
            return "invalid gateway signature"
        try:
            given = base64.b64decode(sig, validate=True)
        except (binascii.Error, ValueError):
            return "invalid gateway signature"
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()
        if not hmac.compare_digest(given, expected):
            return "invalid gateway signature"
        age = time.time() - ts / 1000
        if age > MAX_AGE_SECONDS or age < -MAX_SKEW_SECONDS:
            return f"gateway signature expired ({age:.0f} s old; at most {MAX_AGE_SECONDS} s)"
        # Only a valid signature takes a nonce: a forger cannot fill the set.
        if not await self.nonces.first_use(nonce):
            return "gateway signature already used (replay)"
        return None

    async def close(self) -> None:
        await self.nonces.close()


def _forbidden(reason: str) -> CodedError:
    return CodedError(ErrorCode.FORBIDDEN, reason)


def _invalid_unicode(query: str | None, variables: Any) -> CodedError | None:
    return _lone_surrogate() if has_lone_surrogate(query, variables) else None


def _lone_surrogate() -> CodedError:
    return bad_input("无效的 Unicode 字符 (a lone UTF-16 surrogate in the query or variables)")
