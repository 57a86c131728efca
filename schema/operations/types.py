"""Operations types: the org tree, users, alerts.

Relations resolve through ``info.context.loaders`` (resolvers/operations/dataloaders.py).
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.federation.schema_directives import Key

from models.operations import AlertLevel, AlertStatus, OrgKind
from resolvers.common.values import parse_id
from schema.common.events import StreamEvent
from schema.common.federation import entity

OrgKindEnum = strawberry.enum(OrgKind, name="OrgKind", description="机构类型")
AlertLevelEnum = strawberry.enum(AlertLevel, name="AlertLevel")
AlertStatusEnum = strawberry.enum(AlertStatus, name="AlertStatus")


@strawberry.federation.type(keys=["id"], description="机构: a node of the organisation tree")
class Org:
    id: strawberry.ID
    code: str = strawberry.field(description="机构号")
    name: str
    kind: OrgKindEnum
    path: str = strawberry.field(description="ids from the root, '/'-separated")
    tenant_id: strawberry.ID | None

    @strawberry.field
    async def parent(self, info: strawberry.Info) -> Org | None:
        parent_id = self.parent_id  # type: ignore[attr-defined]
        return await info.context.loaders.org.load(parent_id) if parent_id else None

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Org | None:
        return entity(cls, await info.context.loaders.org.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="用户")
class User:
    id: strawberry.ID
    username: str
    display_name: str
    roles: list[str]
    tenant_id: strawberry.ID | None

    @strawberry.field
    async def org(self, info: strawberry.Info) -> Org:
        return await info.context.loaders.org.load(self.org_id)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> User | None:
        return entity(cls, await info.context.loaders.user.load(parse_id(id)))


@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)])
class Device:
    """Owned by the devices subgraph."""

    id: strawberry.ID


@strawberry.federation.type(keys=["id"], description="告警")
class Alert:
    id: strawberry.ID
    level: AlertLevelEnum
    status: AlertStatusEnum
    title: str
    detail: str
    source: str
    created_at: datetime

    @strawberry.field
    async def org(self, info: strawberry.Info) -> Org:
        return await info.context.loaders.org.load(self.org_id)  # type: ignore[attr-defined]

    @strawberry.field
    def device(self) -> Device | None:
        device_id = self.device_id  # type: ignore[attr-defined]
        return Device(id=device_id) if device_id else None

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Alert | None:
        return entity(cls, await info.context.loaders.alert.load(parse_id(id)))


@strawberry.type(description="告警事件")
class AlertEvent(StreamEvent):
    alert: Alert
