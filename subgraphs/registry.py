"""Every subgraph's spec by name: what the app, the SDL export and the in-process test runner serve."""

from __future__ import annotations

from subgraphs import customers, devices, finance, marketing, operations
from subgraphs.settings import SUBGRAPHS
from subgraphs.spec import SubgraphSpec

SPECS: dict[str, SubgraphSpec] = {
    spec.name: spec for spec in (operations.spec, customers.spec, marketing.spec, finance.spec, devices.spec)
}
assert tuple(SPECS) == SUBGRAPHS


def spec_of(name: str) -> SubgraphSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(f"no subgraph {name!r}") from None
