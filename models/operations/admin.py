"""Platform administration (平台管理): teams within an org (团队), and the change history of users
(用户变更历史). Orgs and users themselves are in models/operations/__init__.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.operations import Org, User


class Team(Entity):
    """团队: a named group of users of one org (a marketing team of a branch)."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="teams", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    name = fields.CharField(max_length=64)
    tenant_id = fields.UUIDField(null=True, db_index=True)
    org_path = fields.CharField(max_length=400, db_index=True)  # copied for scope filtering

    class Meta:
        table = "team"
        unique_together = (("org", "name"),)


class TeamMember(Entity):
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "operations.Team", related_name="members", on_delete=fields.CASCADE
    )
    team_id: UUID
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "operations.User", related_name="team_memberships", on_delete=fields.CASCADE
    )
    user_id: UUID

    class Meta:
        table = "team_member"
        unique_together = (("team", "user"),)


class UserChange(Entity):
    """One change of a user (用户变更历史): who made it, when (``created_at``), what (``action``)
    and the changed fields before and after. Never a password or its hash: a password change is
    recorded by name only. ``seq`` numbers a user's changes 1, 2, … (newest-first paging)."""

    user_id = fields.UUIDField(db_index=True)
    seq = fields.IntField()
    actor_id = fields.UUIDField(null=True)  # null: the system (a seed, a job)
    action = fields.CharField(max_length=32)
    before: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    after: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    org_path = fields.CharField(max_length=400, db_index=True)  # the user's org at the time, for scope

    class Meta:
        table = "user_change"
        unique_together = (("user_id", "seq"),)


class RoleDefinition(Entity):
    """角色管理: a built-in role's definition as the platform admin edited it, its functions (功能权限),
    data scope (数据权限) and menus (菜单). No row: the code's defaults (security/functions.py,
    security/roles.py). ``version`` counts the edits: a token carries the version it was issued
    with, and one older than the latest is refused (security/sessions.py ``revoke_role_before``)."""

    role = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=64)
    data_scope = fields.CharField(max_length=16)
    functions: fields.JSONField[list[str]] = fields.JSONField(default=list)
    menus: fields.JSONField[list[str]] = fields.JSONField(default=list)
    version = fields.IntField(default=0)
    updated_by_id = fields.UUIDField(null=True)

    class Meta:
        table = "role_definition"
