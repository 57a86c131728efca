"""``info`` of every operations field: the request context with the operations loaders."""

from __future__ import annotations

import strawberry

from resolvers.operations.dataloaders import OperationsLoaders
from schema.common.context import Context

Info = strawberry.Info[Context[OperationsLoaders], None]
