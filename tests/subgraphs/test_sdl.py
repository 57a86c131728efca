"""The checked-in SDL (subgraphs/sdl.py): each subgraph's and the composed supergraph are fresh."""

from __future__ import annotations

import pytest

from subgraphs.sdl import stale_files
from tests.support import services

pytestmark = pytest.mark.integration


def test_checked_in_supergraph_is_fresh() -> None:
    services.require_node()
    assert stale_files() == [], "run `dcms schema export` and commit schema/sdl"
