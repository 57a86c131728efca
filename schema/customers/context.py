"""What every customers field receives as ``info``: the request context with the customers loaders
(resolvers/customers/dataloaders.py), typed."""

from __future__ import annotations

import strawberry

from resolvers.customers.dataloaders import CustomersLoaders
from schema.common.context import Context

Info = strawberry.Info[Context[CustomersLoaders], None]
