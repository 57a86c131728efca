"""The finance marketplace end to end through the real gateway: products through their
lifecycle, applications and needs from posting to disbursement, the grab race, SLA supervision
with alerts in operations, risk prompts, and the two streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import error_codes, subscribe_ws
from models.finance import (
    FinancingNeed,
    GuaranteeMethod,
    Handling,
    HandlingStatus,
    NeedStatus,
    SupervisionWarning,
)
from resolvers.common.clock import CST
from resolvers.finance.jobs import check_deadlines
from resolvers.finance.working_days import add_working_days
from tests.support.marketplace import Market, codes, make_bank, make_market, ok, run
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.support.ws import Socket

pytestmark = pytest.mark.e2e


async def reasons(
    stack: Stack, query: str, variables: dict[str, Any], token: str
) -> list[tuple[str, str | None]]:
    """Each error's code and ``extensions.reason`` (a lost grab says why)."""
    result = await run(stack, query, variables, token)
    return [(e["extensions"]["code"], e["extensions"].get("reason")) for e in result.get("errors") or []]


PUBLISH = """mutation($i: PublishNeedInput!) {
  publishNeed(input: $i) { id status maxInstitutions grabCount orderNo } }"""
GRAB = """mutation($id: ID!) { grabNeed(id: $id) {
  id status institution { id } stageDueAt completionDueAt riskPrompts { kind detail } } }"""
PRE_REVIEW = """mutation($id: ID!, $p: Boolean!, $n: String!) {
  preReview(id: $id, passed: $p, note: $n) { status preReviewPassed } }"""
OFFER = (
    """mutation($id: ID!, $i: OfferInput!) { makeOffer(id: $id, input: $i) { status offer { id amount } } }"""
)
SELECT = "mutation($id: ID!) { selectOffer(offerId: $id) { id status } }"
CREDIT = (
    """mutation($id: ID!, $i: CreditInput!) { grantCredit(id: $id, input: $i) { status creditAmount } }"""
)
FAIL = "mutation($id: ID!, $r: String!) { failCredit(id: $id, reason: $r) { status rejectReason } }"
DISBURSE = "mutation($id: ID!, $a: Decimal!) { disburse(id: $id, amount: $a) { status disbursedAmount } }"
NEED = """query($id: ID!) { financingNeed(id: $id) { status grabCount viewedByInstitutions contactPhone
  handlings { status institution { id } } offers { status amount } } }"""
APPLY = """mutation($i: ApplyInput!) { applyForProduct(input: $i) { id status orderNo } }"""
GRAB_APPLICATION = "mutation($id: ID!) { grabApplication(id: $id) { id status } }"


def need_input(**extra: Any) -> dict[str, Any]:
    return {
        "amount": "500000",
        "termMonths": 12,
        "purpose": "扩建厂房",
        "project": "厂房二期",
        "region": "观山湖区",
        "industry": "制造业",
        "contactName": "王建国",
        "contactPhone": "13912345678",
        **extra,
    }


def offer_input(amount: str = "450000") -> dict[str, Any]:
    valid = (date.today() + timedelta(days=10)).isoformat()
    return {"amount": amount, "rate": "4.35", "termMonths": 12, "validUntil": valid, "note": "预授信"}


Probe = Callable[[str], Awaitable[list[str]]]  # publishes orders marked with the text: their ids


def publishing(stack: Stack, *applicants: str, **need: Any) -> Probe:
    """A probe: each applicant publishes a need of its own (``need`` overriding the inputs)."""

    async def probe(marker: str) -> list[str]:
        variables = {"i": need_input(project=marker, **need)}
        return [(await ok(stack, PUBLISH, variables, token))["publishNeed"]["id"] for token in applicants]

    return probe


class Streams:
    """Subscriptions collected in the background: ``received[i]`` holds the payloads of the i-th,
    less those about a probe order (probes prove the streams live, and fence them)."""

    def __init__(self, probe: Probe, count: int) -> None:
        self.probe = probe
        self.raw: list[list[dict[str, Any]]] = [[] for _ in range(count)]
        self.received: list[list[dict[str, Any]]] = [[] for _ in range(count)]
        self.probes: set[str] = set()
        self.probing = False

    def _about(self, payload: dict[str, Any], ids: set[str]) -> bool:
        text = json.dumps(payload)
        return any(order_id in text for order_id in ids)

    async def collect(self, index: int, events: AsyncIterator[dict[str, Any]]) -> None:
        async for payload in events:
            self.raw[index].append(payload)
            if not self.probing and not self._about(payload, self.probes):
                self.received[index].append(payload)

    async def fence(self, attempts: int = 20) -> None:
        """Publish probe orders until every stream has delivered one: each is then live, and,
        streams being in order, has delivered everything published before the probe too."""
        self.probing = True  # a probe's payload may arrive before its id is known: sorted out below
        ids: set[str] = set()
        for attempt in range(attempts):
            ids.update(await self.probe(f"探测{attempt}-{uuid.uuid4().hex[:8]}"))
            self.probes |= ids
            with contextlib.suppress(AssertionError):
                await eventually(lambda: all(any(self._about(p, ids) for p in r) for r in self.raw), 1.0)
                break
        else:
            raise AssertionError("a stream never delivered a probe")
        for raw, received in zip(self.raw, self.received, strict=True):
            received[:] = [p for p in raw if not self._about(p, self.probes)]
        self.probing = False


@contextlib.asynccontextmanager
async def watching(
    stack: Stack, probe: Probe, *subscriptions: tuple[str, str] | tuple[str, str, dict[str, Any]]
) -> AsyncIterator[Streams]:
    """Collect each subscription's (query, token[, variables]) payloads in the background while
    the block runs; the block starts once every one is proven live by ``probe``."""
    streams = Streams(probe, len(subscriptions))
    sources = [
        subscribe_ws(stack.gateway_ws, query, variables[0] if variables else None, token)
        for query, token, *variables in subscriptions
    ]
    tasks = [asyncio.create_task(streams.collect(i, events)) for i, events in enumerate(sources)]
    try:
        await streams.fence()
        yield streams
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for events in sources:
            await events.aclose()


@pytest.fixture
async def market(stack: Stack) -> Market:
    return await make_market(stack.settings, banks=4, managers=2)


# -- products ----------------------------------------------------------------------------------------

PRODUCT = {
    "name": "科创贷",
    "guaranteeMethod": "GUARANTEE",
    "loanMethod": "REVOLVING",
    "minAmount": "50000",
    "maxAmount": "2000000",
    "rateMin": "3.9",
    "rateMax": "5.5",
    "termMonths": 24,
    "productType": "经营贷",
}
CREATE_PRODUCT = "mutation($i: ProductInput!) { createProduct(input: $i) { id status } }"
SUBMIT = "mutation($id: ID!) { submitProduct(id: $id) { status } }"
REVIEW = """mutation($id: ID!, $a: Boolean!, $c: String!) {
  reviewProduct(id: $id, approve: $a, comment: $c) { status reviewComment } }"""
CERTIFY = "mutation($id: ID!, $c: Boolean!) { certifyInstitution(id: $id, certified: $c) { certified certifiedAt } }"
LISTING = """query($f: ProductFilter, $first: Int!, $after: String) {
  financialProducts(filter: $f, first: $first, after: $after) {
    edges { cursor node { id name rating institution { kind } } } pageInfo { hasNextPage endCursor } } }"""


async def test_product_lifecycle_certification_review_and_filters(stack: Stack, market: Market) -> None:
    settings = stack.settings
    newcomer = await make_bank(settings, managers=1, certified=False, name="新设担保银行")
    _, admin = newcomer.admin
    _, operator = market.operator
    _, manager = newcomer.managers[0]
    product_id = (await ok(stack, CREATE_PRODUCT, {"i": PRODUCT}, admin))["createProduct"]["id"]
    assert await codes(stack, CREATE_PRODUCT, {"i": {**PRODUCT, "minAmount": "0"}}, admin) == [
        "BAD_USER_INPUT"
    ]
    assert await codes(stack, CREATE_PRODUCT, {"i": PRODUCT}, manager) == ["FORBIDDEN"]
    # Not certified: it cannot submit for listing.
    assert await codes(stack, SUBMIT, {"id": product_id}, admin) == ["FORBIDDEN"]
    assert await codes(stack, CERTIFY, {"id": str(newcomer.institution.id), "c": True}, admin) == [
        "FORBIDDEN"
    ]
    certified = await ok(stack, CERTIFY, {"id": str(newcomer.institution.id), "c": True}, operator)
    assert certified["certifyInstitution"]["certified"] is True
    assert (await ok(stack, SUBMIT, {"id": product_id}, admin))["submitProduct"]["status"] == "SUBMITTED"
    assert await codes(stack, REVIEW, {"id": product_id, "a": False, "c": ""}, operator) == ["BAD_USER_INPUT"]
    assert await codes(stack, REVIEW, {"id": product_id, "a": True, "c": ""}, admin) == ["FORBIDDEN"]
    sent_back = await ok(stack, REVIEW, {"id": product_id, "a": False, "c": "利率说明不完整"}, operator)
    assert sent_back["reviewProduct"] == {"status": "DRAFT", "reviewComment": "利率说明不完整"}
    await ok(stack, SUBMIT, {"id": product_id}, admin)
    _, regulator = market.regulator
    listed = await ok(stack, REVIEW, {"id": product_id, "a": True, "c": "同意上架"}, regulator)
    assert listed["reviewProduct"]["status"] == "LISTED"
    # Decided: the same reviewer repeating gets the same answer; anyone else, CONFLICT.
    again = await ok(stack, REVIEW, {"id": product_id, "a": True, "c": "同意上架"}, regulator)
    assert again["reviewProduct"]["status"] == "LISTED"
    assert await codes(stack, REVIEW, {"id": product_id, "a": True, "c": ""}, operator) == ["CONFLICT"]

    # Filters: each one that excludes the new product, and all together that keep it.
    applicant = market.applicant[1]
    keep = {
        "guaranteeMethod": "GUARANTEE",
        "loanMethod": "REVOLVING",
        "amount": "100000",
        "maxRate": "4.0",
        "termMonths": 24,
        "institutionKind": "BANK",
    }

    async def names(f: dict[str, Any]) -> set[str]:
        listing = await ok(stack, LISTING, {"f": f, "first": 100}, applicant)
        return {e["node"]["id"] for e in listing["financialProducts"]["edges"]}

    assert product_id in await names(keep)
    for key, value in {
        "guaranteeMethod": "CREDIT",
        "loanMethod": "ONE_OFF",
        "amount": "3000000",
        "maxRate": "3.5",
        "termMonths": 36,
        "institutionKind": "GUARANTEE",
    }.items():
        assert product_id not in await names({**keep, key: value}), key

    # Delisting takes it out of the supermarket; a listed product cannot be deregistered.
    deregister = "mutation($id: ID!) { deregisterProduct(id: $id) { status } }"
    assert await codes(stack, deregister, {"id": product_id}, admin) == ["CONFLICT"]
    delist = 'mutation($id: ID!) { delistProduct(id: $id, reason: "产品调整") { status } }'
    assert (await ok(stack, delist, {"id": product_id}, admin))["delistProduct"]["status"] == "DELISTED"
    assert product_id not in await names(keep)
    assert (await ok(stack, deregister, {"id": product_id}, admin))["deregisterProduct"][
        "status"
    ] == "DEREGISTERED"
    assert await codes(stack, SUBMIT, {"id": product_id}, admin) == ["CONFLICT"]


async def test_listing_is_ordered_by_rating_and_pages_without_gaps(stack: Stack, market: Market) -> None:
    # A term no other product offers: the filter lists this test's four products only.
    only_mine = {"termMonths": 9999}
    for bank, rating in zip(market.banks, ("91.50", "75.00", "75.00", "60.25"), strict=True):
        bank.product.rating = Decimal(rating)
        bank.product.term_months = only_mine["termMonths"]
        await bank.product.save(update_fields=["rating", "term_months"])
    mine = {str(bank.product.id) for bank in market.banks}
    seen: list[tuple[Decimal, str]] = []
    after = None
    while True:
        # Pages of 1: the two products rated alike fall on different pages.
        page = (await ok(stack, LISTING, {"f": only_mine, "first": 1, "after": after}, market.applicant[1]))[
            "financialProducts"
        ]
        seen += [(Decimal(e["node"]["rating"]), e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len({product_id for _, product_id in seen})  # no repeats across pages
    assert {product_id for _, product_id in seen} == mine  # and no gaps
    assert [r for r, _ in seen] == sorted((r for r, _ in seen), reverse=True)
    assert [r for r, i in seen if i in mine] == [
        Decimal("91.50"),
        Decimal("75.00"),
        Decimal("75.00"),
        Decimal("60.25"),
    ]


# -- needs -------------------------------------------------------------------------------------------


async def test_need_from_posting_to_republish(stack: Stack, market: Market) -> None:
    _, applicant = market.applicant
    need = (await ok(stack, PUBLISH, {"i": need_input()}, applicant))["publishNeed"]
    assert (need["status"], need["maxInstitutions"], need["grabCount"]) == ("OPEN", 3, 0)
    assert (await ok(stack, PUBLISH, {"i": need_input()}, applicant))["publishNeed"]["id"] == need[
        "id"
    ]  # repeat
    assert await codes(stack, PUBLISH, {"i": need_input(amount="-1")}, applicant) == ["BAD_USER_INPUT"]
    need_id = need["id"]

    # An institution opening it tells the applicant (once per institution).
    view = "mutation($id: ID!) { markNeedViewed(id: $id) { id } }"
    for _ in range(2):
        await ok(stack, view, {"id": need_id}, market.banks[0].managers[1][1])

    # Up to N = 3 institutions, the first grab within each wins.
    handlings: dict[int, dict[str, Any]] = {}
    for index in (0, 1, 2):
        handlings[index] = (await ok(stack, GRAB, {"id": need_id}, market.banks[index].managers[0][1]))[
            "grabNeed"
        ]
    # Both refusals are CONFLICT; extensions.reason says which (the grab client shows it).
    assert await reasons(stack, GRAB, {"id": need_id}, market.banks[0].managers[1][1]) == [
        ("CONFLICT", "TAKEN_BY_COLLEAGUE")
    ]
    assert await reasons(stack, GRAB, {"id": need_id}, market.banks[3].managers[0][1]) == [
        ("CONFLICT", "NO_PLACE")
    ]
    again = await ok(stack, GRAB, {"id": need_id}, market.banks[0].managers[0][1])
    assert again["grabNeed"]["id"] == handlings[0]["id"]  # a repeated grab is safe
    first = handlings[0]
    assert first["status"] == "GRABBED" and first["stageDueAt"] and first["completionDueAt"]
    seen = (await ok(stack, NEED, {"id": need_id}, applicant))["financingNeed"]
    assert (seen["status"], seen["grabCount"], seen["viewedByInstitutions"]) == ("HANDLING", 3, 1)
    assert seen["contactPhone"] == "13912345678"  # the applicant's own
    assert len(seen["handlings"]) == 3
    # The grabber sees the contact in full; a colleague who did not grab does not.
    grabber_view = (await ok(stack, NEED, {"id": need_id}, market.banks[0].managers[0][1]))["financingNeed"]
    assert grabber_view["contactPhone"] == "13912345678"
    assert [h["institution"]["id"] for h in grabber_view["handlings"]] == [
        str(market.banks[0].institution.id)
    ]
    colleague = await run(stack, NEED, {"id": need_id}, market.banks[0].managers[1][1])
    assert colleague["data"]["financingNeed"]["contactPhone"] is None
    assert "FORBIDDEN" in error_codes(colleague)

    # Only the grabber works it; each step only from the state before it.
    h0, h1, h2 = (handlings[i]["id"] for i in (0, 1, 2))
    managers = [market.banks[i].managers[0][1] for i in range(3)]
    assert await codes(stack, PRE_REVIEW, {"id": h0, "p": True, "n": ""}, market.banks[0].managers[1][1]) == [
        "FORBIDDEN"
    ]
    assert await codes(stack, OFFER, {"id": h0, "i": offer_input()}, managers[0]) == ["CONFLICT"]
    await ok(stack, PRE_REVIEW, {"id": h0, "p": True, "n": ""}, managers[0])
    await ok(stack, PRE_REVIEW, {"id": h1, "p": True, "n": ""}, managers[1])
    assert await codes(stack, PRE_REVIEW, {"id": h2, "p": False, "n": ""}, managers[2]) == ["BAD_USER_INPUT"]
    assert (await ok(stack, PRE_REVIEW, {"id": h2, "p": False, "n": "经营流水不足"}, managers[2]))[
        "preReview"
    ]["status"] == "REJECTED"
    offer0 = (await ok(stack, OFFER, {"id": h0, "i": offer_input("400000")}, managers[0]))["makeOffer"]
    offer1 = (await ok(stack, OFFER, {"id": h1, "i": offer_input("480000")}, managers[1]))["makeOffer"]
    assert offer1["status"] == "OFFERED"
    assert await codes(stack, SELECT, {"id": offer1["offer"]["id"]}, market.other_applicant[1]) == [
        "NOT_FOUND"
    ]
    picked = (await ok(stack, SELECT, {"id": offer1["offer"]["id"]}, applicant))["selectOffer"]
    assert picked == {"id": h1, "status": "SELECTED"}
    assert (await ok(stack, SELECT, {"id": offer1["offer"]["id"]}, applicant))[
        "selectOffer"
    ] == picked  # repeat
    assert await codes(stack, SELECT, {"id": offer0["offer"]["id"]}, applicant) == ["CONFLICT"]
    after_pick = (await ok(stack, NEED, {"id": need_id}, applicant))["financingNeed"]
    assert after_pick["status"] == "SELECTED"
    assert sorted(h["status"] for h in after_pick["handlings"]) == ["NOT_SELECTED", "REJECTED", "SELECTED"]
    assert sorted(o["status"] for o in after_pick["offers"]) == ["ACCEPTED", "NOT_ACCEPTED"]

    # Credit fails: the applicant republishes with one click; a repeat gives the same copy.
    assert await codes(stack, DISBURSE, {"id": h1, "a": "1000"}, managers[1]) == ["CONFLICT"]
    failed = await ok(stack, FAIL, {"id": h1, "r": "抵押物估值不足"}, managers[1])
    assert failed["failCredit"] == {"status": "REJECTED", "rejectReason": "抵押物估值不足"}
    assert (await ok(stack, NEED, {"id": need_id}, applicant))["financingNeed"]["status"] == "CREDIT_FAILED"
    republish = "mutation($id: ID!) { republishNeed(id: $id) { id status republishedFrom { id } } }"
    copy = (await ok(stack, republish, {"id": need_id}, applicant))["republishNeed"]
    assert copy["status"] == "OPEN" and copy["republishedFrom"] == {"id": need_id} and copy["id"] != need_id
    assert (await ok(stack, republish, {"id": need_id}, applicant))["republishNeed"]["id"] == copy["id"]
    assert await codes(stack, republish, {"id": copy["id"]}, applicant) == ["CONFLICT"]
    # The copy is in the pools again, including of the institutions that had the first one.
    pool = "{ grabPool(first: 50) { nodes { id } } }"
    assert copy["id"] in {n["id"] for n in (await ok(stack, pool, {}, managers[0]))["grabPool"]["nodes"]}


async def test_withdrawn_need_leaves_every_pool_and_cannot_be_grabbed(stack: Stack, market: Market) -> None:
    _, applicant = market.applicant
    need_id = (await ok(stack, PUBLISH, {"i": need_input(project="")}, applicant))["publishNeed"]["id"]
    withdraw = "mutation($id: ID!) { withdrawNeed(id: $id) { status } }"
    assert await codes(stack, withdraw, {"id": need_id}, market.other_applicant[1]) == ["NOT_FOUND"]
    assert (await ok(stack, withdraw, {"id": need_id}, applicant))["withdrawNeed"]["status"] == "WITHDRAWN"
    assert (await ok(stack, withdraw, {"id": need_id}, applicant))["withdrawNeed"]["status"] == "WITHDRAWN"
    assert await reasons(stack, GRAB, {"id": need_id}, market.banks[0].managers[0][1]) == [
        ("CONFLICT", "NO_PLACE")  # closed: the same answer as full
    ]


# -- applications ------------------------------------------------------------------------------------


def apply_input(product_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "productId": product_id,
        "amount": "200000",
        "termMonths": 12,
        "purpose": "采购原材料",
        "consent": True,
        "applicantName": "贵州黔丰农业有限公司",
        "idNumber": "91520100MA6DKXXX1Y",
        "contactPhone": "13800001111",
        "project": "蔬菜基地",
        **extra,
    }


async def test_application_from_apply_to_rating_with_live_progress(stack: Stack) -> None:
    settings = stack.settings
    market = await make_market(settings, banks=1)
    bank = await make_bank(settings, managers=2, guarantee=GuaranteeMethod.GUARANTEE)
    _, applicant = market.applicant
    product_id = str(bank.product.id)
    (_, m0), (_, m1) = bank.managers
    my_orders = "subscription { myOrders { kind orderKind application { id status } need { id } } }"
    probe = publishing(stack, applicant, market.other_applicant[1])
    async with watching(
        stack, probe, (my_orders, applicant), (my_orders, market.other_applicant[1])
    ) as streams:
        mine, theirs = streams.received
        assert await codes(stack, APPLY, {"i": apply_input(product_id, consent=False)}, applicant) == [
            "BAD_USER_INPUT"
        ]
        assert await codes(stack, APPLY, {"i": apply_input(product_id, amount="5000")}, applicant) == [
            "BAD_USER_INPUT"
        ]
        assert await codes(stack, APPLY, {"i": apply_input(product_id)}, m0) == ["FORBIDDEN"]
        application = (await ok(stack, APPLY, {"i": apply_input(product_id)}, applicant))["applyForProduct"]
        assert (await ok(stack, APPLY, {"i": apply_input(product_id)}, applicant))[
            "applyForProduct"
        ] == application
        application_id = application["id"]

        # Another institution cannot grab it; of the issuing institution's two managers one wins.
        assert await reasons(
            stack, GRAB_APPLICATION, {"id": application_id}, market.banks[0].managers[0][1]
        ) == [("NOT_FOUND", None)]  # out of its scope: no reason to give away
        results = await asyncio.gather(
            *(run(stack, GRAB_APPLICATION, {"id": application_id}, t) for t in (m0, m1))
        )
        assert sorted(code for r in results for code in error_codes(r)) == ["CONFLICT"]
        assert [e["extensions"].get("reason") for r in results for e in r.get("errors") or []] == [
            "APPLICATION_TAKEN"
        ]
        winner = m0 if not results[0].get("errors") else m1
        handling_id = next(r for r in results if not r.get("errors"))["data"]["grabApplication"]["id"]

        await ok(stack, PRE_REVIEW, {"id": handling_id, "p": True, "n": "电话核实通过"}, winner)
        assert await codes(stack, OFFER, {"id": handling_id, "i": offer_input()}, winner) == [
            "BAD_USER_INPUT"
        ]
        credit = {"amount": "180000", "rate": "4.8"}
        assert await codes(stack, CREDIT, {"id": handling_id, "i": credit}, winner) == ["BAD_USER_INPUT"]
        guarantor = {
            "guarantorName": "李四",
            "guarantorIdNumber": "520102198001011234",
            "guarantorPhone": "13700002222",
        }
        credited = await ok(stack, CREDIT, {"id": handling_id, "i": {**credit, **guarantor}}, winner)
        assert credited["grantCredit"] == {"status": "CREDITED", "creditAmount": "180000.00"}
        assert await codes(stack, DISBURSE, {"id": handling_id, "a": "190000"}, winner) == ["BAD_USER_INPUT"]
        await ok(stack, DISBURSE, {"id": handling_id, "a": "180000"}, winner)

        rate = "mutation($id: ID!, $s: Int!) { rateApplication(id: $id, stars: $s) { id } }"
        stars = "query($id: ID!) { productApplication(id: $id) { feedbackStars } }"
        assert (await ok(stack, stars, {"id": application_id}, applicant))["productApplication"] == {
            "feedbackStars": None
        }
        await ok(stack, rate, {"id": application_id, "s": 5}, applicant)
        assert await codes(stack, rate, {"id": application_id, "s": 4}, applicant) == ["CONFLICT"]
        # The applicant reads their rating back (the page shows it instead of asking again);
        # another applicant cannot read the application at all.
        assert (await ok(stack, stars, {"id": application_id}, applicant))["productApplication"] == {
            "feedbackStars": 5
        }
        assert (await ok(stack, stars, {"id": application_id}, market.other_applicant[1]))[
            "productApplication"
        ] is None

        await eventually(lambda: len(mine) >= 5)
        await streams.fence()  # and nothing more is on its way
    kinds = [p["data"]["myOrders"]["kind"] for p in mine]
    assert kinds == ["SUBMITTED", "GRABBED", "PRE_REVIEWED", "CREDITED", "DISBURSED"], kinds
    assert {p["data"]["myOrders"]["application"]["id"] for p in mine} == {application_id}
    assert theirs == []  # another applicant hears nothing of it

    # The guarantor's ID is the handler's to see in full; the regulator never sees it.
    guarantor_query = "query($id: ID!) { handling(id: $id) { guarantorIdNumber } }"
    assert (await ok(stack, guarantor_query, {"id": handling_id}, winner))["handling"][
        "guarantorIdNumber"
    ] == ("520102198001011234")
    regulator_view = await run(stack, guarantor_query, {"id": handling_id}, market.regulator[1])
    assert regulator_view["data"]["handling"]["guarantorIdNumber"] is None
    assert error_codes(regulator_view) == ["FORBIDDEN"]
    # The product's figures moved with the decision, the loan and the feedback.
    product = (
        "query($id: ID!) { financialProduct(id: $id) { rating loansCount approvalsCount feedbackScore } }"
    )
    figures = (await ok(stack, product, {"id": product_id}, applicant))["financialProduct"]
    assert (figures["loansCount"], figures["approvalsCount"], figures["feedbackScore"]) == (1, 1, "5.00")
    assert Decimal(figures["rating"]) > 0


# -- the race ----------------------------------------------------------------------------------------


async def test_two_hundred_grabbers_from_five_institutions(stack: Stack) -> None:
    """200 account managers of 5 institutions grab one need at once: exactly one winner in each
    winning institution, at most N = 3 institutions, CONFLICT for everyone else, and each
    institution's pool stream agrees with the database."""
    settings = stack.settings
    market = await make_market(settings, banks=0)
    banks = [await make_bank(settings, managers=40, name=f"抢单银行{i}") for i in range(5)]
    pool = "subscription { grabPool { kind needId: need { id } removeFromPool institution { id } } }"
    watchers = [bank.managers[-1][1] for bank in banks]
    async with watching(
        stack, publishing(stack, market.applicant[1]), *((pool, t) for t in watchers)
    ) as live:
        streams = live.received
        need_id = (await ok(stack, PUBLISH, {"i": need_input(project="")}, market.applicant[1]))[
            "publishNeed"
        ]["id"]
        tokens = [token for bank in banks for _, token in bank.managers]
        results = await asyncio.gather(*(run(stack, GRAB, {"id": need_id}, token) for token in tokens))

        def every_grab_reached_everyone() -> bool:
            return all(
                sum(
                    p["data"]["grabPool"]["kind"] == "GRABBED"
                    for p in s
                    if p["data"]["grabPool"]["needId"]["id"] == need_id
                )
                >= 3
                for s in streams
            )

        await eventually(every_grab_reached_everyone)
        await live.fence()  # and nothing more is on its way
    winners = [r["data"]["grabNeed"] for r in results if not r.get("errors")]
    errors = sorted(code for r in results for code in error_codes(r))
    assert len(winners) == 3 and errors == ["CONFLICT"] * 197, errors[:5]
    won_by = [w["institution"]["id"] for w in winners]
    assert len(set(won_by)) == 3  # one winner per winning institution
    rows = await Handling.filter(need_id=need_id)
    assert sorted(str(h.institution_id) for h in rows) == sorted(won_by)
    need = await FinancingNeed.get(id=need_id)
    assert (need.status, need.grab_count) == (NeedStatus.HANDLING, 3)
    for bank, events in zip(banks, streams, strict=True):
        mine = [p["data"]["grabPool"] for p in events if p["data"]["grabPool"]["needId"]["id"] == need_id]
        assert mine[0]["kind"] == "NEW" and not mine[0]["removeFromPool"]
        grabs = [e for e in mine if e["kind"] == "GRABBED"]
        assert len(grabs) == 3, mine  # every grab, once, to every institution it was open to
        assert sorted(e["institution"]["id"] for e in grabs) == sorted(won_by)
        # Removed from this list at this institution's own grab, or when the third slot went.
        first_removal = next(i for i, e in enumerate(grabs) if e["removeFromPool"])
        own = [i for i, e in enumerate(grabs) if e["institution"]["id"] == str(bank.institution.id)]
        assert first_removal == (own[0] if own else 2)
    # And the pool queries agree: nobody can still see it as grabbable.
    for token in watchers:
        listed = (await ok(stack, "{ grabPool(first: 100) { nodes { id } } }", {}, token))["grabPool"][
            "nodes"
        ]
        assert need_id not in {n["id"] for n in listed}


# -- supervision -------------------------------------------------------------------------------------

ALERTS = "{ alerts(first: 50) { edges { node { title level source org { id } } } } }"


async def test_deadlines_raise_warnings_once_and_alerts_reach_institution_and_regulator(
    stack: Stack, market: Market
) -> None:
    _, applicant = market.applicant
    bank, other = market.banks[0], market.banks[1]
    (_, handler), (_, colleague) = bank.managers
    need_id = (await ok(stack, PUBLISH, {"i": need_input(project="")}, applicant))["publishNeed"]["id"]
    handling_id = (await ok(stack, GRAB, {"id": need_id}, handler))["grabNeed"]["id"]
    past = datetime.now(UTC) - timedelta(minutes=5)
    await Handling.filter(id=handling_id).update(stage_due_at=past, completion_due_at=past)

    # Two replicas checking at once raise each warning once (advisory lock + unique row).
    raised = await asyncio.gather(check_deadlines(), check_deadlines())
    mine = await SupervisionWarning.filter(handling_id=handling_id)
    assert sorted(w.kind for w in mine) == ["COMPLETION", "STAGE"]
    assert sum(raised) >= 2 and await check_deadlines() == 0
    assert await SupervisionWarning.filter(handling_id=handling_id).count() == 2

    # Operations raised them as alerts for the institution's org: its staff and the regulator see them.
    async def titles(token: str) -> list[str]:
        edges = (await ok(stack, ALERTS, {}, token))["alerts"]["edges"]
        return [e["node"]["title"] for e in edges if e["node"]["org"]["id"] == str(bank.org.id)]

    async def both_alerts() -> bool:
        return len(await titles(market.regulator[1])) >= 2

    await eventually(both_alerts, 20)
    assert len(await titles(colleague)) == 2
    assert all("督办预警" in t for t in await titles(handler))
    assert await titles(other.managers[0][1]) == []
    warnings = "{ supervisionWarnings(first: 10) { nodes { kind handling { id } } } }"
    assert len((await ok(stack, warnings, {}, handler))["supervisionWarnings"]["nodes"]) == 2
    assert (await ok(stack, warnings, {}, other.managers[0][1]))["supervisionWarnings"]["nodes"] == []

    # The institution explains; operations and the regulator read it; the applicant does not.
    explain = "mutation($id: ID!, $r: String!) { explainOverdue(id: $id, reason: $r) { overdueReason } }"
    assert await codes(stack, explain, {"id": handling_id, "r": "客户资料未补齐"}, other.admin[1]) == [
        "NOT_FOUND"
    ]
    await ok(stack, explain, {"id": handling_id, "r": "客户资料未补齐"}, handler)
    reason = "query($id: ID!) { handling(id: $id) { overdue overdueReason urgeCount actions { kind note } } }"
    for token in (market.operator[1], market.regulator[1], bank.admin[1]):
        seen = (await ok(stack, reason, {"id": handling_id}, token))["handling"]
        assert (seen["overdue"], seen["overdueReason"]) == (True, "客户资料未补齐")
    assert (await ok(stack, reason, {"id": handling_id}, applicant))["handling"]["overdueReason"] is None

    # The regulator urges (催单) and then transfers (转单); both leave history.
    urge = 'mutation($id: ID!) { urgeHandling(id: $id, note: "请今日内联系客户") { urgeCount } }'
    assert await codes(stack, urge, {"id": handling_id}, handler) == ["FORBIDDEN"]
    assert (await ok(stack, urge, {"id": handling_id}, market.regulator[1]))["urgeHandling"]["urgeCount"] == 1

    async def urged_alert() -> bool:
        return any("催单" in t for t in await titles(handler))

    await eventually(urged_alert, 20)
    transfer = """mutation($id: ID!, $to: ID!) {
      transferHandling(id: $id, toInstitutionId: $to, note: "超时转单") { id status institution { id } } }"""
    moved = await ok(
        stack, transfer, {"id": handling_id, "to": str(other.institution.id)}, market.regulator[1]
    )
    assert moved["transferHandling"]["status"] == "ASSIGNED"
    assert await codes(
        stack, transfer, {"id": handling_id, "to": str(other.institution.id)}, market.regulator[1]
    ) == ["CONFLICT"]
    history = (await ok(stack, reason, {"id": handling_id}, market.regulator[1]))["handling"]["actions"]
    assert [a["kind"] for a in history] == ["OVERDUE_REASON", "URGE", "TRANSFER"]
    # The receiving institution's manager takes it from its pool (first wins).
    taken = (await ok(stack, GRAB, {"id": need_id}, other.managers[0][1]))["grabNeed"]
    assert taken["status"] == "GRABBED" and taken["id"] == moved["transferHandling"]["id"]
    assert await codes(stack, GRAB, {"id": need_id}, other.managers[1][1]) == ["CONFLICT"]
    old = await Handling.get(id=handling_id)
    assert old.status == HandlingStatus.TRANSFERRED and old.closed_at is not None


# -- risk prompts ------------------------------------------------------------------------------------


async def test_duplicate_financing_is_flagged_and_post_loan_warnings_reach_the_lender(
    stack: Stack, market: Market
) -> None:
    _, applicant = market.applicant
    first, second = market.banks[0], market.banks[1]
    need_id = (await ok(stack, PUBLISH, {"i": need_input(project="蔬菜基地")}, applicant))["publishNeed"][
        "id"
    ]
    grabbed = (await ok(stack, GRAB, {"id": need_id}, first.managers[0][1]))["grabNeed"]
    assert grabbed["riskPrompts"] == []
    application = (await ok(stack, APPLY, {"i": apply_input(str(second.product.id))}, applicant))[
        "applyForProduct"
    ]
    handling = (await ok(stack, GRAB_APPLICATION, {"id": application["id"]}, second.managers[0][1]))[
        "grabApplication"
    ]
    prompts = "query($id: ID!) { handling(id: $id) { riskPrompts { kind detail } } }"
    flagged = (await ok(stack, prompts, {"id": handling["id"]}, second.managers[0][1]))["handling"][
        "riskPrompts"
    ]
    assert [p["kind"] for p in flagged] == ["DUPLICATE_FINANCING"] and "蔬菜基地" in flagged[0]["detail"]
    assert (await ok(stack, prompts, {"id": handling["id"]}, applicant))["handling"]["riskPrompts"] == []

    # Post-loan warning (贷后预警): only on a disbursed loan, pushed to the lender as an alert.
    token = second.managers[0][1]
    await ok(stack, PRE_REVIEW, {"id": handling["id"], "p": True, "n": ""}, token)
    await ok(stack, CREDIT, {"id": handling["id"], "i": {"amount": "200000", "rate": "4.5"}}, token)
    warn = """mutation($id: ID!) { raisePostLoanWarning(handlingId: $id, detail: "企业涉诉，请关注还款") { kind } }"""
    assert await codes(stack, warn, {"id": handling["id"]}, market.regulator[1]) == ["CONFLICT"]
    await ok(stack, DISBURSE, {"id": handling["id"], "a": "200000"}, token)
    assert await codes(stack, warn, {"id": handling["id"]}, token) == ["FORBIDDEN"]
    assert (await ok(stack, warn, {"id": handling["id"]}, market.regulator[1]))["raisePostLoanWarning"] == {
        "kind": "POST_LOAN"
    }

    async def lender_alerted() -> bool:
        edges = (await ok(stack, ALERTS, {}, token))["alerts"]["edges"]
        return any(e["node"]["level"] == "CRITICAL" and "贷后预警" in e["node"]["title"] for e in edges)

    await eventually(lender_alerted, 20)


# -- institutions: certification, WeChat binding, SLA thresholds, the calendar ----------------------


async def test_certification_wechat_binding_sla_and_calendar(stack: Stack, market: Market) -> None:
    bank = market.banks[0]
    (_, manager), (_, colleague) = bank.managers
    _, admin = bank.admin
    _, operator = market.operator

    bind = "mutation($o: String!) { bindWechat(openId: $o) { openId unboundAt } }"
    assert (await ok(stack, bind, {"o": "oWx-manager-0001"}, manager))["bindWechat"][
        "openId"
    ] == "oWx-manager-0001"
    assert (await ok(stack, bind, {"o": "oWx-manager-0001"}, manager))["bindWechat"][
        "openId"
    ] == "oWx-manager-0001"
    assert await codes(stack, bind, {"o": "oWx-manager-0001"}, colleague) == ["CONFLICT"]
    assert await codes(stack, bind, {"o": "x"}, colleague) == ["BAD_USER_INPUT"]
    assert await codes(stack, bind, {"o": "oWx-applicant-1"}, market.applicant[1]) == ["FORBIDDEN"]
    await ok(stack, bind, {"o": "oWx-manager-0002"}, manager)  # rebinding retires the old record
    mine = "{ myWechatBinding { openId } }"
    assert (await ok(stack, mine, {}, manager))["myWechatBinding"] == {"openId": "oWx-manager-0002"}
    assert (await ok(stack, "mutation { unbindWechat }", {}, manager))["unbindWechat"] is True
    assert (await ok(stack, mine, {}, manager))["myWechatBinding"] is None

    sla = """mutation($i: SlaPolicyInput!) { setSlaPolicy(input: $i) { preReviewHours creditLoanDays otherLoanDays } }"""
    policy = {
        "preReviewHours": 2,
        "creditHours": 24,
        "disbursementHours": 24,
        "creditLoanDays": 2,
        "otherLoanDays": 9,
    }
    assert await codes(stack, sla, {"i": policy}, manager) == ["FORBIDDEN"]
    assert await codes(stack, sla, {"i": {**policy, "creditLoanDays": 4}}, admin) == ["BAD_USER_INPUT"]
    assert await codes(stack, sla, {"i": {**policy, "otherLoanDays": 14}}, admin) == ["BAD_USER_INPUT"]
    assert (await ok(stack, sla, {"i": policy}, admin))["setSlaPolicy"]["otherLoanDays"] == 9

    # A holiday tomorrow pushes the credit-loan deadline (2 working days, the new policy) out by one.
    tomorrow = (datetime.now(UTC) + timedelta(hours=8)).date() + timedelta(days=1)
    day = 'mutation($d: Date!, $w: Boolean!) { setCalendarDay(day: $d, workday: $w, name: "测试假日") }'
    assert await codes(stack, day, {"d": tomorrow.isoformat(), "w": False}, admin) == ["FORBIDDEN"]
    await ok(stack, day, {"d": tomorrow.isoformat(), "w": False}, operator)
    days = "query($s: Date!, $e: Date!) { calendarDays(start: $s, end: $e) { day workday name } }"
    listed = (await ok(stack, days, {"s": tomorrow.isoformat(), "e": tomorrow.isoformat()}, manager))[
        "calendarDays"
    ]
    assert listed == [{"day": tomorrow.isoformat(), "workday": False, "name": "测试假日"}]
    need_id = (
        await ok(stack, PUBLISH, {"i": need_input(project="", loanPreference="CREDIT")}, market.applicant[1])
    )["publishNeed"]["id"]
    grabbed = (await ok(stack, GRAB, {"id": need_id}, manager))["grabNeed"]
    due = datetime.fromisoformat(grabbed["completionDueAt"]).astimezone(CST).date()
    start = datetime.fromisoformat(grabbed["stageDueAt"]).astimezone(CST) - timedelta(hours=2)
    assert due == add_working_days(start, 2, {tomorrow: False}).date()
    assert due > add_working_days(start, 2, {}).date() or tomorrow.weekday() >= 5

    # Withdrawing certification stops grabbing and listing at once.
    other_need = (
        await ok(stack, PUBLISH, {"i": need_input(project="", amount="600000")}, market.applicant[1])
    )["publishNeed"]["id"]
    await ok(stack, CERTIFY, {"id": str(bank.institution.id), "c": False}, operator)
    assert await codes(stack, GRAB, {"id": other_need}, colleague) == ["FORBIDDEN"]
    socket = await Socket.open(stack.gateway_ws, colleague)
    try:
        await socket.subscribe("pool", "subscription { grabPool { kind } }")
        refused = await socket.next()
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    finally:
        await socket.close()


# -- the applicant watches a need live; pool filters ------------------------------------------------


async def test_applicant_sees_viewed_and_handled_live_and_pools_filter(stack: Stack, market: Market) -> None:
    _, applicant = market.applicant
    bank = market.banks[0]
    my_orders = "subscription { myOrders { kind orderKind need { id status } } }"
    pool = """subscription($f: GrabPoolFilter) { grabPool(filter: $f) { kind need { id region } removeFromPool } }"""
    async with watching(
        stack,
        publishing(stack, applicant, region="花溪区"),  # heard by all three
        (my_orders, applicant),
        (pool, bank.managers[1][1], {"f": {"region": "花溪区"}}),
        (pool, market.banks[1].managers[0][1]),
    ) as streams:
        mine, huaxi, everything = streams.received
        elsewhere = (await ok(stack, PUBLISH, {"i": need_input(project="", region="南明区")}, applicant))[
            "publishNeed"
        ]
        need = (await ok(stack, PUBLISH, {"i": need_input(project="", region="花溪区")}, applicant))[
            "publishNeed"
        ]
        await ok(
            stack,
            "mutation($id: ID!) { markNeedViewed(id: $id) { id } }",
            {"id": need["id"]},
            bank.managers[0][1],
        )
        handling = (await ok(stack, GRAB, {"id": need["id"]}, bank.managers[0][1]))["grabNeed"]
        transfer = (
            """mutation($id: ID!, $to: ID!) { transferHandling(id: $id, toInstitutionId: $to) { id } }"""
        )
        await ok(
            stack,
            transfer,
            {"id": handling["id"], "to": str(market.banks[1].institution.id)},
            market.regulator[1],
        )

        await eventually(lambda: len(mine) >= 5 and len(everything) >= 4)
        await streams.fence()  # and nothing more is on its way
    steps = [(p["data"]["myOrders"]["kind"], p["data"]["myOrders"]["need"]["id"]) for p in mine]
    assert steps == [
        ("SUBMITTED", elsewhere["id"]),
        ("SUBMITTED", need["id"]),
        ("VIEWED", need["id"]),
        ("GRABBED", need["id"]),
        ("TRANSFERRED", need["id"]),
    ], steps
    # The filtered pool saw only the 花溪区 need: new, gone when a colleague grabbed it, and
    # told again when it was transferred away from their institution.
    assert [(p["data"]["grabPool"]["kind"], p["data"]["grabPool"]["removeFromPool"]) for p in huaxi] == [
        ("NEW", False),
        ("GRABBED", True),
        ("TRANSFERRED", True),
    ]
    # Bank 1 saw both needs arrive, the grab by bank 0 (still open to it), then the transfer to it.
    kinds = [
        (p["data"]["grabPool"]["kind"], p["data"]["grabPool"]["removeFromPool"])
        for p in everything
        if p["data"]["grabPool"]["need"]["id"] == need["id"]
    ]
    assert kinds == [("NEW", False), ("GRABBED", False), ("TRANSFERRED", False)], kinds
