"""Field-level rules for sensitive values (隐私数据 / 数据脱敏): who sees a value in
full, masked, or not at all, and how each kind is masked. One place for the rule; the
schema applies it with a field extension on the sensitive fields only."""

from __future__ import annotations

from enum import Enum

from security.functions import Function, active_permissions
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import role_scope


class Visibility(Enum):
    FULL = "FULL"
    MASKED = "MASKED"
    HIDDEN = "HIDDEN"  # null, with a FORBIDDEN error on the field


class PiiKind(Enum):
    ID_NUMBER = "ID_NUMBER"  # 身份证号 / 统一社会信用代码
    PHONE = "PHONE"  # 手机号
    ADDRESS = "ADDRESS"  # 地址
    NAME = "NAME"  # 联系人姓名


def visibility(principal: Principal, is_owner: bool) -> Visibility:
    """Regulators never see an individual's identifiers (hidden in the regulator's view);
    the owner (管户 manager, or the account manager who grabbed the order) with the PII
    permission sees them in full; institution staff see nothing of what they do not own;
    everyone else in scope sees them masked."""
    if principal.has_role(Role.REGULATOR):
        return Visibility.HIDDEN
    if is_owner and Function.PII_FULL in active_permissions(principal):
        return Visibility.FULL
    if role_scope(principal) is Scope.INSTITUTION:
        return Visibility.HIDDEN
    return Visibility.MASKED


def mask(kind: PiiKind, value: str) -> str:
    if kind is PiiKind.ID_NUMBER:  # 5201**********1234
        return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)
    if kind is PiiKind.PHONE:  # 138****5678
        return value[:3] + "****" + value[-4:] if len(value) >= 7 else "*" * len(value)
    if kind is PiiKind.NAME:  # 张*
        return value[:1] + "*" * max(len(value) - 1, 1)
    return value[:6] + "****"  # address: the district, not the street
