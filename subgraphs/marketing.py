"""Marketing subgraph: opportunities (商机)."""

from resolvers.marketing.dataloaders import MarketingLoaders
from resolvers.marketing.mutations import Mutation
from resolvers.marketing.queries import Query
from schema.marketing.types import Customer
from subgraphs.schema import build_schema

schema = build_schema("marketing", query=Query, mutation=Mutation, types=[Customer])
loaders = MarketingLoaders
