"""设备接入 (device intake) over MQTT: the transport half of the bridge (issue 16).

``MqttBridge`` holds one MQTT v5 connection to the broker (Mosquitto) and

- subscribes ``$share/<group>/dcms/+/+/+`` at QoS 1: the replicas of one deployment (same group)
  split the devices' messages, each message goes to one of them;
- gathers incoming messages into batches (up to ``batch_size`` messages or ``batch_ms``
  milliseconds) and hands each batch to ``ingest`` (the devices subgraph's domain function, given
  by the composition root, subgraphs/mqtt_bridge.py): it parses, authenticates, de-duplicates and
  applies them in one go;
- acknowledges (PUBACK) a message only once its batch is committed. aiomqtt 2.x has no option for
  that yet (empicano/aiomqtt#345, PR #346 open); paho-mqtt underneath has (``manual_ack_set``,
  ``ack``), reached through the client's ``_client`` as that issue shows. A bridge killed between
  receipt and commit has acknowledged nothing of the batch, so the broker delivers it again (to
  this client id's persistent session when it comes back, ``clean_start=False`` with a session
  expiry) and ``ingest`` drops what was already applied (message ids are unique per unit);
- reconnects with a capped exponential backoff when the broker is down or drops it, forever;
- counts what ``ingest`` refused by reason (malformed, unauthenticated, …; ``ingest`` logs them, one
  line at most every 10 s): a bad payload is dropped (and acknowledged: sending it again would not
  make it good), it never stops the bridge;
- publishes commands down to the units (``publish``, QoS 1), for the command consumer.

It imports nothing of the domain: ``ingest`` is any ``async (batch) -> report`` with ``accepted``,
``duplicates`` and ``rejected`` (index, reason) pairs.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from realtime.tasks import cancel

log = logging.getLogger(__name__)

UP_FILTER = "dcms/+/+/+"  # dcms/<tenant id>/<unit code>/<kind>; the same as envelope.UP_TOPICS
UP_KINDS = frozenset({"heartbeat", "telemetry", "event", "ack"})  # "command" goes down, not up
SESSION_EXPIRY_SECONDS = 24 * 3600  # how long the broker keeps a stopped replica's session and queue
T = TypeVar("T")


class Report(Protocol):
    """What ``ingest`` answers for a batch (resolvers/devices/ingest.py's IngestReport)."""

    accepted: int
    duplicates: int
    rejected: list[tuple[int, str]]


Ingest = Callable[[Sequence[tuple[str, bytes]]], Awaitable[Report]]


class _Client(aiomqtt.Client):
    """aiomqtt's client, waiting for the broker under ``asyncio.timeout`` instead of
    ``asyncio.wait_for``: on Python 3.11 wait_for swallows a cancellation that arrives with the
    broker's answer (python/cpython#86296, see realtime/tasks.py), and a bridge or simulator stopped
    then published on. Python 3.12's wait_for is asyncio.timeout: drop this class with 3.11."""

    async def _wait_for(self, fut: Awaitable[T], timeout: float | None) -> T:  # noqa: ASYNC109 (aiomqtt's signature)
        seconds = self.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(None if seconds == math.inf else seconds):
                return await fut
        except TimeoutError:
            raise aiomqtt.MqttError("Operation timed out") from None


@dataclass
class BridgeCounters:
    """What the bridge has done since it started (logged, and read by tests and the benchmark)."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    ignored: int = 0  # not a device's upward topic (e.g. our own commands): acknowledged, left alone
    batches: int = 0
    connects: int = 0
    failed_batches: int = 0  # ingest raised (database down): retried, not acknowledged meanwhile


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """``mqtt://[user:password@]host[:port]``."""
        parsed = urlparse(url)
        if parsed.scheme not in ("mqtt", "tcp"):
            raise ValueError(f"MQTT URL must be mqtt://host:port, got {url!r}")
        return cls(parsed.hostname or "127.0.0.1", parsed.port or 1883, parsed.username, parsed.password)


def up_topic_kind(topic: str) -> str | None:
    """The kind of a device's upward topic (``dcms/<tenant>/<unit>/<kind>``), None for any other."""
    parts = topic.split("/")
    if len(parts) == 4 and parts[0] == "dcms" and parts[3] in UP_KINDS:
        return parts[3]
    return None


def connect_client(
    address: BrokerAddress,
    identifier: str | None,
    *,
    persistent: bool,
    receive_maximum: int = 1000,
) -> aiomqtt.Client:
    """An MQTT v5 client. ``persistent``: a fixed id whose session (subscriptions and queued QoS 1
    messages) outlives a disconnect for ``SESSION_EXPIRY_SECONDS``. ``receive_maximum`` is how many
    unacknowledged QoS 1 messages the broker may send at once (MQTT v5 flow control): at least a
    batch, since a batch is acknowledged only when committed."""
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = receive_maximum
    if persistent:
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
    return _Client(
        address.host,
        address.port,
        username=address.username,
        password=address.password,
        identifier=identifier,
        protocol=aiomqtt.ProtocolVersion.V5,
        clean_start=False if persistent else True,
        properties=properties,
        keepalive=30,
        timeout=10,
    )


class MqttBridge:
    def __init__(
        self,
        url: str,
        ingest: Ingest,
        *,
        group: str,
        client_id: str,
        batch_size: int = 500,
        batch_ms: float = 50.0,
        topic_filter: str = UP_FILTER,
    ) -> None:
        self.address = BrokerAddress.parse(url)
        self.ingest = ingest
        self.group = group
        self.client_id = client_id
        self.batch_size = batch_size
        self.batch_seconds = batch_ms / 1000
        self.topic_filter = topic_filter
        self.counters = BridgeCounters()
        self.connected = asyncio.Event()  # set while subscribed; publishers wait on it
        self._client: aiomqtt.Client | None = None

    @property
    def subscription(self) -> str:
        return f"$share/{self.group}/{self.topic_filter}"

    async def run(self) -> None:
        """Connect, subscribe and ingest until cancelled; reconnect with backoff on any broker loss."""
        backoff = 0.5
        while True:
            try:
                client = connect_client(
                    self.address,
                    self.client_id,
                    persistent=True,
                    receive_maximum=max(2 * self.batch_size, 100),
                )
                client._client.manual_ack_set(True)  # PUBACK after commit (aiomqtt#345)
                async with client:
                    await client.subscribe(self.subscription, qos=1)
                    self.counters.connects += 1
                    self._client = client
                    self.connected.set()
                    log.info(
                        "MQTT bridge %s subscribed %s at %s:%d",
                        self.client_id,
                        self.subscription,
                        self.address.host,
                        self.address.port,
                    )
                    backoff = 0.5
                    await self._pump(client)
            except aiomqtt.MqttError as error:
                log.warning(
                    "MQTT bridge: broker %s:%d lost (%s), reconnecting in %.1f s",
                    self.address.host,
                    self.address.port,
                    error,
                    backoff,
                )
            finally:
                self.connected.clear()
                self._client = None
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)

    async def publish(self, topic: str, payload: bytes) -> None:
        """QoS 1 to ``topic`` once the broker acknowledged it; waits while the broker is away."""
        while True:
            await self.connected.wait()
            client = self._client
            if client is None:
                continue
            try:
                await client.publish(topic, payload, qos=1)
                return
            except aiomqtt.MqttError:
                await asyncio.sleep(0.5)  # the run loop reconnects; publish again then

    async def _pump(self, client: aiomqtt.Client) -> None:
        messages = client.messages
        while True:
            batch = [await anext(messages)]
            deadline = time.monotonic() + self.batch_seconds
            while len(batch) < self.batch_size:
                if len(messages):
                    batch.append(await anext(messages))
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                await asyncio.sleep(min(remaining, 0.005))
            await self._apply(batch)
            for message in batch:  # in order received, as MQTT asks
                client._client.ack(message.mid, message.qos)

    async def _apply(self, batch: list[aiomqtt.Message]) -> None:
        """``ingest`` the batch's device messages; retried (not acknowledged) while it raises."""
        self.counters.received += len(batch)
        items: list[tuple[str, bytes]] = []
        for message in batch:
            topic = message.topic.value
            if up_topic_kind(topic) is None:
                self.counters.ignored += 1
                continue
            payload = message.payload
            items.append((topic, payload if isinstance(payload, bytes) else str(payload or "").encode()))
        if not items:
            return
        delay = 0.5
        while True:
            try:
                report = await self.ingest(items)
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                self.counters.failed_batches += 1
                log.exception("MQTT bridge: a batch of %d failed, retrying in %.1f s", len(items), delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        self.counters.batches += 1
        self.counters.accepted += report.accepted
        self.counters.duplicates += report.duplicates
        for _, reason in report.rejected:  # ingest logs them (one line per 10 s); counted here
            self.counters.rejected[reason.split(":", 1)[0]] += 1  # "malformed: not JSON" → malformed


async def end_session(address: BrokerAddress, client_id: str) -> None:
    """Make the broker forget ``client_id``'s persistent session (its subscription and queue): for
    a bridge that will not come back (a test's, a benchmark's). Connecting with clean start and no
    session expiry replaces the old session with one that ends at this disconnect."""
    async with connect_client(address, client_id, persistent=False):
        pass


async def stop(task: asyncio.Task[Any] | None) -> None:
    """Cancel a bridge task and wait for it."""
    await cancel(task)
