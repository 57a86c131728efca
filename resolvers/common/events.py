"""Publishing entity events and turning a stream back into entities.

An event carries a JSON snapshot of the entity, so a subscriber resolves its
fields without a database round trip per event per subscriber.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

import strawberry
from tortoise.models import Model

from models.common import EncryptedTextField
from realtime.events import Event

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


async def publish(
    info: strawberry.Info, channel: str, type_: str, obj: Model, tenant_id: UUID | None = None, **scope: Any
) -> Event:
    """Publish ``obj`` after its transaction committed."""
    event = Event(
        type=type_,
        payload=snapshot(obj),
        tenant_id=str(tenant_id) if tenant_id else None,
        scope={key: _jsonable(value) for key, value in scope.items()},
    )
    await info.context.broker.publish(channel, event)
    return event


async def stream(info: strawberry.Info, channel: str, model: type[M]) -> AsyncIterator[tuple[Event, M]]:
    """Events of ``channel`` with their entity restored; authenticated subscribers only."""
    info.context.require_principal()
    async for event in info.context.broker.subscribe(channel):
        yield event, restore(model, event.payload)
