"""`_entities` batches for statement-count tests: the same selection for 1 and for n references
must take the same number of SQL statements (one per relation, not one per reference)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from subgraphs.settings import Settings
from testkit.factories import Tenant, make_staff, make_tenant
from testkit.sqlcount import statements_of


def representations(typename: str, ids: Sequence[Any]) -> list[dict[str, str]]:
    return [{"__typename": typename, "id": str(i)} for i in ids]


def entities_query(typename: str, selection: str) -> str:
    return (
        f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on {typename} {{ {selection} }} }} }}"
    )


async def batch_statements(
    subgraph: str,
    typename: str,
    selection: str,
    ids: Sequence[Any],
    sizes: Sequence[int],
    token: str,
    settings: Settings,
) -> list[int]:
    """Statements per request for the first ``n`` of ``ids``, for each ``n`` in ``sizes``."""
    query = entities_query(typename, selection)
    # Strawberry pops __typename from each representation: build them afresh per request.
    return [
        await statements_of(subgraph, query, {"r": representations(typename, ids[:n])}, token, settings)
        for n in sizes
    ]


async def province_batch(settings: Settings) -> tuple[list[Tenant], str]:
    """Three tenants and a province admin's token: the province sees every tenant, so each
    entity resolves and the count covers the whole batch (an out-of-scope reference is answered
    NOT_FOUND before any relation is loaded)."""
    tenants = [await make_tenant(settings, customers=1, grabbers=1, needs=0) for _ in range(3)]
    _admin, token = await make_staff(tenants[0].hall, ("PROVINCE_ADMIN",), settings)
    return tenants, token
