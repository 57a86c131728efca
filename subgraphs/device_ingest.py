"""``POST /devices/ingest`` (issue 16): the batch HTTP intake for devices that cannot speak MQTT.

Body ``{"messages": [{"topic": "dcms/<tenant>/<unit>/<kind>", "payload": {...}}, ...]}``: the same
topics and signed payloads as over MQTT (resolvers/devices/envelope.py), at most ``MAX_MESSAGES``
per request and ``MAX_BODY_BYTES`` in all; the payload may also be given as its JSON text. Each
message is authenticated by its own signature, so the endpoint needs no token; it is rate limited
per remote address. The same ``ingest`` as the MQTT bridge applies the batch.

Answers 200 with the ingest report (``accepted``, ``duplicates``, ``rejected``: [{index, reason}]),
400 with ``{"errors": [{"message", "extensions": {"code": "BAD_USER_INPUT"}}]}`` for a body that is
not that shape, 413 for a body too large, 429 (``RATE_LIMITED``, ``Retry-After``) over the limit.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from resolvers.common.errors import ErrorCode
from resolvers.devices.ingest import ingest
from security.rate_limit import RateLimiter
from subgraphs.settings import Limits

PATH = "/devices/ingest"
MAX_MESSAGES = 1000
MAX_BODY_BYTES = 1024 * 1024  # 1 000 signed messages of ~1 KB
MAX_TOPIC_CHARS = 256
RATE_KEY = "devices-ingest:"  # + remote address


def _refusal(message: str, status: int = 400, code: ErrorCode = ErrorCode.BAD_USER_INPUT) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code.value}}]}, status)


def parse_batch(body: bytes) -> list[tuple[str, bytes]] | str:
    """The (topic, payload bytes) pairs of a body, or why it is refused."""
    if len(body) > MAX_BODY_BYTES:
        return f"request body over {MAX_BODY_BYTES} bytes"
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "request body is not valid JSON"
    messages = parsed.get("messages") if isinstance(parsed, dict) else None
    if not isinstance(messages, list) or not messages:
        return '`messages` must be a non-empty list of {"topic", "payload"}'
    if len(messages) > MAX_MESSAGES:
        return f"{len(messages)} messages in one request; at most {MAX_MESSAGES}"
    batch: list[tuple[str, bytes]] = []
    for index, message in enumerate(messages):
        topic = message.get("topic") if isinstance(message, dict) else None
        payload = message.get("payload") if isinstance(message, dict) else None
        if not isinstance(topic, str) or not 0 < len(topic) <= MAX_TOPIC_CHARS:
            return f"messages[{index}].topic must be a topic string"
        if isinstance(payload, str):
            batch.append((topic, payload.encode()))
        elif isinstance(payload, dict):
            batch.append((topic, orjson.dumps(payload)))
        else:
            return f"messages[{index}].payload must be a JSON object (or its text)"
    return batch


async def ingest_endpoint(request: Request) -> Response:
    limiter: RateLimiter
    limits: Limits
    limiter, limits = request.app.state.rate_limit
    if limits.rate_limit:
        address = request.client.host if request.client else "-"
        decision = await limiter.hit(RATE_KEY + address, limits.rate_limit, limits.rate_window)
        if not decision.allowed:
            response = _refusal("请求过于频繁 (too many ingest requests)", 429, ErrorCode.RATE_LIMITED)
            response.headers["Retry-After"] = str(decision.retry_after)
            return response
    body = await request.body()
    batch = parse_batch(body)
    if isinstance(batch, str):
        return _refusal(batch, 413 if len(body) > MAX_BODY_BYTES else 400)
    report = await ingest(batch, rules=request.app.state.rules)
    request.app.state.realtime.relay.wake({"devices"})  # the status events: out now
    return Response(orjson.dumps(report.as_json()), media_type="application/json")


routes = (Route(PATH, ingest_endpoint, methods=["POST"]),)
