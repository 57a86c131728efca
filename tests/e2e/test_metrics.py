"""Prometheus metrics through the real stack (subgraphs/metrics.py, gateway/metrics.ts): a successful
and a failing operation through the gateway move the counters of the subgraph process and of the
gateway with their operation and code; /metrics needs no token; every metric the Grafana dashboard
(docs/grafana/dcms.json) queries is exposed by one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from clients.python.dcms_client import data, error_codes, gql
from testkit.factories import Tenant, make_tenant
from tests.support.stack import Stack
from tests.support.ws import Socket

pytestmark = pytest.mark.e2e

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "dcms.json"
SUFFIXES = ("", "_total", "_bucket", "_count", "_sum", "_created")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str) -> tuple[Samples, set[str]]:
    """The samples of a /metrics answer by (name, labels), and every name it exposes."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)  # no token
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    names: set[str] = set()
    for family in text_string_to_metric_families(response.text):
        names |= {family.name + suffix for suffix in SUFFIXES}
        for sample in family.samples:
            names.add(sample.name)
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples, names


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


def gateway_metrics_url(stack: Stack) -> str:
    return stack.gateway_url.removesuffix("/graphql") + "/metrics"


@pytest.fixture
async def tenant(stack: Stack) -> Tenant:
    return await make_tenant(stack.settings, customers=1, grabbers=1)


async def test_operations_are_counted_by_operation_and_code(stack: Stack, tenant: Tenant) -> None:
    subgraphs_url = f"{stack.subgraphs_url}/metrics"
    before, _ = await scrape(subgraphs_url)
    gateway_before, _ = await scrape(gateway_metrics_url(stack))

    assert data(await gql(stack.gateway_url, "query MetricsMe { me { id } }", token=tenant.manager_token))
    bad = "query MetricsBad($first: Int!) { customers(first: $first) { edges { node { id } } } }"
    assert error_codes(await gql(stack.gateway_url, bad, {"first": 1000}, tenant.manager_token)) == [
        "BAD_USER_INPUT"
    ]

    after, _ = await scrape(subgraphs_url)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"subgraph": "operations", "operation": "MetricsMe", "type": "query", "code": "OK"}
    assert moved("dcms_operations_total", **ok) == 1
    failed = {"subgraph": "customers", "operation": "MetricsBad", "code": "BAD_USER_INPUT"}
    assert moved("dcms_operations_total", **failed, type="query") == 1
    assert moved("dcms_operation_errors_total", **failed) == 1
    assert moved("dcms_operation_errors_total", operation="MetricsMe") == 0
    latency = {"subgraph": "operations", "operation": "MetricsMe", "type": "query"}
    assert moved("dcms_operation_duration_seconds_count", **latency) == 1
    assert moved("dcms_operation_duration_seconds_bucket", **latency, le="+Inf") == 1
    assert value(after, "dcms_operations_in_flight") == 0  # /metrics itself is not admitted load
    if stack.settings.database_url:  # PostgreSQL: the pools, read when scraped
        assert value(after, "dcms_db_pool_max", connection="customers") == stack.settings.db_pool_max
        assert 1 <= value(after, "dcms_db_pool_size", connection="customers") <= stack.settings.db_pool_max
    assert not [name for name, _ in after if name.endswith("_created")]

    gateway_after, _ = await scrape(gateway_metrics_url(stack))

    def gateway_moved(name: str, **labels: str) -> float:
        return value(gateway_after, name, **labels) - value(gateway_before, name, **labels)

    assert gateway_moved("dcms_gateway_operations_total", operation="MetricsMe", type="query", code="OK") == 1
    assert gateway_moved("dcms_gateway_operations_total", operation="MetricsBad", code="BAD_USER_INPUT") == 1
    assert (
        gateway_moved("dcms_gateway_operation_errors_total", operation="MetricsBad", code="BAD_USER_INPUT")
        == 1
    )
    assert gateway_moved("dcms_gateway_operation_duration_seconds_count", operation="MetricsMe") == 1
    # the stock per-subgraph timings, without the client's operation names
    assert gateway_moved("graphql_gateway_subgraph_execute_duration_count", subgraphName="operations") >= 1
    assert gateway_moved("graphql_gateway_subgraph_execute_duration_count", subgraphName="customers") >= 1
    assert not [name for name, labels in gateway_after if "operationName" in dict(labels)]


async def test_the_dashboard_queries_only_exposed_metrics(stack: Stack) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert any(v.get("name") == "DS_PROMETHEUS" for v in dashboard["templating"]["list"])
    panels = [p for p in dashboard["panels"] if p.get("type") != "row"]
    exprs = [t["expr"] for p in panels for t in p.get("targets", [])]
    assert len(exprs) >= 15
    for panel in panels:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
    _, subgraph_names = await scrape(f"{stack.subgraphs_url}/metrics")
    _, gateway_names = await scrape(gateway_metrics_url(stack))
    queried = {name for expr in exprs for name in re.findall(r"\b(?:dcms|graphql)_[a-z0-9_]+", expr)}
    missing = queried - subgraph_names - gateway_names
    assert not missing, f"the dashboard queries metrics nobody exposes: {sorted(missing)}"


RAISE = "mutation MetricsRaise($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
ALERTS = "subscription MetricsAlerts { alerts { eventId alert { title } } }"


async def test_streams_are_counted_per_channel(stack: Stack, tenant: Tenant) -> None:
    """An open subscription shows on its channel; the events it got were published and delivered."""
    subgraphs_url = f"{stack.subgraphs_url}/metrics"
    before, _ = await scrape(subgraphs_url)
    channel = "operations.alerts"
    socket = await Socket.open(stack.gateway_ws, tenant.hall_token)
    try:
        await socket.subscribe("1", ALERTS)
        for attempt in range(20):  # raise probe alerts until one arrives: the subscription is live
            variables = {"i": {"orgId": str(tenant.hall.id), "level": "INFO", "title": f"指标{attempt}"}}
            data(await gql(stack.gateway_url, RAISE, variables, tenant.hall_token))
            try:
                message = await socket.next(within=0.5)
            except TimeoutError:
                continue
            assert message["type"] == "next", message
            break
        else:
            raise AssertionError("the subscription never went live")
        after, _ = await scrape(subgraphs_url)
        assert value(after, "dcms_subscriptions_open", channel=channel) >= 1
        for name in ("dcms_events_published_total", "dcms_events_delivered_total"):
            assert value(after, name, channel=channel) - value(before, name, channel=channel) >= 1, name
        assert value(after, "dcms_websockets_open") >= 1
    finally:
        await socket.close()
