"""通知公告 (announcements, seed 000 工作台 "公告管理"): written by an administrator for an org subtree
(and optionally some roles), published or withdrawn; each reader's 已读 is one row (read receipts)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.operations import Org


class AnnouncementStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿: only its managers see it
    PUBLISHED = "PUBLISHED"  # 已发布: its audience reads it
    WITHDRAWN = "WITHDRAWN"  # 已撤回: gone from the audience, kept with its receipts


class Announcement(Entity):
    """One announcement for the users of ``org``'s subtree holding one of ``roles`` (none: all)."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="announcements", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)  # the target's, for managers' scope
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    # The audience's roles, ``|``-separated with a ``|`` at each end (``|BRANCH_HEAD|``); "": every role.
    roles = fields.CharField(max_length=400, default="")
    status = fields.CharEnumField(AnnouncementStatus, max_length=10, default=AnnouncementStatus.DRAFT)
    published_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    created_by = fields.UUIDField()
    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "announcement"
        indexes = (("org_id", "status"),)
        unique_together = (("created_by", "idempotency_key"),)


class AnnouncementRead(Entity):
    """已读回执: ``user_id`` read ``announcement`` (once: a second mark-read changes nothing)."""

    announcement: fields.ForeignKeyRelation[Announcement] = fields.ForeignKeyField(
        "operations.Announcement", related_name="reads", on_delete=fields.CASCADE
    )
    announcement_id: UUID  # the key column, for the type checker
    user_id = fields.UUIDField(db_index=True)
    org_path = fields.CharField(max_length=400)  # the announcement's, for scope filtering

    class Meta:
        table = "announcement_read"
        unique_together = (("announcement", "user_id"),)
