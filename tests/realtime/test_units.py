"""Unit tests: tokens, cursors, event envelopes and snapshots, the in-memory broker."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import jwt
import pytest

from models.finance import FinancingNeed, NeedStatus
from realtime.broker import Broker
from realtime.events import Event, new_event_id
from resolvers.common.errors import CodedError
from resolvers.common.events import restore, snapshot
from resolvers.common.pagination import decode_cursor, encode_cursor
from security.keys import TokenKeys
from security.principal import Principal
from security.tokens import InvalidToken, TokenType, bearer, issue_token, read_token

pytestmark = pytest.mark.unit

KEYS = TokenKeys.generate()
OTHER_KEYS = TokenKeys.generate()


def _principal() -> Principal:
    return Principal(
        user_id=uuid.uuid4(),
        username="cm_gz0101_1",
        roles=("CUSTOMER_MANAGER",),
        org_id=uuid.uuid4(),
        org_path="/a/b",
        tenant_id=uuid.uuid4(),
        role="CUSTOMER_MANAGER",
        session_id="s1",
    )


def test_token_round_trip() -> None:
    principal = _principal()
    read = read_token(issue_token(principal, KEYS), KEYS)
    assert dataclasses.replace(read, token_id="", issued_at=0, expires_at=0) == principal
    assert read.token_id and read.issued_at > 0


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        issue_token(_principal(), OTHER_KEYS),  # signed by another key
        issue_token(_principal(), KEYS, ttl_seconds=-10),  # expired
        issue_token(_principal(), KEYS, typ=TokenType.REFRESH),  # a refresh token is no access token
        jwt.encode({"sub": "x", "iss": "dcms"}, "a-shared-secret-of-32-bytes-or-more", algorithm="HS256"),
        jwt.encode(  # the right key id but no signature worth the name
            {"sub": "x", "iss": "dcms"}, None, algorithm="none", headers={"kid": KEYS.signing_key_id}
        ),
    ],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        read_token(token, KEYS)


def test_bearer_header() -> None:
    assert bearer("Bearer abc") == "abc"
    assert bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None
    assert bearer("Bearer ") is None
    assert bearer(None) is None


def test_cursor_round_trip_and_garbage() -> None:
    key = str(uuid.uuid4())
    assert decode_cursor(encode_cursor(key)) == key
    with pytest.raises(CodedError):
        decode_cursor("%%%not base64")


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


def test_snapshot_restores_typed_values() -> None:
    need = FinancingNeed(
        id=uuid.uuid4(),
        applicant_id=uuid.uuid4(),
        amount=Decimal("123.45"),
        term_months=12,
        purpose="周转",
        status=NeedStatus.HANDLING,
        created_at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
    )
    copy = restore(FinancingNeed, snapshot(need))
    assert (copy.id, copy.applicant_id, copy.amount, copy.status, copy.created_at, copy.expected_rate) == (
        need.id,
        need.applicant_id,
        Decimal("123.45"),
        NeedStatus.HANDLING,
        need.created_at,
        None,
    )


def test_snapshots_leave_encrypted_pii_out() -> None:
    need = FinancingNeed(
        id=uuid.uuid4(), applicant_id=uuid.uuid4(), amount=Decimal("1"), term_months=1, purpose="周转",
        contact_name="王建国", contact_phone="13912345678",
    )  # fmt: skip
    payload = snapshot(need)
    assert payload["contact_phone"] is None and payload["contact_name"] is None
    assert "13912345678" not in str(payload) and payload["purpose"] == "周转"


async def test_memory_broker_delivers_to_every_subscriber_of_a_channel() -> None:
    broker = Broker()
    await broker.connect()
    try:
        received: list[list[str]] = [[], []]

        async def listen(index: int, channel: str) -> None:
            async for event in broker.subscribe(channel):
                if event is not None:  # None: "subscribed"
                    received[index].append(event.type)

        tasks = [asyncio.create_task(listen(0, "a")), asyncio.create_task(listen(1, "a"))]
        other = asyncio.create_task(listen(0, "b"))
        await asyncio.sleep(0.05)
        await broker.publish("a", Event(type="x", payload={}))
        await asyncio.sleep(0.05)
        assert received == [["x"], ["x"]]
        for task in (*tasks, other):
            task.cancel()
    finally:
        await broker.disconnect()
