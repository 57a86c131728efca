"""通知公告 (announcements): an administrator writes one for an org subtree and, optionally, some
roles (scopes.py ``announcement_*``), publishes or withdraws it; each reader marks it read once
(已读回执), and its managers see who of its audience read it and how many have not.

Every id an input names is read through the caller's scope: an org or an announcement out of it
is NOT_FOUND, as an unknown one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from models.operations import Announcement, AnnouncementRead, AnnouncementStatus, Org, User
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.scopes import (
    ANNOUNCEMENT_AUTHORS,
    announcement_manager_scope,
    announcement_reader_scope,
    announcement_scope,
    org_scope,
)
from security.principal import Principal
from security.roles import Role

S = AnnouncementStatus
MAX_TITLE = 200
MAX_BODY = 20_000


@dataclass(frozen=True)
class AnnouncementDraft:
    org_id: UUID
    title: str
    body: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Receipts:
    """已读回执 of one announcement: its audience now, and how many of it have read it."""

    audience: int
    read: int

    @property
    def unread(self) -> int:
        return self.audience - self.read


def roles_key(roles: Sequence[str]) -> str:
    """``["A", "B"]`` → ``"|A|B|"`` (Announcement.roles); none → ``""`` (every role).
    An unknown role is BAD_USER_INPUT."""
    unknown = [r for r in roles if r not in Role.__members__]
    if unknown:
        raise bad_input(f"未知角色 (unknown roles): {', '.join(unknown)}")
    ordered = sorted(set(roles))
    return "|" + "|".join(ordered) + "|" if ordered else ""


def roles_of(key: str) -> list[str]:
    return [r for r in key.split("|") if r]


def _check_text(title: str, body: str) -> None:
    if not title.strip() or len(title) > MAX_TITLE:
        raise bad_input(f"标题须为 1 至 {MAX_TITLE} 个字符 (title must be 1 to {MAX_TITLE} characters)")
    if not body.strip() or len(body) > MAX_BODY:
        raise bad_input(f"正文须为 1 至 {MAX_BODY} 个字符 (body must be 1 to {MAX_BODY} characters)")


def _require_author(principal: Principal) -> None:
    if not principal.has_role(*ANNOUNCEMENT_AUTHORS):
        raise forbidden("仅管理员可发布公告 (administrators only)")


async def _target(principal: Principal, org_id: UUID) -> Org:
    """The org an announcement is for: one the caller sees and manages (NOT_FOUND otherwise)."""
    org = await scoped(principal, Org, org_scope).get_or_none(id=org_id)
    if org is None or not announcement_manager_scope(principal).test(SimpleNamespace(org_path=org.path)):
        raise not_found("org")
    return org


async def managed(principal: Principal, id: UUID) -> Announcement:
    """An announcement the caller manages; FORBIDDEN for one they only read, NOT_FOUND otherwise."""
    _require_author(principal)
    row = await scoped(principal, Announcement, announcement_scope).get_or_none(id=id)
    if row is None:
        raise not_found("announcement")
    if not announcement_manager_scope(principal).test(row):
        raise forbidden("无权管理该公告 (not an announcement you manage)")
    return row


async def create_announcement(
    principal: Principal, draft: AnnouncementDraft, publish: bool, idempotency_key: str | None
) -> Announcement:
    """A DRAFT announcement (PUBLISHED at once with ``publish``); a retry with the same key gets the
    first one back (the same key with another title or target is CONFLICT)."""
    _require_author(principal)
    _check_text(draft.title, draft.body)
    roles = roles_key(draft.roles)
    key = check_key(idempotency_key)
    org = await _target(principal, draft.org_id)
    async with change("operations", "Announcement") as audited:

        async def create() -> Announcement:
            return await Announcement.create(
                org=org,
                org_path=org.path,
                title=draft.title,
                body=draft.body,
                roles=roles,
                status=S.PUBLISHED if publish else S.DRAFT,
                published_at=now() if publish else None,
                created_by=principal.user_id,
                idempotency_key=key,
            )

        row, created = await once(
            "operations",
            key,
            lambda: Announcement.get_or_none(created_by=principal.user_id, idempotency_key=key),
            create,
        )
        audited.id = row.id
        if not created:
            if (row.org_id, row.title, row.roles) != (org.id, draft.title, roles):
                raise conflict("幂等键已用于另一公告 (idempotencyKey already used for another announcement)")
            audited.detail["repeated"] = True
    return row


async def update_announcement(principal: Principal, id: UUID, draft: AnnouncementDraft) -> Announcement:
    """Edit a DRAFT announcement: its text, target and roles (a published one is withdrawn first)."""
    _check_text(draft.title, draft.body)
    roles = roles_key(draft.roles)
    row = await managed(principal, id)
    org = await _target(principal, draft.org_id)
    async with change("operations", "Announcement", row.id):
        await transition(
            Announcement,
            row.id,
            (S.DRAFT, S.WITHDRAWN),
            "公告已发布，请先撤回再修改 (withdraw a published announcement before editing it)",
            org_path=org.path,
            title=draft.title,
            body=draft.body,
            roles=roles,
            org_id=org.id,
        )
    return await Announcement.get(id=row.id)


async def publish_announcement(principal: Principal, id: UUID) -> Announcement:
    """DRAFT or WITHDRAWN → PUBLISHED; publishing a published one again changes nothing."""
    return await _move(principal, id, S.PUBLISHED, (S.DRAFT, S.WITHDRAWN), None, published_at=now())


async def withdraw_announcement(principal: Principal, id: UUID) -> Announcement:
    """PUBLISHED → WITHDRAWN (its receipts are kept); withdrawing a withdrawn one changes nothing."""
    message = "草稿不能撤回 (only a published announcement can be withdrawn)"
    return await _move(principal, id, S.WITHDRAWN, (S.PUBLISHED,), message, withdrawn_at=now())


async def _move(
    principal: Principal,
    id: UUID,
    to: AnnouncementStatus,
    leaving: tuple[AnnouncementStatus, ...],
    message: str | None,
    **values: Any,
) -> Announcement:
    """A managed announcement from ``leaving`` to ``to`` (already there: unchanged), in one
    conditional UPDATE; from another state: CONFLICT with ``message`` (None: left as it is)."""
    row = await managed(principal, id)
    if row.status is to:
        return row
    async with change("operations", "Announcement", row.id):
        await transition(Announcement, row.id, leaving, message, status=to, **values)
    return await Announcement.get(id=row.id)


async def mark_read(principal: Principal, id: UUID) -> Announcement:
    """已读: the caller read an announcement addressed to them (NOT_FOUND otherwise). Idempotent:
    the receipt is unique per reader, a repeat (or a twin at once) keeps the first."""
    row = await scoped(principal, Announcement, announcement_reader_scope).get_or_none(id=id)
    if row is None:
        raise not_found("announcement")
    if await AnnouncementRead.exists(announcement_id=row.id, user_id=principal.user_id):
        return row
    async with change("operations", "AnnouncementRead", row.id) as audited:
        try:
            async with in_transaction("operations"):  # a savepoint: a twin's receipt wins
                await AnnouncementRead.create(
                    announcement=row, user_id=principal.user_id, org_path=row.org_path
                )
        except IntegrityError:
            audited.detail["repeated"] = True
    return row


def _unread(principal: Principal) -> Q:
    mine = AnnouncementRead.filter(user_id=principal.user_id).values("announcement_id")
    return ~Q(id__in=Subquery(mine))


async def list_announcements(
    principal: Principal, first: int, after: str | None, unread_only: bool = False
) -> Page[Announcement]:
    """通知公告 addressed to the caller, newest first (optionally only those not read yet)."""
    queryset = scoped(principal, Announcement, announcement_reader_scope)
    if unread_only:
        queryset = queryset.filter(_unread(principal))
    return await paginate(queryset, first, after, newest_first=True)


async def unread_count(principal: Principal) -> int:
    """未读公告数: one statement."""
    return await scoped(principal, Announcement, announcement_reader_scope).filter(_unread(principal)).count()


async def list_managed(
    principal: Principal, first: int, after: str | None, status: AnnouncementStatus | None = None
) -> Page[Announcement]:
    """公告管理: the announcements the caller manages, in every state, newest first."""
    _require_author(principal)
    queryset = scoped(principal, Announcement, announcement_manager_scope)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after, newest_first=True)


async def receipts(announcements: Sequence[Announcement]) -> list[Receipts]:
    """Each announcement's audience (the users of its subtree with one of its roles, now) and how
    many of them have read it: two statements for any number of announcements."""
    if not announcements:
        return []
    paths = {a.org_path for a in announcements}
    under = reduce(or_, (Q(org__path=p) | Q(org__path__startswith=p + "/") for p in paths))
    users = await User.filter(under).values_list("id", "roles", "org__path")
    reads: dict[str, set[str]] = defaultdict(set)
    for announcement_id, user_id in await AnnouncementRead.filter(
        announcement_id__in=[a.id for a in announcements]
    ).values_list("announcement_id", "user_id"):
        reads[str(announcement_id)].add(str(user_id))
    answers = []
    for a in announcements:
        wanted = set(roles_of(a.roles))
        audience = {
            str(uid)
            for uid, held, path in users
            if (path == a.org_path or str(path).startswith(a.org_path + "/"))
            and (not wanted or wanted & set(held or ()))
        }
        answers.append(Receipts(audience=len(audience), read=len(audience & reads[str(a.id)])))
    return answers
