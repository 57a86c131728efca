"""商机池 (resolvers/marketing/pool.py): the claim race, release, follow-ups, conversion, the
statistics, and what an opportunity shows of its customer — in process, on both storages."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from models.marketing import Opportunity, OpportunityStatus
from models.operations import OrgKind
from resolvers.common.errors import CodedError, ErrorCode
from resolvers.marketing.pool import claim_opportunity
from security.principal import Principal
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted

pytestmark = pytest.mark.integration

POOL = "{ opportunityPool(first: 50) { nodes { id title isLead maskedPhone customer { id } } } }"
MINE = "{ myOpportunities(first: 50) { nodes { id status leadPhone followUps { channel note } customer { id } } } }"
CLAIM = "mutation($id: ID!) { claimOpportunity(id: $id) { id status claimedByMe } }"
RELEASE = "mutation($id: ID!) { releaseOpportunity(id: $id) { id status } }"
FOLLOW = """mutation($i: FollowUpInput!) { followUpOpportunity(input: $i) { id channel note nextOn } }"""
CONVERT = (
    """mutation($i: ConvertOpportunityInput!) { convertOpportunity(input: $i) { status convertedAmount } }"""
)
CLOSE = "mutation($id: ID!, $r: String!) { closeOpportunity(id: $id, reason: $r) { status closeReason } }"
STATS = """query($f: ConversionFilter) { opportunityStats(filter: $f) {
  byOrg { id name total open claimed converted closed rate } byManager { id total converted rate } } }"""


def manager_principal(tenant: Tenant, user_id: uuid.UUID | None = None) -> Principal:
    return Principal(
        user_id=user_id or uuid.uuid4(),
        username="racer",
        roles=("CUSTOMER_MANAGER",),
        org_id=tenant.branch.id,
        org_path=tenant.branch.path,
        tenant_id=tenant.bank.id,
    )


async def run(database: Any, query: str, token: str, **variables: Any) -> Any:
    return await execute("marketing", query, variables, token, settings=database)


async def test_two_hundred_claims_one_winner(database) -> None:
    """200 managers claiming one opportunity at once: exactly one wins, 199 CONFLICT."""
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    target = await Opportunity.create(
        tenant_id=tenant.bank.id, title="存款到期续存：整存整取", org_path=tenant.branch.path
    )
    racers = [manager_principal(tenant) for _ in range(200)]

    async def claim(principal: Principal) -> str:
        try:
            await claim_opportunity(principal, target.id)
        except CodedError as error:
            return error.code.value
        return "WON"

    outcomes = await asyncio.gather(*(claim(p) for p in racers))
    assert outcomes.count("WON") == 1, Counter(outcomes)
    assert outcomes.count(ErrorCode.CONFLICT.value) == 199, Counter(outcomes)
    row = await Opportunity.get(id=target.id)
    winner = racers[outcomes.index("WON")]
    assert row.status is OpportunityStatus.CLAIMED and row.claimed_by_id == winner.user_id


async def colleague(tenant: Tenant, database: Any) -> tuple[str, Any]:
    """A manager of another branch of the same bank: sees the pool, not the first manager's customers."""
    other_branch = await make_org("另一支行", OrgKind.BRANCH, tenant.bank)
    user = await make_user(other_branch, ("CUSTOMER_MANAGER",), "同事")
    return token_for(user, other_branch, database), user


async def test_pool_shows_a_customer_only_to_who_may_see_it(database) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    mine = tenant.customers[0]
    opp = await Opportunity.create(
        tenant_id=tenant.bank.id,
        customer_id=mine.id,
        title="大额资金转入：理财配置",
        org_path=tenant.branch.path,
    )
    other_token, other = await colleague(tenant, database)
    seen_by_owner = (await run(database, POOL, tenant.manager_token)).data["opportunityPool"]["nodes"]
    seen_by_other = await run(database, POOL, other_token)
    assert not seen_by_other.errors
    by_id = {n["id"]: n for n in seen_by_other.data["opportunityPool"]["nodes"]}
    assert by_id[str(opp.id)]["customer"] is None  # a colleague's customer: absent, no error
    assert {n["id"]: n["customer"] for n in seen_by_owner}[str(opp.id)] == {"id": str(mine.id)}
    assert all(mine.name not in n["title"] for n in seen_by_owner)

    claimed = await run(database, CLAIM, other_token, id=str(opp.id))
    assert claimed.data["claimOpportunity"]["claimedByMe"] is True
    # claimed by someone who may not see the customer: still absent for them, in 我的商机 and _entities
    mine_list = (await run(database, MINE, other_token)).data["myOpportunities"]["nodes"]
    assert [n["customer"] for n in mine_list if n["id"] == str(opp.id)] == [None]
    entities = await run(
        database,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Opportunity { id customer { id } } } }",
        other_token,
        r=[{"__typename": "Opportunity", "id": str(opp.id)}],
    )
    assert entities.data["_entities"] == [{"id": str(opp.id), "customer": None}]
    # … and out of the owner's pool; another manager's claim of it is CONFLICT at once
    assert str(opp.id) not in {
        n["id"] for n in (await run(database, POOL, tenant.manager_token)).data["opportunityPool"]["nodes"]
    }
    again = await run(database, CLAIM, tenant.manager_token, id=str(opp.id))
    assert codes(again) == ["NOT_FOUND"] or codes(again) == ["CONFLICT"]
    assert other.id  # (the claimer)


async def test_claim_release_follow_up_convert_and_stats(database) -> None:
    tenant = await make_tenant(database, customers=2, grabbers=0, needs=0)
    token = tenant.manager_token
    first, second = [
        await Opportunity.create(
            tenant_id=tenant.bank.id, customer_id=c.id, title="存款到期续存", org_path=tenant.branch.path
        )
        for c in tenant.customers
    ]
    assert not (await run(database, CLAIM, token, id=str(first.id))).errors
    repeat = await run(database, CLAIM, token, id=str(first.id))  # one's own claim again: the same answer
    assert repeat.data["claimOpportunity"]["status"] == "CLAIMED"
    released = await run(database, RELEASE, token, id=str(first.id))
    assert released.data["releaseOpportunity"]["status"] == "OPEN"
    await run(database, CLAIM, token, id=str(first.id))
    await run(database, CLAIM, token, id=str(second.id))

    follow = {
        "opportunityId": str(first.id),
        "channel": "PHONE",
        "note": "客户有意向，约周五面谈",
        "idempotencyKey": "k-1",
    }
    one = await run(database, FOLLOW, token, i=follow)
    two = await run(database, FOLLOW, token, i=follow)  # a retried submission: one record
    assert one.data["followUpOpportunity"]["id"] == two.data["followUpOpportunity"]["id"]
    bad = await run(database, FOLLOW, token, i={**follow, "note": " ", "idempotencyKey": "k-2"})
    assert codes(bad) == ["BAD_USER_INPUT"]
    past = await run(database, FOLLOW, token, i={**follow, "nextOn": "2000-01-01", "idempotencyKey": "k-3"})
    assert codes(past) == ["BAD_USER_INPUT"]

    converted = await run(database, CONVERT, token, i={"opportunityId": str(first.id), "amount": "50000.00"})
    assert converted.data["convertOpportunity"] == {"status": "CONVERTED", "convertedAmount": "50000.00"}
    negative = await run(database, CONVERT, token, i={"opportunityId": str(second.id), "amount": "-1"})
    assert codes(negative) == ["BAD_USER_INPUT"]
    closed = await run(database, CLOSE, token, id=str(second.id), r="客户已在他行办理")
    assert closed.data["closeOpportunity"] == {"status": "CLOSED", "closeReason": "客户已在他行办理"}
    blank = await run(database, CLOSE, token, id=str(second.id), r=" ")
    assert codes(blank) == ["BAD_USER_INPUT"]

    mine = (await run(database, MINE, token)).data["myOpportunities"]["nodes"]
    by_id = {n["id"]: n for n in mine}
    assert by_id[str(first.id)]["followUps"] == [{"channel": "PHONE", "note": "客户有意向，约周五面谈"}]

    stats = (await run(database, STATS, token, f={"managerId": str(tenant.manager.id)})).data[
        "opportunityStats"
    ]
    assert stats["byManager"] == [{"id": str(tenant.manager.id), "total": 2, "converted": 1, "rate": 0.5}]
    branch_row = next(r for r in stats["byOrg"] if r["id"] == str(tenant.branch.id))
    assert (branch_row["converted"], branch_row["closed"]) == (1, 1)


async def test_lists_and_stats_take_constant_statements(database) -> None:
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    others = await Opportunity.filter(tenant_id=tenant.bank.id).order_by("id")
    await Opportunity.filter(id__in=[o.id for o in others[:10]]).update(
        status=OpportunityStatus.CLAIMED, claimed_by_id=tenant.manager.id, org_path=tenant.branch.path
    )
    for query in (
        "{ myOpportunities(first: %d) { nodes { title customer { id } followUps { note } } } }",
        "{ opportunityPool(first: %d) { nodes { title customer { id } } } }",
    ):
        small, _ = await counted("marketing", query % 1, {}, tenant.manager_token, database)
        large, _ = await counted("marketing", query % 10, {}, tenant.manager_token, database)
        assert small == large <= 3, (query, small, large)
    few, _ = await counted("marketing", STATS, {}, tenant.manager_token, database)
    assert few <= 4


async def test_other_banks_opportunity_is_not_found(database) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    other = await make_tenant(database, customers=1, grabbers=0, needs=0)
    theirs = await Opportunity.filter(tenant_id=other.bank.id).first()
    assert theirs is not None
    for query, variables in (
        (CLAIM, {"id": str(theirs.id)}),
        (RELEASE, {"id": str(theirs.id)}),
        (CLOSE, {"id": str(theirs.id), "r": "x"}),
        (FOLLOW, {"i": {"opportunityId": str(theirs.id), "channel": "SMS", "note": "x"}}),
        (CONVERT, {"i": {"opportunityId": str(theirs.id), "amount": "1"}}),
    ):
        assert codes(await run(database, query, tenant.manager_token, **variables)) == ["NOT_FOUND"], query
    assert Decimal("1")


async def test_stats_filters_are_scoped(database) -> None:
    """opportunityStats.orgId / managerId: another bank's (or an unknown) org or manager is NOT_FOUND;
    a manager may filter only by themself."""
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    other = await make_tenant(database, customers=1, grabbers=0, needs=0)
    token = tenant.manager_token
    for f in (
        {"orgId": str(other.branch.id)},
        {"orgId": str(uuid.uuid4())},
        {"managerId": str(other.manager.id)},
        {"managerId": str(uuid.uuid4())},
    ):
        assert codes(await run(database, STATS, token, f=f)) == ["NOT_FOUND"], f
    colleague_user = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "同事")
    assert codes(await run(database, STATS, token, f={"managerId": str(colleague_user.id)})) == ["NOT_FOUND"]
    assert codes(await run(database, STATS, token, f={"orgId": str(tenant.branch.id)})) == ["NOT_FOUND"]
    head = await make_user(tenant.branch, ("BRANCH_HEAD",), "行长")
    head_token = token_for(head, tenant.branch, database)
    seen = await run(
        database, STATS, head_token, f={"orgId": str(tenant.branch.id), "managerId": str(tenant.manager.id)}
    )
    assert not seen.errors, seen.errors
