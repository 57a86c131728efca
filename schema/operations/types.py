"""Operations types: the org tree, users, alerts, login tokens, audit records.

Each reads its row (models/operations, or a result of resolvers/operations) as its parent;
relations resolve through ``info.context.loaders`` (resolvers/operations/dataloaders.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

import strawberry

from models.operations import Alert as AlertRow
from models.operations import Org as OrgRow
from models.operations import User as UserRow
from resolvers.common.values import parse_id
from resolvers.operations.audit import AuditEntry
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import AlertLevel, AlertStatus, OrgKind
from schema.operations.federation import Device


@strawberry.federation.type(keys=["id"], description="机构: a node of the organisation tree")
class Org:
    id: strawberry.ID
    code: str = strawberry.field(description="机构号")
    name: str
    kind: OrgKind
    path: str = strawberry.field(description="ids from the root, '/'-separated")
    tenant_id: strawberry.ID | None

    @strawberry.field
    @staticmethod
    async def parent(parent: strawberry.Parent[OrgRow], info: Info) -> Org | None:
        if parent.parent_id is None:
            return None
        return cast("Org | None", await info.context.loaders.org.load(parent.parent_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Org:
        return entity(cls, await info.context.loaders.org.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="用户")
class User:
    id: strawberry.ID
    username: str
    display_name: str
    roles: list[str]
    tenant_id: strawberry.ID | None

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[UserRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> User:
        return entity(cls, await info.context.loaders.user.load(parse_id(id)))


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


@strawberry.type(description="登录结果: tokens of one login session")
class AuthPayload:
    """Reads resolvers/operations/auth.py ``Tokens``."""

    access_token: str = strawberry.field(description="access token (ES256 JWT, 15 minutes)")
    refresh_token: str = strawberry.field(description="one-use refresh token; sessions end 8 h after login")
    expires_at: datetime = strawberry.field(description="when the access token expires")
    refresh_expires_at: datetime = strawberry.field(description="when the session (refresh token) ends")
    role: str = strawberry.field(description="the active role the tokens carry")
    user: User


def _detail(parent: strawberry.Parent[AuditEntry]) -> str:
    return json.dumps(parent.detail, ensure_ascii=False, sort_keys=True)


@strawberry.type(description="审计记录: one audited action of one subgraph's hash chain")
class AuditRecord:
    """Reads resolvers/operations/audit.py ``AuditEntry``."""

    subgraph: str = strawberry.field(description="whose chain: operations, customers, …")
    seq: int = strawberry.field(description="position in that subgraph's chain")
    occurred_at: datetime
    actor_id: strawberry.ID | None = strawberry.field(description="null: an anonymous attempt")
    actor_username: str | None
    actor_role: str = strawberry.field(description="the role the actor was acting in")
    action: str = strawberry.field(description="a mutation field name, or pii.read, audit.search")
    target_type: str
    target_id: str | None
    result: str = strawberry.field(description="ok, or the error code")
    request_id: str
    detail: str = strawberry.field(
        resolver=_detail, description="extra facts as JSON, e.g. the PII fields read"
    )
    prev_hash: str
    hash: str
