"""Operations types of the org tree and its users, and the tokens of a login: each reads its row
(models/operations) as its parent; relations resolve through ``info.context.loaders``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from models.operations import Org as OrgRow
from models.operations import User as UserRow
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import OrgKind

if TYPE_CHECKING:
    from schema.operations.types.halls import HallProfile, HallZone

HALLS = "schema.operations.types.halls"


@strawberry.federation.type(keys=["id"], description="机构: a node of the organisation tree")
class Org:
    id: strawberry.ID
    code: str = strawberry.field(description="机构号")
    name: str
    kind: OrgKind
    path: str = strawberry.field(description="ids from the root, '/'-separated")
    tenant_id: strawberry.ID | None
    closed_at: datetime | None = strawberry.field(description="撤销: when it closed; null: open")

    @strawberry.field(description="承接机构: the org that took a closed org's users and customers")
    @staticmethod
    async def successor(parent: strawberry.Parent[OrgRow], info: Info) -> Org | None:
        if parent.successor_id is None:
            return None
        return cast("Org | None", await info.context.loaders.org.load(parent.successor_id))

    @strawberry.field
    @staticmethod
    async def parent(parent: strawberry.Parent[OrgRow], info: Info) -> Org | None:
        if parent.parent_id is None:
            return None
        return cast("Org | None", await info.context.loaders.org.load(parent.parent_id))

    @strawberry.field(description="营业厅档案 (halls only; null elsewhere or out of your scope)")
    @staticmethod
    async def profile(
        parent: strawberry.Parent[OrgRow], info: Info
    ) -> Annotated[HallProfile, strawberry.lazy(HALLS)] | None:
        rows = await info.context.loaders.hall_profile.load(parent.id)
        return cast("HallProfile | None", rows[0] if rows else None)

    @strawberry.field(description="营业厅功能区 (halls only)")
    @staticmethod
    async def zones(
        parent: strawberry.Parent[OrgRow], info: Info
    ) -> list[Annotated[HallZone, strawberry.lazy(HALLS)]]:
        return cast("list[HallZone]", await info.context.loaders.hall_zones.load(parent.id))

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
    permissions: list[str] = strawberry.field(description="extra grants on top of the roles'")
    must_change_password: bool = strawberry.field(description="must change the password at the next login")

    @strawberry.field(description="停用: a disabled user cannot log in")
    @staticmethod
    def disabled(parent: strawberry.Parent[UserRow]) -> bool:
        return parent.disabled_at is not None

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[UserRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> User:
        return entity(cls, await info.context.loaders.user.load(parse_id(id)))


@strawberry.type(description="登录结果: tokens of one login session")
class AuthPayload:
    """Reads resolvers/operations/auth.py ``Tokens``."""

    access_token: str = strawberry.field(description="access token (ES256 JWT, 15 minutes)")
    refresh_token: str = strawberry.field(description="one-use refresh token; sessions end 8 h after login")
    expires_at: datetime = strawberry.field(description="when the access token expires")
    refresh_expires_at: datetime = strawberry.field(description="when the session (refresh token) ends")
    role: str = strawberry.field(description="the active role the tokens carry")
    user: User
