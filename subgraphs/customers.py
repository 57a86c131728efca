"""Customers subgraph: customers, grids, reminders."""

from strawberry.tools import merge_types

from resolvers.customers.contacts import ContactMutation
from resolvers.customers.dataloaders import CustomersLoaders
from resolvers.customers.mutations import Mutation as ReminderMutation
from resolvers.customers.prospects import ProspectMutation, ProspectQuery
from resolvers.customers.queries import Query as CustomerQuery
from resolvers.customers.reminder_jobs import watch_reminders
from resolvers.customers.subscriptions import Subscription
from schema.customers.types import Grid, Org, User
from subgraphs.schema import build_schema

Query = merge_types("Query", (CustomerQuery, ProspectQuery))
Mutation = merge_types("Mutation", (ReminderMutation, ContactMutation, ProspectMutation))
schema = build_schema(
    "customers", query=Query, mutation=Mutation, subscription=Subscription, types=[Org, User, Grid]
)
loaders = CustomersLoaders
jobs = [watch_reminders]  # maturity reminders (resolvers/customers/reminder_jobs.py)
