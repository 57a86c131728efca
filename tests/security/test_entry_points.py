"""The anonymous gate holds on every entry point of every subgraph; errors are coded and masked."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from graphql import GraphQLError

from resolvers.common.errors import CodedError, ErrorCode
from schema.common.errors import should_mask_error
from subgraphs.settings import SUBGRAPHS
from testkit.factories import make_tenant
from testkit.inprocess import codes, execute

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
async def test_service_sdl_is_open_but_entities_are_not(database, subgraph: str) -> None:
    sdl = await execute(subgraph, "{ _service { sdl } }", settings=database)
    assert sdl.errors is None and "@key" in sdl.data["_service"]["sdl"]
    query = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
    reps = [{"__typename": "Org" if subgraph != "marketing" else "Customer", "id": str(uuid.uuid4())}]
    anonymous = await execute(subgraph, query, {"r": reps}, settings=database)
    assert anonymous.data is None
    assert codes(anonymous) == ["UNAUTHENTICATED"]


async def test_forged_token_counts_as_anonymous(database, tmp_path) -> None:
    # Tokens signed with another ES256 key (dev mode generates a pair in the other keys dir).
    forger = replace(database, keys_dir=tmp_path / "forged-keys", dev_mode=True)
    tenant = await make_tenant(forger, customers=1, grabbers=0, needs=0)
    result = await execute(
        "customers",
        "{ customers(first: 1) { edges { node { id } } } }",
        token=tenant.manager_token,
        settings=database,
    )
    assert codes(result) == ["UNAUTHENTICATED"]


async def test_unknown_ids_and_bad_ids(database) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    mutation = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
    for customer_id, code in ((str(uuid.uuid4()), "NOT_FOUND"), ("42", "BAD_USER_INPUT")):
        result = await execute(
            "customers",
            mutation,
            {"i": {"customerId": customer_id, "kind": "SCHEDULE", "title": "回访"}},
            tenant.manager_token,
            settings=database,
        )
        assert codes(result) == [code]


def test_internal_errors_are_masked_coded_ones_are_not() -> None:
    assert should_mask_error(GraphQLError("boom", original_error=ValueError("secret detail")))
    assert not should_mask_error(GraphQLError("x", original_error=CodedError(ErrorCode.CONFLICT, "taken")))
    assert not should_mask_error(GraphQLError("Cannot query field 'x'"))  # validation
