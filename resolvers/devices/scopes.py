"""Row scopes of the devices subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.scopes import site_scope

device_scope = site_scope  # by the org path of the device's hall
