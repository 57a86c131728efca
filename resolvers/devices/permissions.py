"""Who may act on the devices side. The row scope (scopes.py) says who sees a device; these say,
among those, who may manage it (credentials, maintenance) and who may send it a command."""

from __future__ import annotations

from resolvers.common.errors import forbidden
from security.principal import Principal
from security.roles import Role

# 设备管理: issue and rotate credentials, register devices, set maintenance.
DEVICE_ADMINS = frozenset({Role.OPS_ENGINEER, Role.HALL_MANAGER, Role.HQ_ADMIN, Role.PROVINCE_ADMIN})
# 远程指令: restart, update content, open a lock … (a lock opens only for the hall's own staff).
COMMANDERS = frozenset({Role.OPS_ENGINEER, Role.HALL_MANAGER})


def require_device_admin(principal: Principal) -> None:
    if principal.active_role not in DEVICE_ADMINS:
        raise forbidden("无权管理设备 (your role cannot manage devices)")


def require_commander(principal: Principal) -> None:
    if principal.active_role not in COMMANDERS:
        raise forbidden("无权向设备下发指令 (your role cannot send device commands)")
