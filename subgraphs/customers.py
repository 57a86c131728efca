"""Customers subgraph: customers, grids, reminders."""

from strawberry.tools import merge_types

from resolvers.customers.consents import ConsentMutation, ConsentQuery
from resolvers.customers.contacts import ContactMutation
from resolvers.customers.dataloaders import CustomersLoaders
from resolvers.customers.grids import GridMutation, GridQuery
from resolvers.customers.groups import GroupMutation, GroupQuery
from resolvers.customers.ownership import OwnershipMutation
from resolvers.customers.prospects import ProspectMutation, ProspectQuery
from resolvers.customers.queries import Query as CustomerQuery
from resolvers.customers.reminder_jobs import watch_reminders
from resolvers.customers.reminders import ReminderMutation, ReminderQuery
from resolvers.customers.subscriptions import Subscription
from resolvers.customers.tiering import TierChangeMutation, TieringQuery, TierSchemeMutation
from schema.customers.types import Grid, Org, User
from subgraphs.schema import build_schema

Query = merge_types(
    "Query", (CustomerQuery, ProspectQuery, ReminderQuery, TieringQuery, GroupQuery, GridQuery, ConsentQuery)
)
Mutation = merge_types(
    "Mutation",
    (
        ReminderMutation,
        ContactMutation,
        ProspectMutation,
        OwnershipMutation,
        TierSchemeMutation,
        TierChangeMutation,
        GroupMutation,
        GridMutation,
        ConsentMutation,
    ),
)
schema = build_schema(
    "customers", query=Query, mutation=Mutation, subscription=Subscription, types=[Org, User, Grid]
)
loaders = CustomersLoaders
jobs = [watch_reminders]  # generated reminders (resolvers/customers/reminder_jobs.py)
# Customers reads operations' staff directory (users, orgs), read-only, through one module:
# resolvers/customers/directory.py. Its app is registered in this process for that.
consumes = ("operations",)
