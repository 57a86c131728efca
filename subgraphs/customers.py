"""Customers subgraph: customers, grids, reminders (docs/customers.md)."""

from resolvers.customers.dataloaders import CustomersLoaders
from resolvers.customers.jobs import applicant_links, org_changes, watch_reminders, watch_reports
from schema.customers.federation import Org, User
from schema.customers.mutations import Mutation
from schema.customers.queries import Query
from schema.customers.subscriptions import Subscription
from schema.customers.types.grids import Grid
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

schema = build_schema(
    "customers", query=Query, mutation=Mutation, subscription=Subscription, types=[Org, User, Grid]
)
loaders = CustomersLoaders
jobs = [
    watch_reminders,
    watch_reports,
    org_changes,
    applicant_links,
]  # reminders, monthly reports, the org tree's changes, approved applicants (resolvers/customers/jobs.py)
# Customers reads operations' staff directory (users, orgs), read-only, through one module:
# resolvers/customers/directory.py. Its app is registered in this process for that.
consumes = ("operations",)
spec = SubgraphSpec(name="customers", schema=schema, loaders=loaders, jobs=tuple(jobs), consumes=consumes)
