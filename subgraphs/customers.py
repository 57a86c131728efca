"""Customers subgraph: customers, grids, reminders."""

from resolvers.customers.dataloaders import CustomersLoaders
from resolvers.customers.mutations import Mutation
from resolvers.customers.queries import Query
from resolvers.customers.subscriptions import Subscription
from schema.customers.types import Grid, Org, User
from subgraphs.schema import build_schema

schema = build_schema(query=Query, mutation=Mutation, subscription=Subscription, types=[Org, User, Grid])
loaders = CustomersLoaders
