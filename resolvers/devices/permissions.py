"""Who may act on the devices side. The row scopes (scopes.py) say who sees a device or a
configuration item; these say, among those, who may change them."""

from __future__ import annotations

from types import SimpleNamespace

from resolvers.common.errors import forbidden
from security.principal import Principal
from security.roles import Role
from security.scopes import site_scope

# -- issue 16: cmdb (配置库) --------------------------------------------------------------------------
# Who keeps the configuration library (配置管理): the ops engineers (运维工程师) and the managers
# who run the unit's systems — the hall's manager, the bank's head office, the province — each in
# their own subtree. Branch heads and others in scope read it only.
CMDB_WRITERS = frozenset({Role.OPS_ENGINEER, Role.HALL_MANAGER, Role.HQ_ADMIN, Role.PROVINCE_ADMIN})


def require_cmdb_writer(principal: Principal, org_path: str) -> None:
    """FORBIDDEN unless the caller keeps configuration items of the org at ``org_path``."""
    if not (
        principal.has_role(*CMDB_WRITERS) and site_scope(principal).test(SimpleNamespace(org_path=org_path))
    ):
        raise forbidden("无权维护该单位的配置库 (configuration staff of the unit only)")
