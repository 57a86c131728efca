"""Prometheus metrics of a subgraph process: every metric defined once here, served at ``GET /metrics``.

The facts are counted where they happen, a counter increment on the hot path and nothing more:

- operations, errors and latency: the operation log (subgraphs/oplog.py, run by the pipeline);
- in flight and ``OVERLOADED``: admission (subgraphs/admission.py); ``RATE_LIMITED``:
  schema/common/rate_limiting.py;
- events published (realtime/outbox.py), delivered / dropped / replayed and gaps filled
  (realtime/feed.py), outbox lag (the relay, at each flush);
- background jobs: resolvers/common/jobs.py ``every``.

What is a state rather than an event (open subscriptions per channel, WebSockets, the database
pools) is read when Prometheus scrapes, by ``_StateCollector``, never kept up on the hot path.

Operation names come from clients: a name is a label only if it looks like a GraphQL name
(``SAFE_NAME``) and is one of the first ``MAX_OPERATION_NAMES`` this process has seen; any other
is ``other`` (an anonymous operation is ``anonymous``). The list of every metric, its labels and a
scrape configuration: docs/observability.md ("Metrics").
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import re
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from realtime.hub import Realtime

disable_created_metrics()  # no *_created series beside each counter: half the series, nothing lost

SUBGRAPH_NAMES = frozenset({"operations", "customers", "marketing", "finance", "devices"})
SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_OPERATION_NAMES = 200  # distinct operation-name label values per process; more are "other"
OK = "OK"  # the code label of an operation without errors

# Latency buckets (seconds): a cached read takes a millisecond, a report some seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0)

# -- operations (subgraphs/oplog.py) ---------------------------------------------------------------
OPERATIONS = Counter(
    "dcms_operations",
    "GraphQL operations run, by outcome: code is OK or the first error code of the result",
    ["subgraph", "operation", "type", "code"],
)
OPERATION_ERRORS = Counter(
    "dcms_operation_errors",
    "Failed GraphQL operations, once per distinct error code of each result",
    ["subgraph", "operation", "code"],
)
OPERATION_DURATION = Histogram(
    "dcms_operation_duration_seconds",
    "Time from parse to result of a query or mutation (subscriptions are not timed)",
    ["subgraph", "operation", "type"],
    buckets=LATENCY_BUCKETS,
)
# -- admission (subgraphs/admission.py) and rate limiting (schema/common/rate_limiting.py) ---------
IN_FLIGHT = Gauge(
    "dcms_operations_in_flight",
    "GraphQL HTTP operations running now (summed over the worker processes)",
    multiprocess_mode="livesum",
)
REJECTED = Counter(
    "dcms_rejected",
    "Operations refused before running: OVERLOADED (admission bound) or RATE_LIMITED",
    ["subgraph", "code"],
)
CANCELLED = Counter(
    "dcms_operations_cancelled", "Operations cancelled because the client (the gateway) went away"
)
# -- realtime (realtime/outbox.py, realtime/feed.py) ------------------------------------------------
EVENTS_PUBLISHED = Counter(
    "dcms_events_published", "Events the outbox relay published to the broker", ["channel"]
)
EVENTS_DELIVERED = Counter(
    "dcms_events_delivered", "Events handed to this process's subscribers (one per subscriber)", ["channel"]
)
EVENTS_DROPPED = Counter(
    "dcms_events_dropped",
    "Events not delivered: reason=repeat (a broker repeat, dropped by number) or "
    "slow_consumer (a subscriber cut off with SLOW_CONSUMER)",
    ["channel", "reason"],
)
EVENTS_REPLAYED = Counter(
    "dcms_events_replayed",
    "Events replayed from the outbox to a subscriber resuming with a cursor",
    ["channel"],
)
FEED_GAPS = Counter(
    "dcms_feed_gaps_filled",
    "Gaps in a channel's numbers the feed filled from the outbox (events the broker lost)",
    ["channel"],
)
FEED_GAP_EVENTS = Counter(
    "dcms_feed_gap_events",
    "Events a feed read from the outbox instead of the broker: via=gap (a number skipped) or "
    "via=sync (the periodic read, after a resubscribe)",
    ["channel", "via"],
)
OUTBOX_LAG = Gauge(
    "dcms_outbox_lag_seconds",
    "Age of the oldest event of the relay's last publishing round when it was published "
    "(commit to broker), per subgraph outbox",
    ["subgraph"],
    multiprocess_mode="livemax",
)
OUTBOX_FLUSHED = Gauge(
    "dcms_outbox_last_flush_timestamp_seconds",
    "When the relay last flushed this outbox without error (time() minus it: how stale the relay is)",
    ["subgraph"],
    multiprocess_mode="livemax",
)
# -- background jobs (resolvers/common/jobs.py) ------------------------------------------------------
JOB_RUNS = Counter(
    "dcms_job_runs",
    "Background job runs: outcome=ok, failed (an error, logged) or unavailable (database or Redis down)",
    ["subgraph", "job", "outcome"],
)
JOB_DURATION = Histogram(
    "dcms_job_duration_seconds", "Duration of background job runs", ["subgraph", "job"], buckets=JOB_BUCKETS
)

_names: set[str] = set()
_names_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """A client's operation name as a label value: bounded in form and number."""
    if not name:
        return "anonymous"
    if name in _names:
        return name
    if not SAFE_NAME.fullmatch(name):
        return "other"
    with _names_lock:
        if len(_names) >= MAX_OPERATION_NAMES:
            return "other"
        _names.add(name)
    return name


def subgraph_of_path(path: str) -> str:
    """``/customers/graphql`` → customers (anything else: other)."""
    name = path.strip("/").split("/", 1)[0]
    return name if name in SUBGRAPH_NAMES else "other"


def record_operation(
    subgraph: str, operation: str | None, kind: str, codes: list[str], seconds: float
) -> None:
    name = operation_label(operation)
    OPERATIONS.labels(subgraph, name, kind, codes[0] if codes else OK).inc()
    for code in dict.fromkeys(codes):
        OPERATION_ERRORS.labels(subgraph, name, code).inc()
    if kind != "subscription":
        OPERATION_DURATION.labels(subgraph, name, kind).observe(seconds)


def record_outbox_flush(subgraph: str, event_ids: Iterable[str]) -> None:
    """After the relay published a round of rows (possibly none) of one outbox."""
    now = time.time()
    oldest = min((int(event_id[:12], 16) for event_id in event_ids), default=None)  # ms, realtime/events.py
    OUTBOX_LAG.labels(subgraph).set(max(0.0, now - oldest / 1000) if oldest is not None else 0.0)
    OUTBOX_FLUSHED.labels(subgraph).set(now)


# -- state, read at scrape time -----------------------------------------------------------------------

# name → (help, labels) of the gauges _StateCollector reads when scraped
STATE_GAUGES: dict[str, tuple[str, list[str]]] = {
    "dcms_subscriptions_open": (
        "Subscribers per event channel (clients' subscriptions and in-process consumers)",
        ["channel"],
    ),
    "dcms_subscriptions_guarded": (
        "Open subscriptions counted against users' caps (realtime/guard.py), all channels",
        [],
    ),
    "dcms_websockets_open": (
        "GraphQL WebSockets open (the gateway multiplexes a user's subscriptions over one)",
        [],
    ),
    "dcms_db_pool_size": ("Connections open in the asyncpg pool (PostgreSQL only)", ["connection"]),
    "dcms_db_pool_idle": ("Open pool connections not in use", ["connection"]),
    "dcms_db_pool_max": ("The pool's bound (DCMS_DB_POOL_MAX)", ["connection"]),
}


class _StateCollector(Collector):
    """Open subscriptions per channel, open WebSockets, database pools: read when scraped."""

    def __init__(self) -> None:
        self._hubs: weakref.WeakSet[Realtime] = weakref.WeakSet()
        self._sockets: list[Any] = []  # subgraphs/app.py _OpenWebSockets (weakly, below)

    def watch(self, realtime: Realtime, sockets: Any) -> None:
        self._hubs.add(realtime)
        self._sockets = [s for s in self._sockets if s() is not None] + [weakref.ref(sockets)]

    def values(self) -> dict[str, dict[tuple[str, ...], float]]:
        """Each state gauge's value by label values, now."""
        found: dict[str, dict[tuple[str, ...], float]] = {name: {} for name in STATE_GAUGES}
        by_channel = found["dcms_subscriptions_open"]
        guarded = 0
        for hub in list(self._hubs):
            for channel, count in hub.feeds.subscriber_counts().items():
                by_channel[(channel,)] = by_channel.get((channel,), 0) + count
            guarded += hub.guard.open_count
        found["dcms_subscriptions_guarded"][()] = guarded
        sockets = [s() for s in self._sockets]
        found["dcms_websockets_open"][()] = sum(s.open for s in sockets if s is not None)
        try:
            from tortoise import connections

            storage = connections._get_storage()
        except Exception:  # the ORM not set up (a process without it)
            storage = {}
        for alias, client in sorted(storage.items()):
            pool = getattr(client, "_pool", None)
            if pool is None or not hasattr(pool, "get_size"):
                continue  # SQLite, or the pool not yet open
            found["dcms_db_pool_size"][(alias,)] = pool.get_size()
            found["dcms_db_pool_idle"][(alias,)] = pool.get_idle_size()
            found["dcms_db_pool_max"][(alias,)] = pool.get_max_size()
        return found

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, samples in self.values().items():
            help_text, labels = STATE_GAUGES[name]
            family = GaugeMetricFamily(name, help_text, labels=labels)
            for label_values, value in sorted(samples.items()):
                family.add_metric(list(label_values), value)
            yield family


STATE = _StateCollector()

# Several worker processes (``dcms serve --workers N``) share their figures through files in
# PROMETHEUS_MULTIPROC_DIR (``dcms serve`` sets it): a scrape answered by any worker shows the sums
# of all. The state gauges are then copied into files every MIRROR_SECONDS by each worker.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
MIRROR_SECONDS = 5.0
_MIRRORS: dict[str, Gauge] = {}
if MULTIPROCESS_DIR:
    _MIRRORS = {
        name: Gauge(name, help_text, labels, multiprocess_mode="livesum", registry=None)
        for name, (help_text, labels) in STATE_GAUGES.items()
    }
else:
    REGISTRY.register(STATE)


def watch(realtime: Realtime, sockets: Any) -> None:
    """Read this app's hub and socket count at scrape time (subgraphs/app.py ``build_app``)."""
    STATE.watch(realtime, sockets)


def mirror_state() -> None:
    """Copy the state gauges into this worker's files (multiprocess mode only)."""
    for name, samples in STATE.values().items():
        gauge = _MIRRORS[name]
        for label_values, value in samples.items():
            (gauge.labels(*label_values) if label_values else gauge).set(value)


async def mirror_periodically() -> None:
    """Run for the app's life in each worker of a multiprocess ``dcms serve``."""
    while True:
        with contextlib.suppress(Exception):
            mirror_state()
            forget_dead_workers()
        await asyncio.sleep(MIRROR_SECONDS)


def forget_dead_workers(path: str | None = MULTIPROCESS_DIR) -> None:
    """A worker that died (uvicorn starts another) leaves its live gauges' files: removed here."""
    if not path:
        return
    for name in glob.glob(os.path.join(path, "gauge_live*_*.db")):
        pid = int(name.rsplit("_", 1)[1].removesuffix(".db"))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, path)
        except PermissionError:  # alive, another user's
            pass


def prepare_multiprocess_dir(path: str) -> None:
    """Before the workers start (``dcms serve``): an empty directory for their files."""
    os.makedirs(path, exist_ok=True)
    for name in glob.glob(os.path.join(path, "*.db")):
        os.remove(name)


def exposition() -> bytes:
    if MULTIPROCESS_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


async def metrics_endpoint(request: Request) -> Response:
    """``GET /metrics``: the text format. No token, not admitted load (subgraphs/admission.py
    counts only GraphQL paths); keep the port off the public network (docs/observability.md)."""
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
