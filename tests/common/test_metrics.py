"""observability/metrics.py and subgraphs/metrics.py without a stack: job runs counted by ``every`` (resolvers/common/jobs.py),
operation names bounded as labels, the outbox lag, and the exposition."""

from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY

from observability import metrics
from realtime.broker import Broker
from realtime.events import new_event_id, recorded_at
from realtime.hub import Realtime
from resolvers.common.jobs import every, run_counted
from security.sessions import session_store
from subgraphs.metrics import exposition


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_every_counts_each_run_of_a_job() -> None:
    labels = {"subgraph": "customers", "job": "count_me"}
    runs = sample("dcms_job_runs_total", **labels, outcome="ok")
    timed = sample("dcms_job_duration_seconds_count", **labels)
    ran = asyncio.Event()

    async def count_me() -> int:
        ran.set()
        return 0  # nothing published: the relay is not woken

    realtime = Realtime(Broker(None), session_store(None))  # not started: never woken here
    task = asyncio.create_task(every(realtime, "customers", 3600, count_me))
    await asyncio.wait_for(ran.wait(), 5)
    await asyncio.sleep(0)  # the run is counted as it returns
    task.cancel()
    assert sample("dcms_job_runs_total", **labels, outcome="ok") == runs + 1
    assert sample("dcms_job_duration_seconds_count", **labels) == timed + 1


async def test_a_failed_run_is_counted_as_failed() -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    labels = {"subgraph": "finance", "job": "broken"}
    failed = sample("dcms_job_runs_total", **labels, outcome="failed")
    assert await run_counted("finance", "broken", broken) == "failed"
    assert sample("dcms_job_runs_total", **labels, outcome="failed") == failed + 1
    assert sample("dcms_job_runs_total", **labels, outcome="ok") == 0


def test_operation_names_are_bounded_labels() -> None:
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("CustomerPage") == "CustomerPage"
    assert metrics.operation_label("x" * 65) == "other"  # longer than a name label may be
    assert metrics.operation_label("名字") == "other"
    saved = set(metrics._names)
    try:
        for i in range(metrics.MAX_OPERATION_NAMES + 5):
            metrics.operation_label(f"Generated{i}")
        assert len(metrics._names) == metrics.MAX_OPERATION_NAMES
        assert metrics.operation_label("OneTooMany") == "other"
        assert metrics.operation_label("CustomerPage") == "CustomerPage"  # a name seen before stays
    finally:
        metrics._names.clear()
        metrics._names.update(saved)  # the process's other tests see the names as before


def test_outbox_lag_is_the_oldest_published_event_age() -> None:
    metrics.record_outbox_flush("marketing", recorded_at(new_event_id()))
    lag = sample("dcms_outbox_lag_seconds", subgraph="marketing")
    assert 0 <= lag < 60
    metrics.record_outbox_flush("marketing", None)
    assert sample("dcms_outbox_lag_seconds", subgraph="marketing") == 0
    assert sample("dcms_outbox_last_flush_timestamp_seconds", subgraph="marketing") > 0


def test_the_exposition_names_every_family() -> None:
    text = exposition().decode()
    for name in ("dcms_operations", "dcms_rejected", "dcms_subscriptions_open", "dcms_db_pool_size"):
        assert f"# TYPE {name}" in text
