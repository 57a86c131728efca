"""日志管理 (seed 000 平台管理功能): the login log (登录日志) and the operation log (操作日志: the menu
clicks and time on page the clients report). Written by resolvers/operations/logs.py, read by the
security and audit admins (resolvers/operations/permissions.py ``require_log_reader``)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.common import Entity


class LoginOutcome(StrEnum):
    SUCCESS = "SUCCESS"  # 登录成功
    WRONG_CREDENTIALS = "WRONG_CREDENTIALS"  # 用户名或密码错误 (unknown user included)
    LOCKED_OUT = "LOCKED_OUT"  # 账户临时锁定: refused before the password was checked
    PASSWORD_CHANGE_REQUIRED = "PASSWORD_CHANGE_REQUIRED"  # right password, must be changed first
    NEW_PASSWORD_REFUSED = "NEW_PASSWORD_REFUSED"  # right password, the new one broke the policy
    LOGOUT = "LOGOUT"  # 退出登录


class ClientKind(StrEnum):
    PC = "PC"  # the desktop console
    APP = "APP"  # the H5 / mobile app


class LoginEvent(Entity):
    """登录日志: one login attempt or logout (``created_at`` is when). Never the password."""

    username = fields.CharField(max_length=64)  # as typed (trimmed, cut to 64)
    user_id = fields.UUIDField(null=True, db_index=True)  # when the username is a user's
    tenant_id = fields.UUIDField(null=True)  # the user's; null for an unknown username
    org_path = fields.CharField(max_length=400, null=True)
    outcome = fields.CharEnumField(LoginOutcome, max_length=24)
    address = fields.CharField(max_length=64)  # the client's, as login sees it (client_ip)
    user_agent = fields.CharField(max_length=256, default="")

    class Meta:
        table = "login_event"
        indexes = (("tenant_id", "created_at"), ("created_at",))  # the latter: log_retention's batches


class PageView(Entity):
    """操作日志: one visit to a menu item (菜单点击) and the seconds spent on the page, reported by
    the client in batches. ``view_id`` is the client's id of the visit: a batch sent again stores
    nothing twice."""

    view_id = fields.CharField(max_length=64)
    user_id = fields.UUIDField()
    username = fields.CharField(max_length=64)
    tenant_id = fields.UUIDField(null=True)
    org_path = fields.CharField(max_length=400)
    menu_code = fields.CharField(max_length=64)
    client = fields.CharEnumField(ClientKind, max_length=8)
    entered_at = fields.DatetimeField()
    seconds = fields.IntField()

    class Meta:
        table = "page_view"
        unique_together = (("user_id", "view_id"),)
        indexes = (("tenant_id", "created_at"), ("menu_code", "entered_at"), ("created_at",))
