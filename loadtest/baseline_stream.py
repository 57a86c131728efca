"""The fan-out baseline: a plain graphql-transport-ws server delivering the same alerts.

    .venv/bin/python -m loadtest.baseline_stream --port 4209 --redis-url redis://127.0.0.1:6379/5

What a hand-written server does with the same events: one ``websockets`` server, one Redis
subscription to the channel the outbox relay publishes on (``operations.alerts``,
realtime/broker.py), and per event: parse it once, build the ``next`` payload of
``alerts { eventId alert { id title level } }`` once, and send it to every subscriber whose org
path is under the event's (the alerts scope rule for front-line staff, security/scopes.py
``site_scope``), with only the operation id spliced in. The token's claims are read at
``connection_init`` without checking the signature: connecting is not what the benchmark
measures, delivering is. No cursor, no replay, no per-user cap, no revocation, no masking: the
floor a real server stands on. ``loadtest/bench_stream.py`` starts it and measures its CPU per
delivered event against the stack's, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from realtime.broker import ALERTS
from security.redis_pool import channel

PROTOCOL = Subprotocol("graphql-transport-ws")


@dataclass(eq=False)
class Subscription:
    ws: ServerConnection
    id: str
    org_path: str


subscriptions: set[Subscription] = set()


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def handle(ws: ServerConnection) -> None:
    mine: list[Subscription] = []
    org_path = ""
    try:
        async for raw in ws:
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "connection_init":
                token = str((message.get("payload") or {}).get("authorization", "")).removeprefix("Bearer ")
                org_path = str(claims(token).get("org_path", ""))
                await ws.send('{"type":"connection_ack"}')
            elif kind == "subscribe":
                subscription = Subscription(ws, str(message["id"]), org_path)
                mine.append(subscription)
                subscriptions.add(subscription)
            elif kind == "complete":
                for subscription in [s for s in mine if s.id == message.get("id")]:
                    subscriptions.discard(subscription)
            elif kind == "ping":
                await ws.send('{"type":"pong"}')
    except ConnectionClosed:
        pass
    finally:
        for subscription in mine:
            subscriptions.discard(subscription)


def next_message_tail(event: dict[str, Any]) -> str:
    """Everything of the ``next`` message after the id, built once per event."""
    alert = event["payload"]
    data = {
        "alerts": {
            "eventId": event["id"],
            "alert": {"id": alert["id"], "title": alert["title"], "level": alert["level"]},
        }
    }
    return '","type":"next","payload":' + json.dumps({"data": data}, ensure_ascii=False) + "}"


async def deliver(redis_url: str) -> None:
    client = redis.from_url(redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel(client, ALERTS))  # the database's channel, as the broker's
    async for message in pubsub.listen():
        if message.get("type") != "message":
            continue
        event = json.loads(message["data"])
        if not event.get("payload"):
            continue
        path = str((event.get("scope") or {}).get("org_path", ""))
        tail = next_message_tail(event)
        for subscription in list(subscriptions):
            if path.startswith(subscription.org_path):
                try:
                    await subscription.ws.send('{"id":"' + subscription.id + tail)
                except ConnectionClosed:
                    subscriptions.discard(subscription)


async def main(port: int, redis_url: str) -> None:
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(
        handle, "127.0.0.1", port, subprotocols=[PROTOCOL], compression=None, ping_interval=None, backlog=4096
    ):
        delivery = asyncio.create_task(deliver(redis_url))
        print(f"baseline_stream: ws://127.0.0.1:{port}/ ready", flush=True)
        await stop
        delivery.cancel()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.baseline_stream", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=4209)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    asyncio.run(main(args.port, args.redis_url))
