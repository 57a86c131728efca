"""日志管理 (seed 000 平台管理功能): the login log (登录日志) and the operation log (操作日志).

The rules, in one place:

- every login attempt is recorded by ``auth.login`` through ``record_login`` — success, wrong
  credentials (an unknown username included), locked out, password change required, new password
  refused — with the username as typed (cut to 64), the user's id, tenant and org path when the
  username is a user's, the client's address and user agent (cut to 256); never the password.
  Login runs outside a transaction, so the row commits on its own even though a failed login
  raises; a logout is recorded too (``record_logout``);
- the clients report menu clicks and time on page in batches (``record_page_views``): at most
  ``MAX_VIEWS`` views, each with the client's own view id (a repeated batch stores nothing twice),
  a menu code of ``MENU_CODE``, the client kind, when the page was entered and the seconds on it;
- the security and audit admins search and export both logs in their log scope
  (permissions.py ``may_read_logs``, scopes.py ``log_scope``); every search and export, allowed
  or refused, is itself an audit record (``logs.search`` / ``logs.export``);
- the menu usage counts (菜单及功能管理) per menu code and client kind over a period;
- 日志保存: ``purge_logs`` (the ``log_retention`` job) deletes login events older than
  ``Rules.login_log_retention_days`` (365) and page views older than ``page_view_retention_days``
  (180), never younger than ``MIN_RETENTION_DAYS`` (180: 网络安全法 第二十一条, network logs kept
  at least six months), in deletes of at most ``log_retention_batch`` rows, each its own short
  transaction, once across replicas (resolvers/common/jobs.py ``exclusive``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.models import Model

from models.operations import ClientKind, LoginEvent, LoginOutcome, PageView, User
from resolvers.common import audit
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import CodedError, ErrorCode, bad_input
from resolvers.common.jobs import exclusive
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.common.rules import Rules
from resolvers.operations.filters import stored
from resolvers.operations.permissions import may_read_logs, require_menu_usage_reader
from resolvers.operations.scopes import log_scope
from security.principal import Principal

MAX_USERNAME = 64
MAX_ADDRESS = 64
MAX_USER_AGENT = 256
MAX_VIEWS = 100  # views in one batch
MAX_SECONDS = 24 * 60 * 60  # on one page
MAX_VIEW_ID = 64
MENU_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,63}")  # e.g. "customers.search", "wb-home"
PAST = timedelta(days=30)  # how old a reported visit may be (a phone offline for a while)
FUTURE = timedelta(minutes=10)  # a client's clock a little ahead
MAX_PERIOD = timedelta(days=366)  # of a menu usage count
EXPORT_LIMIT = 10_000  # rows in one exported file, newest first

SEARCH = "logs.search"
EXPORT = "logs.export"


# -- 登录日志 (login log) -------------------------------------------------------------------------------


@dataclass
class LoginAttempt:
    """One login as it goes: what the client sent and, once found, the user the username names."""

    username: str
    address: str
    user_agent: str
    user: User | None = None


# The refusals of auth.login, by their code; anything else coded is a wrong credential.
OUTCOMES = {
    ErrorCode.ACCOUNT_LOCKED: LoginOutcome.LOCKED_OUT,
    ErrorCode.PASSWORD_CHANGE_REQUIRED: LoginOutcome.PASSWORD_CHANGE_REQUIRED,
    ErrorCode.BAD_USER_INPUT: LoginOutcome.NEW_PASSWORD_REFUSED,
}


def outcome_of(error: CodedError) -> LoginOutcome:
    return OUTCOMES.get(error.code, LoginOutcome.WRONG_CREDENTIALS)


async def record_login(attempt: LoginAttempt, outcome: LoginOutcome) -> None:
    """One row of the login log, committed on its own (login runs outside a transaction)."""
    user = attempt.user
    await LoginEvent.create(
        username=attempt.username.strip()[:MAX_USERNAME],
        user_id=user.id if user else None,
        tenant_id=user.tenant_id if user else None,
        org_path=user.org.path if user else None,
        outcome=outcome,
        address=attempt.address[:MAX_ADDRESS],
        user_agent=attempt.user_agent[:MAX_USER_AGENT],
    )


async def record_logout(principal: Principal, address: str, user_agent: str) -> None:
    await LoginEvent.create(
        username=principal.username[:MAX_USERNAME],
        user_id=principal.user_id,
        tenant_id=principal.tenant_id,
        org_path=principal.org_path,
        outcome=LoginOutcome.LOGOUT,
        address=address[:MAX_ADDRESS],
        user_agent=user_agent[:MAX_USER_AGENT],
    )


# -- 操作日志 (operation log: menu clicks and time on page) -------------------------------------------


@dataclass(frozen=True)
class ViewReport:
    """One visit as the client reports it."""

    view_id: str
    menu_code: str
    client: ClientKind
    entered_at: datetime
    seconds: int


@dataclass(frozen=True)
class Receipt:
    received: int
    stored: int  # new ones; the rest were stored by an earlier batch


def check_views(views: list[ViewReport], moment: datetime) -> None:
    """BAD_USER_INPUT for a batch that is too large, or any view that is malformed."""
    if not views:
        raise bad_input("views must not be empty")
    if len(views) > MAX_VIEWS:
        raise bad_input(f"at most {MAX_VIEWS} views a batch")
    if len({view.view_id for view in views}) != len(views):
        raise bad_input("a viewId appears twice in one batch")
    for view in views:
        if not 1 <= len(view.view_id) <= MAX_VIEW_ID:
            raise bad_input(f"viewId must be 1 to {MAX_VIEW_ID} characters")
        if not MENU_CODE.fullmatch(view.menu_code):
            raise bad_input(f"菜单编码格式不正确 (menuCode must match {MENU_CODE.pattern})")
        if not 0 <= view.seconds <= MAX_SECONDS:
            raise bad_input(f"停留时长须在 0 到 {MAX_SECONDS} 秒之间 (seconds out of range)")
        if view.entered_at.tzinfo is None:
            raise bad_input("enteredAt needs a time zone offset")
        if not moment - PAST <= view.entered_at <= moment + FUTURE:
            raise bad_input("enteredAt must be within the last 30 days")


async def record_page_views(principal: Principal, views: list[ViewReport]) -> Receipt:
    """The caller's visits, stored with their user, tenant and org path; a view id already stored
    for the caller is skipped (a batch sent twice, or two at once: the unique key decides)."""
    check_views(views, now())
    ids = [view.view_id for view in views]
    async with change("operations", "PageView") as audited:
        seen = set(
            await PageView.filter(user_id=principal.user_id, view_id__in=ids).values_list(
                "view_id", flat=True
            )
        )
        fresh = [
            PageView(
                view_id=view.view_id,
                user_id=principal.user_id,
                username=principal.username,
                tenant_id=principal.tenant_id,
                org_path=principal.org_path,
                menu_code=view.menu_code,
                client=view.client,
                entered_at=view.entered_at,
                seconds=view.seconds,
            )
            for view in views
            if view.view_id not in seen
        ]
        if fresh:
            await PageView.bulk_create(fresh, ignore_conflicts=True)
        audited.detail = {"received": len(views), "stored": len(fresh)}
    return Receipt(received=len(views), stored=len(fresh))


# -- 日志保存 (retention) ----------------------------------------------------------------------------

MIN_RETENTION_DAYS = 180  # 网络安全法 第二十一条: 留存网络日志不少于六个月
RETENTION_LOCK = 0x5D_C0_1C  # pg advisory lock key: one purge batch at a time across replicas


async def _purge(model: type[Model], before: datetime, batch: int, batches: int) -> int:
    """Rows of ``model`` recorded before ``before``, deleted ``batch`` at a time (each its own
    transaction, so no delete holds locks long), at most ``batches`` times; the rows deleted."""
    deleted = 0
    for _ in range(batches):
        async with exclusive("operations", RETENTION_LOCK) as mine:
            if not mine:  # another replica is purging
                return deleted
            ids = await model.filter(created_at__lt=before).limit(batch).values_list("id", flat=True)
            if ids:
                deleted += await model.filter(id__in=ids).delete()
        if len(ids) < batch:
            break
    return deleted


async def purge_logs(rules: Rules, moment: datetime | None = None) -> int:
    """One retention run over both logs; the rows deleted."""
    moment = moment or now()
    batch, batches = max(rules.log_retention_batch, 1), max(rules.log_retention_batches, 1)
    deleted = 0
    for model, days in (
        (LoginEvent, rules.login_log_retention_days),
        (PageView, rules.page_view_retention_days),
    ):
        before = moment - timedelta(days=max(days, MIN_RETENTION_DAYS))
        deleted += await _purge(model, before, batch, batches)
    return deleted


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginEventFilter:
    """Every given condition must hold."""

    user: str | None = None  # a username (as typed) or a user id
    outcome: LoginOutcome | None = None
    address: str | None = None
    from_: datetime | None = None  # at or after
    to: datetime | None = None  # before


@dataclass(frozen=True)
class PageViewFilter:
    user: str | None = None  # a username or a user id
    menu_code: str | None = None
    client: ClientKind | None = None
    from_: datetime | None = None  # recorded at or after
    to: datetime | None = None  # before


def _user(value: str) -> Q:
    try:
        return Q(user_id=UUID(value))
    except ValueError:
        return Q(username=value)


def _period(from_: datetime | None, to: datetime | None) -> Q:
    q = Q()
    if from_:
        q &= Q(created_at__gte=stored(from_))
    if to:
        q &= Q(created_at__lt=stored(to))
    return q


def login_conditions(filter: LoginEventFilter | None) -> Q:
    if filter is None:
        return Q()
    q = _period(filter.from_, filter.to)
    if filter.user:
        q &= _user(filter.user)
    if filter.outcome:
        q &= Q(outcome=filter.outcome)
    if filter.address:
        q &= Q(address=filter.address)
    return q


def view_conditions(filter: PageViewFilter | None) -> Q:
    if filter is None:
        return Q()
    q = _period(filter.from_, filter.to)
    if filter.user:
        q &= _user(filter.user)
    if filter.menu_code:
        q &= Q(menu_code=filter.menu_code)
    if filter.client:
        q &= Q(client=filter.client)
    return q


def describe(filter: LoginEventFilter | PageViewFilter | None) -> dict[str, str]:
    """The filter as the search's own audit record tells it (GraphQL argument names)."""
    if filter is None:
        return {}
    values: dict[str, Any] = {
        "user": filter.user,
        "from": filter.from_.isoformat() if filter.from_ else None,
        "to": filter.to.isoformat() if filter.to else None,
    }
    if isinstance(filter, LoginEventFilter):
        values |= {"outcome": filter.outcome, "address": filter.address}
    else:
        values |= {"menuCode": filter.menu_code, "client": filter.client}
    return {key: str(value) for key, value in values.items() if value}


@dataclass
class _Read:
    action: str
    target: str
    detail: dict[str, Any] = field(default_factory=dict)


async def _allowed(principal: Principal, read: _Read) -> None:
    """FORBIDDEN unless the caller reads logs; the refusal is itself recorded."""
    if not may_read_logs(principal):
        await audit.record_now(
            action=read.action,
            target=audit.Target(read.target),
            result=ErrorCode.FORBIDDEN,
            detail=read.detail,
        )
        raise CodedError(
            ErrorCode.FORBIDDEN, "只有安全管理员和审计管理员可以查看日志 (security and audit admins only)"
        )


async def _search(
    principal: Principal, model: type[Model], conditions: Q, read: _Read, first: int, after: str | None
) -> Page[Any]:
    await _allowed(principal, read)
    page = await paginate(
        scoped(principal, model, log_scope).filter(conditions), first, after, newest_first=True
    )
    await audit.record_now(action=read.action, target=audit.Target(read.target), detail=read.detail)
    return page


async def _export(principal: Principal, model: type[Model], conditions: Q, read: _Read) -> list[Any]:
    """The rows of an export: newest first, at most ``EXPORT_LIMIT``; the export is recorded."""
    await _allowed(principal, read)
    queryset = scoped(principal, model, log_scope).filter(conditions)
    rows = await queryset.order_by("-created_at", "-id").limit(EXPORT_LIMIT)
    detail = {**read.detail, "rows": len(rows)}
    await audit.record_now(action=read.action, target=audit.Target(read.target), detail=detail)
    return rows


async def search_login_events(
    principal: Principal, filter: LoginEventFilter | None, first: int, after: str | None
) -> Page[LoginEvent]:
    """登录日志查询: newest first, in the caller's log scope."""
    read = _Read(SEARCH, "LoginEvent", {"filter": describe(filter)})
    return await _search(principal, LoginEvent, login_conditions(filter), read, first, after)


async def search_page_views(
    principal: Principal, filter: PageViewFilter | None, first: int, after: str | None
) -> Page[PageView]:
    """操作日志查询: newest first (by when the client reported them), in the caller's log scope."""
    read = _Read(SEARCH, "PageView", {"filter": describe(filter)})
    return await _search(principal, PageView, view_conditions(filter), read, first, after)


async def login_events_to_export(principal: Principal, filter: LoginEventFilter | None) -> list[LoginEvent]:
    read = _Read(EXPORT, "LoginEvent", {"filter": describe(filter)})
    return await _export(principal, LoginEvent, login_conditions(filter), read)


async def page_views_to_export(principal: Principal, filter: PageViewFilter | None) -> list[PageView]:
    read = _Read(EXPORT, "PageView", {"filter": describe(filter)})
    return await _export(principal, PageView, view_conditions(filter), read)


@dataclass(frozen=True)
class MenuUsage:
    menu_code: str
    client: ClientKind
    views: int
    users: int  # distinct users
    seconds: int  # on the page, in total


async def menu_usage(
    principal: Principal, from_: datetime, to: datetime, client: ClientKind | None = None
) -> list[MenuUsage]:
    """菜单使用统计: visits per menu code and client kind entered in [from, to), most visited
    first, in the caller's log scope; one statement."""
    require_menu_usage_reader(principal)
    if from_.tzinfo is None or to.tzinfo is None:
        raise bad_input("from and to need a time zone offset")
    if not from_ < to <= from_ + MAX_PERIOD:
        raise bad_input("to must be after from, at most 366 days later")
    queryset = scoped(principal, PageView, log_scope).filter(
        entered_at__gte=stored(from_), entered_at__lt=stored(to)
    )
    if client is not None:
        queryset = queryset.filter(client=client)
    rows = (
        await queryset.annotate(
            views=Count("id"), users=Count("user_id", distinct=True), total=Sum("seconds")
        )
        .group_by("menu_code", "client")
        .order_by("-views", "menu_code", "client")
        .values("menu_code", "client", "views", "users", "total")
    )
    return [
        MenuUsage(
            menu_code=row["menu_code"],
            client=ClientKind(row["client"]),
            views=int(row["views"]),
            users=int(row["users"]),
            seconds=int(row["total"] or 0),
        )
        for row in rows
    ]
