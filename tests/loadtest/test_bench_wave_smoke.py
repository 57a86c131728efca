"""The wave benchmark (loadtest/bench_wave.py) in smoke size on the session's storage: both waves
reach every customer once, and every chunk of both — small and large — takes the same number of
SQL statements (the figure that matters; the times are only printed)."""

from __future__ import annotations

import pytest

from loadtest import bench_wave
from subgraphs.settings import Settings

pytestmark = pytest.mark.integration


async def test_wave_bench_smoke(database: Settings) -> None:
    small, big = await bench_wave.bench(customers=600, baseline=30, chunk=100)
    assert small.complete and big.complete, (small, big)
    assert len(big.statements) == 6 and len(small.statements) == 1
    assert set(small.statements) == set(big.statements), (small.statements, big.statements)
    assert bench_wave.passed(small, big)
    assert dict(bench_wave.rows(small, big))["wave: customers"] == "600"
