"""The finance marketplace through the real gateway, tried by callers with the right role but out
of scope: each gets NOT_FOUND (or FORBIDDEN where the role, or the rule "only the account manager
who grabbed it works it", is wrong) and changes nothing; lists and pools show them nothing, and
the sensitive fields and the supervision history stay hidden as docs/security.md's rules say.
In process: who sees a grab-pool event (the pool rule), and orders of others invisible on every
entry point (root fields, nested fields, ``_entities``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest

from clients.python.dcms_client import gql
from models.finance import (
    ApplicationStatus,
    FinancialProduct,
    FinancingNeed,
    Handling,
    HandlingStatus,
    NeedMatch,
    NeedStatus,
    OrderKind,
    PreCreditOffer,
    ProductApplication,
    ProductStatus,
    SupervisionAction,
    SupervisionWarning,
    WarningKind,
)
from realtime.events import Event
from resolvers.finance.scopes import pool_view
from resolvers.finance.statistics import periods
from security.principal import Principal
from subgraphs.settings import Settings
from testkit import inprocess
from testkit.factories import make_tenant
from tests.support.marketplace import (
    APPLY,
    CREDIT,
    DISBURSE,
    FAIL,
    GRAB,
    GRAB_APPLICATION,
    OFFER,
    PRE_REVIEW,
    PUBLISH,
    REPUBLISH,
    TRANSFER,
    Market,
    apply_input,
    codes,
    grabbed,
    make_bank,
    make_market,
    need_input,
    offer_input,
    ok,
    publish,
    run,
)
from tests.support.stack import Stack

PRODUCT = {
    "name": "改名的产品",
    "guaranteeMethod": "CREDIT",
    "minAmount": "10000",
    "maxAmount": "100000",
    "rateMin": "3.9",
    "rateMax": "5.5",
    "termMonths": 12,
}
UPDATE_PRODUCT = "mutation($id: ID!, $i: ProductInput!) { updateProduct(id: $id, input: $i) { id } }"
DELIST = 'mutation($id: ID!) { delistProduct(id: $id, reason: "下架") { id } }'
DEREGISTER = "mutation($id: ID!) { deregisterProduct(id: $id) { id } }"
WITHDRAW_APPLICATION = "mutation($id: ID!) { withdrawApplication(id: $id) { id } }"
RATE = "mutation($id: ID!) { rateApplication(id: $id, stars: 1) { id } }"
VIEW = "mutation($id: ID!) { markNeedViewed(id: $id) { id } }"
URGE = 'mutation($id: ID!) { urgeHandling(id: $id, note: "请尽快") { id } }'
EXPLAIN = 'mutation($id: ID!) { explainOverdue(id: $id, reason: "资料未齐") { id } }'
NEEDS = "{ financingNeeds(first: 100) { nodes { id } } }"
POOL = "{ grabPool(first: 100) { nodes { id } } }"
CONTACT = """query($id: ID!) { productApplication(id: $id) { id applicantName idNumber contactPhone } }"""
HISTORY = """query($id: ID!) { handling(id: $id) {
  id actions { kind } warnings { kind } riskPrompts { kind } overdueReason } }"""
HISTORY_NESTED = """{ handlings(first: 100) { nodes { id actions { kind } warnings { kind } } } }"""


@pytest.fixture
async def market(stack: Stack) -> Market:
    return await make_market(stack.settings, banks=2, managers=2)


async def _application(market: Market, status: ApplicationStatus) -> ProductApplication:
    """An application of the market's applicant for bank 0's product, arranged in ``status``."""
    bank = market.banks[0]
    return await ProductApplication.create(
        order_no=f"A-{uuid.uuid4().hex[:12]}",
        product=bank.product,
        applicant_user_id=market.applicant[0].id,
        amount=Decimal("50000"),
        term_months=12,
        purpose="采购",
        consented_at=datetime.now(UTC),
        status=status,
    )


def _row(model: Any) -> dict[str, Any]:
    """What a refused change must leave as it was."""
    return {name: getattr(model, name) for name in model._meta.db_fields if name != "updated_at"}


async def _unchanged(model: Any) -> bool:
    return _row(await type(model).get(id=model.id)) == _row(model)


# -- products ------------------------------------------------------------------------------------


@pytest.mark.e2e
async def test_another_institutions_admin_cannot_touch_a_product(stack: Stack, market: Market) -> None:
    mine, theirs = market.banks
    listed = mine.product
    draft = await FinancialProduct.create(
        institution=mine.institution,
        name="草稿产品",
        guarantee_method=listed.guarantee_method,
        min_amount=Decimal("10000"),
        max_amount=Decimal("100000"),
        rate_min=Decimal("3.9"),
        rate_max=Decimal("5.5"),
        term_months=12,
        status=ProductStatus.DRAFT,
    )
    _, other_admin = theirs.admin
    for query, product, extra in (
        (UPDATE_PRODUCT, draft, {"i": PRODUCT}),
        (DELIST, listed, {}),
        (DEREGISTER, draft, {}),
    ):
        assert await codes(stack, query, {"id": str(product.id), **extra}, other_admin) == ["NOT_FOUND"]
        assert await _unchanged(product), query
    # The wrong role, in the right institution: FORBIDDEN.
    for query, product, extra in ((UPDATE_PRODUCT, draft, {"i": PRODUCT}), (DEREGISTER, draft, {})):
        assert await codes(stack, query, {"id": str(product.id), **extra}, mine.managers[0][1]) == [
            "FORBIDDEN"
        ]
        assert await _unchanged(product), query
    # Its own admin may (the same requests, so the refusals above were about scope).
    await ok(stack, UPDATE_PRODUCT, {"id": str(draft.id), "i": PRODUCT}, mine.admin[1])
    await ok(stack, DELIST, {"id": str(listed.id)}, mine.admin[1])


# -- the applicant's own orders -------------------------------------------------------------------


@pytest.mark.e2e
async def test_another_applicant_cannot_withdraw_rate_or_republish(stack: Stack, market: Market) -> None:
    _, other = market.other_applicant
    submitted = await _application(market, ApplicationStatus.SUBMITTED)
    disbursed = await _application(market, ApplicationStatus.DISBURSED)
    need_id = await publish(stack, market.applicant[1])
    await FinancingNeed.filter(id=need_id).update(status=NeedStatus.CREDIT_FAILED)
    failed = await FinancingNeed.get(id=need_id)
    for query, order in (
        (WITHDRAW_APPLICATION, submitted),
        (RATE, disbursed),
        (REPUBLISH, failed),
    ):
        assert await codes(stack, query, {"id": str(order.id)}, other) == ["NOT_FOUND"], query
        assert await _unchanged(order), query
    assert not await FinancingNeed.exists(republished_from_id=need_id)
    assert (await FinancialProduct.get(id=market.banks[0].product.id)).feedback_count == 0
    # The applicant may: the refusals were about whose order it is.
    await ok(stack, RATE, {"id": str(disbursed.id)}, market.applicant[1])
    await ok(stack, REPUBLISH, {"id": need_id}, market.applicant[1])


# -- needs not open to an institution ---------------------------------------------------------------


@pytest.mark.e2e
async def test_an_unmatched_institution_cannot_see_view_or_grab_a_need(stack: Stack, market: Market) -> None:
    need_id = await publish(stack, market.applicant[1])
    # Certified, with a fitting product, but it joined after the need was posted: not matched.
    late = await make_bank(stack.settings, managers=1, name="后来的银行")
    _, manager = late.managers[0]
    assert await codes(stack, VIEW, {"id": need_id}, manager) == ["NOT_FOUND"]
    assert await codes(stack, GRAB, {"id": need_id}, manager) == ["NOT_FOUND"]
    need = await FinancingNeed.get(id=need_id)
    assert (need.status, need.grab_count) == (NeedStatus.OPEN, 0)
    assert not await Handling.exists(need_id=need_id)
    assert not await NeedMatch.exists(need_id=need_id, institution_id=late.institution.id)
    assert not await NeedMatch.exists(need_id=need_id, viewed_at__isnull=False)
    for token in (manager, late.admin[1]):
        assert (await ok(stack, NEEDS, {}, token))["financingNeeds"]["nodes"] == []
        assert (await ok(stack, POOL, {}, token))["grabPool"]["nodes"] == []
    # A matched institution sees it in both.
    matched = market.banks[0].managers[0][1]
    assert need_id in {n["id"] for n in (await ok(stack, NEEDS, {}, matched))["financingNeeds"]["nodes"]}
    assert need_id in {n["id"] for n in (await ok(stack, POOL, {}, matched))["grabPool"]["nodes"]}


# -- working a handling ---------------------------------------------------------------------------


@pytest.mark.e2e
async def test_only_the_account_manager_who_grabbed_works_the_handling(stack: Stack, market: Market) -> None:
    bank, other_bank = market.banks
    (_, grabber), (_, colleague) = bank.managers
    _, outsider = other_bank.managers[0]
    _, applicant = market.applicant
    # A need pre-reviewed (an offer is next) and an application pre-reviewed (credit is next).
    need_id = await publish(stack, applicant)
    on_need = (await ok(stack, GRAB, {"id": need_id}, grabber))["grabNeed"]["id"]
    application = (await ok(stack, APPLY, {"i": apply_input(str(bank.product.id))}, applicant))[
        "applyForProduct"
    ]
    on_application = (await ok(stack, GRAB_APPLICATION, {"id": application["id"]}, grabber))[
        "grabApplication"
    ]["id"]
    for handling_id in (on_need, on_application):
        await ok(stack, PRE_REVIEW, {"id": handling_id, "p": True, "n": ""}, grabber)
    credit = {"amount": "40000", "rate": "4.5"}
    attempts: list[tuple[str, dict[str, Any]]] = [
        (OFFER, {"id": on_need, "i": offer_input()}),
        (CREDIT, {"id": on_application, "i": credit}),
        (FAIL, {"id": on_application, "r": "不符合条件"}),
    ]

    async def refused(expected: dict[str, str]) -> None:
        rows = [await Handling.get(id=i) for i in (on_need, on_application)]
        for query, variables in attempts:
            for who, token in (("outsider", outsider), ("colleague", colleague), ("admin", bank.admin[1])):
                assert await codes(stack, query, variables, token) == [expected[who]], (who, query)
        for row in rows:
            assert await _unchanged(row)
        assert not await PreCreditOffer.exists(handling_id=on_need)

    # Another institution's account manager: not in scope. A colleague (or the admin) of the
    # grabbing institution: in scope, but only the grabber works it.
    expected = {"outsider": "NOT_FOUND", "colleague": "FORBIDDEN", "admin": "FORBIDDEN"}
    await refused(expected)
    await ok(stack, CREDIT, {"id": on_application, "i": credit}, grabber)
    attempts = [(DISBURSE, {"id": on_application, "a": "40000"})]
    await refused(expected)
    assert (await ok(stack, DISBURSE, {"id": on_application, "a": "40000"}, grabber))["disburse"][
        "status"
    ] == "DISBURSED"


@pytest.mark.e2e
async def test_only_the_regulator_transfers_and_institution_staff_do_not_publish(
    stack: Stack, market: Market
) -> None:
    bank, other_bank = market.banks
    _, applicant = market.applicant
    need_id = await publish(stack, applicant)
    handling_id = (await ok(stack, GRAB, {"id": need_id}, bank.managers[0][1]))["grabNeed"]["id"]
    handling = await Handling.get(id=handling_id)
    to = {"id": handling_id, "to": str(other_bank.institution.id)}
    for token in (market.operator[1], bank.admin[1], bank.managers[0][1], other_bank.admin[1], applicant):
        assert await codes(stack, TRANSFER, to, token) == ["FORBIDDEN"]
    assert await _unchanged(handling)
    assert not await Handling.exists(need_id=need_id, institution_id=other_bank.institution.id)
    assert not await SupervisionAction.exists(handling_id=handling_id)

    for _, token in (*bank.managers, bank.admin):
        project = f"机构代发-{uuid.uuid4().hex[:8]}"
        assert await codes(stack, PUBLISH, {"i": need_input(project=project)}, token) == ["FORBIDDEN"]
        assert not await FinancingNeed.exists(project=project)
    assert (await ok(stack, TRANSFER, to, market.regulator[1]))["transferHandling"]["status"] == "ASSIGNED"


# -- what shows --------------------------------------------------------------------------------------


@pytest.mark.e2e
async def test_an_applications_contact_is_hidden_from_a_colleague_who_did_not_grab_and_the_regulator(
    stack: Stack, market: Market
) -> None:
    bank, other_bank = market.banks
    (_, grabber), (_, colleague) = bank.managers
    _, applicant = market.applicant
    values = apply_input(str(bank.product.id))
    application_id = (await ok(stack, APPLY, {"i": values}, applicant))["applyForProduct"]["id"]
    await ok(stack, GRAB_APPLICATION, {"id": application_id}, grabber)
    secrets = (values["applicantName"], values["idNumber"], values["contactPhone"])
    full = {
        "id": application_id,
        "applicantName": values["applicantName"],
        "idNumber": values["idNumber"],
        "contactPhone": values["contactPhone"],
    }
    for token in (applicant, grabber):
        assert (await ok(stack, CONTACT, {"id": application_id}, token))["productApplication"] == full
    # docs/security.md (Sensitive fields): institution staff on orders they did not grab, and the
    # regulator, see nothing: null with FORBIDDEN, and no error carries the value.
    for token in (colleague, bank.admin[1], market.regulator[1]):
        result = await run(stack, CONTACT, {"id": application_id}, token)
        assert result["data"]["productApplication"] == {
            "id": application_id,
            "applicantName": None,
            "idNumber": None,
            "contactPhone": None,
        }
        assert sorted(e["extensions"]["code"] for e in result["errors"]) == ["FORBIDDEN"] * 3
        assert not any(secret in str(result["errors"]) for secret in secrets)
    # Another institution does not see the application at all.
    assert (await ok(stack, CONTACT, {"id": application_id}, other_bank.managers[0][1]))[
        "productApplication"
    ] is None


@pytest.mark.e2e
async def test_a_handlings_supervision_history_is_hidden_from_the_applicant(
    stack: Stack, market: Market
) -> None:
    bank = market.banks[0]
    _, applicant = market.applicant
    _, grabber = bank.managers[0]
    need_id = await publish(stack, applicant)
    handling_id = (await ok(stack, GRAB, {"id": need_id}, grabber))["grabNeed"]["id"]
    await ok(stack, URGE, {"id": handling_id}, market.regulator[1])
    await ok(stack, EXPLAIN, {"id": handling_id}, grabber)
    await SupervisionWarning.create(
        handling_id=handling_id,
        institution_id=bank.institution.id,
        kind=WarningKind.STAGE,
        stage=HandlingStatus.GRABBED.value,
        due_at=datetime.now(UTC) - timedelta(hours=1),
    )
    seen = (await ok(stack, HISTORY, {"id": handling_id}, market.regulator[1]))["handling"]
    assert sorted(a["kind"] for a in seen["actions"]) == ["OVERDUE_REASON", "URGE"]
    assert [w["kind"] for w in seen["warnings"]] == ["STAGE"]
    assert seen["overdueReason"] == "资料未齐"
    mine = (await ok(stack, HISTORY, {"id": handling_id}, applicant))["handling"]
    assert mine == {
        "id": handling_id,
        "actions": [],
        "warnings": [],
        "riskPrompts": [],
        "overdueReason": None,
    }
    nodes = (await ok(stack, HISTORY_NESTED, {}, applicant))["handlings"]["nodes"]
    assert [n for n in nodes if n["id"] == handling_id] == [
        {"id": handling_id, "actions": [], "warnings": []}
    ]


def _principal(role: str, **extra: Any) -> Principal:
    return Principal(uuid.uuid4(), "u", (role,), uuid.uuid4(), "/x", **extra)


def test_pool_view_decides_from_the_event_scope() -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    me = _principal("FI_ACCOUNT_MANAGER", institution_id=mine)

    def event(
        type_: str, acting: Any = None, closed: bool = False, to: tuple[Any, ...] = (mine, other)
    ) -> Event:
        scope = {"institutions": [str(i) for i in to], "institution_id": str(acting) if acting else None}
        return Event(type=type_, payload={}, scope=scope | {"closed": closed})

    assert pool_view(me, event("need.published")) is False
    assert pool_view(me, event("need.published", to=(other,))) is None  # not open to my institution
    assert pool_view(me, event("need.grabbed", acting=other)) is False  # another institution took a slot
    assert pool_view(me, event("need.grabbed", acting=mine)) is True  # my colleague won it
    assert pool_view(me, event("need.grabbed", acting=other, closed=True)) is True  # the last slot
    assert pool_view(me, event("need.transferred", acting=mine)) is False  # transferred to us
    assert pool_view(me, event("need.transferred", acting=other)) is True  # transferred away
    assert pool_view(me, event("need.withdrawn")) is True
    assert pool_view(_principal("INDIVIDUAL"), event("need.published")) is None
    assert pool_view(_principal("REGULATOR"), event("need.grabbed", acting=other, closed=True)) is True


ENTRY_POINTS = {
    "root handling": ("query($id: ID!) { handling(id: $id) { id } }", lambda d: d["handling"]),
    "root need": ("query($n: ID!) { financingNeed(id: $n) { id } }", lambda d: d["financingNeed"]),
    "nested offers": (
        "query($n: ID!) { financingNeed(id: $n) { offers { id } } }",
        lambda d: d["financingNeed"],
    ),
    "_entities Handling": (
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Handling { id } } }",
        lambda d: d["_entities"][0],
    ),
    "_entities PreCreditOffer": (
        "query($o: [_Any!]!) { _entities(representations: $o) { ... on PreCreditOffer { id } } }",
        lambda d: d["_entities"][0],
    ),
    "handlings list": (
        "{ handlings(first: 50) { nodes { id } } }",
        lambda d: d["handlings"]["nodes"] or None,
    ),
    "_entities FinancingNeed": (
        "query($rn: [_Any!]!) { _entities(representations: $rn) { ... on FinancingNeed { id } } }",
        lambda d: d["_entities"][0],
    ),
    "nested User.grabs": (
        "query($u: [_Any!]!) { _entities(representations: $u) { ... on User { grabs { nodes { id } } } } }",
        lambda d: d["_entities"][0]["grabs"]["nodes"] or None,
    ),
    "root application": (
        "query($a: ID!) { productApplication(id: $a) { id } }",
        lambda d: d["productApplication"],
    ),
    "applications list": (
        "{ productApplications(first: 50) { nodes { id } } }",
        lambda d: d["productApplications"]["nodes"] or None,
    ),
    "_entities ProductApplication": (
        "query($ra: [_Any!]!) { _entities(representations: $ra) { ... on ProductApplication { id } } }",
        lambda d: d["_entities"][0],
    ),
}


async def _applied(market: Market) -> ProductApplication:
    """An application of the market's applicant for bank 0's product, in bank 0's pool."""
    bank = market.banks[0]
    application = await ProductApplication.create(
        order_no=f"A-{uuid.uuid4().hex[:12]}",
        product=bank.product,
        applicant_user_id=market.applicant[0].id,
        amount=50000,
        term_months=12,
        purpose="采购",
        consented_at=datetime.now(UTC),
    )
    week, month = periods(datetime.now(UTC))
    await Handling.create(
        order_kind=OrderKind.APPLICATION,
        order_no=application.order_no,
        application=application,
        product_id=bank.product.id,
        institution=bank.institution,
        applicant_user_id=application.applicant_user_id,
        status=HandlingStatus.ASSIGNED,
        amount=application.amount,
        week=week,
        month=month,
    )
    return application


@pytest.mark.integration
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
async def test_orders_of_others_are_invisible_on_every_entry_point(database: Settings, entry: str) -> None:
    market = await make_market(database, banks=2, managers=1)
    need, handling, offer = await grabbed(market)
    application = await _applied(market)
    query, pick = ENTRY_POINTS[entry]
    variables = {
        "id": str(handling.id),
        "n": str(need.id),
        "a": str(application.id),
        "r": [{"__typename": "Handling", "id": str(handling.id)}],
        "o": [{"__typename": "PreCreditOffer", "id": str(offer.id)}],
        "rn": [{"__typename": "FinancingNeed", "id": str(need.id)}],
        "ra": [{"__typename": "ProductApplication", "id": str(application.id)}],
        "u": [{"__typename": "User", "id": str(handling.handler_id)}],
    }
    seen = {}
    for who, token in {
        "handling institution": market.banks[0].managers[0][1],
        "applicant": market.applicant[1],
        "regulator": market.regulator[1],
        "other institution": market.banks[1].managers[0][1],
        "other applicant": market.other_applicant[1],
    }.items():
        fresh = {k: [dict(r) for r in v] if isinstance(v, list) else v for k, v in variables.items()}
        result = await inprocess.execute("finance", query, fresh, token, settings=database)
        # Invisible is answered like missing: null (with NOT_FOUND at an `_entities` index).
        assert set(inprocess.codes(result)) <= {"NOT_FOUND"}, (who, result.errors)
        picked = pick(result.data)
        seen[who] = bool(picked) and (picked != {"offers": []})
    assert seen == {
        "handling institution": True,
        "applicant": True,
        "regulator": True,
        "other institution": False,
        "other applicant": False,
    }, seen


@pytest.mark.e2e
async def test_a_need_whose_applicant_is_out_of_scope_shows_a_null_applicant(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=1, needs=2)
    _, grabber_token = tenant.grabbers[0]
    # An institution's account manager sees the needs open to it, not the bank's customers.
    query = "{ grabPool(first: 20) { nodes { orderNo amount applicant { name } } } }"
    result = await gql(stack.gateway_url, query, token=grabber_token)

    nodes = result["data"]["grabPool"]["nodes"]
    numbered = [cast(str, need.order_no) for need in tenant.needs]  # published needs have an order number
    assert sorted(node["orderNo"] for node in nodes) == sorted(numbered)
    assert all(node["applicant"] is None and node["amount"] for node in nodes)
    codes = [error["extensions"]["code"] for error in result["errors"]]
    assert codes == ["NOT_FOUND"] * len(nodes)
    for error in result["errors"]:
        assert error["path"][:2] == ["grabPool", "nodes"] and error["path"][3] == "applicant"
