"""Malformed request bodies get HTTP 400 (or 415) with a coded JSON error, before Strawberry.

Strawberry answers a top-level JSON scalar, invalid UTF-8 or JSON nested thousands deep with
HTTP 500 (its parser raises what it does not catch), and a non-JSON body with plain text. Here
every POST to a subgraph must be a JSON object (or a batch: a list of them) whose ``query``,
``variables``, ``operationName`` and ``extensions`` have their GraphQL-over-HTTP types, no deeper
than ``MAX_NESTING`` levels, with no ``NaN``/``Infinity`` (Python's json reads them, JSON has
none). A form-encoded or multipart POST is refused like at the gateway (gateway/requests.ts):
only JSON bodies need a CORS preflight.

What passes is handed on byte for byte; Strawberry parses it again (microseconds with orjson,
``parse_json``, and it keeps this a wrapper rather than a fork of Strawberry's request handling).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.common.errors import ErrorCode

JSON_TYPES = frozenset({"application/json"})  # what Strawberry parses; the gateway sends only this
MAX_NESTING = 64  # levels of arrays/objects in a body; real variables use a handful
MAX_BODY_BYTES = 8 * 1024 * 1024  # far above any real operation (the gateway's batches included)


class BadBody(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _reject_constant(name: str) -> Any:
    raise BadBody(f"request body is not JSON: {name} is not a JSON value")


def _depth(value: Any) -> int:
    """Nesting levels of a parsed body, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > MAX_NESTING:
                return level
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            # Containers only: a long flat list of scalars costs no memory here.
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,127}")  # a GraphQL Name (of sensible length)

_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "query": (str,),
    "operationName": (str, type(None)),
    "variables": (dict, type(None)),
    "extensions": (dict, type(None)),
}


def _check_operation(operation: Any) -> None:
    if not isinstance(operation, dict):
        raise BadBody("request body must be a JSON object (or a list of them for a batch)")
    for name, types in _FIELD_TYPES.items():
        if name in operation and not isinstance(operation[name], types):
            raise BadBody(f"`{name}` has the wrong JSON type")
    operation_name = operation.get("operationName")
    if isinstance(operation_name, str) and not _NAME.fullmatch(operation_name):
        # Strawberry would echo it in a plain-text error (a lone surrogate there was an HTTP 500).
        raise BadBody("`operationName` is not a GraphQL name")


def check_body(content_type: str | None, body: bytes) -> None:
    """Raise ``BadBody`` unless ``body`` is a GraphQL-over-HTTP JSON request."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES:
        raise BadBody(
            "请求体必须是 JSON (POST bodies must be application/json)",
            status=415,
        )
    try:
        parsed = orjson.loads(body)  # the common case, fast: valid UTF-8 JSON without NaN
    except orjson.JSONDecodeError:
        parsed = _parse_slowly(body)  # why it failed, or a lone surrogate (the variables check's to refuse)
    if _depth(parsed) > MAX_NESTING:
        raise BadBody(f"request body is nested more than {MAX_NESTING} levels deep")
    operations = parsed if isinstance(parsed, list) else [parsed]
    if not operations:
        raise BadBody("an empty batch")
    for operation in operations:
        _check_operation(operation)


def _parse_slowly(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody("request body is not valid UTF-8") from exc
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise BadBody(f"request body is nested more than {MAX_NESTING} levels deep") from exc
    except ValueError as exc:
        raise BadBody("request body is not valid JSON") from exc


def parse_json(data: str | bytes) -> Any:
    """A body ``check_body`` passed: orjson, or json for the strings orjson refuses (a lone
    surrogate in a variable, which the variables check, schema/common/inputs.py, answers with
    BAD_USER_INPUT)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def refusal(message: str, status: int) -> JSONResponse:
    error = {"message": message, "extensions": {"code": ErrorCode.BAD_USER_INPUT.value}}
    return JSONResponse({"errors": [error]}, status_code=status)


class BodyGuard:
    """ASGI middleware over the subgraph routes: checks each POST body, then replays it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await refusal(f"request body over {MAX_BODY_BYTES} bytes", 413)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        try:
            check_body(content_type, body)
        except BadBody as bad:
            await refusal(bad.message, bad.status)(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect as usual

        await self.app(scope, replay, send)
