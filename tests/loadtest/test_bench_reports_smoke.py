"""The report benchmark (loadtest/bench_reports.py) in smoke size on the session's storage: every
customer snapshotted once, rows computed, and every snapshot chunk the same number of SQL
statements (the figure that matters; the times are only printed)."""

from __future__ import annotations

import pytest

from loadtest import bench_reports
from subgraphs.settings import Settings

pytestmark = pytest.mark.integration


async def test_reports_bench_smoke(database: Settings) -> None:
    result = await bench_reports.bench(customers=500, chunk=100, managers=20)
    assert result.complete, result
    assert len(result.statements) >= 5
    assert len(set(result.statements)) == 1, result.statements
    assert bench_reports.passed(result)
    assert dict(bench_reports.rows(result))["customers"] == f"{result.customers:,}"
