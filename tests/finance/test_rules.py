"""Finance rules checked in process: the working-day calendar, the pool filter, scopes on every
entry point (root fields, nested fields, ``_entities``), SQL statements per request, and the
supervision alerts surviving a restart of their consumer."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from models.finance import (
    FinancialProduct,
    FinancingNeed,
    Handling,
    HandlingStatus,
    NeedMatch,
    OrderKind,
    PreCreditOffer,
    ProductApplication,
    ProductStatus,
    SupervisionWarning,
)
from models.finance import OutboxEvent as FinanceOutbox
from models.operations import Alert, ConsumerCursor
from models.operations import OutboxEvent as OperationsOutbox
from realtime.broker import SUPERVISION, Broker
from realtime.consumer import consume
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.clock import CST
from resolvers.finance.access import periods
from resolvers.finance.subscriptions import pool_view
from resolvers.finance.supervision import check_deadlines
from resolvers.finance.working_days import add_working_days
from resolvers.operations.jobs import alert_from_supervision
from security.principal import Principal
from subgraphs.settings import Settings
from testkit.inprocess import codes, execute, sessions
from testkit.sqlcount import statements_of
from tests.support.marketplace import Market, make_market
from tests.support.waiting import eventually

# -- the working-day calendar ------------------------------------------------------------------------


def test_working_days_skip_weekends_and_holidays_and_count_make_up_days() -> None:
    friday = datetime(2026, 9, 25, 15, 0, tzinfo=CST)
    assert add_working_days(friday, 3, {}) == datetime(2026, 9, 30, 23, 59, 59, tzinfo=CST)  # Wed
    # 国庆节: 1–7 October off; Sunday 27 September and Saturday 10 October are make-up working days.
    national_day = {date(2026, 10, d): False for d in range(1, 8)} | {
        date(2026, 9, 27): True,
        date(2026, 10, 10): True,
    }
    assert add_working_days(friday, 3, national_day) == datetime(2026, 9, 29, 23, 59, 59, tzinfo=CST)
    assert add_working_days(friday, 7, national_day).date() == date(2026, 10, 10)
    # Counted in China Standard Time: 17:00 UTC on a Friday is already Saturday in Guiyang.
    late = datetime(2026, 9, 25, 17, 0, tzinfo=UTC)
    assert add_working_days(late, 1, {}).date() == date(2026, 9, 28)


def test_statistics_periods_are_cst_weeks_and_months() -> None:
    assert periods(datetime(2026, 11, 22, 17, 0, tzinfo=UTC)) == (date(2026, 11, 23), date(2026, 11, 1))


# -- who sees a pool event ---------------------------------------------------------------------------


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


# -- scopes on every entry point ---------------------------------------------------------------------


async def _grabbed(market: Market) -> tuple[FinancingNeed, Handling, PreCreditOffer]:
    """A need of the market's applicant, grabbed by bank 0, with an offer."""
    applicant, _ = market.applicant
    bank = market.banks[0]
    need = await FinancingNeed.create(
        order_no=f"N-{uuid.uuid4().hex[:12]}",
        applicant_user_id=applicant.id,
        amount=100000,
        term_months=12,
        purpose="周转",
        contact_phone="13900001111",
    )
    await NeedMatch.create(need=need, institution_id=bank.institution.id)
    week, month = periods(datetime.now(UTC))
    handling = await Handling.create(
        order_kind=OrderKind.NEED,
        order_no=need.order_no,
        need=need,
        institution=bank.institution,
        handler_id=bank.managers[0][0].id,
        applicant_user_id=applicant.id,
        status=HandlingStatus.OFFERED,
        amount=need.amount,
        week=week,
        month=month,
    )
    offer = await PreCreditOffer.create(
        handling=handling,
        need=need,
        institution_id=bank.institution.id,
        amount=90000,
        rate=4.2,
        term_months=12,
        valid_until=date.today() + timedelta(days=5),
    )
    return need, handling, offer


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
    need, handling, offer = await _grabbed(market)
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
        result = await execute("finance", query, fresh, token, settings=database)
        # Invisible is answered like missing: null (with NOT_FOUND at an `_entities` index).
        assert set(codes(result)) <= {"NOT_FOUND"}, (who, result.errors)
        picked = pick(result.data)
        seen[who] = bool(picked) and (picked != {"offers": []})
    assert seen == {
        "handling institution": True,
        "applicant": True,
        "regulator": True,
        "other institution": False,
        "other applicant": False,
    }, seen


# -- statements per request --------------------------------------------------------------------------


@pytest.mark.integration
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
        await _grabbed(market)
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


# -- supervision alerts survive a restart of their consumer ------------------------------------------


@pytest.mark.integration
async def test_a_consumer_resumes_after_a_restart_without_loss_or_repeat(database: Settings) -> None:
    """Supervision warnings raised while a consumer is down reach it when it comes back, each
    once and in order (its cursor is stored with what it did). A consumer of its own name here:
    the running stack's operations consumer may share this database and Redis."""
    market = await make_market(database, banks=1, managers=1)
    realtime = Realtime(Broker(database.redis_url), sessions(database), feed_sync_seconds=0.5)
    await realtime.start([FinanceOutbox, OperationsOutbox])
    past = datetime.now(UTC) - timedelta(minutes=1)
    name = f"test-{uuid.uuid4().hex[:12]}"
    mine: set[str] = set()
    handled: list[str] = []  # of ``mine``, in the order handled
    heard: set[str] = set()  # every handling whose event it handled, probes too

    async def handle(event: Event) -> bool:
        heard.add(event.payload["id"])
        if event.payload["id"] in mine:
            handled.append(event.payload["id"])
        return False

    async def late_handling(counted: bool = True) -> str:
        _, handling, _ = await _grabbed(market)
        await Handling.filter(id=handling.id).update(stage_due_at=past, status=HandlingStatus.GRABBED)
        if counted:
            mine.add(str(handling.id))
        return str(handling.id)

    async def warn() -> None:
        await check_deadlines()
        realtime.relay.wake({"finance"})

    async def fence() -> None:
        """Raise probe warnings until the consumer handles one: it is then live, and, the stream
        being in order, has handled everything raised before."""
        probes: set[str] = set()
        for _ in range(20):
            probes.add(await late_handling(counted=False))
            await warn()
            with contextlib.suppress(AssertionError):
                return await eventually(lambda: bool(probes & heard), 1.0)
        raise AssertionError("the consumer never handled a probe")

    async def published(handlings: list[str]) -> bool:
        rows = [r for r in await FinanceOutbox.filter(channel=SUPERVISION) if r.payload["id"] in handlings]
        return bool(rows) and all(r.published_at is not None for r in rows)

    try:
        consumer = asyncio.create_task(consume(realtime, name, SUPERVISION, handle, ConsumerCursor))
        await fence()
        first = await late_handling()
        await warn()
        await eventually(lambda: handled == [first], 10.0)
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        stopped_at = (await ConsumerCursor.get(name=name)).event_id
        later = [await late_handling(), await late_handling()]  # raised while it is down
        await warn()
        await eventually(lambda: published(later), 10.0)  # on the stream, with nobody there to take them
        assert handled == [first]
        assert (await ConsumerCursor.get(name=name)).event_id == stopped_at
        consumer = asyncio.create_task(consume(realtime, name, SUPERVISION, handle, ConsumerCursor))
        await eventually(lambda: len(handled) == 3, 10.0)
        await fence()  # anything repeated would have come before the probe
        assert handled[0] == first and sorted(handled[1:]) == sorted(later)  # each once
        assert await SupervisionWarning.filter(handling_id__in=list(mine)).count() == 3
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
    finally:
        await realtime.stop()


@pytest.mark.integration
async def test_operations_raises_each_supervision_event_as_one_alert(database: Settings) -> None:
    market = await make_market(database, banks=1, managers=1)
    _, handling, _ = await _grabbed(market)
    institution = market.banks[0].institution
    event = Event(
        type="warning.raised",
        payload={"id": str(handling.id)},
        scope={
            "org_id": str(institution.org_id),
            "level": "WARNING",
            "title": "督办预警：测试",
            "detail": "d",
        },
    )
    assert await alert_from_supervision(event) is True
    assert await alert_from_supervision(event) is False  # a repeat raises nothing
    (alert,) = await Alert.filter(source_event_id=event.id)
    assert (alert.org_id, alert.org_path, alert.source) == (
        institution.org_id,
        market.banks[0].org.path,
        "supervision",
    )


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
