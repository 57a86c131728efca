"""Each event of a subscription is executed with empty DataLoaders: its fields read the rows as
they are when the event is delivered, not what an earlier event of the same subscription loaded
(the applicant's page showed an OFFERED step without its offer, loaded empty at SUBMITTED)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from models.finance import NeedMatch
from realtime.broker import MY_ORDERS, Broker
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.clock import now
from resolvers.common.events import snapshot
from subgraphs import finance
from subgraphs.settings import Settings
from testkit.inprocess import context_for, sessions
from tests.support.marketplace import make_market, posted_need

pytestmark = pytest.mark.integration

QUERY = "subscription { myOrders { kind need { id viewedByInstitutions } } }"


async def test_each_event_reads_the_rows_as_they_are_then(database: Settings) -> None:
    market = await make_market(database, banks=1, managers=1)
    applicant, token = market.applicant
    need = await posted_need(market)
    match = await NeedMatch.create(need=need, institution_id=market.banks[0].institution.id)
    realtime = Realtime(Broker(), sessions(database), feed_sync_seconds=3600)
    await realtime.broker.connect()
    stream = await finance.spec.schema.subscribe(
        QUERY, context_value=context_for("finance", token, database, realtime)
    )
    assert hasattr(stream, "__anext__"), stream
    try:
        feed = await realtime.feeds._feed(MY_ORDERS)
        views = []
        for step in ("SUBMITTED", "VIEWED"):
            if step == "VIEWED":  # the institution opened the need since the first event
                await NeedMatch.filter(id=match.id).update(viewed_at=now())
            pending = asyncio.ensure_future(anext(stream))
            await asyncio.sleep(0.05)
            event = Event(
                type=f"need.{step.lower()}",
                payload=snapshot(need),
                scope={"applicant_user_id": str(applicant.id), "step": step},
            )
            await realtime.broker.publish(MY_ORDERS, replace(event, seq=feed.head + 1))
            result = await asyncio.wait_for(pending, 2.0)
            assert not result.errors and result.data, result.errors
            views.append(result.data["myOrders"]["need"]["viewedByInstitutions"])
        assert views == [0, 1]
    finally:
        await stream.aclose()
        await realtime.feeds.stop()
        await realtime.broker.disconnect()
