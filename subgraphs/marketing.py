"""Marketing subgraph: opportunities (商机)."""

from resolvers.marketing.dataloaders import MarketingLoaders
from resolvers.marketing.mutations import Mutation
from resolvers.marketing.queries import Query
from schema.marketing.types import Customer
from subgraphs.schema import build_schema

schema = build_schema("marketing", query=Query, mutation=Mutation, types=[Customer])
loaders = MarketingLoaders
# Marketing checks the customers its mutations name against the caller's customer scope, read-only,
# through one module: resolvers/common/customer_directory.py. Its app is registered in this process for that.
consumes = ("customers",)
