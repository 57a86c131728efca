"""The grab-storm benchmark (loadtest/bench_grab.py) in smoke size on the session's test stack: it
runs end to end, every lost grab is a CONFLICT, the database agrees with the answers, and the
listing query's SQL statements do not grow with the page size."""

from __future__ import annotations

import pytest

from loadtest import bench_grab
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def test_grab_storm_smoke(required_stack: Stack) -> None:
    config = bench_grab.SMOKE
    report = await bench_grab.run(config, required_stack.settings, required_stack.gateway_url)
    storm = report.storm
    assert len(storm.attempts) == config.grabbers * config.tries
    assert all(a.answered for a in storm.attempts), storm.codes
    assert set(storm.codes) == {"CONFLICT"}, storm.codes  # lost grabs, and nothing else
    # Every grabber tries every need and there are more institutions than places: each need fills.
    winners = storm.winners(report.arena)
    assert len(storm.won) == config.needs * config.places
    for n in range(config.needs):
        institutions = [institution for institution, _user in winners[n]]
        assert len(institutions) == len(set(institutions)) == config.places
    assert report.verification.consistent, report.verification.problems
    assert report.sql_counts[10] == report.sql_counts[100], report.sql_counts
    assert report.passed
    lines = dict(bench_grab.rows(report))
    assert lines["consistent (database)"] == "yes"
