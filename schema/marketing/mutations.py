"""Every root mutation of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry

from models.marketing import SchemeKind
from resolvers.common.values import parse_id
from resolvers.marketing import content, knowledge, performance, pool, reports, scan
from resolvers.marketing.audiences import create_audience
from resolvers.marketing.campaigns import (
    cancel_campaign,
    create_campaign,
    create_template,
    record_response,
    schedule_campaign,
    send_down_template,
)
from resolvers.marketing.content import ArticleFields, Attachment
from resolvers.marketing.messages import mark_read
from resolvers.marketing.opportunities import create_opportunity
from resolvers.marketing.points import spend_points
from resolvers.marketing.schemes import (
    Allocation,
    IndicatorDraft,
    SchemeDraft,
    Share,
    allocate_targets,
    close_scheme,
    create_scheme,
    review_scheme,
    split_indicator,
    start_scheme,
    submit_scheme,
    update_scheme,
)
from resolvers.marketing.waves import rerun_wave
from resolvers.marketing.work_orders import Feedback, give_feedback, start_work_order
from schema.marketing.context import Info
from schema.marketing.enums import WorkReportPeriod
from schema.marketing.inputs import (
    AllocateTargetsInput,
    ArticleInput,
    BranchTargetInput,
    ConvertOpportunityInput,
    CreateAudienceInput,
    CreateCampaignInput,
    CreateCampaignTemplateInput,
    CreateOpportunityInput,
    CreateQrCodeInput,
    CreateSchemeInput,
    FollowUpInput,
    KnowledgeEntryInput,
    PerformanceIndicatorInput,
    ReturnWorkReportInput,
    SchemeInput,
    SplitBranchTargetInput,
    SplitIndicatorInput,
    UpdateWorkReportInput,
    WorkOrderFeedbackInput,
)
from schema.marketing.types.audiences import Audience
from schema.marketing.types.canvas import Campaign, CampaignTemplate, CampaignWave
from schema.marketing.types.content import Article, KnowledgeEntry, RecommendationSlot
from schema.marketing.types.messages import InboxMessage
from schema.marketing.types.opportunities import FollowUp, Opportunity, QrCode
from schema.marketing.types.performance import PerformanceIndicator, PerformanceTarget
from schema.marketing.types.points import PointsEntry
from schema.marketing.types.reports import WorkReport
from schema.marketing.types.schemes import MarketingScheme, WorkOrder


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(description="登记商机", authenticated=True)
    async def create_opportunity(self, info: Info, input: CreateOpportunityInput) -> Opportunity:
        principal = info.context.require_principal()
        customer_id = parse_id(input.customer_id, "customerId")
        opportunity = await create_opportunity(
            principal, customer_id, input.title, product_name=input.product_name, source=input.source
        )
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(description="保存目标客群", authenticated=True)
    async def create_audience(self, info: Info, input: CreateAudienceInput) -> Audience:
        principal = info.context.require_principal()
        audience = await create_audience(principal, input.name, input.criteria.plain(), input.idempotency_key)
        return cast(Audience, audience)

    # -- 营销方案 and 营销工单 ---------------------------------------------------------------------

    @strawberry.federation.mutation(description="创建营销方案 (草稿)", authenticated=True)
    async def create_marketing_scheme(self, info: Info, input: CreateSchemeInput) -> MarketingScheme:
        principal = info.context.require_principal()
        scheme = await create_scheme(principal, SchemeKind(input.kind), _draft(input), input.idempotency_key)
        return cast(MarketingScheme, scheme)

    @strawberry.federation.mutation(description="修改营销方案 (仅草稿)", authenticated=True)
    async def update_marketing_scheme(
        self, info: Info, id: strawberry.ID, input: SchemeInput
    ) -> MarketingScheme:
        scheme = await update_scheme(info.context.require_principal(), parse_id(id), _draft(input))
        return cast(MarketingScheme, scheme)

    @strawberry.federation.mutation(description="提交审核", authenticated=True)
    async def submit_marketing_scheme(self, info: Info, id: strawberry.ID) -> MarketingScheme:
        return cast(MarketingScheme, await submit_scheme(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(description="审核营销方案 (通过 / 驳回)", authenticated=True)
    async def review_marketing_scheme(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> MarketingScheme:
        scheme = await review_scheme(info.context.require_principal(), parse_id(id), approve, comment)
        return cast(MarketingScheme, scheme)

    @strawberry.federation.mutation(description="开始执行 (生成目标名单与工单)", authenticated=True)
    async def start_marketing_scheme(self, info: Info, id: strawberry.ID) -> MarketingScheme:
        return cast(MarketingScheme, await start_scheme(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(description="结束营销方案", authenticated=True)
    async def close_marketing_scheme(self, info: Info, id: strawberry.ID) -> MarketingScheme:
        return cast(MarketingScheme, await close_scheme(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="分解指标 (总行到机构, 支行负责人到客户经理)", authenticated=True
    )
    async def split_scheme_indicator(self, info: Info, input: SplitIndicatorInput) -> MarketingScheme:
        principal = info.context.require_principal()
        scheme_id = parse_id(input.scheme_id, "schemeId")
        shares = [Share(parse_id(s.assignee_id, "assigneeId"), s.target) for s in input.shares]
        await split_indicator(principal, scheme_id, input.kind, input.level, shares)
        return cast(MarketingScheme, await info.context.loaders.scheme.load(scheme_id))

    @strawberry.federation.mutation(description="名单分配: 无管户客户分给客户经理", authenticated=True)
    async def allocate_scheme_targets(self, info: Info, input: AllocateTargetsInput) -> int:
        allocations = [
            Allocation(parse_id(a.customer_id, "customerId"), parse_id(a.manager_id, "managerId"))
            for a in input.allocations
        ]
        return await allocate_targets(
            info.context.require_principal(), parse_id(input.scheme_id, "schemeId"), allocations
        )

    @strawberry.federation.mutation(description="处理工单", authenticated=True)
    async def start_work_order(self, info: Info, id: strawberry.ID) -> WorkOrder:
        return cast(WorkOrder, await start_work_order(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(description="工单反馈", authenticated=True)
    async def give_work_order_feedback(self, info: Info, input: WorkOrderFeedbackInput) -> WorkOrder:
        feedback = Feedback(input.channel, input.result, input.amount, input.note)
        order = await give_feedback(
            info.context.require_principal(),
            parse_id(input.work_order_id, "workOrderId"),
            input.client_id,
            feedback,
        )
        return cast(WorkOrder, order)

    @strawberry.federation.mutation(description="制作营销二维码 (大众营销)", authenticated=True)
    async def create_qr_code(self, info: Info, input: CreateQrCodeInput) -> QrCode:
        code = await scan.create_qr_code(
            info.context.require_principal(),
            input.product_name,
            input.label,
            org_id=parse_id(input.org_id, "orgId") if input.org_id is not None else None,
            manager_id=parse_id(input.manager_id, "managerId") if input.manager_id is not None else None,
        )
        return cast(QrCode, code)

    @strawberry.federation.mutation(
        description="认领商机: first come first served; the others get CONFLICT (reason ALREADY_CLAIMED)",
        authenticated=True,
    )
    async def claim_opportunity(self, info: Info, id: strawberry.ID) -> Opportunity:
        opportunity = await pool.claim_opportunity(info.context.require_principal(), parse_id(id))
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(description="退回商机池 (claimer or branch head)", authenticated=True)
    async def release_opportunity(self, info: Info, id: strawberry.ID) -> Opportunity:
        opportunity = await pool.release_opportunity(info.context.require_principal(), parse_id(id))
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(description="跟进商机 (claimer)", authenticated=True)
    async def follow_up_opportunity(self, info: Info, input: FollowUpInput) -> FollowUp:
        record = await pool.follow_up(
            info.context.require_principal(),
            parse_id(input.opportunity_id, "opportunityId"),
            input.channel,
            input.note,
            next_on=input.next_on,
            idempotency_key=input.idempotency_key,
        )
        return cast(FollowUp, record)

    @strawberry.federation.mutation(description="转化商机 (claimer)", authenticated=True)
    async def convert_opportunity(self, info: Info, input: ConvertOpportunityInput) -> Opportunity:
        opportunity = await pool.convert_opportunity(
            info.context.require_principal(),
            parse_id(input.opportunity_id, "opportunityId"),
            input.amount,
            input.product_name,
        )
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(
        description="关闭商机 (claimer or branch head), with a reason", authenticated=True
    )
    async def close_opportunity(self, info: Info, id: strawberry.ID, reason: str) -> Opportunity:
        opportunity = await pool.close_opportunity(info.context.require_principal(), parse_id(id), reason)
        return cast(Opportunity, opportunity)

    # 二维码 / 认领 / 退回 / 跟进 / 转化 / 关闭 (resolvers/marketing/scan.py, pool.py) --
    @strawberry.federation.mutation(description="制作营销画布模板 (省联社 / 总行)", authenticated=True)
    async def create_campaign_template(
        self, info: Info, input: CreateCampaignTemplateInput
    ) -> CampaignTemplate:
        template = await create_template(
            info.context.require_principal(),
            input.name,
            input.scenario_code,
            input.description,
            input.graph.plain() if input.graph is not None else None,
            [c.plain() for c in input.contents] if input.contents is not None else None,
        )
        return cast(CampaignTemplate, template)

    @strawberry.federation.mutation(description="下发模板 to member banks (省联社)", authenticated=True)
    async def send_down_campaign_template(
        self, info: Info, template_id: strawberry.ID, tenant_ids: list[strawberry.ID]
    ) -> list[CampaignTemplate]:
        copies = await send_down_template(
            info.context.require_principal(),
            parse_id(template_id, "templateId"),
            [parse_id(t, "tenantIds") for t in tenant_ids],
        )
        return cast(list[CampaignTemplate], copies)

    @strawberry.federation.mutation(description="创建营销活动 (draft)", authenticated=True)
    async def create_campaign(self, info: Info, input: CreateCampaignInput) -> Campaign:
        campaign = await create_campaign(
            info.context.require_principal(),
            input.name,
            template_id=parse_id(input.template_id, "templateId") if input.template_id is not None else None,
            scenario_code=input.scenario_code,
            graph=input.graph.plain() if input.graph is not None else None,
            contents=[c.plain() for c in input.contents] if input.contents is not None else None,
            idempotency_key=input.idempotency_key,
        )
        return cast(Campaign, campaign)

    @strawberry.federation.mutation(description="排期: draft → scheduled", authenticated=True)
    async def schedule_campaign(self, info: Info, id: strawberry.ID, starts_at: datetime) -> Campaign:
        campaign = await schedule_campaign(info.context.require_principal(), parse_id(id), starts_at)
        return cast(Campaign, campaign)

    @strawberry.federation.mutation(description="取消营销活动", authenticated=True)
    async def cancel_campaign(self, info: Info, id: strawberry.ID) -> Campaign:
        return cast(Campaign, await cancel_campaign(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="重跑一个波次 (nobody contacted or awarded twice)", authenticated=True
    )
    async def rerun_campaign_wave(self, info: Info, campaign_id: strawberry.ID, number: int) -> CampaignWave:
        wave = await rerun_wave(info.context.require_principal(), parse_id(campaign_id, "campaignId"), number)
        return cast(CampaignWave, wave)

    @strawberry.federation.mutation(description="记录客户响应", authenticated=True)
    async def record_campaign_response(
        self, info: Info, campaign_id: strawberry.ID, customer_id: strawberry.ID, converted: bool = False
    ) -> bool:
        await record_response(
            info.context.require_principal(),
            parse_id(campaign_id, "campaignId"),
            parse_id(customer_id, "customerId"),
            converted,
        )
        return True

    @strawberry.federation.mutation(description="积分兑换: spend a customer's points", authenticated=True)
    async def spend_points(
        self, info: Info, customer_id: strawberry.ID, amount: int, reason: str, idempotency_key: str
    ) -> PointsEntry:
        entry = await spend_points(
            info.context.require_principal(),
            parse_id(customer_id, "customerId"),
            amount,
            reason,
            idempotency_key,
        )
        return cast(PointsEntry, entry)

    @strawberry.federation.mutation(description="站内信已读", authenticated=True)
    async def mark_inbox_message_read(self, info: Info, id: strawberry.ID) -> InboxMessage:
        return cast(InboxMessage, await mark_read(info.context.require_principal(), parse_id(id)))

    # -- 内容管理, 产品推荐位, 产品知识库 (content.py, knowledge.py) --

    @strawberry.federation.mutation(description="撰写文章 (草稿)", authenticated=True)
    async def create_article(
        self, info: Info, input: ArticleInput, idempotency_key: str | None = None
    ) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.create_article(principal, _fields(input), idempotency_key))

    @strawberry.federation.mutation(description="修改文章 (草稿 / 已驳回)", authenticated=True)
    async def update_article(self, info: Info, id: strawberry.ID, input: ArticleInput) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.update_article(principal, parse_id(id), _fields(input)))

    @strawberry.federation.mutation(description="提交审核", authenticated=True)
    async def submit_article(self, info: Info, id: strawberry.ID) -> Article:
        return cast(Article, await content.submit_article(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="审核文章: approve publishes, else rejects (a comment needed); never one's own",
        authenticated=True,
    )
    async def review_article(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.review_article(principal, parse_id(id), approve, comment))

    @strawberry.federation.mutation(description="移入回收站", authenticated=True)
    async def recycle_article(self, info: Info, id: strawberry.ID, comment: str = "") -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.recycle_article(principal, parse_id(id), comment))

    @strawberry.federation.mutation(description="从回收站恢复 (as a draft)", authenticated=True)
    async def restore_article(self, info: Info, id: strawberry.ID) -> Article:
        return cast(Article, await content.restore_article(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="彻底删除 (recycled articles only); the id", authenticated=True
    )
    async def purge_article(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        gone = await content.purge_article(info.context.require_principal(), parse_id(id))
        return strawberry.ID(str(gone))

    @strawberry.federation.mutation(description="置顶 / 排序", authenticated=True)
    async def pin_article(self, info: Info, id: strawberry.ID, pinned: bool, sort_order: int = 0) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.pin_article(principal, parse_id(id), pinned, sort_order))

    @strawberry.federation.mutation(
        description="设置产品推荐位: LISTED finance products, in order (replaces the slot's list)",
        authenticated=True,
    )
    async def set_recommendation_slot(
        self, info: Info, code: str, name: str, product_ids: list[strawberry.ID]
    ) -> RecommendationSlot:
        principal = info.context.require_principal()
        ids = [parse_id(i, "productIds") for i in product_ids]
        return cast(RecommendationSlot, await knowledge.set_slot(principal, code, name, ids))

    @strawberry.federation.mutation(description="新增产品知识库条目 (head office)", authenticated=True)
    async def create_knowledge_entry(
        self, info: Info, input: KnowledgeEntryInput, idempotency_key: str | None = None
    ) -> KnowledgeEntry:
        principal = info.context.require_principal()
        entry = await knowledge.create_entry(
            principal, input.kind, input.title, input.body, input.product_name, idempotency_key
        )
        return cast(KnowledgeEntry, entry)

    @strawberry.federation.mutation(description="修改产品知识库条目", authenticated=True)
    async def update_knowledge_entry(
        self, info: Info, id: strawberry.ID, input: KnowledgeEntryInput
    ) -> KnowledgeEntry:
        principal = info.context.require_principal()
        entry = await knowledge.update_entry(
            principal, parse_id(id), input.kind, input.title, input.body, input.product_name
        )
        return cast(KnowledgeEntry, entry)

    @strawberry.federation.mutation(description="删除产品知识库条目; the id", authenticated=True)
    async def delete_knowledge_entry(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        gone = await knowledge.delete_entry(info.context.require_principal(), parse_id(id))
        return strawberry.ID(str(gone))

    # -- 业绩管理 (resolvers/marketing/performance.py) ---------------------------------------------

    @strawberry.federation.mutation(
        description="保存业绩指标 (总行): 按编码新建或修改, 留审计记录", authenticated=True
    )
    async def save_performance_indicator(
        self, info: Info, input: PerformanceIndicatorInput
    ) -> PerformanceIndicator:
        draft = performance.IndicatorDraft(
            input.code, input.name, input.category, input.unit, input.measure, input.weight, input.active
        )
        row = await performance.save_indicator(info.context.require_principal(), draft)
        return cast(PerformanceIndicator, row)

    @strawberry.federation.mutation(
        description="下达机构目标 (总行): 经审批 (BRANCH_TARGET) 后生效; 同一提案重复提交返回原目标",
        authenticated=True,
    )
    async def set_branch_target(self, info: Info, input: BranchTargetInput) -> PerformanceTarget:
        row = await performance.set_branch_target(
            info.context.require_principal(),
            parse_id(input.indicator_id, "indicatorId"),
            parse_id(input.org_id, "orgId"),
            input.period,
            input.target,
            input.comment,
        )
        return cast(PerformanceTarget, row)

    @strawberry.federation.mutation(
        description="审批机构目标 (四眼原则: 不能审批自己下达的); 驳回须填写意见", authenticated=True
    )
    async def review_branch_target(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> PerformanceTarget:
        row = await performance.review_branch_target(
            info.context.require_principal(), parse_id(id), approve, comment
        )
        return cast(PerformanceTarget, row)

    @strawberry.federation.mutation(
        description=(
            "分解机构目标到个人 (支行负责人); 合计超过机构目标: BAD_USER_INPUT (reason SPLIT_EXCEEDS_TARGET)"
        ),
        authenticated=True,
    )
    async def split_branch_target(self, info: Info, input: SplitBranchTargetInput) -> list[PerformanceTarget]:
        shares = [performance.StaffShare(parse_id(s.staff_id, "staffId"), s.target) for s in input.shares]
        rows = await performance.split_branch_target(
            info.context.require_principal(), parse_id(input.target_id, "targetId"), shares, input.comment
        )
        return cast(list[PerformanceTarget], rows)

    # -- 工作报告 (work reports) --
    @strawberry.federation.mutation(
        description="起草工作报告: my report of the week or month holding day (today by default), filled "
        "from the period's activity; asked again, the same report (a draft's figures recounted)",
        authenticated=True,
    )
    async def draft_work_report(
        self, info: Info, period: WorkReportPeriod, day: date | None = None
    ) -> WorkReport:
        return cast(WorkReport, await reports.draft_report(info.context.require_principal(), period, day))

    @strawberry.federation.mutation(
        description="修改工作报告 (a draft or a returned one)", authenticated=True
    )
    async def update_work_report(self, info: Info, input: UpdateWorkReportInput) -> WorkReport:
        principal = info.context.require_principal()
        row = await reports.update_report(principal, parse_id(input.id), input.summary, input.plan)
        return cast(WorkReport, row)

    @strawberry.federation.mutation(description="提交工作报告 to my branch head", authenticated=True)
    async def submit_work_report(self, info: Info, id: strawberry.ID) -> WorkReport:
        return cast(WorkReport, await reports.submit_report(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="退回工作报告 with a comment (the author's branch head)", authenticated=True
    )
    async def return_work_report(self, info: Info, input: ReturnWorkReportInput) -> WorkReport:
        principal = info.context.require_principal()
        row = await reports.return_report(principal, parse_id(input.id), input.comment)
        return cast(WorkReport, row)


def _draft(input: SchemeInput) -> SchemeDraft:
    return SchemeDraft(
        name=input.name,
        description=input.description,
        starts_on=input.starts_on,
        ends_on=input.ends_on,
        products=tuple(input.products),
        channels=tuple(input.channels),
        audience_id=parse_id(input.audience_id, "audienceId") if input.audience_id is not None else None,
        indicators=tuple(IndicatorDraft(i.kind, i.total) for i in input.indicators),
        conversion_points=input.conversion_points,
    )


def _fields(input: ArticleInput) -> ArticleFields:
    return ArticleFields(
        category_id=parse_id(input.category_id, "categoryId"),
        title=input.title,
        summary=input.summary,
        body=input.body,
        cover_url=input.cover_url,
        link_url=input.link_url,
        source=input.source,
        attachments=[Attachment(a.name, a.url) for a in input.attachments],
        published_at=input.published_at,
        pinned=input.pinned,
        sort_order=input.sort_order,
    )
