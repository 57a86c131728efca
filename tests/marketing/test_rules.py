"""商机规则 (resolvers/marketing/rules.py): the system rules raise one opportunity per (rule,
customer, period), however often the job runs, in chunks of constant statements; a managed
customer's goes to its manager (我的商机), an unmanaged one's to the pool."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from models.customers.profile import Holding, HoldingCategory
from models.customers.reminder_sources import AccountMovement, Direction
from models.marketing import Opportunity, OpportunityStatus
from resolvers.common.rules import Rules
from resolvers.marketing.rules import run_rules
from testkit.factories import make_tenant
from testkit.sqlcount import count_statements

pytestmark = pytest.mark.integration


async def test_rules_raise_once_per_customer_and_period(database) -> None:
    # A day of its own, far ahead: no other test's facts fall in its windows.
    today = date(2091, 3, 1)
    tenant = await make_tenant(database, customers=6, grabbers=0, needs=0)
    customers = tenant.customers
    await customers[5].__class__.filter(id=customers[5].id).update(primary_manager_id=None)  # unmanaged
    for customer in customers[:3] + customers[5:]:
        await Holding.create(
            customer=customer,
            category=HoldingCategory.DEPOSIT,
            product_name="整存整取三年",
            amount=Decimal("200000"),
            opened_on=today - timedelta(days=1000),
            matures_on=today + timedelta(days=10),
        )
    await AccountMovement.create(
        customer=customers[3],
        tenant_id=tenant.bank.id,
        reference="R-2091",
        direction=Direction.IN,
        amount=Decimal("800000"),
        occurred_at=datetime(2091, 3, 1, 2, tzinfo=UTC),
    )
    raised = await run_rules(Rules(), today=today, chunk=2)
    assert raised == 5
    assert await run_rules(Rules(), today=today, chunk=2) == 0  # a rerun raises nothing twice
    rows = await Opportunity.filter(tenant_id=tenant.bank.id, source="RULE")
    assert sorted(r.rule for r in rows) == ["DEPOSIT_RENEWAL"] * 4 + ["LARGE_INFLOW"]
    assert all(c.name not in r.title for r in rows for c in customers)
    by_customer = {r.customer_id: r for r in rows}
    assert by_customer[customers[5].id].status is OpportunityStatus.OPEN  # unmanaged: the pool
    managed = by_customer[customers[0].id]
    assert (managed.status, managed.claimed_by_id) == (OpportunityStatus.CLAIMED, tenant.manager.id)


async def test_a_chunk_takes_constant_statements(database) -> None:
    today = date(2092, 6, 1)
    counts = []
    for n in (1, 6):
        tenant = await make_tenant(database, customers=n, grabbers=0, needs=0)
        for customer in tenant.customers:
            await Holding.create(
                customer=customer,
                category=HoldingCategory.DEPOSIT,
                product_name="定期存款",
                amount=Decimal("50000"),
                opened_on=today - timedelta(days=365),
                matures_on=today + timedelta(days=20 + n),
            )
        with count_statements() as counter:
            raised = await run_rules(Rules(), today=today + timedelta(days=n), chunk=100)
        assert raised == n
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
