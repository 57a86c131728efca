"""Dataloaders of the finance subgraph: a constant number of SQL statements per request,
whatever the page size or the batch."""

from __future__ import annotations

import pytest

from models.finance import (
    FinancialProduct,
    ProductStatus,
)
from subgraphs.settings import Settings
from testkit.factories import make_tenant
from testkit.sqlcount import statements_of
from tests.support.entities import batch_statements
from tests.support.marketplace import grabbed, make_market

pytestmark = pytest.mark.integration


async def test_customer_entities_batch(database) -> None:
    """`_entities` of 1 and of 20 customers (finance's fields) take the same statements."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=3)
    ids = [c.id for c in tenant.customers]
    selection = "financingNeeds(first: 3) { nodes { purpose applicant { id } } }"
    counts = await batch_statements(
        "finance", "Customer", selection, ids, (1, 20), tenant.manager_token, database
    )
    assert 1 <= counts[0] == counts[1] <= 3, counts


async def test_listing_and_order_pages_take_the_same_statements_at_10_and_100(database: Settings) -> None:
    market = await make_market(database, banks=1, managers=1)
    bank = market.banks[0]
    await FinancialProduct.bulk_create(
        [
            FinancialProduct(
                institution_id=bank.institution.id,
                name=f"产品{i}",
                guarantee_method=bank.product.guarantee_method,
                min_amount=1000,
                max_amount=100000,
                rate_min=3,
                rate_max=5,
                term_months=12,
                status=ProductStatus.LISTED,
                rating=i % 37,
            )
            for i in range(110)
        ]
    )
    for _ in range(110):
        await grabbed(market)
    listing = """query($first: Int!) { financialProducts(first: $first) { edges { node {
        id name rating feedbackScore institution { id name slaPolicy { creditLoanDays } } } } } }"""
    orders = """query($first: Int!) { handlings(first: $first) { nodes {
        id status institution { name } need { purpose offers { amount } viewedByInstitutions handlings { id } }
        offer { amount } riskPrompts { kind } warnings { kind } actions { kind } } } }"""
    measured = {}
    for name, query, token in (
        ("financialProducts", listing, market.applicant[1]),
        ("handlings", orders, market.regulator[1]),
    ):
        counts = []
        for first in (10, 100):
            counts.append(await statements_of("finance", query, {"first": first}, token, database))
        assert counts[0] == counts[1], (name, counts)
        measured[name] = counts
    print(f"\nSQL statements per request at first = 10 / 100: {measured}")
