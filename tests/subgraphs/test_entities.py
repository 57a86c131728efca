"""``_entities`` as every subgraph resolves it (subgraphs/schema.py ``SubgraphSchema``)."""

from __future__ import annotations

import gc
import warnings

import pytest

from testkit.factories import make_tenant
from testkit.inprocess import codes, execute

pytestmark = pytest.mark.integration

NOBODY = "00000000-0000-0000-0000-000000000000"


async def test_entities_dropped_by_a_failing_sibling_leave_no_coroutine_unawaited(database) -> None:
    """A root sibling's error cancels `_entities` while it waits for its prefetch (marketing's
    customers): its opportunities' `resolve_reference` coroutines are closed, not collected never
    awaited (the fuzz suite saw that warning fail inside graphql-core's named tuples)."""
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    representations = ", ".join(
        f'{{__typename: "{typename}", id: "{NOBODY}"}}'
        for typename in ("Customer", "Opportunity", "Opportunity")
    )
    query = (
        f"{{ opportunities(first: -1) {{ nodes {{ id }} }} "
        f"_entities(representations: [{representations}]) {{ ... on Opportunity {{ id }} ... on Customer {{ id }} }} }}"
    )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = await execute("marketing", query, token=tenant.manager_token, settings=database)
        gc.collect()
    assert codes(result) == ["BAD_USER_INPUT"]
    assert [str(w.message) for w in seen if "never awaited" in str(w.message)] == []
