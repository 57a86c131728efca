"""The search benchmark (loadtest/bench_search.py) in smoke size on the session's test stack: it
runs end to end through the gateway, anonymously, every call is answered without error, and the
needle is found first. Search correctness itself: tests/marketing/test_content.py."""

from __future__ import annotations

import pytest

from loadtest import bench_search
from models.operations import OrgKind
from testkit.factories import make_org, make_staff
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def test_search_bench_smoke(required_stack: Stack) -> None:
    config = bench_search.SMOKE
    org = await make_org("检索冒烟门户", OrgKind.REGULATOR, own_tenant=True)
    _, token = await make_staff(
        org, ("OPERATOR",), required_stack.settings
    )  # the stack limits anonymous calls
    report = await bench_search.run(config, required_stack.settings, required_stack.gateway_url, token)
    assert not report.codes, report.codes
    assert report.needle_first and len(report.search) == len(report.baseline) == config.queries
    assert report.passed
    assert sum(report.hits) > 0  # the queries are made of the articles' words
    lines = dict(bench_search.rows(report))
    assert lines["needle found first"] == "yes"
