"""Platform administration types (平台管理): teams (团队), a user's change history (用户变更历史) and
a temporary password handed out once. Each reads its row (models/operations/admin.py) or the
resolver's value; relations resolve through ``info.context.loaders``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

import strawberry

from models.operations import Team as TeamRow
from models.operations import UserChange as UserChangeRow
from schema.operations.context import Info
from schema.operations.types.orgs import Org, User


@strawberry.type(description="团队: a named group of users of one org")
class Team:
    id: strawberry.ID
    name: str

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[TeamRow], info: Info) -> Org | None:
        return cast("Org | None", await info.context.loaders.org.load(parent.org_id))

    @strawberry.field(description="members you see, by id")
    @staticmethod
    async def members(parent: strawberry.Parent[TeamRow], info: Info) -> list[User]:
        rows = await info.context.loaders.team_members.load(parent.id)
        users = await info.context.loaders.user.load_many([row.user_id for row in rows])
        return [cast(User, user) for user in users if user is not None]


def _json(value: dict[str, object]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@strawberry.type(description="用户变更历史: one change of a user: who, when, what (no passwords)")
class UserChange:
    id: strawberry.ID
    seq: int = strawberry.field(description="the user's changes numbered 1, 2, …")
    action: str = strawberry.field(
        description="CREATED, UPDATED, DISABLED, ENABLED, UNLOCKED, PASSWORD_RESET, PASSWORD_CHANGED"
    )
    actor_id: strawberry.ID | None = strawberry.field(description="who made it; null: the system")

    @strawberry.field(description="when")
    @staticmethod
    def at(parent: strawberry.Parent[UserChangeRow]) -> datetime:
        return parent.created_at

    @strawberry.field(description="the changed fields before, as JSON")
    @staticmethod
    def before(parent: strawberry.Parent[UserChangeRow]) -> str:
        return _json(parent.before)

    @strawberry.field(description="the changed fields after, as JSON")
    @staticmethod
    def after(parent: strawberry.Parent[UserChangeRow]) -> str:
        return _json(parent.after)

    @strawberry.field(description="who made it (null: the system, or a user you do not see)")
    @staticmethod
    async def actor(parent: strawberry.Parent[UserChangeRow], info: Info) -> User | None:
        if parent.actor_id is None:
            return None
        return cast("User | None", await info.context.loaders.user.load(parent.actor_id))


@strawberry.type(description="临时密码: shown this once; the user must change it at the next login")
class IssuedPassword:
    """Reads resolvers/operations/users.py ``IssuedPassword``."""

    user: User
    temporary_password: str
