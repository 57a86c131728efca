"""告警: the alert type (reads models/operations ``Alert``)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from models.operations import Alert as AlertRow
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import AlertLevel, AlertStatus
from schema.operations.federation import Device
from schema.operations.types.orgs import Org


@strawberry.federation.type(keys=["id"], description="告警")
class Alert:
    id: strawberry.ID
    level: AlertLevel
    status: AlertStatus
    title: str
    detail: str
    source: str
    created_at: datetime
    count: int = strawberry.field(description="how many times it was raised (repeats of its dedup key)")
    last_seen_at: datetime | None = strawberry.field(description="when it was last raised")

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[AlertRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @strawberry.field
    @staticmethod
    def device(parent: strawberry.Parent[AlertRow]) -> Device | None:
        return Device(id=strawberry.ID(str(parent.device_id))) if parent.device_id else None

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Alert:
        return entity(cls, await info.context.loaders.alert.load(parse_id(id)))
