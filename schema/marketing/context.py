"""``info`` of every marketing field: the request context with the marketing loaders."""

from __future__ import annotations

import strawberry

from resolvers.marketing.dataloaders import MarketingLoaders
from schema.common.context import Context

Info = strawberry.Info[Context[MarketingLoaders], None]
