"""Finance marketplace subgraph (金融大数据服务平台 / 普惠金融平台): institutions, products, orders and
their handling, supervision, complaints, statistics, and the grab pool."""

from resolvers.finance.dataloaders import FinanceLoaders
from resolvers.finance.jobs import institutions_onboarded, watch_deadlines
from schema.finance.federation import Customer, Org, User
from schema.finance.mutations import Mutation
from schema.finance.queries import Query
from schema.finance.subscriptions import Subscription
from schema.finance.types.orders import PreCreditOffer
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="finance",
    schema=build_schema(
        "finance",
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Org, User, Customer, PreCreditOffer],
    ),
    loaders=FinanceLoaders,
    # the SLA deadline check; the institutions operations onboards (resolvers/finance/jobs.py)
    jobs=(watch_deadlines, institutions_onboarded),
    # Finance checks the customer an order names (applicantId) against the caller's customer scope,
    # read-only, through one module: resolvers/common/customer_directory.py (its app is registered here);
    # and the approval flows of operations (resolvers/common/approvals.py), read-only.
    consumes=("customers", "operations"),
)
