"""告警: the alert type (reads models/operations ``Alert``), its history (``AlertAction``), and the
routing rules (告警路由, ``AlertRoute``) and silences (维护窗口, ``AlertSilence``)."""

from __future__ import annotations

from datetime import datetime
from typing import cast
from uuid import UUID

import strawberry

from models.operations import Alert as AlertRow
from models.operations import AlertAction as AlertActionRow
from models.operations import AlertRoute as AlertRouteRow
from models.operations import AlertSilence as AlertSilenceRow
from resolvers.common.clock import now
from resolvers.common.values import parse_id
from resolvers.operations.alert_policies import decode_roles
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import AlertActionKind, AlertLevel, AlertStatus
from schema.operations.federation import Device
from schema.operations.types.orgs import Org, User


async def _user(info: Info, user_id: object) -> User | None:
    """A user by id as the caller may see them (null: the platform, or someone out of scope)."""
    if user_id is None:
        return None
    return cast("User | None", await info.context.loaders.user.load(cast(UUID, user_id)))


@strawberry.type(description="告警处理记录: one step of an alert's lifecycle")
class AlertAction:
    id: strawberry.ID
    action: AlertActionKind
    note: str
    created_at: datetime

    @strawberry.field(description="who took the step; null: the platform (or someone you do not see)")
    @staticmethod
    async def actor(parent: strawberry.Parent[AlertActionRow], info: Info) -> User | None:
        return await _user(info, parent.actor_id)


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
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    silenced: bool = strawberry.field(description="raised during a silence (维护窗口): recorded, not pushed")
    incident_id: strawberry.ID | None = strawberry.field(
        description="the incident (故障事件) this unacknowledged critical alert became"
    )

    @strawberry.field(description="告警路由: the roles it is routed to; empty: every role in scope")
    @staticmethod
    def routed_roles(parent: strawberry.Parent[AlertRow]) -> list[str]:
        return decode_roles(parent.routed_roles)

    @strawberry.field
    @staticmethod
    async def acknowledged_by(parent: strawberry.Parent[AlertRow], info: Info) -> User | None:
        return await _user(info, parent.acknowledged_by)

    @strawberry.field
    @staticmethod
    async def resolved_by(parent: strawberry.Parent[AlertRow], info: Info) -> User | None:
        return await _user(info, parent.resolved_by)

    @strawberry.field(description="告警处理记录: every step, oldest first")
    @staticmethod
    async def history(parent: strawberry.Parent[AlertRow], info: Info) -> list[AlertAction]:
        return cast(list[AlertAction], await info.context.loaders.alert_history.load(parent.id))

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


@strawberry.type(
    description="告警路由: alerts of an org subtree, a source (or any), at a level or above → roles"
)
class AlertRoute:
    id: strawberry.ID
    source: str | None = strawberry.field(description="the alerts' source; null: any")
    min_level: AlertLevel
    roles: list[str]
    created_at: datetime

    @strawberry.field(description="the subtree's root")
    @staticmethod
    async def org(parent: strawberry.Parent[AlertRouteRow], info: Info) -> Org | None:
        return cast("Org | None", await info.context.loaders.org.load(parent.org_id))


@strawberry.type(description="维护窗口: alerts matching it while active are recorded but flagged silenced")
class AlertSilence:
    id: strawberry.ID
    source: str | None = strawberry.field(description="only alerts of this source; null: any")
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_at: datetime

    @strawberry.field(description="the subtree's root")
    @staticmethod
    async def org(parent: strawberry.Parent[AlertSilenceRow], info: Info) -> Org | None:
        return cast("Org | None", await info.context.loaders.org.load(parent.org_id))

    @strawberry.field(description="only alerts about this device; null: any")
    @staticmethod
    def device(parent: strawberry.Parent[AlertSilenceRow]) -> Device | None:
        return Device(id=strawberry.ID(str(parent.device_id))) if parent.device_id else None

    @strawberry.field(description="in force now")
    @staticmethod
    def active(parent: strawberry.Parent[AlertSilenceRow]) -> bool:
        return parent.starts_at <= now() < parent.ends_at
