"""Publishing entity events and turning a stream back into entities.

An event carries a JSON snapshot of the entity, so a subscriber resolves its
fields without a database round trip per event per subscriber.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, cast
from uuid import UUID

from tortoise.models import Model

from models.common import EncryptedTextField
from models.outbox import OutboxEventBase
from realtime.events import Event
from realtime.feed import SlowConsumer, UnknownCursor
from realtime.guard import SubscriptionEnded, TooManySubscriptions
from realtime.hub import Realtime
from realtime.outbox import outbox_of
from resolvers.common.errors import CodedError, ErrorCode, unauthenticated
from security.principal import Principal

M = TypeVar("M", bound=Model)


def snapshot(obj: Model) -> dict[str, Any]:
    """The entity's columns as JSON, encrypted PII left out (None): personal data never travels
    through the broker; a subscriber that may see it reads it from the database."""
    fields_map = obj._meta.fields_map
    return {
        name: None if isinstance(fields_map[name], EncryptedTextField) else _jsonable(getattr(obj, name))
        for name in obj._meta.fields_db_projection
    }


def restore(model: type[M], data: dict[str, Any]) -> M:
    obj = model.__new__(model)
    fields_map = model._meta.fields_map
    for name, value in data.items():
        field = fields_map.get(name)
        if field is not None:
            object.__setattr__(obj, name, value if value is None else field.to_python_value(value))
    object.__setattr__(obj, "_partial", False)
    object.__setattr__(obj, "_saved_in_db", True)
    return obj


def _jsonable(value: Any) -> Any:
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


# The outbox apps the running operation recorded events in: WakeRelay (schema/common/events.py)
# sets it around an operation and wakes the relay for them once it is done.
recorded_outboxes: ContextVar[set[str] | None] = ContextVar("dcms_recorded_outboxes", default=None)


async def publish(
    channel: str,
    type_: str,
    obj: Model,
    tenant_id: UUID | None = None,
    **scope: Any,
) -> Event:
    """Record ``obj``'s event in the outbox, inside the caller's transaction (call it within the
    ``in_transaction`` block of the change): it is published only once that commits. Within an
    operation the relay is woken for it afterwards; a job wakes it itself (or leaves it to the poll)."""
    outbox = outbox_of(channel)
    event = _event(outbox, channel, type_, obj, tenant_id, scope)
    await _outbox_row(outbox, channel, event).save(force_create=True)
    _recorded(outbox)
    return event


async def publish_all(
    channel: str, items: Sequence[tuple[str, Model, UUID | None, dict[str, Any]]]
) -> list[Event]:
    """``publish`` for several events at once, (type, entity, tenant id, scope) each, in one
    INSERT (a batch of device messages records its events in one statement)."""
    outbox = outbox_of(channel)
    events = [_event(outbox, channel, *item) for item in items]
    if events:
        await outbox.bulk_create([_outbox_row(outbox, channel, event) for event in events])
        _recorded(outbox)
    return events


def _event(
    outbox: type[OutboxEventBase],
    channel: str,
    type_: str,
    obj: Model,
    tenant_id: UUID | None,
    scope: dict[str, Any],
) -> Event:
    if outbox._meta.app != obj._meta.app:  # else the event would not share the change's transaction
        raise ValueError(f"{obj._meta.app} cannot publish on {channel}")
    return Event(
        type=type_,
        payload=snapshot(obj),
        tenant_id=str(tenant_id) if tenant_id else None,
        scope={key: _jsonable(value) for key, value in scope.items()},
    )


def _outbox_row(outbox: type[OutboxEventBase], channel: str, event: Event) -> OutboxEventBase:
    return outbox(
        id=event.id,
        channel=channel,
        type=event.type,
        occurred_at=event.occurred_at,
        tenant_id=event.tenant_id,
        scope=event.scope,
        payload=event.payload,
    )


def _recorded(outbox: type[OutboxEventBase]) -> None:
    if (recorded := recorded_outboxes.get()) is not None and outbox._meta.app:
        recorded.add(outbox._meta.app)


_RESTORED: OrderedDict[tuple[str, type[Model]], Model] = OrderedDict()  # the last events' entities
_RESTORED_EVENTS = 64


def _restored(model: type[M], event: Event) -> M:
    """``event``'s entity, restored once per process however many subscribers receive it: the
    subscribers of an event share one read-only object (hydrating datetimes and decimals per
    subscriber was a quarter of the fan-out's CPU). Kept for the last 64 events."""
    key = (event.id, model)
    entity = _RESTORED.get(key)
    if entity is None:
        entity = _RESTORED[key] = restore(model, event.payload)
        if len(_RESTORED) > _RESTORED_EVENTS:
            _RESTORED.popitem(last=False)
    return cast(M, entity)


async def stream(
    principal: Principal,
    realtime: Realtime,
    channel: str,
    model: type[M] | Callable[[Event], type[M]],
    after: str | None = None,
) -> AsyncIterator[tuple[Event, M]]:
    """Events of ``channel`` with their entity restored, for an authenticated subscriber: those
    after the event ``after`` first (replayed), then live ones; in order, each once.

    Ends with a coded error when the subscriber falls too far behind (SLOW_CONSUMER), the
    cursor is unknown (CURSOR_EXPIRED), the user holds too many subscriptions (RATE_LIMITED),
    or the token expires or its session is revoked (UNAUTHENTICATED, ``reason`` in extensions).
    ``model`` is the entity's model, or a function of the event giving it (a channel carrying
    several kinds of entity). The resolver filters each event by the subscriber's scope."""
    try:
        async with realtime.guard.open(principal) as on_join:
            async for event in realtime.feeds.subscribe(channel, after, on_join):
                entity_model = model if isinstance(model, type) else model(event)
                yield event, _restored(entity_model, event)
    except TooManySubscriptions:
        error = CodedError(
            ErrorCode.RATE_LIMITED,
            f"同时打开的订阅过多，上限 {realtime.guard.cap_per_user} 个 (too many open subscriptions)",
        )
        error.extensions["limit"] = "subscriptions"
        raise error from None
    except SlowConsumer:
        raise CodedError(
            ErrorCode.SLOW_CONSUMER,
            "接收过慢，订阅已断开；请以最后收到的 eventId 作为 after 重新订阅"
            " (too slow: resubscribe with after)",
        ) from None
    except UnknownCursor:
        raise CodedError(
            ErrorCode.CURSOR_EXPIRED,
            "after 指定的事件不存在或已超出保留期；请重新加载后订阅 (unknown or expired cursor)",
        ) from None
    except SubscriptionEnded as ended:
        error = unauthenticated(
            "登录已过期，请重新登录 (token expired)"
            if ended.reason == "TOKEN_EXPIRED"
            else "会话已注销 (session revoked)"
        )
        error.extensions["reason"] = ended.reason
        raise error from None
