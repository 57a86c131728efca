"""What every finance field receives as ``info``: the request context with finance's loaders."""

from __future__ import annotations

import strawberry

from resolvers.finance.dataloaders import FinanceLoaders
from schema.common.context import Context

Info = strawberry.Info[Context[FinanceLoaders], None]
