"""The H5 morning-query benchmark (loadtest/bench_morning.py) in smoke size on the session's test
stack: every request answers without errors, and its SQL statements do not grow with the page."""

from __future__ import annotations

import pytest

from loadtest import bench_morning
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def test_morning_query_smoke(required_stack: Stack) -> None:
    report = await bench_morning.run(bench_morning.SMOKE, required_stack.settings, required_stack.gateway_url)
    for round_ in report.rounds:
        assert round_.latencies and not round_.errors, round_.errors[:3]
    assert sum(report.sql[20]) == sum(report.sql[100]), report.sql
    assert report.passed
