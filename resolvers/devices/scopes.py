"""Row scopes of the devices subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.conditions import Cond, Everything
from security.principal import Principal
from security.scopes import site_scope

device_scope = site_scope  # by the org path of the device's hall


# -- issue 16: cmdb (配置库) --------------------------------------------------------------------------
# A configuration item carries its owning org's path (as a device its hall's); its changes carry
# the item's. Relations are read only by the ids of items already read in scope, both ends
# checked by the item and device loaders (schema/devices/cmdb.py), never as a root list.
config_item_scope = site_scope
config_change_scope = site_scope


def config_relation_scope(p: Principal) -> Cond:
    """Through its items only: no condition of its own."""
    return Everything()
