"""Operations subgraph: orgs, users, alerts."""

from resolvers.operations.dataloaders import OperationsLoaders
from resolvers.operations.mutations import Mutation
from resolvers.operations.queries import Query
from resolvers.operations.subscriptions import Subscription
from subgraphs.schema import build_schema

schema = build_schema(query=Query, mutation=Mutation, subscription=Subscription)
loaders = OperationsLoaders
