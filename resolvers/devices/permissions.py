"""Who may act on the devices side. The row scope (scopes.py ``device_scope``) says who sees a
device; these say, among those, who may change how it is watched."""

from __future__ import annotations

from resolvers.common.errors import forbidden
from security.principal import Principal
from security.roles import Role

# -- issue 16: telemetry --
# 阈值: the people who run halls and their devices, and their administrators.
METRIC_ADMINS = frozenset({Role.OPS_ENGINEER, Role.HALL_MANAGER, Role.HQ_ADMIN, Role.PROVINCE_ADMIN})


def require_metric_admin(principal: Principal) -> None:
    """FORBIDDEN unless the caller acts as an ops engineer, hall manager, HQ or province admin
    (the device itself was found in their scope before)."""
    if principal.active_role not in METRIC_ADMINS:
        raise forbidden("仅运维、营业厅及管理人员可设置阈值 (ops, hall managers and admins only)")


# -- end issue 16: telemetry --
