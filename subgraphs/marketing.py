"""Marketing subgraph: opportunities and the pool (商机, 商机池, 二维码), schemes and work orders
(营销方案, 营销工单), audiences (目标客群), the campaign canvas (营销画布) with points (积分) and
messages (短信 / 推送 / 站内信), content (内容管理) and the product knowledge base (产品知识库)."""

from resolvers.marketing.dataloaders import MarketingLoaders
from resolvers.marketing.jobs import (
    deliver_outbox,
    org_changes,
    watch_campaigns,
    watch_rules,
    watch_scheme_lists,
)
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
    jobs=(
        watch_rules,
        watch_scheme_lists,
        watch_campaigns,
        deliver_outbox,
        org_changes,
    ),  # resolvers/marketing/jobs.py
    # Marketing checks the customers its mutations name against the caller's customer scope, read-only,
    # through one module: resolvers/common/customer_directory.py. Its app is registered here for that;
    # and operations', for the approval flows (resolvers/common/approvals.py) and the staff directory
    # schemes, QR codes and statistics check managers and orgs against (resolvers/customers/directory.py).
    # 产品推荐位 and campaign products read the finance marketplace's LISTED products the same way,
    # through resolvers/common/product_directory.py: its app too.
    consumes=("customers", "operations", "finance"),
    routes=scan_routes,  # POST /marketing/scan/<token>: the public QR-code intake (大众营销扫码)
)
