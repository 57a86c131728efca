"""The alert-storm benchmark (loadtest/bench_alerts.py) in smoke size on the session's test stack:
it runs end to end, every call is answered without error, each dedup key makes one alert whose
count is its calls, and the incident checks run beside it."""

from __future__ import annotations

import pytest

from loadtest import bench_alerts
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def test_alert_storm_smoke(required_stack: Stack) -> None:
    config = bench_alerts.SMOKE
    report = await bench_alerts.run(config, required_stack.settings, required_stack.gateway_url)
    assert len(report.calls) == config.calls
    assert not report.codes, report.codes
    assert report.alerts_stored == report.keys_used and report.counted == config.calls, report.problems
    assert report.checks and report.checks[0].found > 0  # the arranged incidents are late: breaches
    assert report.passed
    lines = dict(bench_alerts.rows(report))
    assert lines["alerts stored / keys used"] == f"{report.keys_used} / {report.keys_used}"
