"""Finance marketplace fixes, each checked through the real gateway (the deadline check in
process): the grab pool of an institution that also handles applications, duplicate-financing
prompts among the institutions grabbing one need, a failed credit before the applicant picked,
an offer transferred away, and the deadline check's batch."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.finance import (
    FinancingNeed,
    Handling,
    HandlingStatus,
    NeedStatus,
    OfferStatus,
    OrderKind,
    PreCreditOffer,
    SupervisionWarning,
    WarningKind,
)
from resolvers.finance import jobs
from resolvers.finance.jobs import check_deadlines
from resolvers.finance.statistics import periods
from subgraphs.settings import Settings
from testkit.factories import make_tenant
from tests.support.marketplace import (
    APPLY,
    FAIL,
    GRAB_APPLICATION,
    NEED,
    POOL,
    PRE_REVIEW,
    REPUBLISH,
    SELECT,
    TRANSFER,
    Market,
    apply_input,
    codes,
    grab,
    make_market,
    offered,
    ok,
    publish,
)
from tests.support.stack import Stack


@pytest.fixture
async def market(stack: Stack) -> Market:
    return await make_market(stack.settings, banks=3, managers=2)


pytestmark = pytest.mark.e2e


# -- 1. the grab pool of an institution that also handles product applications ------------------------


async def test_the_pool_keeps_open_needs_for_an_institution_handling_an_application(
    stack: Stack, market: Market
) -> None:
    _, applicant = market.applicant
    bank = market.banks[0]
    application = (await ok(stack, APPLY, {"i": apply_input(str(bank.product.id))}, applicant))[
        "applyForProduct"
    ]
    await ok(stack, GRAB_APPLICATION, {"id": application["id"]}, bank.managers[0][1])
    need_id = await publish(stack, applicant)
    for _, token in bank.managers:  # an application handling (need_id null) hides nothing
        assert need_id in {n["id"] for n in (await ok(stack, POOL, {}, token))["grabPool"]["nodes"]}
    await grab(stack, need_id, bank.managers[0][1])
    for _, token in bank.managers:  # once grabbed by the institution, it leaves its pool
        assert need_id not in {n["id"] for n in (await ok(stack, POOL, {}, token))["grabPool"]["nodes"]}


# -- 2. duplicate financing -----------------------------------------------------------------------


async def test_institutions_grabbing_the_same_need_are_not_flagged_as_duplicate_financing(
    stack: Stack, market: Market
) -> None:
    _, applicant = market.applicant
    project = f"蔬菜基地-{uuid.uuid4().hex[:8]}"
    need_id = await publish(stack, applicant, project=project)
    for bank in market.banks:  # one need, several institutions: that is the marketplace, not a risk
        assert (await grab(stack, need_id, bank.managers[0][1]))["riskPrompts"] == []
    # Another order of the same applicant and project, at an institution: that is flagged.
    other = await publish(stack, applicant, project=project)
    assert [p["kind"] for p in (await grab(stack, other, market.banks[0].managers[1][1]))["riskPrompts"]] == [
        "DUPLICATE_FINANCING"
    ]


# -- 3. credit failed before the applicant picked --------------------------------------------------


async def test_failing_credit_before_the_pick_rejects_only_that_handling(
    stack: Stack, market: Market
) -> None:
    _, applicant = market.applicant
    need_id = await publish(stack, applicant)
    (_, first), (_, second) = market.banks[0].managers[0], market.banks[1].managers[0]
    failing = (await grab(stack, need_id, first))["id"]
    await ok(stack, PRE_REVIEW, {"id": failing, "p": True, "n": ""}, first)
    kept, offer_id = await offered(stack, need_id, second)

    failed = (await ok(stack, FAIL, {"id": failing, "r": "征信不符"}, first))["failCredit"]
    assert failed == {"status": "REJECTED", "rejectReason": "征信不符"}
    need = (await ok(stack, NEED, {"id": need_id}, applicant))["financingNeed"]
    assert need["status"] == "OPEN"  # the other institution's offer still stands
    assert sorted(h["status"] for h in need["handlings"]) == ["OFFERED", "REJECTED"]
    assert await codes(stack, REPUBLISH, {"id": need_id}, applicant) == ["CONFLICT"]

    # The applicant picks the standing offer; credit failing after the pick fails the need.
    assert (await ok(stack, SELECT, {"id": offer_id}, applicant))["selectOffer"]["status"] == "SELECTED"
    await ok(stack, FAIL, {"id": kept, "r": "抵押物估值不足"}, second)
    assert (await ok(stack, NEED, {"id": need_id}, applicant))["financingNeed"]["status"] == "CREDIT_FAILED"


# -- 4. an offer transferred away -------------------------------------------------------------------


async def test_a_transferred_handlings_offer_can_no_longer_be_picked(stack: Stack, market: Market) -> None:
    _, applicant = market.applicant
    _, regulator = market.regulator
    need_id = await publish(stack, applicant)
    handling_id, offer_id = await offered(stack, need_id, market.banks[0].managers[0][1])
    moved = (
        await ok(stack, TRANSFER, {"id": handling_id, "to": str(market.banks[1].institution.id)}, regulator)
    )["transferHandling"]
    assert moved["status"] == "ASSIGNED"
    need = (await ok(stack, NEED, {"id": need_id}, applicant))["financingNeed"]
    assert need["offers"] == [{"id": offer_id, "status": "NOT_ACCEPTED"}]

    assert await codes(stack, SELECT, {"id": offer_id}, applicant) == ["CONFLICT"]
    assert (await Handling.get(id=handling_id)).status == HandlingStatus.TRANSFERRED
    assert (await FinancingNeed.get(id=need_id)).status == NeedStatus.OPEN
    assert (await PreCreditOffer.get(id=offer_id)).status == OfferStatus.NOT_ACCEPTED


async def test_an_offer_whose_handling_left_offered_is_refused(stack: Stack, market: Market) -> None:
    """The guard in selectOffer itself: the handling must still be OFFERED, whatever the offer says."""
    _, applicant = market.applicant
    need_id = await publish(stack, applicant)
    handling_id, offer_id = await offered(stack, need_id, market.banks[0].managers[0][1])
    await Handling.filter(id=handling_id).update(
        status=HandlingStatus.TRANSFERRED, closed_at=datetime.now(UTC)
    )
    assert await codes(stack, SELECT, {"id": offer_id}, applicant) == ["CONFLICT"]
    assert (await Handling.get(id=handling_id)).status == HandlingStatus.TRANSFERRED
    assert (await FinancingNeed.get(id=need_id)).status == NeedStatus.OPEN  # rolled back
    assert (await PreCreditOffer.get(id=offer_id)).status == OfferStatus.OFFERED


# -- 5. the deadline check's batch ----------------------------------------------------------------


async def _late_handling(market: Market, due: datetime) -> Handling:
    bank = market.banks[0]
    need = await FinancingNeed.create(
        order_no=f"N-{uuid.uuid4().hex[:12]}",
        applicant_user_id=market.applicant[0].id,
        amount=100000,
        term_months=12,
        purpose="周转",
    )
    week, month = periods(datetime.now(UTC))
    return await Handling.create(
        order_kind=OrderKind.NEED,
        order_no=need.order_no,
        need=need,
        institution=bank.institution,
        handler_id=bank.managers[0][0].id,
        applicant_user_id=need.applicant_user_id,
        status=HandlingStatus.GRABBED,
        amount=need.amount,
        week=week,
        month=month,
        stage_due_at=due,
        completion_due_at=due,
    )


async def _warn_until(done: Callable[[], Awaitable[bool]]) -> None:
    """Run the deadline check until ``done()``, or until it raises nothing more (whatever else is
    late in the run's database is warned on the way)."""
    for _ in range(200):
        if await done() or not await check_deadlines():
            return


def _warned(handlings: list[Handling], count: int) -> Callable[[], Awaitable[bool]]:
    async def done() -> bool:
        counts = [await SupervisionWarning.filter(handling_id=h.id).count() for h in handlings]
        return all(c == count for c in counts)

    return done


@pytest.mark.integration
async def test_a_new_late_handling_is_warned_behind_a_full_batch_of_warned_ones(
    database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "BATCH", 2)
    market = await make_market(database, banks=1, managers=1)
    # The oldest late handlings of the run, a batch of them: warned (stage and completion), still open.
    stale = [await _late_handling(market, datetime(2000, 1, 1, i, tzinfo=UTC)) for i in range(2)]
    fresh: list[Handling] = []
    try:
        await _warn_until(_warned(stale, 2))
        assert await _warned(stale, 2)()
        # A handling late now, behind them: warned all the same.
        fresh.append(await _late_handling(market, datetime.now(UTC) - timedelta(minutes=1)))
        await _warn_until(_warned(fresh, 2))
        kinds = await SupervisionWarning.filter(handling_id=fresh[0].id).values_list("kind", flat=True)
        assert sorted(kinds) == [WarningKind.COMPLETION, WarningKind.STAGE]
        assert await _warned(stale, 2)()  # each once
        # A stage warning is per stage: a warned handling late at its next stage is warned again.
        await Handling.filter(id=stale[0].id).update(status=HandlingStatus.PRE_REVIEWED)
        await _warn_until(_warned(stale[:1], 3))
        stages = SupervisionWarning.filter(handling_id=stale[0].id, kind=WarningKind.STAGE)
        assert sorted(await stages.values_list("stage", flat=True)) == ["GRABBED", "PRE_REVIEWED"]
    finally:
        ids = [h.id for h in (*stale, *fresh)]
        await Handling.filter(id__in=ids).update(closed_at=datetime.now(UTC))


# -- the grab race through the gateway ------------------------------------------------------------


async def test_fifty_concurrent_grabs_have_one_winner(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=50, needs=1)
    need_id = str(tenant.needs[0].id)
    mutation = "mutation($id: ID!) { grabNeed(id: $id) { status handler { id } } }"
    results = await asyncio.gather(
        *(gql(stack.gateway_url, mutation, {"id": need_id}, token) for _user, token in tenant.grabbers)
    )
    winners = [r for r in results if not r.get("errors")]
    assert len(winners) == 1, [r.get("errors") for r in results if r.get("errors")][:3]
    assert sorted(code for r in results for code in error_codes(r)) == ["CONFLICT"] * 49
    winner_id = winners[0]["data"]["grabNeed"]["handler"]["id"]
    assert winner_id in {str(user.id) for user, _token in tenant.grabbers}
    # The winner repeating its grab is safe; the need stays theirs.
    winner_token = next(token for user, token in tenant.grabbers if str(user.id) == winner_id)
    again = data(await gql(stack.gateway_url, mutation, {"id": need_id}, winner_token))
    assert again["grabNeed"] == {"status": "GRABBED", "handler": {"id": winner_id}}


# -- the account manager's own handlings, newest first ---------------------------------------------

MINE = "query($mine: Boolean) { handlings(first: 100, filter: {mine: $mine}) { nodes { id } } }"


async def test_mine_lists_the_handlings_i_work_newest_first_and_never_widens_the_scope(
    stack: Stack, market: Market
) -> None:
    _, applicant = market.applicant
    (_, me), (_, colleague) = market.banks[0].managers
    _, stranger = market.banks[1].managers[0]
    mine = [(await grab(stack, await publish(stack, applicant), me))["id"] for _ in range(2)]
    theirs = (await grab(stack, await publish(stack, applicant), colleague))["id"]

    def ids(answer: dict[str, Any]) -> list[str]:
        return [node["id"] for node in answer["handlings"]["nodes"]]

    assert ids(await ok(stack, MINE, {"mine": True}, me)) == [mine[1], mine[0]]  # newest first
    assert ids(await ok(stack, MINE, {"mine": True}, colleague)) == [theirs]
    institution = ids(await ok(stack, MINE, {"mine": None}, me))
    assert institution[:3] == [theirs, mine[1], mine[0]]
    # Another institution's account manager: its own scope, mine or not; never ours.
    assert not {*mine, theirs} & {*ids(await ok(stack, MINE, {"mine": True}, stranger))}
    assert not {*mine, theirs} & {*ids(await ok(stack, MINE, {"mine": False}, stranger))}
