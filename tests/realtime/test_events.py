"""Event envelopes (realtime/events.py): ids that sort by time, JSON round trip."""

from __future__ import annotations

import asyncio

import pytest

from realtime.events import Event, new_event_id

pytestmark = pytest.mark.unit


def test_event_ids_made_in_one_millisecond_still_sort_in_order() -> None:
    ids = [new_event_id() for _ in range(1000)]
    assert ids == sorted(ids) and len(set(ids)) == 1000 and all(len(i) == 32 for i in ids)


def test_event_ids_sort_by_time() -> None:
    ids = []
    for _ in range(3):
        ids.append(new_event_id())
        asyncio.run(asyncio.sleep(0.002))
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_event_json_round_trip() -> None:
    event = Event(type="need.grabbed", payload={"id": "1", "purpose": "购买原材料"}, scope={"k": "v"})
    assert Event.from_json(event.to_json()) == event
