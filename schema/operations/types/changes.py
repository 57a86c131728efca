"""变更记录: the change request type and its steps (reads models/operations ``ChangeRequest``)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from models.operations import ChangeRequest as ChangeRequestRow
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import ChangeKind, ChangeRisk, ChangeStatus
from schema.operations.federation import Device
from schema.operations.types.orgs import Org


@strawberry.type(description="变更步骤: who moved the change, when, and why")
class ChangeStep:
    from_status: ChangeStatus | None = strawberry.field(description="null: the change was created")
    to_status: ChangeStatus
    actor_id: strawberry.ID
    actor_name: str
    note: str
    created_at: datetime = strawberry.field(name="at")


@strawberry.federation.type(keys=["id"], description="变更记录 (change request)")
class ChangeRequest:
    id: strawberry.ID
    kind: ChangeKind
    title: str
    description: str
    system: str = strawberry.field(description="the system it touches, by name")
    planned_start: datetime
    planned_end: datetime
    risk: ChangeRisk
    rollback_plan: str = strawberry.field(description="回退方案")
    status: ChangeStatus
    result_note: str
    requested_by: strawberry.ID
    approved_by: strawberry.ID | None = strawberry.field(description="who approved or rejected it")
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[ChangeRequestRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @strawberry.field
    @staticmethod
    def device(parent: strawberry.Parent[ChangeRequestRow]) -> Device | None:
        return Device(id=strawberry.ID(str(parent.device_id))) if parent.device_id else None

    @strawberry.field(description="its history, oldest first")
    @staticmethod
    async def steps(parent: strawberry.Parent[ChangeRequestRow], info: Info) -> list[ChangeStep]:
        return cast(list[ChangeStep], await info.context.loaders.change_steps.load(parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> ChangeRequest:
        return entity(cls, await info.context.loaders.change_request.load(parse_id(id)))
