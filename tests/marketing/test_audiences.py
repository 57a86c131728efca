"""目标客群 (resolvers/marketing/audiences.py): the criteria select the bank's customers minus the
marketing filter (营销过滤) and those without a live marketing consent; chunks take one statement
whatever their size; head office stores and previews audiences, a branch head within their subtree,
a manager not at all; grids of another bank and bad criteria are refused."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from models.customers import (
    Consent,
    ConsentPurpose,
    Customer,
    CustomerTag,
    CustomerTier,
    Grid,
    Holding,
    HoldingCategory,
    MarketingExclusion,
    TagSource,
)
from models.operations import Org, OrgKind, User
from resolvers.marketing.audiences import (
    AudienceCriteria,
    audience_chunk,
    count_audience,
    stored_criteria,
)
from security.principal import Principal
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_customer, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import count_statements

pytestmark = pytest.mark.integration

CREATE = """mutation($i: CreateAudienceInput!) { createAudience(input: $i) {
  id name criteria { tags tiers aumMin aumMax gridIds productsHeld orgPath } } }"""
PREVIEW = "query($c: AudienceCriteriaInput!) { audiencePreview(criteria: $c) { count } }"
LIST = "{ audiences(first: 50) { nodes { id name } } }"


async def consent(customer: Customer, *, days: int = 30, revoked: bool = False) -> None:
    now = datetime.now(UTC)
    await Consent.create(
        customer=customer,
        tenant_id=customer.tenant_id,
        purpose=ConsentPurpose.RECOMMENDATION,
        granted_by=customer.primary_manager_id or uuid.uuid4(),
        expires_at=now + timedelta(days=days),
        revoked_at=now if revoked else None,
    )


async def consenting(tenant: Tenant, count: int, **fields: Any) -> list[Customer]:
    """``count`` customers of the tenant's branch and manager, each with a live consent."""
    made = []
    for i in range(count):
        customer = await make_customer(tenant.branch, tenant.manager, f"营销客户{i}", **fields)
        await consent(customer)
        made.append(customer)
    return made


def principal_of(user: User, org: Org) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        roles=tuple(user.roles),
        org_id=org.id,
        org_path=org.path,
        tenant_id=org.tenant_id,
    )


async def test_members_leave_out_the_filter_and_customers_without_consent(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    bank = tenant.bank.id
    plain, excluded, revoked, expired, silent = [
        await make_customer(tenant.branch, tenant.manager, name) for name in ("甲", "乙", "丙", "丁", "戊")
    ]
    for customer in (plain, excluded):
        await consent(customer)
    await consent(revoked, revoked=True)
    await consent(expired, days=-1)
    await MarketingExclusion.create(
        customer=excluded, tenant_id=bank, reason="客户要求", created_by=uuid.uuid4()
    )
    unmanaged = await make_customer(tenant.branch, tenant.manager, "己", primary_manager_id=None)
    await consent(unmanaged)
    members = await audience_chunk(bank, AudienceCriteria(), None, 100)
    assert {m.customer_id for m in members} == {plain.id, unmanaged.id}
    by_id = {m.customer_id: m for m in members}
    assert by_id[plain.id].manager_id == tenant.manager.id and by_id[unmanaged.id].manager_id is None
    assert by_id[plain.id].org_path == tenant.branch.path
    assert await count_audience(bank, AudienceCriteria()) == 2
    assert silent.id not in by_id
    other = await make_tenant(database, customers=0, grabbers=0, needs=0)
    assert await count_audience(other.bank.id, AudienceCriteria()) == 0  # another bank's customers: none


async def test_each_criterion_selects(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    bank = tenant.bank.id
    grid = await Grid.create(tenant_id=bank, org_id=tenant.branch.id, name="城东网格")
    branch2 = await make_org("第二支行", OrgKind.BRANCH, tenant.bank)
    rich = await make_customer(
        tenant.branch, tenant.manager, "富", aum=Decimal("900000"), tier=CustomerTier.WEALTH
    )
    mid = await make_customer(tenant.branch, tenant.manager, "中", aum=Decimal("50000"), grid=grid)
    far = await make_customer(branch2, tenant.manager, "远", aum=Decimal("10"))
    for customer in (rich, mid, far):
        await consent(customer)
    for customer, tag in ((rich, "代发工资"), (rich, "高净值"), (mid, "代发工资")):
        await CustomerTag.create(customer=customer, name=tag, source=TagSource.SYSTEM)
    opened = date(2025, 1, 1)
    await Holding.create(
        customer=mid, category=HoldingCategory.DEPOSIT, product_name="定期存款", amount=1, opened_on=opened
    )
    await Holding.create(
        customer=rich,
        category=HoldingCategory.WEALTH,
        product_name="定期存款",
        amount=1,
        opened_on=opened,
        closed_on=opened,
    )

    async def ids(criteria: AudienceCriteria) -> set[uuid.UUID]:
        return {m.customer_id for m in await audience_chunk(bank, criteria, None, 50)}

    assert await ids(AudienceCriteria(tags=("代发工资",))) == {rich.id, mid.id}
    assert await ids(AudienceCriteria(tags=("代发工资", "高净值"))) == {rich.id}  # tags: all
    assert await ids(AudienceCriteria(tiers=("WEALTH", "PRIVATE"))) == {rich.id}
    assert await ids(AudienceCriteria(aum_min=Decimal("10000"))) == {rich.id, mid.id}
    assert await ids(AudienceCriteria(aum_min=Decimal("100"), aum_max=Decimal("60000"))) == {mid.id}
    assert await ids(AudienceCriteria(grid_ids=(grid.id,))) == {mid.id}
    assert await ids(AudienceCriteria(products_held=("定期存款",))) == {mid.id}  # rich's is closed
    assert await ids(AudienceCriteria(org_path=branch2.path)) == {far.id}


@pytest.mark.parametrize("size", [10, 200])
async def test_chunks_page_in_order_with_one_statement_each(database: Settings, size: int) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    made = await consenting(tenant, size)
    for customer in made[:3]:
        await CustomerTag.create(customer=customer, name="代发工资", source=TagSource.SYSTEM)
    everyone = AudienceCriteria(tags=(), tiers=("ORDINARY",), aum_min=Decimal("0"), products_held=())
    seen: list[uuid.UUID] = []
    after: uuid.UUID | None = None
    with count_statements() as counter:
        chunks = 0
        while chunk := await audience_chunk(tenant.bank.id, everyone, after, 7 if size == 10 else 64):
            seen.extend(m.customer_id for m in chunk)
            after = chunk[-1].customer_id
            chunks += 1
    assert sorted(seen, key=str) == sorted((c.id for c in made), key=str)
    assert len(seen) == len(set(seen)) == size
    assert counter.count == chunks + 1  # one per chunk, and the empty one that ends it
    with count_statements() as counter:
        await audience_chunk(tenant.bank.id, everyone, None, 500)
        await count_audience(
            tenant.bank.id, AudienceCriteria(tags=("代发工资",), products_held=("定期存款",))
        )
    assert counter.count == 2


async def test_stored_criteria_of_another_bank_is_not_found(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    other = await make_tenant(database, customers=0, grabbers=0, needs=0)
    hq = await make_user(tenant.bank, ("HQ_ADMIN",))
    token = token_for(hq, tenant.bank, database)
    variables = {"i": {"name": "代发客群", "criteria": {"tags": ["代发工资"], "aumMin": "1000"}}}
    made = (await execute("marketing", CREATE, variables, token, settings=database)).data["createAudience"]
    audience_id = uuid.UUID(made["id"])
    criteria = await stored_criteria(principal_of(hq, tenant.bank), audience_id)
    assert criteria == AudienceCriteria(tags=("代发工资",), aum_min=Decimal("1000"))
    other_hq = await make_user(other.bank, ("HQ_ADMIN",))
    with pytest.raises(Exception) as refused:
        await stored_criteria(principal_of(other_hq, other.bank), audience_id)
    assert getattr(refused.value, "extensions", {}).get("code") == "NOT_FOUND"


async def test_head_office_stores_and_previews_a_branch_head_within_their_subtree(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    other = await make_tenant(database, customers=0, grabbers=0, needs=0)
    branch2 = await make_org("第二支行", OrgKind.BRANCH, tenant.bank)
    await consenting(tenant, 3, tier=CustomerTier.GROWTH)
    far = await make_customer(branch2, tenant.manager, "远", tier=CustomerTier.GROWTH)
    await consent(far)
    hq = token_for(await make_user(tenant.bank, ("HQ_ADMIN",)), tenant.bank, database)
    head = token_for(await make_user(tenant.branch, ("BRANCH_HEAD",)), tenant.branch, database)
    foreign_grid = await Grid.create(tenant_id=other.bank.id, org_id=other.branch.id, name="他行网格")

    async def run(query: str, variables: dict[str, Any], token: str) -> Any:
        return await execute("marketing", query, variables, token, settings=database)

    growth = {"tiers": ["GROWTH"]}
    assert (await run(PREVIEW, {"c": growth}, hq)).data == {"audiencePreview": {"count": 4}}
    assert (await run(PREVIEW, {"c": growth}, head)).data == {"audiencePreview": {"count": 3}}  # own branch
    outside = {"tiers": ["GROWTH"], "orgPath": branch2.path}
    assert codes(await run(PREVIEW, {"c": outside}, head)) == ["NOT_FOUND"]
    assert (await run(PREVIEW, {"c": outside}, hq)).data == {"audiencePreview": {"count": 1}}
    assert codes(await run(PREVIEW, {"c": growth}, tenant.manager_token)) == ["FORBIDDEN"]
    for bad in ({"aumMin": "10", "aumMax": "1"}, {"aumMin": "-1"}, {"tags": [""]}, {"orgPath": "x"}):
        assert codes(await run(PREVIEW, {"c": bad}, hq)) == ["BAD_USER_INPUT"], bad
    assert codes(await run(PREVIEW, {"c": {"gridIds": [str(foreign_grid.id)]}}, hq)) == ["NOT_FOUND"]
    assert codes(await run(PREVIEW, {"c": {"gridIds": ["nope"]}}, hq)) == ["BAD_USER_INPUT"]

    key = f"k-{uuid.uuid4().hex[:8]}"
    variables = {"i": {"name": "成长客群", "criteria": growth, "idempotencyKey": key}}
    first = (await run(CREATE, variables, hq)).data["createAudience"]
    again = (await run(CREATE, variables, hq)).data["createAudience"]
    assert (
        first == again and first["criteria"]["tiers"] == ["GROWTH"] and first["criteria"]["orgPath"] is None
    )
    mine = (await run(CREATE, {"i": {"name": "支行客群", "criteria": growth}}, head)).data["createAudience"]
    assert mine["criteria"]["orgPath"] == tenant.branch.path
    listed = {n["name"] for n in (await run(LIST, {}, tenant.manager_token)).data["audiences"]["nodes"]}
    assert listed == {"成长客群", "支行客群"}
    assert (await run(LIST, {}, other.manager_token)).data["audiences"]["nodes"] == []
