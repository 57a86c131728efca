"""Function permissions (功能权限) and menus (菜单及功能管理): the catalogue, and each built-in role's
default functions and menus. The role definitions (角色管理) are data: a platform admin edits a
role's functions, data scope (数据权限) and menus (resolvers/operations/roles.py), and tokens carry
the active role's CURRENT functions (claim ``perms``) and data scope (claim ``scope``). The gateway's
``@requiresScopes`` names functions and reads ``perms``; the subgraphs ask ``require_function``
here, which reads the same claim: one source. What is not in a token (a principal built in a test
or by ``dcms token`` of old) falls back to the defaults here, today's behaviour.

The roles themselves are the built-in set (security/roles.py ``Role``): kinds of staff whose
behaviour code knows. What differs by identity (a customer's managers, an order's institution) or
by row (the scope rules) stays with the role and the scopes, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from security.roles import Role

if TYPE_CHECKING:
    from security.principal import Principal


class Function(StrEnum):
    """What a role may do (功能权限). Also the extra grants a user may hold on top of a role."""

    PII_FULL = "PII_FULL"  # see sensitive fields of own customers unmasked (every read audited)
    WHOLE_BANK_SEARCH = "WHOLE_BANK_SEARCH"  # 全行客户搜索
    AUDIT_READ = "AUDIT_READ"  # search the audit trail
    MANAGE_PERMISSIONS = "MANAGE_PERMISSIONS"  # grant roles and permissions
    ORDER_GRAB = "ORDER_GRAB"  # 抢单: grabNeed, grabApplication
    LOG_READ = "LOG_READ"  # 日志管理: loginEvents, pageViews and their exports
    MENU_USAGE_READ = "MENU_USAGE_READ"  # 菜单使用频率: menuUsage, usage counts of menus
    USER_MANAGE = "USER_MANAGE"  # 用户管理
    ORG_MANAGE = "ORG_MANAGE"  # 机构管理, 团队
    ROLE_READ = "ROLE_READ"  # 角色查看
    ROLE_MANAGE = "ROLE_MANAGE"  # 角色管理: updateRole
    DEVICE_MANAGE = "DEVICE_MANAGE"  # 设备管理, 配置管理
    DEVICE_COMMAND = "DEVICE_COMMAND"  # 远程指令


FUNCTION_LABELS: dict[Function, str] = {
    Function.PII_FULL: "查看敏感信息",
    Function.WHOLE_BANK_SEARCH: "全行客户搜索",
    Function.AUDIT_READ: "审计日志查询",
    Function.MANAGE_PERMISSIONS: "授权",
    Function.ORDER_GRAB: "抢单",
    Function.LOG_READ: "日志管理",
    Function.MENU_USAGE_READ: "菜单使用频率",
    Function.USER_MANAGE: "用户管理",
    Function.ORG_MANAGE: "机构管理",
    Function.ROLE_READ: "角色查看",
    Function.ROLE_MANAGE: "角色管理",
    Function.DEVICE_MANAGE: "设备管理",
    Function.DEVICE_COMMAND: "远程指令",
}

_R = Role
# Who holds each function by default: today's behaviour, unchanged while no role row is edited.
_DEFAULT_HOLDERS: dict[Function, frozenset[Role]] = {
    Function.PII_FULL: frozenset(
        {_R.CUSTOMER_MANAGER, _R.FI_ACCOUNT_MANAGER, _R.ENTERPRISE_USER, _R.INDIVIDUAL}
    ),
    Function.WHOLE_BANK_SEARCH: frozenset(),  # an extra grant only
    Function.AUDIT_READ: frozenset({_R.AUDIT_ADMIN}),
    Function.MANAGE_PERMISSIONS: frozenset({_R.SECURITY_ADMIN, _R.PLATFORM_ADMIN}),
    Function.ORDER_GRAB: frozenset({_R.FI_ACCOUNT_MANAGER}),
    Function.LOG_READ: frozenset({_R.SECURITY_ADMIN, _R.AUDIT_ADMIN}),
    Function.MENU_USAGE_READ: frozenset(
        {_R.SECURITY_ADMIN, _R.AUDIT_ADMIN, _R.PLATFORM_ADMIN, _R.PROVINCE_ADMIN, _R.HQ_ADMIN}
    ),
    Function.USER_MANAGE: frozenset({_R.SECURITY_ADMIN}),
    Function.ORG_MANAGE: frozenset({_R.PLATFORM_ADMIN, _R.HQ_ADMIN}),
    Function.ROLE_READ: frozenset({_R.PLATFORM_ADMIN, _R.SECURITY_ADMIN, _R.AUDIT_ADMIN}),
    Function.ROLE_MANAGE: frozenset({_R.PLATFORM_ADMIN}),
    Function.DEVICE_MANAGE: frozenset({_R.OPS_ENGINEER, _R.HALL_MANAGER, _R.HQ_ADMIN, _R.PROVINCE_ADMIN}),
    Function.DEVICE_COMMAND: frozenset({_R.OPS_ENGINEER, _R.HALL_MANAGER}),
}

DEFAULT_FUNCTIONS: dict[Role, frozenset[Function]] = {
    role: frozenset(f for f, holders in _DEFAULT_HOLDERS.items() if role in holders) for role in Role
}

# 三员分立 (security/duties.py): functions only these roles may ever carry, whatever a role edit
# says: user management stays with the security admin, the audit trail with the audit admin,
# role definitions with the platform admin.
RESERVED: dict[Function, frozenset[Role]] = {
    Function.USER_MANAGE: frozenset({_R.SECURITY_ADMIN}),
    Function.AUDIT_READ: frozenset({_R.AUDIT_ADMIN}),
    Function.MANAGE_PERMISSIONS: frozenset({_R.SECURITY_ADMIN, _R.PLATFORM_ADMIN}),
    Function.ROLE_MANAGE: frozenset({_R.PLATFORM_ADMIN}),
}
# Functions some enabled user must always be able to use: without one nobody could administer
# users, orgs or roles again (a role edit that removes the last is refused, LAST_ADMIN).
KEPT: tuple[Function, ...] = (Function.USER_MANAGE, Function.ORG_MANAGE, Function.ROLE_MANAGE)


# The client kind a menu belongs to: PC (the desktop consoles) or APP (the H5 / mobile app), the
# values of models/operations/logs.py ClientKind the page views report.
Client = Literal["PC", "APP"]


@dataclass(frozen=True)
class Menu:
    """A menu item (菜单). ``code`` is the menu code the clients report in their page views
    (resolvers/operations/logs.py ``MENU_CODE``), so its usage counts are the menuUsage rows."""

    code: str
    label: str
    client: Client
    roles: frozenset[Role]  # who sees it by default
    function: Function | None = None  # shown only while the role holds it


def _menu(
    code: str, label: str, client: Client, roles: Iterable[Role], function: Function | None = None
) -> Menu:
    return Menu(code, label, client, frozenset(roles), function)


_STAFF = (_R.CUSTOMER_MANAGER, _R.BRANCH_HEAD, _R.HQ_ADMIN, _R.HQ_REVIEWER)
_FI = (_R.FI_ACCOUNT_MANAGER, _R.FI_ADMIN)
_APPLICANTS = (_R.ENTERPRISE_USER, _R.INDIVIDUAL)
_ADMINS = (_R.PLATFORM_ADMIN, _R.SECURITY_ADMIN, _R.AUDIT_ADMIN, _R.PROVINCE_ADMIN, _R.HQ_ADMIN)
PC: Client = "PC"
APP: Client = "APP"

MENUS: tuple[Menu, ...] = (
    # 客户经理工作台 (H5)
    _menu("wb.home", "工作台", APP, _STAFF),
    _menu("wb.customers", "我的客户", APP, _STAFF),
    _menu("wb.search", "客户搜索", APP, _STAFF),
    _menu("wb.schedule", "日程", APP, _STAFF),
    _menu("wb.opportunities", "商机", APP, _STAFF),
    _menu("wb.workorders", "工单", APP, _STAFF),
    _menu("wb.schemes", "分层方案", APP, _STAFF),
    _menu("wb.me", "我的", APP, _STAFF),
    # 抢单 (H5, institution staff)
    _menu("grab.pool", "抢单池", APP, _FI, Function.ORDER_GRAB),
    _menu("grab.orders", "我的订单", APP, _FI),
    # 融资申请 (H5, applicants)
    _menu("applicant.home", "我的订单", APP, _APPLICANTS),
    _menu("applicant.products", "金融超市", APP, _APPLICANTS),
    _menu("applicant.complaints", "我的投诉", APP, _APPLICANTS),
    # 监管端 (PC)
    _menu("regulator.orders", "订单监管", PC, (_R.REGULATOR, _R.OPERATOR)),
    _menu("regulator.complaints", "投诉复核", PC, (_R.REGULATOR, _R.OPERATOR)),
    _menu("regulator.stats", "市场统计", PC, (_R.REGULATOR, _R.OPERATOR)),
    _menu("regulator.warnings", "督办预警", PC, (_R.REGULATOR, _R.OPERATOR)),
    # 平台管理 (PC)
    _menu("admin.users", "用户管理", PC, _ADMINS, Function.USER_MANAGE),
    _menu("admin.user-changes", "用户变更历史", PC, _ADMINS, Function.AUDIT_READ),
    _menu("admin.applicants", "注册审核", PC, (_R.OPERATOR,)),
    _menu("admin.orgs", "机构管理", PC, _ADMINS, Function.ORG_MANAGE),
    _menu("admin.roles", "角色管理", PC, _ADMINS, Function.ROLE_READ),
    _menu("admin.menus", "菜单及功能管理", PC, _ADMINS, Function.MENU_USAGE_READ),
    _menu("admin.logs", "日志管理", PC, _ADMINS, Function.LOG_READ),
    _menu("admin.page-views", "操作日志", PC, _ADMINS, Function.LOG_READ),
    _menu("admin.parameters", "参数管理", PC, (_R.PLATFORM_ADMIN, _R.HQ_ADMIN, _R.AUDIT_ADMIN)),
    _menu("admin.reports", "业务报表", PC, (_R.PLATFORM_ADMIN, _R.PROVINCE_ADMIN, _R.HQ_ADMIN)),
)
MENU_BY_CODE: dict[str, Menu] = {menu.code: menu for menu in MENUS}

DEFAULT_MENUS: dict[Role, tuple[str, ...]] = {
    role: tuple(m.code for m in MENUS if role in m.roles) for role in Role
}


def visible_menus(
    menu_codes: Iterable[str], functions: Iterable[str], client: Client | None = None
) -> list[Menu]:
    """The role's menus (catalogue order) it can use: those needing a function only while it is held."""
    chosen, held = set(menu_codes), set(functions)
    return [
        m
        for m in MENUS
        if m.code in chosen
        and (client is None or m.client == client)
        and (m.function is None or m.function in held)
    ]


def functions_of(principal: Principal) -> frozenset[str]:
    """What the principal may do now: the functions its token carries for its active role (the role
    table's, at issue), else that role's defaults; with its extra grants."""
    if principal.functions is not None:
        return principal.functions | principal.permissions
    try:
        defaults: frozenset[str] = frozenset(DEFAULT_FUNCTIONS[Role(principal.active_role)])
    except ValueError:
        defaults = frozenset()  # an unknown role does nothing
    return defaults | principal.permissions


def has_function(principal: Principal, function: Function) -> bool:
    return function in functions_of(principal)


def permissions_of(roles: Iterable[str], extra: Iterable[str] = ()) -> frozenset[Function]:
    """Every function the roles carry by default, plus extra grants: what 三员分立 weighs across all
    of a user's roles (security/duties.py)."""
    held: set[Function] = {Function(p) for p in extra if p in Function.__members__}
    for role in roles:
        if role in Role.__members__:
            held |= DEFAULT_FUNCTIONS[Role(role)]
    return frozenset(held)


def active_permissions(principal: Principal) -> frozenset[Function]:
    """What the principal may do now (``functions_of``), as functions."""
    return frozenset(Function(f) for f in functions_of(principal) if f in Function.__members__)
