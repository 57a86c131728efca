"""Roles (the people of the platform and their data scopes) and the data scope each grants by
default. What a role may do (its function permissions) is security/functions.py; both are edited
as data (角色管理, resolvers/operations/roles.py) and carried by the token."""

from __future__ import annotations

from enum import StrEnum


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
    NONE = "NONE"  # nothing customers-side


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


# Role names shown to people (角色名称).
ROLE_LABELS: dict[Role, str] = {
    Role.PROVINCE_ADMIN: "省联社管理",
    Role.HQ_ADMIN: "总行业务管理",
    Role.HQ_REVIEWER: "总行业务审核",
    Role.BRANCH_HEAD: "支行行长",
    Role.CUSTOMER_MANAGER: "客户经理",
    Role.FI_ACCOUNT_MANAGER: "金融机构客户经理",
    Role.FI_ADMIN: "金融机构管理员",
    Role.REGULATOR: "政府监管",
    Role.OPERATOR: "运营",
    Role.OPS_ENGINEER: "运维工程师",
    Role.HALL_MANAGER: "营业厅管理",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
    Role.PLATFORM_ADMIN: "平台管理员",
    Role.ENTERPRISE_USER: "企业用户",
    Role.INDIVIDUAL: "个人用户",
    Role.DEVICE: "终端",
}
