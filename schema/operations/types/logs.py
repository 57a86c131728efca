"""日志管理: the login log, the operation log and the menu usage counts (each reads its row or
record from models/operations/logs.py and resolvers/operations/logs.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.operations import LoginEvent as LoginEventRow
from models.operations import PageView as PageViewRow
from schema.operations.enums import ClientKind, LoginOutcome


def _occurred_at(parent: strawberry.Parent[LoginEventRow]) -> datetime:
    return parent.created_at


def _recorded_at(parent: strawberry.Parent[PageViewRow]) -> datetime:
    return parent.created_at


@strawberry.type(description="登录日志: one login attempt or logout (never the password)")
class LoginEvent:
    id: strawberry.ID
    occurred_at: datetime = strawberry.field(resolver=_occurred_at)
    username: str = strawberry.field(description="as typed (cut to 64 characters)")
    user_id: strawberry.ID | None = strawberry.field(description="null: the username is no user's")
    tenant_id: strawberry.ID | None
    org_path: str | None
    outcome: LoginOutcome
    address: str = strawberry.field(description="the client's IP address")
    user_agent: str = strawberry.field(description="the client's User-Agent (cut to 256 characters)")


@strawberry.type(description="操作日志: one visit to a menu item and the seconds spent on the page")
class PageView:
    id: strawberry.ID
    view_id: str = strawberry.field(description="the client's id of the visit")
    user_id: strawberry.ID
    username: str
    tenant_id: strawberry.ID | None
    org_path: str
    menu_code: str
    client: ClientKind
    entered_at: datetime
    seconds: int = strawberry.field(description="停留时长 on the page")
    recorded_at: datetime = strawberry.field(
        description="when the client's report arrived", resolver=_recorded_at
    )


@strawberry.type(description="上报结果: views received, and those new (the rest were stored before)")
class PageViewReceipt:
    received: int
    stored: int


@strawberry.type(description="菜单使用统计: visits of one menu item from one client kind in the period")
class MenuUsage:
    menu_code: str
    client: ClientKind
    views: int
    users: int = strawberry.field(description="distinct users")
    seconds: int = strawberry.field(description="time on the page, in total")
