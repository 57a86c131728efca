"""Finance marketplace subgraph (001, 003): institutions, products, orders and their handling,
supervision, complaints, statistics, and the grab pool."""

from strawberry.tools import merge_types

from resolvers.finance.catalogue import CatalogueMutation
from resolvers.finance.complaints import ComplaintMutation, ComplaintQuery
from resolvers.finance.dataloaders import FinanceLoaders
from resolvers.finance.handling import HandlingMutation
from resolvers.finance.orders import OrderMutation
from resolvers.finance.queries import FinanceQuery
from resolvers.finance.statistics import StatisticsQuery
from resolvers.finance.subscriptions import Subscription
from resolvers.finance.supervision import SupervisionMutation, watch_deadlines
from schema.finance.federation import Customer, Org, User
from schema.finance.orders import PreCreditOffer
from subgraphs.schema import build_schema

Query = merge_types("Query", (FinanceQuery, ComplaintQuery, StatisticsQuery))
Mutation = merge_types(
    "Mutation",
    (CatalogueMutation, OrderMutation, HandlingMutation, SupervisionMutation, ComplaintMutation),
)

schema = build_schema(
    "finance",
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Org, User, Customer, PreCreditOffer],
)
loaders = FinanceLoaders
jobs = [watch_deadlines]  # started with the app (subgraphs/app.py), one task each per process
# Finance checks the customer an order names (applicantId) against the caller's customer scope,
# read-only, through one module: resolvers/common/customer_directory.py. Its app is registered here for that.
consumes = ("customers",)
