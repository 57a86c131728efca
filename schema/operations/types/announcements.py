"""通知公告: the announcement type, its reader's read flag and its managers' read receipts (reads
models/operations ``Announcement`` through resolvers/operations/announcements.py)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from models.operations import Announcement as AnnouncementRow
from models.operations import AnnouncementRead as AnnouncementReadRow
from resolvers.common.errors import forbidden
from resolvers.operations.announcements import Receipts, roles_of
from resolvers.operations.scopes import announcement_manager_scope
from schema.operations.context import Info
from schema.operations.enums import AnnouncementStatus
from schema.operations.types.orgs import Org, User


@strawberry.type(description="已读回执: one reader of an announcement")
class AnnouncementReceipt:
    created_at: datetime = strawberry.field(name="readAt")

    @strawberry.field(description="the reader; null when no longer in the caller's scope")
    @staticmethod
    async def user(parent: strawberry.Parent[AnnouncementReadRow], info: Info) -> User | None:
        return cast("User | None", await info.context.loaders.user.load(parent.user_id))


@strawberry.type(description="通知公告")
class Announcement:
    id: strawberry.ID
    title: str
    body: str
    status: AnnouncementStatus
    published_at: datetime | None
    withdrawn_at: datetime | None
    created_at: datetime
    created_by: strawberry.ID = strawberry.field(description="its author (a User id)")

    @strawberry.field(description="the org whose subtree it is addressed to")
    @staticmethod
    async def org(parent: strawberry.Parent[AnnouncementRow], info: Info) -> Org | None:
        return cast("Org | None", await info.context.loaders.org.load(parent.org_id))

    @strawberry.field(description="the roles it is addressed to; empty: every role")
    @staticmethod
    def roles(parent: strawberry.Parent[AnnouncementRow]) -> list[str]:
        return roles_of(parent.roles)

    @strawberry.field(description="已读: whether the caller has marked it read")
    @staticmethod
    async def read(parent: strawberry.Parent[AnnouncementRow], info: Info) -> bool:
        return bool(await info.context.loaders.my_announcement_reads.load(parent.id))

    @strawberry.field(
        description="已读回执 counts: its audience now (the users of its org's subtree with one of its "
        "roles), how many of them have read it and how many have not; its managers only (FORBIDDEN "
        "otherwise)"
    )
    @staticmethod
    async def audience_count(parent: strawberry.Parent[AnnouncementRow], info: Info) -> int:
        return (await _receipts(parent, info)).audience

    @strawberry.field(description="已读人数 of its audience; its managers only")
    @staticmethod
    async def read_count(parent: strawberry.Parent[AnnouncementRow], info: Info) -> int:
        return (await _receipts(parent, info)).read

    @strawberry.field(description="未读人数 of its audience; its managers only")
    @staticmethod
    async def unread_count(parent: strawberry.Parent[AnnouncementRow], info: Info) -> int:
        return (await _receipts(parent, info)).unread

    @strawberry.field(description="已读回执: who has read it, first reader first; its managers only")
    @staticmethod
    async def receipts(
        parent: strawberry.Parent[AnnouncementRow], info: Info, first: int = 100
    ) -> list[AnnouncementReceipt]:
        _require_manager(parent, info)
        rows = await info.context.loaders.announcement_reads.load(parent.id)
        return cast(list[AnnouncementReceipt], rows[: max(0, min(first, 1000))])


async def _receipts(parent: AnnouncementRow, info: Info) -> Receipts:
    _require_manager(parent, info)
    return await info.context.loaders.announcement_receipts.load(parent)


def _require_manager(parent: AnnouncementRow, info: Info) -> None:
    if not announcement_manager_scope(info.context.require_principal()).test(parent):
        raise forbidden("仅公告管理员可查看回执 (read receipts are for its managers)")
