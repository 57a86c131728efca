"""``/marketing/scan/{token}`` (大众营销扫码): the public page behind a mass-marketing QR code.

``GET`` answers the code's product and label (what the page shows); ``POST`` with
``{"phone": "13800000000", "name"?: "...", "remark"?: "..."}`` records the intent
(resolvers/marketing/scan.py) and answers 200 ``{"ok": true}`` — the same whether the phone is a
customer's or not, and for a repeat the same day. No login: rate limited per remote address and
per code (429 ``RATE_LIMITED`` with ``Retry-After``); 400 ``BAD_USER_INPUT`` for a body that is
not that shape, 404 ``NOT_FOUND`` for an unknown or retired code; never 500 for bad input.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.marketing import QrCode
from resolvers.common.errors import CodedError, ErrorCode
from resolvers.marketing.scan import parse_intent, record_scan
from security.rate_limit import RateLimiter
from subgraphs.settings import Limits

PATH = "/marketing/scan/{token}"
MAX_BODY_BYTES = 4096
RATE_KEY = "marketing-scan:"  # + "ip:" remote address, or "code:" token
PER_ADDRESS = 20  # scans per remote address per window
PER_CODE = 600  # scans per code per window (a poster in a busy hall)


def _refusal(message: str, status: int = 400, code: ErrorCode = ErrorCode.BAD_USER_INPUT) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code.value}}]}, status)


async def _limited(request: Request, token: str) -> Response | None:
    limiter: RateLimiter
    limits: Limits
    limiter, limits = request.app.state.rate_limit
    if not limits.rate_limit:
        return None
    address = request.client.host if request.client else "-"
    window = limits.rate_window
    for key, limit in ((f"ip:{address}", PER_ADDRESS), (f"code:{token[:64]}", PER_CODE)):
        decision = await limiter.hit(RATE_KEY + key, min(limit, limits.rate_limit), window)
        if not decision.allowed:
            response = _refusal("请求过于频繁，请稍后再试 (too many scans)", 429, ErrorCode.RATE_LIMITED)
            response.headers["Retry-After"] = str(decision.retry_after)
            return response
    return None


async def scan_endpoint(request: Request) -> Response:
    token = str(request.path_params.get("token", ""))
    if (refused := await _limited(request, token)) is not None:
        return refused
    if request.method == "GET":
        code = await QrCode.get_or_none(token=token, active=True) if len(token) <= 64 else None
        if code is None:
            return _refusal("二维码不存在或已失效 (unknown QR code)", 404, ErrorCode.NOT_FOUND)
        return JSONResponse({"productName": code.product_name, "label": code.label})
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _refusal(f"request body over {MAX_BODY_BYTES} bytes")
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _refusal("request body is not valid JSON")
    intent = parse_intent(parsed)
    if isinstance(intent, str):
        return _refusal(intent)
    try:
        created = await record_scan(token, intent)
    except CodedError as error:
        return _refusal(error.message, 404 if error.code is ErrorCode.NOT_FOUND else 400, error.code)
    if created:
        request.app.state.realtime.relay.wake({"marketing"})  # the pool's event: out now
    return JSONResponse({"ok": True})


routes = (Route(PATH, scan_endpoint, methods=["GET", "POST"]),)
