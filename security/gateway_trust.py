"""Trust only what the gateway sent: verify Hive Gateway's ``hmacSignature`` on upstream requests.

The gateway (``hmacSignature`` in gateway.config.ts, plugin
``@graphql-mesh/hmac-upstream-signature``) signs every upstream execution request with
HMAC-SHA256 over ``json-stable-stringify({query, variables})`` — keys sorted, compact, no
ASCII escaping, ``variables`` left out when empty, the operation name and extensions not
signed — and puts the base64 signature in ``extensions["hmac-signature"]``. That covers
root operations and ``_entities`` calls alike (checked against the real gateway in
tests/test_gateway_trust.py).

Outside dev mode a request without a valid signature is refused. In dev mode an unsigned
request passes (GraphiQL straight against a subgraph), a wrong signature never does.

WebSocket subscribe payloads: Strawberry drops a subscribe message's ``extensions``, so WebSockets
are held by the token in ``connectionParams`` instead (see ``subgraphs/app.py``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

EXTENSION = "hmac-signature"


def signing_payload(query: str | None, variables: Mapping[str, Any] | None) -> bytes:
    """What the gateway signs, byte for byte (json-stable-stringify of ``{query, variables}``)."""
    document: dict[str, Any] = {"query": query}
    if variables:
        document["variables"] = variables
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, query: str | None, variables: Mapping[str, Any] | None) -> str:
    digest = hmac.new(secret.encode(), signing_payload(query, variables), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class GatewayTrust:
    """``check`` returns why a request is refused, or None when it may run."""

    def __init__(self, secret: str, *, require_signature: bool) -> None:
        if require_signature and not secret:
            raise ValueError("DCMS_GATEWAY_HMAC_SECRET must be set outside dev mode")
        self._secret = secret.encode()
        self.require_signature = require_signature

    def check(
        self, query: str | None, variables: Mapping[str, Any] | None, extensions: Mapping[str, Any] | None
    ) -> str | None:
        signature = (extensions or {}).get(EXTENSION)
        if signature is None:
            return "request not signed by the gateway" if self.require_signature else None
        if not self._secret or not self.valid(signature, query, variables):
            return "invalid gateway signature"
        return None

    def valid(self, signature: Any, query: str | None, variables: Mapping[str, Any] | None) -> bool:
        if not isinstance(signature, str):
            return False
        try:
            given = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        expected = hmac.new(self._secret, signing_payload(query, variables), hashlib.sha256).digest()
        return hmac.compare_digest(given, expected)
