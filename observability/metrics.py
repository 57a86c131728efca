"""Every Prometheus metric of a subgraph process, defined once, and the helpers that count into
them (docs/observability.md, "Metrics"). A package below all the layers (it imports only
prometheus_client), so the realtime relay and feeds, the jobs, rate limiting and admission count
where the facts happen without importing ``subgraphs``; ``subgraphs/metrics.py`` serves them at
``GET /metrics``.

The facts are counted where they happen, a counter increment on the hot path and nothing more:

- operations, errors and latency: the operation log (subgraphs/oplog.py, run by the pipeline);
- in flight and ``OVERLOADED``: admission (subgraphs/admission.py); ``RATE_LIMITED``:
  schema/common/rate_limiting.py;
- events published (realtime/outbox.py), delivered / dropped / replayed and gaps filled
  (realtime/feed.py), outbox lag (the relay, at each flush);
- background jobs: resolvers/common/jobs.py ``every``.

Operation names come from clients: a name is a label only if it looks like a GraphQL name
(``SAFE_NAME``) and is one of the first ``MAX_OPERATION_NAMES`` this process has seen; any other
is ``other`` (an anonymous operation is ``anonymous``).
"""

from __future__ import annotations

import re
import threading
import time

from prometheus_client import (
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

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


def record_outbox_flush(subgraph: str, oldest: float | None) -> None:
    """After the relay published a round of rows of one outbox, the oldest recorded at ``oldest``
    (Unix seconds; None: the round had none)."""
    now = time.time()
    OUTBOX_LAG.labels(subgraph).set(max(0.0, now - oldest) if oldest is not None else 0.0)
    OUTBOX_FLUSHED.labels(subgraph).set(now)
