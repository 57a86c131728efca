"""今日融资对接 (``marketplaceToday``, the monitoring wall's panel): today's (CST) orders received,
credits granted and disbursements, counts and amounts, scoped like 监管统计 (an institution's
administrator its own institution, the regulator everything, anyone else FORBIDDEN), in one SQL
statement whatever the number of handlings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from models.finance import Handling, HandlingStatus
from models.operations import Org, OrgKind
from resolvers.common.clock import CST, now
from subgraphs.settings import Settings
from testkit.factories import make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted
from tests.finance.test_statistics import make_handling

pytestmark = pytest.mark.integration

QUERY = """{ marketplaceToday { day orders appliedAmount credits creditedAmount disbursements
  disbursedAmount } }"""


async def test_today_figures_of_ones_institution(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=1, needs=0)
    institution = tenant.institution
    moment = now()
    week = moment.astimezone(CST).date()
    # Received today: 100000.10 (credited and disbursed today too) and 50000.25 (just grabbed).
    done = await make_handling(
        institution, week, "100000.10", HandlingStatus.DISBURSED, credit="90000.05", disbursed="80000.01"
    )
    await Handling.filter(id=done.id).update(credited_at=moment, disbursed_at=moment)
    await make_handling(institution, week, "50000.25", HandlingStatus.GRABBED)
    # Received two days ago, credited today: counts as a credit only.
    older = await make_handling(institution, week, "70000", HandlingStatus.CREDITED, credit="60000")
    await Handling.filter(id=older.id).update(created_at=moment - timedelta(days=2), credited_at=moment)
    # All of it two days ago: not today's.
    old = await make_handling(institution, week, "30000", HandlingStatus.DISBURSED, credit="1", disbursed="1")
    two_days = moment - timedelta(days=2)
    await Handling.filter(id=old.id).update(created_at=two_days, credited_at=two_days, disbursed_at=two_days)
    org = await Org.get(id=institution.org_id)
    admin = token_for(
        await make_user(org, ("FI_ADMIN",), "今日管理员", institution_id=institution.id), org, database
    )

    statements, result = await counted("finance", QUERY, {}, admin, database)
    assert statements == 1
    assert result["marketplaceToday"] == {
        "day": moment.astimezone(CST).date().isoformat(),
        "orders": 2,
        "appliedAmount": "150000.35",
        "credits": 2,
        "creditedAmount": "150000.05",
        "disbursements": 1,
        "disbursedAmount": "80000.01",
    }
    # More handlings: still one statement.
    for _ in range(20):
        await make_handling(institution, week, "1", HandlingStatus.ASSIGNED)
    statements, more = await counted("finance", QUERY, {}, admin, database)
    assert statements == 1 and more["marketplaceToday"]["orders"] == 22

    # The regulator sees every institution's: at least these.
    regulator_org = await make_org("今日监管局", OrgKind.REGULATOR, None)
    regulator = token_for(await make_user(regulator_org, ("REGULATOR",)), regulator_org, database)
    _, everything = await counted("finance", QUERY, {}, regulator, database)
    assert everything["marketplaceToday"]["orders"] >= 22
    assert Decimal(everything["marketplaceToday"]["disbursedAmount"]) >= Decimal("80000.01")


async def test_another_institutions_admin_sees_none_of_it(database: Settings) -> None:
    mine = await make_tenant(database, customers=1, grabbers=1, needs=0)
    theirs = await make_tenant(database, customers=1, grabbers=0, needs=0)
    await make_handling(mine.institution, now().astimezone(CST).date(), "1000", HandlingStatus.GRABBED)
    org = await Org.get(id=theirs.institution.org_id)
    other_admin = await make_user(org, ("FI_ADMIN",), "别家管理员", institution_id=theirs.institution.id)
    _, seen = await counted("finance", QUERY, {}, token_for(other_admin, org, database), database)
    assert (seen["marketplaceToday"]["orders"], seen["marketplaceToday"]["appliedAmount"]) == (0, "0.00")


async def test_staff_without_the_statistics_role_are_refused(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=1, needs=0)
    for token in (tenant.manager_token, tenant.grabbers[0][1]):
        result = await execute("finance", QUERY, {}, token, settings=database)
        assert codes(result) == ["FORBIDDEN"]
        assert result.data is None
