"""Fixtures of the benchmark smoke tests only."""

from __future__ import annotations

import pytest

from tests.support.stack import Stack


@pytest.fixture
def required_stack(request: pytest.FixtureRequest) -> Stack:
    """The session's stack; a missing service (PostgreSQL, Redis, Node) fails the test instead
    of skipping it, so CI cannot pass without a benchmark smoke test having run."""
    try:
        return request.getfixturevalue("stack")
    except pytest.skip.Exception as exc:
        pytest.fail(f"{request.node.name} needs the test stack: {exc}", pytrace=False)
