"""graphql-transport-ws by hand, for tests that need each message: one socket through the gateway
(or to a subgraph), several operations over it, pings answered."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")


class Socket:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ops = 0

    @classmethod
    async def open(cls, url: str, token: str) -> Socket:
        """Connected and acknowledged, with ``token`` in connection_init; close it yourself."""
        ws = await websockets.connect(url, subprotocols=[PROTOCOL])
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        return cls(ws)

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))

    async def next(self, within: float = 10.0) -> dict[str, Any]:
        """The next message other than a ping (answered)."""
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), within))
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            return message

    async def run(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """One query or mutation over the socket: its single result (it must then complete)."""
        self.ops += 1
        op_id = f"op{self.ops}"
        await self.subscribe(op_id, query, variables)
        messages = [await self.next()]
        while messages[-1]["type"] == "next":
            messages.append(await self.next())
        assert all(m.get("id") == op_id for m in messages), messages
        assert [m["type"] for m in messages] == ["next", "complete"], messages
        return messages[0]["payload"]

    async def close(self) -> None:
        await self.ws.close()


@asynccontextmanager
async def socket(url: str, token: str) -> AsyncIterator[Socket]:
    opened = await Socket.open(url, token)
    try:
        yield opened
    finally:
        await opened.close()


async def connection_init(url: str, payload: dict[str, Any], within: float = 10) -> dict[str, Any] | int:
    """What a connection_init with ``payload`` gets: the ack message, or the close code."""
    async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), within))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else -1
