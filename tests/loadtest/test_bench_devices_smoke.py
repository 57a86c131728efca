"""The device ingestion benchmark (loadtest/bench_devices.py) in smoke size on the session's test
stack, through the real Mosquitto: every message the simulated devices offered is ingested, none
refused, and each timed status change reaches the ``deviceStatus`` stream through the gateway."""

from __future__ import annotations

import pytest

from loadtest import bench_devices
from tests.support import services
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def test_device_ingestion_smoke(required_stack: Stack) -> None:
    config = bench_devices.DeviceConfig(**{**vars(bench_devices.SMOKE), "mqtt_url": services.require_mqtt()})
    report = await bench_devices.run(config, required_stack.settings, required_stack.gateway_url)
    # >=: a publish the simulator was stopped in the middle of may have reached the broker uncounted.
    assert report.offered > 0 and report.accepted + report.duplicates >= report.offered, report.problems
    assert not report.rejected, report.rejected
    assert report.timed > 0 and len(report.latencies) == report.timed, report.problems
    assert report.baseline
    lines = dict(bench_devices.rows(report))
    assert "ingested messages/s" in lines and "database bytes per device per day" in lines
