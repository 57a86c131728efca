"""The H5 morning-page benchmark (loadtest/bench_morning.py) in smoke size on the session's test
stack, with its baseline (loadtest/baseline_morning.py) in a process of its own: every request of
both answers without errors, the baseline's JSON is the gateway's byte for byte, the SQL
statements do not grow with the page, and the report prints the figures issue 13 asks for."""

from __future__ import annotations

import pytest

from loadtest import bench_morning
from loadtest.baseline_morning import Identity
from tests.support.stack import Stack, subprocess_env

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("identity", [Identity.SIGNED, Identity.FULL])
async def test_morning_page_against_the_baseline(
    required_stack: Stack, identity: Identity, capsys: pytest.CaptureFixture[str]
) -> None:
    config = bench_morning.SMOKE if identity is Identity.SIGNED else bench_morning.SMOKE_FULL
    assert config.identity is identity
    settings = required_stack.settings
    report = await bench_morning.run(config, settings, required_stack.gateway_url, subprocess_env(settings))
    assert report.same_json == {20: None, 100: None}  # compared, and equal
    targets = {(r.target, r.first) for r in report.totals}
    expected = {("gateway", 20), ("baseline", 20), ("gateway", 100), ("baseline", 100)}
    assert targets == expected | ({("subgraph", 0), ("bare", 0)} if config.trivial else set())
    for total in report.totals:
        assert total.latencies and not total.errors, (total.target, total.first, total.errors[:3])
        assert total.rps > 0
    assert sum(report.sql[20]) == sum(report.sql[100]), report.sql
    # The subgraphs' and the gateway's processes were found, and the baseline's.
    assert report.processes["gateway"] >= 1 and report.processes["subgraphs"] >= 1
    assert report.processes["baseline"] >= 1
    if config.peak:
        assert report.peak is not None
        assert len(report.peak.admitted) + len(report.peak.refused) == config.peak, report.peak.errors
        assert report.peak.admitted and not report.peak.errors
    assert report.passed

    bench_morning.print_report(report, ["header"])
    printed = capsys.readouterr().out
    assert "gateway / baseline requests/s: page 20 " in printed
    assert "baseline JSON equal to the gateway's: page 20 yes, page 100 yes" in printed
    assert "CPU ms/request" in printed
    assert "morning page 20 via gateway, CPU ms/request, all processes" in printed
    if config.peak:
        assert f"peak: {config.peak} morning requests" in printed
    if config.trivial:
        assert "subgraph / bare handler requests/s ({ me { id } }): " in printed
