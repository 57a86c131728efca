"""Calling a subgraph straight, signed as the gateway signs (security/gateway_trust.py): the one
place tests know how. The test stack runs in production mode, so an unsigned request is FORBIDDEN.

The body is serialised once and those bytes are both signed and sent (``content=``): the
signature covers the raw body and the ``authorization`` and ``x-dcms-client-ip`` headers.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from security.gateway_trust import SIGNATURE_HEADER, WS_PROOF, sign_http, ws_proof
from subgraphs.app import CLIENT_IP_HEADER

__all__ = ["body_bytes", "signed_headers", "signed_post", "ws_params", "ws_proof"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def body_bytes(body: dict[str, Any] | list[Any] | bytes) -> bytes:
    """What is sent for ``body``: JSON as the gateway's JSON.stringify writes it (compact,
    non-ASCII as UTF-8, a lone surrogate escaped as ``\\udXXX``)."""
    if isinstance(body, bytes):
        return body
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def bearer(token: str | None) -> str | None:
    return f"Bearer {token}" if token else None


def signed_headers(
    secret: str,
    content: bytes,
    authorization: str | None = None,
    client_ip: str | None = None,
    *,
    ts: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers of a gateway request with this body, ``authorization`` and client address (the
    signature included)."""
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    if client_ip is not None:
        headers[CLIENT_IP_HEADER] = client_ip
    headers[SIGNATURE_HEADER] = sign_http(secret, content, authorization, client_ip, ts=ts, nonce=nonce)
    return headers


async def signed_post(
    secret: str,
    url: str,
    body: dict[str, Any] | list[Any] | bytes,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    client_ip: str | None = None,
    *,
    ts: int | None = None,
    nonce: str | None = None,
) -> httpx.Response:
    """POST ``body`` (one operation, a batch, or raw bytes) to a subgraph as the gateway would for
    a caller with ``token``, from ``client_ip``. ``headers`` are added unsigned (x-request-id)."""
    content = body_bytes(body)
    sent = {
        **(headers or {}),
        **signed_headers(secret, content, bearer(token), client_ip, ts=ts, nonce=nonce),
    }
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, content=content, headers=sent)


def ws_params(secret: str, authorization: str | None) -> dict[str, Any]:
    """An upstream connection_init payload as the gateway sends it: the token and a fresh proof."""
    params: dict[str, Any] = {WS_PROOF: ws_proof(secret, authorization)}
    if authorization is not None:
        params["authorization"] = authorization
    return params
