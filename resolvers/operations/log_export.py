"""登录日志 and 操作日志 as XLSX files (openpyxl), as the search finds them, newest first, with
Chinese headers; times in CST (the bank's)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook

from models.operations import LoginEvent, PageView
from resolvers.common.clock import CST
from resolvers.operations.inspection_export import ExportedFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTCOME = {
    "SUCCESS": "登录成功",
    "WRONG_CREDENTIALS": "用户名或密码错误",
    "LOCKED_OUT": "账户锁定",
    "PASSWORD_CHANGE_REQUIRED": "须修改密码",
    "NEW_PASSWORD_REFUSED": "新密码不符合要求",
    "LOGOUT": "退出登录",
}
CLIENT = {"PC": "电脑端", "APP": "移动端"}
LOGIN_HEADER = ["时间", "用户名", "用户ID", "租户", "机构路径", "结果", "IP地址", "客户端"]
VIEW_HEADER = ["上报时间", "进入时间", "用户名", "用户ID", "租户", "机构路径", "菜单编码", "终端", "停留秒数"]


def _at(at: datetime) -> str:
    return f"{at.astimezone(CST):%Y-%m-%d %H:%M:%S}"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _book(title: str, header: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_login_events(rows: Sequence[LoginEvent], moment: datetime) -> ExportedFile:
    body: list[list[object]] = [
        [
            _at(row.created_at),
            row.username,
            _text(row.user_id),
            _text(row.tenant_id),
            _text(row.org_path),
            OUTCOME[row.outcome.value],
            row.address,
            row.user_agent,
        ]
        for row in rows
    ]
    name = f"登录日志-{moment.astimezone(CST):%Y%m%d%H%M%S}.xlsx"
    return ExportedFile(name, XLSX, _book("登录日志", LOGIN_HEADER, body))


def export_page_views(rows: Sequence[PageView], moment: datetime) -> ExportedFile:
    body: list[list[object]] = [
        [
            _at(row.created_at),
            _at(row.entered_at),
            row.username,
            str(row.user_id),
            _text(row.tenant_id),
            row.org_path,
            row.menu_code,
            CLIENT[row.client.value],
            row.seconds,
        ]
        for row in rows
    ]
    name = f"操作日志-{moment.astimezone(CST):%Y%m%d%H%M%S}.xlsx"
    return ExportedFile(name, XLSX, _book("操作日志", VIEW_HEADER, body))
