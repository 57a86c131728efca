"""Finance marketplace subgraph: institutions, products, financing needs, grabbing."""

from resolvers.finance.dataloaders import FinanceLoaders
from resolvers.finance.mutations import Mutation
from resolvers.finance.queries import Query
from resolvers.finance.subscriptions import Subscription
from schema.finance.types import Customer, Org, User
from subgraphs.schema import build_schema

schema = build_schema(query=Query, mutation=Mutation, subscription=Subscription, types=[Org, User, Customer])
loaders = FinanceLoaders
