"""Who may act on the devices side. The row scopes (scopes.py) say who sees a device or a
configuration item; these say, among those, who may manage a device (register it, its credential,
maintenance, thresholds), who may send it a command, and who keeps the configuration library."""

from __future__ import annotations

from types import SimpleNamespace

from resolvers.common.errors import forbidden
from resolvers.common.functions import require_function
from security.functions import Function, has_function
from security.principal import Principal
from security.scopes import site_scope

# 设备管理 and 配置管理 (DEVICE_MANAGE): by default the ops engineers (运维工程师) and the managers who
# run the unit's systems — the hall's manager, the bank's head office, the province — each in their
# own subtree. Branch heads and others in scope read only. 远程指令 (DEVICE_COMMAND): restart, update
# content, open a lock … (a lock opens only for the hall's own staff). Who holds each is the role's
# definition (security/functions.py, 角色管理).


def require_device_admin(principal: Principal) -> None:
    require_function(principal, Function.DEVICE_MANAGE, "无权管理设备 (your role cannot manage devices)")


def require_commander(principal: Principal) -> None:
    require_function(
        principal, Function.DEVICE_COMMAND, "无权向设备下发指令 (your role cannot send device commands)"
    )


def require_cmdb_writer(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller keeps configuration items of the org at ``org_path``."""
    if not (
        has_function(principal, Function.DEVICE_MANAGE)
        and site_scope(principal).test(SimpleNamespace(org_path=org_path))
    ):
        raise forbidden("无权维护该单位的配置库 (configuration staff of the unit only)")
