"""Marketing subgraph: opportunities (商机), audiences, the campaign canvas, points and messages."""

from resolvers.marketing.dataloaders import MarketingLoaders
from resolvers.marketing.jobs import deliver_outbox
from resolvers.marketing.waves import watch_campaigns
from schema.marketing.federation import Customer
from schema.marketing.mutations import Mutation
from schema.marketing.queries import Query
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="marketing",
    schema=build_schema("marketing", query=Query, mutation=Mutation, types=[Customer]),
    loaders=MarketingLoaders,
    jobs=(watch_campaigns, deliver_outbox),  # canvas waves; the message outbox (resolvers/marketing/)
    # Marketing checks the customers its mutations name against the caller's customer scope, read-only,
    # through one module: resolvers/common/customer_directory.py. Its app is registered here for that.
    consumes=("customers", "operations", "finance"),
)
