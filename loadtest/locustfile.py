"""Locust load test for the DCMS Graph gateway.

Users:

* ``CrossSubgraphUser`` — HTTP ``POST /graphql`` of a query that crosses subgraphs
  (operations: ``me``/``org``/``primaryManager``; customers; finance), reported as "MyCustomers".
* ``SubscriptionUser`` — a graphql-transport-ws client on ``websocket-client`` that subscribes to
  ``alerts`` and reports "connection_init" (upgrade + init → ack) and one "alerts event" per
  alert received, timed publish → receive.
* ``AlertRaiserUser`` — one instance (``fixed_count = 1``) that raises an alert every
  ``DCMS_ALERT_INTERVAL`` seconds, with its publish time (ms since epoch) in the title, so the
  subscribers can compute the latency. Needs ``DCMS_ORG_ID``; left out without it.

Configuration (environment): ``DCMS_TOKEN`` (bearer token), ``DCMS_ORG_ID`` (org for raiseAlert),
``DCMS_PAGE_SIZE`` (default 20), ``DCMS_ALERT_INTERVAL`` (seconds, default 1),
``DCMS_GRAPHQL_PATH`` (default /graphql). ``--host`` is the gateway base URL, e.g.
http://127.0.0.1:4000; the WebSocket URL is derived from it (http→ws, https→wss).

    locust -f loadtest/locustfile.py --host http://127.0.0.1:4000
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import gevent
import websocket
from gevent import Greenlet
from locust import HttpUser, User, between, constant, constant_pacing, events, task
from locust.clients import HttpSession
from locust.env import Environment
from locust.runners import WorkerRunner
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

logger = logging.getLogger("dcms.loadtest")

TOKEN = os.environ.get("DCMS_TOKEN", "")
ORG_ID = os.environ.get("DCMS_ORG_ID", "")
PAGE_SIZE = int(os.environ.get("DCMS_PAGE_SIZE", "20"))
ALERT_INTERVAL = float(os.environ.get("DCMS_ALERT_INTERVAL", "1"))
GRAPHQL_PATH = os.environ.get("DCMS_GRAPHQL_PATH", "/graphql")

WS_PROTOCOL = "graphql-transport-ws"
WS_CONNECT_TIMEOUT = 10.0  # seconds, for the upgrade and for connection_ack
SUBSCRIPTION_ID = "1"

MY_CUSTOMERS = """
query MyCustomers($first: Int!) {
  me { id displayName org { name } }
  customers(first: $first) {
    edges {
      node {
        id
        name
        tier
        primaryManager { displayName }
        org { name }
        opportunities(first: 3) { edges { node { title } } }
        financingNeeds(first: 3) { edges { node { purpose status } } }
      }
    }
  }
}
"""

RAISE_ALERT = """
mutation Raise($input: RaiseAlertInput!) { raiseAlert(input: $input) { id } }
"""

ALERTS_SUBSCRIPTION = "subscription { alerts { eventId alert { id title level } } }"

ALERT_TITLE_PREFIX = "压测告警"
ALERT_TITLE_RE = re.compile(rf"{ALERT_TITLE_PREFIX} (\d{{10,}})")

if not TOKEN:
    logger.warning("DCMS_TOKEN is not set: requests go out without a bearer token")
if not ORG_ID:
    logger.warning("DCMS_ORG_ID is not set: no alerts are raised, so SubscriptionUser receives no events")


class GraphQLError(Exception):
    """The response carried GraphQL ``errors``."""


class ProtocolError(Exception):
    """The server broke the graphql-transport-ws protocol, or closed the socket."""


def auth_header() -> str:
    return f"Bearer {TOKEN}"


def first_error(errors: Any) -> str:
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message", errors[0]))[:300]
    return str(errors)[:300]


def post_graphql(
    client: HttpSession, name: str, query: str, variables: dict[str, Any], operation_name: str
) -> dict[str, Any] | None:
    """POST a GraphQL operation; a failure is HTTP status ≠ 200 or ``errors`` in the body."""
    headers = {
        "Authorization": auth_header(),
        "Content-Type": "application/json",
        "Accept": "application/graphql-response+json, application/json",
        # The gateway de-duplicates identical in-flight upstream requests; make each one distinct.
        "x-request-id": uuid.uuid4().hex,
    }
    body = {"query": query, "variables": variables, "operationName": operation_name}
    with client.post(GRAPHQL_PATH, json=body, headers=headers, name=name, catch_response=True) as response:
        if response.status_code != 200:
            detail = response.text[:300] if response.text else repr(response.error)
            response.failure(f"HTTP {response.status_code}: {detail}")
            return None
        try:
            payload = response.json()
        except ValueError:
            response.failure(f"not JSON: {response.text[:300]}")
            return None
        if not isinstance(payload, dict):
            response.failure(f"unexpected body: {response.text[:300]}")
            return None
        if payload.get("errors"):
            response.failure(GraphQLError(first_error(payload["errors"])))
            return None
        response.success()
        return payload


class CrossSubgraphUser(HttpUser):
    """A relationship manager opening "my customers": one query over several subgraphs."""

    weight = 4
    wait_time = between(0.2, 1.0)

    @task
    def my_customers(self) -> None:
        post_graphql(self.client, "MyCustomers", MY_CUSTOMERS, {"first": PAGE_SIZE}, "MyCustomers")


class AlertRaiserUser(HttpUser):
    """Raises one alert per ``DCMS_ALERT_INTERVAL`` so the subscribers have something to receive."""

    abstract = not ORG_ID  # without an org there is nothing to raise: locust leaves the class out
    fixed_count = 1
    wait_time = constant_pacing(ALERT_INTERVAL)

    @task
    def raise_alert(self) -> None:
        published_ms = time.time_ns() // 1_000_000
        variables = {
            "input": {"orgId": ORG_ID, "level": "WARNING", "title": f"{ALERT_TITLE_PREFIX} {published_ms}"}
        }
        post_graphql(self.client, "RaiseAlert", RAISE_ALERT, variables, "Raise")


def ws_url(host: str) -> str:
    parts = urlsplit(host)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + GRAPHQL_PATH, "", ""))


def recv_message(ws: websocket.WebSocket) -> tuple[dict[str, Any], int]:
    """The next graphql-transport-ws message and its size in bytes; WebSocket pings are answered by
    websocket-client itself. A close frame raises ``ProtocolError`` with the close code and reason."""
    opcode, data = ws.recv_data()
    if opcode == websocket.ABNF.OPCODE_CLOSE:
        code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
        reason = data[2:].decode("utf-8", "replace")
        raise ProtocolError(f"socket closed by server: {code} {reason}".rstrip())
    if opcode not in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
        raise ProtocolError(f"unexpected frame opcode {opcode}")
    message = json.loads(data)
    if not isinstance(message, dict):
        raise ProtocolError(f"not a message: {data[:200]!r}")
    return message, len(data)


class SubscriptionUser(User):
    """A dashboard watching ``alerts`` over graphql-transport-ws.

    ``on_start`` connects and subscribes; a background greenlet receives. The task only checks that
    the receiver is alive and reconnects (reporting the failure) if it is not.
    """

    weight = 1
    wait_time = constant(1)

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        if not self.host:
            raise ValueError("SubscriptionUser needs --host (the gateway base URL)")
        self.url = ws_url(self.host)
        self._ws: websocket.WebSocket | None = None
        self._receiver: Greenlet | None = None
        self._subscribed_at = 0.0  # perf_counter seconds
        self._last_event_at = 0.0
        self._events = 0
        self._stopping = False

    # -- reporting ---------------------------------------------------------------------------------

    def _report(
        self, name: str, response_time: float, length: int = 0, exception: Exception | None = None
    ) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=response_time,
            response_length=length,
            exception=exception,
            context={},
        )

    # -- lifecycle ---------------------------------------------------------------------------------

    def on_start(self) -> None:
        self._connect()

    def on_stop(self) -> None:
        self._stopping = True
        self._close()

    @task
    def keep_subscribed(self) -> None:
        if self._receiver is None or self._receiver.dead:
            self._close()
            self._connect()

    # -- protocol ----------------------------------------------------------------------------------

    def _connect(self) -> None:
        started = time.perf_counter()
        ws: websocket.WebSocket | None = None
        try:
            ws = websocket.create_connection(
                self.url,
                timeout=WS_CONNECT_TIMEOUT,
                subprotocols=[WS_PROTOCOL],
                header=[f"Authorization: {auth_header()}"],
                enable_multithread=True,  # the receiver answers pings while this greenlet may send
            )
            if ws.getsubprotocol() != WS_PROTOCOL:
                raise ProtocolError(f"server chose subprotocol {ws.getsubprotocol()!r}")
            ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": auth_header()}}))
            while True:
                message, _ = recv_message(ws)
                if message.get("type") == "connection_ack":
                    break
                if message.get("type") == "ping":
                    ws.send(json.dumps({"type": "pong"}))
                    continue
                raise ProtocolError(f"expected connection_ack, got {json.dumps(message)[:200]}")
        except Exception as exc:
            self._report("connection_init", (time.perf_counter() - started) * 1000, exception=exc)
            if ws is not None:
                ws.shutdown()  # no close handshake with a server that misbehaved
            return
        self._report("connection_init", (time.perf_counter() - started) * 1000)

        ws.settimeout(None)  # block (cooperatively, under gevent) until the next event
        subscribe = {"id": SUBSCRIPTION_ID, "type": "subscribe", "payload": {"query": ALERTS_SUBSCRIPTION}}
        ws.send(json.dumps(subscribe))
        self._subscribed_at = self._last_event_at = time.perf_counter()
        self._events = 0
        self._ws = ws
        self._receiver = gevent.spawn(self._receive_loop, ws)

    def _receive_loop(self, ws: websocket.WebSocket) -> None:
        try:
            while True:
                message, size = recv_message(ws)
                kind = message.get("type")
                if kind == "next" and message.get("id") == SUBSCRIPTION_ID:
                    self._on_next(message.get("payload") or {}, size)
                elif kind == "ping":
                    ws.send(json.dumps({"type": "pong"}))
                elif kind == "pong":
                    pass
                elif kind == "error":
                    error = GraphQLError(first_error(message.get("payload")))
                    self._report("alerts subscribe", 0, size, error)
                    return
                elif kind == "complete":
                    self._report(
                        "alerts subscribe", 0, size, ProtocolError("server completed the subscription")
                    )
                    return
                else:
                    raise ProtocolError(f"unexpected message {json.dumps(message)[:200]}")
        except Exception as exc:  # GreenletExit (our own kill on stop) is not an Exception
            if not self._stopping:
                self._report("alerts stream", 0, 0, exc)

    def _on_next(self, payload: dict[str, Any], size: int) -> None:
        now = time.perf_counter()
        now_ms = time.time_ns() / 1_000_000
        first = self._events == 0
        since_last, self._last_event_at = now - self._last_event_at, now
        self._events += 1
        if payload.get("errors"):
            self._report("alerts event", 0, size, GraphQLError(first_error(payload["errors"])))
            return
        alert = ((payload.get("data") or {}).get("alerts") or {}).get("alert") or {}
        match = ALERT_TITLE_RE.search(str(alert.get("title", "")))
        if match:  # raised by AlertRaiserUser: publish → receive
            self._report("alerts event", max(0.0, now_ms - int(match.group(1))), size)
        elif first:  # someone else's alert: all we know is how long we waited for it
            self._report("alerts event", (now - self._subscribed_at) * 1000, size)
        else:
            self._report("alerts event (untimed)", since_last * 1000, size)

    def _close(self) -> None:
        ws, self._ws = self._ws, None
        receiver, self._receiver = self._receiver, None
        if ws is not None and ws.connected:
            try:
                ws.send(json.dumps({"id": SUBSCRIPTION_ID, "type": "complete"}))
            except Exception:
                pass
        if receiver is not None:
            receiver.kill(block=True, timeout=2)
        if ws is not None:
            try:
                ws.close(timeout=1)
            except Exception:
                pass


@events.quitting.add_listener
def write_final_stats(environment: Environment, **_: Any) -> None:
    """With ``--csv PREFIX``, also write ``PREFIX_final_stats.csv`` and ``PREFIX_final_failures.csv``:
    the same columns as locust's own files, but from the final numbers. Locust rewrites
    ``PREFIX_stats.csv`` only once a second, so that file misses up to the last second of the run."""
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix or isinstance(environment.runner, WorkerRunner):
        return
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    with open(f"{prefix}_final_stats.csv", "w", newline="", encoding="utf-8") as file:
        writer.requests_csv(csv.writer(file))
    with open(f"{prefix}_final_failures.csv", "w", newline="", encoding="utf-8") as file:
        writer.failures_csv(csv.writer(file))
