"""Marketing subgraph: opportunities (商机), schemes and work orders (营销方案, 营销工单)."""

from resolvers.marketing.dataloaders import MarketingLoaders
from resolvers.marketing.scheme_jobs import watch_scheme_lists
from schema.marketing.federation import Customer
from schema.marketing.mutations import Mutation
from schema.marketing.queries import Query
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="marketing",
    schema=build_schema("marketing", query=Query, mutation=Mutation, types=[Customer]),
    loaders=MarketingLoaders,
    # Marketing checks the customers its mutations name against the caller's customer scope, read-only,
    # through one module: resolvers/common/customer_directory.py. Its app is registered here for that;
    # and operations', for the approval flows (resolvers/common/approvals.py) and the staff directory
    # schemes check managers and orgs against (resolvers/customers/directory.py), read-only.
    # 产品推荐位 read the finance marketplace's LISTED products the same way, through
    # resolvers/common/product_directory.py: its app too.
    consumes=("customers", "operations", "finance"),
    jobs=(watch_scheme_lists,),  # target lists and work orders of running schemes (scheme_jobs.py)
)
