"""The product catalogue (resolvers/finance/catalogue.py): a draft product is seen only by its institution and the supervisors."""

from __future__ import annotations

import pytest

from models.finance import (
    ProductStatus,
)
from subgraphs.settings import Settings
from testkit.inprocess import codes, execute
from tests.support.marketplace import make_market


@pytest.mark.integration
async def test_a_draft_product_is_seen_only_by_its_institution_and_supervisors(database: Settings) -> None:
    market = await make_market(database, banks=2, managers=1)
    draft = market.banks[0].product
    draft.status = ProductStatus.DRAFT
    await draft.save(update_fields=["status"])
    queries = (
        "query($id: ID!) { financialProduct(id: $id) { id } }",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on FinancialProduct { id } } }",
    )
    for query in queries:
        seen = {}
        for who, token in {
            "its institution": market.banks[0].admin[1],
            "regulator": market.regulator[1],
            "other institution": market.banks[1].admin[1],
            "applicant": market.applicant[1],
        }.items():
            variables = {"id": str(draft.id), "r": [{"__typename": "FinancialProduct", "id": str(draft.id)}]}
            result = await execute("finance", query, variables, token, settings=database)
            assert set(codes(result)) <= {"NOT_FOUND"}, (who, result.errors)  # invisible = missing
            seen[who] = any(result.data.values()) and result.data != {"_entities": [None]}
        assert seen == {
            "its institution": True,
            "regulator": True,
            "other institution": False,
            "applicant": False,
        }
