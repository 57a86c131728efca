"""Row scopes of the devices subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.conditions import Cond, Everything
from security.principal import Principal
from security.scopes import site_scope

device_scope = site_scope  # by the org path of the device's hall
# a device's history and commands: by the device's org path, copied on the row
status_change_scope = site_scope
command_scope = site_scope


def through_device(p: Principal) -> Cond:
    """Rows read only through a device already in the caller's scope (its credentials), never as
    roots: no further condition."""
    return Everything()
