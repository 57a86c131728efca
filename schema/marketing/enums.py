"""Every enum of the marketing schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.marketing import OpportunityStatus

strawberry.enum(OpportunityStatus, name="OpportunityStatus", description="商机状态")

__all__ = ["OpportunityStatus"]

# 内容管理 / 产品知识库 (issue 17)
from models.marketing import ArticleStatus, KnowledgeKind  # noqa: E402

strawberry.enum(
    ArticleStatus, name="ArticleStatus", description="文章状态: 草稿 / 待审核 / 已发布 / 已驳回 / 回收站"
)
strawberry.enum(
    KnowledgeKind, name="KnowledgeKind", description="知识库条目类型: 产品资讯 / 营销指引 / 常见问题"
)

__all__ += ["ArticleStatus", "KnowledgeKind"]
