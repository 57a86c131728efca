"""Roles (the people of the platform and their data scopes), the data scope each grants, and
the permissions a role carries by default. One table, one place to change a rule."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from security.principal import Principal


class Role(StrEnum):
    PROVINCE_ADMIN = "PROVINCE_ADMIN"  # 省联社管理
    HQ_ADMIN = "HQ_ADMIN"  # 总行业务管理
    HQ_REVIEWER = "HQ_REVIEWER"  # 总行业务审核
    BRANCH_HEAD = "BRANCH_HEAD"  # 支行行长
    CUSTOMER_MANAGER = "CUSTOMER_MANAGER"  # 客户经理
    FI_ACCOUNT_MANAGER = "FI_ACCOUNT_MANAGER"  # 金融机构客户经理
    FI_ADMIN = "FI_ADMIN"  # 金融机构管理员
    REGULATOR = "REGULATOR"  # 政府监管
    OPERATOR = "OPERATOR"  # 运营
    OPS_ENGINEER = "OPS_ENGINEER"  # 运维工程师
    HALL_MANAGER = "HALL_MANAGER"  # 营业厅管理
    SECURITY_ADMIN = "SECURITY_ADMIN"  # 安全管理员
    AUDIT_ADMIN = "AUDIT_ADMIN"  # 审计管理员
    PLATFORM_ADMIN = "PLATFORM_ADMIN"  # 平台管理员
    ENTERPRISE_USER = "ENTERPRISE_USER"  # 企业用户
    INDIVIDUAL = "INDIVIDUAL"  # 个人用户
    DEVICE = "DEVICE"  # 终端 / 交互单元


class Scope(StrEnum):
    ALL = "ALL"  # every tenant
    TENANT = "TENANT"  # own tenant
    SUBTREE = "SUBTREE"  # 辖内: own org subtree
    OWN = "OWN"  # 管户: primary, assisting, custodian (until custody ends)
    GRID = "GRID"  # own grids
    INSTITUTION = "INSTITUTION"  # own financial institution
    SELF = "SELF"  # only one's own records
    NONE = "NONE"


class Permission(StrEnum):
    PII_FULL = "PII_FULL"  # see sensitive fields of own customers unmasked (every read audited)
    WHOLE_BANK_SEARCH = "WHOLE_BANK_SEARCH"  # 全行客户搜索
    AUDIT_READ = "AUDIT_READ"  # search the audit trail
    MANAGE_PERMISSIONS = "MANAGE_PERMISSIONS"  # grant roles and permissions


# The data scope a role sees customers-side data in.
ROLE_SCOPE: dict[Role, Scope] = {
    Role.PROVINCE_ADMIN: Scope.ALL,
    Role.HQ_ADMIN: Scope.TENANT,
    Role.HQ_REVIEWER: Scope.TENANT,
    Role.BRANCH_HEAD: Scope.SUBTREE,
    Role.CUSTOMER_MANAGER: Scope.OWN,
    Role.FI_ACCOUNT_MANAGER: Scope.INSTITUTION,
    Role.FI_ADMIN: Scope.INSTITUTION,
    Role.REGULATOR: Scope.ALL,
    Role.OPERATOR: Scope.ALL,
    Role.OPS_ENGINEER: Scope.SUBTREE,
    Role.HALL_MANAGER: Scope.SUBTREE,
    Role.SECURITY_ADMIN: Scope.NONE,
    Role.AUDIT_ADMIN: Scope.NONE,
    Role.PLATFORM_ADMIN: Scope.TENANT,
    Role.ENTERPRISE_USER: Scope.SELF,
    Role.INDIVIDUAL: Scope.SELF,
    Role.DEVICE: Scope.SELF,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CUSTOMER_MANAGER: frozenset({Permission.PII_FULL}),
    Role.FI_ACCOUNT_MANAGER: frozenset({Permission.PII_FULL}),  # for the orders they grabbed
    Role.ENTERPRISE_USER: frozenset({Permission.PII_FULL}),  # their own orders
    Role.INDIVIDUAL: frozenset({Permission.PII_FULL}),
    Role.AUDIT_ADMIN: frozenset({Permission.AUDIT_READ}),
    Role.SECURITY_ADMIN: frozenset({Permission.MANAGE_PERMISSIONS}),
    Role.PLATFORM_ADMIN: frozenset({Permission.MANAGE_PERMISSIONS}),
}


def permissions_of(roles: Iterable[str], extra: Iterable[str] = ()) -> frozenset[Permission]:
    """Every permission the roles carry by default, plus extra grants."""
    held: set[Permission] = {Permission(p) for p in extra if p in Permission.__members__}
    for role in roles:
        if role in Role.__members__:
            held |= ROLE_PERMISSIONS.get(Role(role), frozenset())
    return frozenset(held)


def active_permissions(principal: Principal) -> frozenset[Permission]:
    """What the principal may do now: its active role's permissions and its extra grants."""
    return permissions_of((principal.active_role,), principal.permissions)
