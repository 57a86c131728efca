"""Who may act on the devices side. The row scopes (scopes.py) say who sees a device or a
configuration item; these say, among those, who may manage a device (register it, its credential,
maintenance, thresholds), who may send it a command, and who keeps the configuration library."""

from __future__ import annotations

from types import SimpleNamespace

from resolvers.common.errors import forbidden
from security.principal import Principal
from security.roles import Role
from security.scopes import site_scope

# 设备管理 and 配置管理: the ops engineers (运维工程师) and the managers who run the unit's systems —
# the hall's manager, the bank's head office, the province — each in their own subtree. Branch
# heads and others in scope read only.
DEVICE_ADMINS = frozenset({Role.OPS_ENGINEER, Role.HALL_MANAGER, Role.HQ_ADMIN, Role.PROVINCE_ADMIN})
# 远程指令: restart, update content, open a lock … (a lock opens only for the hall's own staff).
COMMANDERS = frozenset({Role.OPS_ENGINEER, Role.HALL_MANAGER})


def require_device_admin(principal: Principal) -> None:
    if principal.active_role not in DEVICE_ADMINS:
        raise forbidden("无权管理设备 (your role cannot manage devices)")


def require_commander(principal: Principal) -> None:
    if principal.active_role not in COMMANDERS:
        raise forbidden("无权向设备下发指令 (your role cannot send device commands)")


def require_cmdb_writer(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller keeps configuration items of the org at ``org_path``."""
    if not (
        principal.has_role(*DEVICE_ADMINS) and site_scope(principal).test(SimpleNamespace(org_path=org_path))
    ):
        raise forbidden("无权维护该单位的配置库 (configuration staff of the unit only)")
