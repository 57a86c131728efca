"""Execute one subgraph's schema in the test process, as its HTTP endpoint would."""

from __future__ import annotations

import importlib
from typing import Any

from starlette.requests import Request

from realtime.broker import Broker
from resolvers.common.context import Context


async def execute(
    subgraph: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    *,
    secret: str,
    request_id: str | None = None,
) -> Any:
    module = importlib.import_module(f"subgraphs.{subgraph}")
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    if request_id:
        headers.append((b"x-request-id", request_id.encode()))
    broker = Broker()  # in memory: events published here reach no one
    await broker.connect()
    context = Context(
        request=Request({"type": "http", "method": "POST", "headers": headers}),
        broker=broker,
        token_secret=secret,
        loaders_class=module.loaders,
    )
    try:
        return await module.schema.execute(query, variable_values=variables, context_value=context)
    finally:
        await broker.disconnect()
