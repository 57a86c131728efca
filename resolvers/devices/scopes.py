"""Row scopes of the devices subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.conditions import Cond, Everything
from security.principal import Principal
from security.scopes import site_scope

device_scope = site_scope  # by the org path of the device's hall
# A device's history and commands carry the device's org path; a configuration item (配置库) its
# owning org's path (as a device its hall's), and its changes the item's.
status_change_scope = site_scope
command_scope = site_scope
config_item_scope = site_scope
config_change_scope = site_scope


def through_parent(p: Principal) -> Cond:
    """Rows read only through a parent already in the caller's scope, never as roots: a device's
    credentials; a relation between configuration items, both ends checked by the item and device
    loaders (schema/devices/types/cmdb.py). No condition of their own."""
    return Everything()
