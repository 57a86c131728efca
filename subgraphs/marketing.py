"""Marketing subgraph: opportunities (商机), the pool (商机池) and its QR codes (二维码)."""

from resolvers.marketing.dataloaders import MarketingLoaders
from resolvers.marketing.rules import watch_rules
from schema.marketing.federation import Customer
from schema.marketing.mutations import Mutation
from schema.marketing.queries import Query
from schema.marketing.subscriptions import Subscription
from subgraphs.opportunity_scan import routes as scan_routes
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="marketing",
    schema=build_schema(
        "marketing", query=Query, mutation=Mutation, subscription=Subscription, types=[Customer]
    ),
    loaders=MarketingLoaders,
    jobs=(watch_rules,),
    # Marketing checks the customers its mutations name against the caller's customer scope, read-only,
    # through one module: resolvers/common/customer_directory.py. Its app is registered here for that.
    # It reads operations' orgs and managers (QR codes, statistics) through resolvers/customers/directory.py.
    consumes=("customers", "operations"),
    routes=scan_routes,  # POST /marketing/scan/<token>: the public QR-code intake (大众营销扫码)
)
