"""``GET /metrics`` of a subgraph process (docs/observability.md, "Metrics"): the metrics defined
in observability/metrics.py, plus what is a state rather than an event (open subscriptions per
channel, WebSockets, the database pools), read when Prometheus scrapes by ``_StateCollector``,
never kept up on the hot path; and the files several workers share their figures through.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from realtime.hub import Realtime

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
