"""The MQTT bridge, composed (issue 16): the transport (realtime/mqtt.py) wired to the devices
subgraph's domain functions.

Up: every device message on ``dcms/<tenant>/<unit>/<kind>`` → ``resolvers.devices.ingest.ingest``
in batches, then the outbox relay is woken so the status events go out at once.
Down: every ``command.pending`` event (a command just issued) on ``devices.commands`` → an MQTT
publish (QoS 1) on the unit's ``dcms/<tenant>/<unit>/command`` → ``mark_sent``: a durable consumer
(realtime/consumer.py) whose publish runs before the transaction that marks the command sent and
moves its cursor (``ConsumerCursor`` "mqtt-bridge.commands"), so a crash between the two sends the
command again on restart: at least once; the unit drops a command id it already ran. Each replica
sends every command (they share the cursor row, not the stream), so with several replicas a unit
may get a command more than once: the same dedupe covers it.

Two ways to run it:
- ``dcms mqtt-bridge`` (``main``): a process of its own, with its own realtime hub and the devices
  Tortoise app; run several (``--replica N``) and the shared subscription splits the devices'
  messages between them. Meant for PostgreSQL + Redis (the embedded default is one process).
- inside ``dcms up`` / ``dcms serve devices`` (``bridge_service``, a service of the devices spec)
  when ``DCMS_MQTT_URL`` is set (the dev default is the local broker) and one worker process
  serves; with several worker processes run ``dcms mqtt-bridge`` replicas instead (a fixed client
  id per replica is what keeps its session, and uvicorn's workers have no stable index).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from models.devices import ConsumerCursor
from realtime.broker import DEVICE_COMMANDS
from realtime.consumer import consume
from realtime.events import Event
from realtime.hub import Realtime
from realtime.mqtt import MqttBridge, Report
from resolvers.devices.commands import mark_sent
from resolvers.devices.envelope import command_topic
from resolvers.devices.ingest import ingest
from subgraphs.settings import Settings

log = logging.getLogger(__name__)

APP = "devices"
COMMANDS_CONSUMER = "mqtt-bridge.commands"


def make_bridge(
    realtime: Realtime, settings: Settings, group: str | None = None, client_id: str | None = None
) -> MqttBridge:
    """The bridge for ``settings.mqtt_url``, its batches going to ``ingest``."""
    if not settings.mqtt_url:
        raise ValueError("no MQTT broker configured (DCMS_MQTT_URL)")

    async def ingest_and_wake(batch: Sequence[tuple[str, bytes]]) -> Report:
        report = await ingest(batch, rules=settings.rules)
        realtime.relay.wake({APP})  # the status events ingest wrote to the outbox: out now
        return report

    return MqttBridge(
        settings.mqtt_url,
        ingest_and_wake,
        group=group or settings.mqtt_share_group,
        client_id=client_id or settings.mqtt_client,
    )


async def run_bridge(realtime: Realtime, settings: Settings, group: str | None = None) -> None:
    """Ingest and send commands until cancelled."""
    await serve(realtime, make_bridge(realtime, settings, group))


async def serve(realtime: Realtime, bridge: MqttBridge) -> None:
    """``bridge`` ingesting, and the commands going down through it, until cancelled."""
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(bridge.run())
        tasks.create_task(send_commands(realtime, bridge))


async def bridge_service(realtime: Realtime, settings: Settings) -> None:
    """The devices subgraph's service in ``dcms up`` / ``dcms serve``: the bridge, when configured."""
    if not settings.mqtt_url:
        return
    if settings.worker_count > 1:
        log.warning(
            "MQTT bridge not started in the %d worker processes: run `dcms mqtt-bridge` replicas",
            settings.worker_count,
        )
        return
    await run_bridge(realtime, settings)


# A command's first step on devices.commands (recorded PENDING: resolvers/devices/commands.py); its
# later steps (sent, acknowledged, failed, timed out) are on the same channel and not sent down.
ISSUED = frozenset({"command.pending"})


def command_message(event: Event, moment: datetime | None = None) -> tuple[str, bytes] | None:
    """The topic and payload of an issued command's event, None for any other event or for a
    command already expired (after a long outage: its timeout has answered it)."""
    code = event.scope.get("code")
    if event.type not in ISSUED or not event.tenant_id or not code:
        return None
    row = event.payload
    expires = row.get("expires_at")
    if isinstance(expires, str) and datetime.fromisoformat(expires) <= (moment or datetime.now(UTC)):
        return None
    message: dict[str, Any] = {
        "id": str(row["id"]),
        "action": row.get("action"),
        "params": row.get("params") or {},
        "issuedAt": row.get("issued_at") or row.get("created_at") or event.occurred_at,
        "expiresAt": row.get("expires_at"),
    }
    if device := event.scope.get("device"):
        message["device"] = device
    return command_topic(event.tenant_id, str(code)), orjson.dumps(message)


async def send_commands(realtime: Realtime, bridge: MqttBridge) -> None:
    """Every issued command down to its unit (before the transaction), then marked sent in the
    transaction that moves this consumer's cursor; resumes from that cursor."""

    async def send(event: Event) -> None:
        if (outgoing := command_message(event)) is not None:
            await bridge.publish(*outgoing)

    async def sent(event: Event) -> bool:
        if command_message(event) is None:
            return False
        await mark_sent([UUID(str(event.payload["id"]))], datetime.now(UTC))
        return True

    await consume(realtime, COMMANDS_CONSUMER, DEVICE_COMMANDS, sent, ConsumerCursor, before=send)


async def main(settings: Settings, replica: str | None = None) -> None:
    """``dcms mqtt-bridge``: its own process, hub and devices app, until interrupted."""
    from tortoise import Tortoise

    from security.sessions import session_store
    from subgraphs.app import lockout_policy, realtime_for
    from subgraphs.database import close_database, open_database

    if not settings.mqtt_url:
        raise SystemExit("dcms mqtt-bridge: no broker: set DCMS_MQTT_URL (e.g. mqtt://127.0.0.1:1883)")
    sessions = session_store(settings.redis_url, lockout_policy(settings))
    realtime = realtime_for(settings, sessions)
    await open_database(settings, (APP,))
    try:
        await realtime.start([Tortoise.apps[APP]["OutboxEvent"]])
        client_id = settings.mqtt_client + (f"-{replica}" if replica else "")
        bridge = make_bridge(realtime, settings, client_id=client_id)
        print(f"MQTT bridge {client_id}: {settings.mqtt_url} {bridge.subscription}", flush=True)
        await serve(realtime, bridge)
    finally:
        await realtime.stop()
        await sessions.close()
        await close_database()
