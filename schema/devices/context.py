"""``info`` of every devices field: the request context with the devices loaders."""

from __future__ import annotations

import strawberry

from resolvers.devices.dataloaders import DevicesLoaders
from schema.common.context import Context

Info = strawberry.Info[Context[DevicesLoaders], None]
